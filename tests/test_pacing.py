"""Pacing: the per-platform limiter and the outbox backoff; waiting out rate limits (never sooner
than Retry-After, spread over a doubling window, giving up when patience runs out or the platform
asks for too long); and reading Retry-After the same way for every platform."""

from __future__ import annotations

import asyncio
import itertools
from datetime import timedelta

import pytest

from bot.delivery import Backoff
from bot.messenger import DeliveryError, RateLimited
from bot.pacing import (
    SLACK_MAX_RATE,
    BudgetStore,
    MemoryBudgets,
    RateLimit,
    RateLimiter,
    RateLimiters,
    WorkspacePace,
    slack_limit,
)
from bot.patience import DEFAULT_RETRY_AFTER, Patience, patiently, retry_after
from storage.db import Database
from storage.send_budgets import SendBudgetRepository
from tests.fake_slack import TokenBucket
from tests.fakes import FakeTime


class Refusals:
    """A send refused with the given Retry-After values, then accepted."""

    def __init__(self, *retry_after: float) -> None:
        self.pending = list(retry_after)
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.pending:
            raise RateLimited(self.pending.pop(0))
        return "sent"


class Clock:
    def __init__(self) -> None:
        self.waits: list[float] = []

    async def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)


async def test_each_wait_is_the_retry_after_plus_a_share_of_a_doubling_window() -> None:
    send, clock = Refusals(2.0, 0.0, 1.0), Clock()
    patience = Patience(attempts=4, first=1.0, longest_wait=10.0)
    assert await patiently(send, patience, sleep=clock.sleep, draw=lambda: 0.5) == "sent"
    assert send.calls == 4
    assert clock.waits == [2.0 + 0.5, 0.0 + 1.0, 1.0 + 2.0]


@pytest.mark.parametrize("draw", [0.0, 0.999])
async def test_jitter_never_waits_less_than_asked_nor_beyond_the_window(draw: float) -> None:
    send, clock = Refusals(3.0), Clock()
    await patiently(send, Patience(first=2.0), sleep=clock.sleep, draw=lambda: draw)
    [wait] = clock.waits
    assert 3.0 <= wait < 3.0 + 2.0


async def test_the_refusal_is_raised_once_the_attempts_are_spent() -> None:
    send, clock = Refusals(0.0, 0.0, 0.0), Clock()
    with pytest.raises(RateLimited):
        await patiently(send, Patience(attempts=3), sleep=clock.sleep)
    assert send.calls == 3
    assert len(clock.waits) == 2


async def test_a_retry_after_beyond_patience_is_not_waited_for() -> None:
    send, clock = Refusals(120.0), Clock()
    with pytest.raises(RateLimited) as refused:
        await patiently(send, Patience(longest_wait=30.0), sleep=clock.sleep)
    assert refused.value.retry_after == 120.0
    assert send.calls == 1
    assert clock.waits == []


async def test_other_failures_are_not_retried() -> None:
    calls = 0

    async def broken() -> None:
        nonlocal calls
        calls += 1
        raise DeliveryError("teams: HTTP 500")

    with pytest.raises(DeliveryError):
        await patiently(broken, Patience())
    assert calls == 1


def test_patience_must_be_possible() -> None:
    with pytest.raises(ValueError, match="attempts"):
        Patience(attempts=0)


# -- the rate limiter -------------------------------------------------------------------------


async def test_limiter_allows_a_burst_then_paces_at_the_rate() -> None:
    time = FakeTime()
    limiter = RateLimiter(RateLimit(rate=10, burst=3), monotonic=time.monotonic, sleep=time.sleep)
    started = time.now
    moments = []
    for _ in range(6):
        await limiter.acquire()
        moments.append(round(time.now - started, 6))
    assert moments == [0, 0, 0, 0.1, 0.2, 0.3]


async def test_limiter_refills_while_idle_but_never_beyond_the_burst() -> None:
    time = FakeTime()
    limiter = RateLimiter(RateLimit(rate=10, burst=2), monotonic=time.monotonic, sleep=time.sleep)
    for _ in range(4):
        await limiter.acquire()
    time.now += 60  # a long quiet spell
    start = time.now
    for _ in range(4):
        await limiter.acquire()
    assert round(time.now - start, 6) == 0.2  # two at once, then one per 0.1s


async def test_concurrent_callers_get_consecutive_slots() -> None:
    time = FakeTime()
    limiter = RateLimiter(RateLimit(rate=4, burst=1), monotonic=time.monotonic, sleep=time.sleep)

    async def no_advance(seconds: float) -> None:
        time.sleeps.append(seconds)
        await asyncio.sleep(0)

    limiter._sleep = no_advance
    await asyncio.gather(*(limiter.acquire() for _ in range(4)))
    assert time.sleeps == [0.25, 0.5, 0.75]


async def test_pause_stops_everyone_for_retry_after_then_resumes_without_a_burst() -> None:
    time = FakeTime()
    limiter = RateLimiter(RateLimit(rate=10, burst=5), monotonic=time.monotonic, sleep=time.sleep)
    await limiter.acquire()
    limiter.pause(2.0)
    assert limiter.paused_for == 2.0
    start = time.now
    moments = []
    for _ in range(3):
        await limiter.acquire()
        moments.append(round(time.now - start, 6))
    assert moments == [2.0, 2.1, 2.2]
    assert limiter.paused_for == 0.0


async def test_a_pause_while_waiting_moves_the_waiter_after_it() -> None:
    time = FakeTime()
    limiter = RateLimiter(RateLimit(rate=10, burst=1), monotonic=time.monotonic, sleep=time.sleep)
    await limiter.acquire()
    time.on_sleep = lambda: limiter.pause(3.0) if len(time.sleeps) == 1 else None
    start = time.now
    await limiter.acquire()  # reserved +0.1s, then a 429 arrives while it waits
    assert round(time.now - start, 6) == 3.0


async def test_a_shorter_pause_does_not_cut_a_longer_one() -> None:
    time = FakeTime()
    limiter = RateLimiter(RateLimit(rate=10), monotonic=time.monotonic, sleep=time.sleep)
    limiter.pause(5)
    limiter.pause(1)
    assert limiter.paused_for == 5


class Granted:
    """A sleep that records when each caller would send, without moving the clock: the slots a
    pace hands out, however many callers and replicas share it."""

    def __init__(self, time: FakeTime) -> None:
        self.time = time
        self.moments: list[float] = []

    async def sleep(self, seconds: float) -> None:
        self.moments.append(self.time.now + seconds)
        await asyncio.sleep(0)


def pace(
    limit: RateLimit, store: BudgetStore | None = None, time: FakeTime | None = None
) -> tuple[WorkspacePace, FakeTime]:
    time = time or FakeTime()
    limiters = RateLimiters(
        {"slack": limit},
        store=store,
        wall=time.monotonic,
        monotonic=time.monotonic,
        sleep=time.sleep,
    )
    return limiters.workspace("slack", "T1"), time


async def test_the_workspace_pace_rises_as_sends_go_through_up_to_its_cap() -> None:
    workspace, time = pace(RateLimit(rate=5, burst=1, ceiling=40))
    for _ in range(10):
        await workspace.acquire()
        workspace.went_through()
    assert 5 < workspace.rate < 40
    for _ in range(100):
        await workspace.acquire()
        workspace.went_through()
    assert workspace.rate == 40, "never past the cap"
    start = time.now
    for _ in range(40):
        await workspace.acquire()
    assert 0.9 <= time.now - start <= 1.1, "then paced at the cap"


async def test_a_429_stops_everyone_for_its_retry_after_and_slows_the_pace_once() -> None:
    store = MemoryBudgets()
    workspace, time = pace(RateLimit(rate=5, burst=1, ceiling=100), store)
    while workspace.rate < 100:
        await workspace.acquire()
        workspace.went_through()
    workspace.pause(1.0)
    workspace.pause(1.0)  # another send in flight meets the same 429: one slow-down, not two
    assert workspace.paused_for == 1.0
    start = time.now
    await workspace.acquire()
    assert time.now - start >= 1.0, "nobody sends before the Retry-After"
    state = store.read("slack:T1")
    assert state is not None
    assert state.settled is not None
    assert workspace.rate == pytest.approx(min(0.9 * 100, state.settled))


async def test_a_lone_429_under_the_settled_pace_keeps_it_and_a_second_soon_after_lowers_it() -> (
    None
):
    store = MemoryBudgets()
    workspace, _ = pace(RateLimit(rate=5, burst=1, ceiling=100, floor=1), store)

    async def send(count: int) -> None:
        for _ in range(count):
            await workspace.acquire()
            workspace.went_through()

    async def refused() -> float:
        workspace.pause(1.0)
        await workspace.acquire()
        state = store.read("slack:T1")
        assert state is not None
        assert state.settled is not None
        return state.settled

    await send(100)
    settled = await refused()  # the limit, met while probing
    await send(30 * round(settled))  # half a minute at the settled pace, creeping a little
    assert await refused() >= settled, "one refusal long after the last: the pace stays"
    await send(10)
    assert await refused() < settled, "another soon after: the limit has come down"


async def test_the_pace_finds_the_platforms_limit_and_stays_just_under_it() -> None:
    """A platform that accepts 40 a second: the pace probes up, meets 429s, and settles near 40
    instead of meeting the limit again and again."""
    time = FakeTime()
    platform = TokenBucket(40, 5, clock=time.monotonic)
    store = MemoryBudgets()
    workspace, _ = pace(RateLimit(rate=5, burst=1, ceiling=100, floor=1), store, time)
    refusals = 0
    start = time.now
    sent = 0
    while sent < 2000:
        await workspace.acquire()
        if platform.take() > 0:
            refusals += 1
            workspace.pause(1.0)
        else:
            sent += 1
            workspace.went_through()
    elapsed = time.now - start
    state = store.read("slack:T1")
    assert state is not None
    assert state.settled is not None
    assert state.settled <= 40
    assert 0.85 * 40 <= state.rate <= 40 * 1.05
    assert refusals <= 12, "the limit is met now and then, not all the time"
    assert elapsed <= 1.25 * 2000 / 40, "within a quarter of the time the limit allows"


async def test_a_pace_without_a_cap_keeps_its_rate_and_never_drops_below_it() -> None:
    workspace, _ = pace(RateLimit(rate=4, burst=1))
    for _ in range(10):
        await workspace.acquire()
        workspace.went_through()
    workspace.pause(1.0)
    await workspace.acquire()
    assert workspace.rate == 4


async def test_replicas_share_one_workspace_budget_through_the_database(
    database: Database,
) -> None:
    """Two senders on two engines: together they keep to the workspace's one pace."""
    other = Database(database.url, schema=database.schema)
    try:
        time = FakeTime()
        granted = Granted(time)
        limit = RateLimit(rate=20, burst=1)
        paces = [
            RateLimiters(
                {"slack": limit},
                store=SendBudgetRepository(db),
                wall=time.monotonic,
                sleep=granted.sleep,
            ).workspace("slack", "T1")
            for db in (database, other)
        ]
        paces[0].pause(0.5)  # every send waits from here on, so `granted` sees each one
        await paces[0].acquire()
        await asyncio.gather(
            *(paces[0].acquire() for _ in range(14)), *(paces[1].acquire() for _ in range(15))
        )
        moments = sorted(granted.moments)
        assert len(moments) == 30
        gaps = [b - a for a, b in itertools.pairwise(moments)]
        assert min(gaps) >= 1 / 20 - 1e-6, "no two sends closer than the workspace allows"

        paces[0].pause(5.0)  # a 429 met by one replica …
        await paces[0].acquire()
        granted.moments.clear()
        time.now += 2.0  # … once the other has used up the times it was granted before it …
        await paces[1].acquire()
        [moment] = granted.moments
        assert 105.0 <= moment < 106.0, "… stops the other one too"
    finally:
        await other.dispose()


def test_slack_starts_at_300_a_minute_and_may_probe_up_to_its_setting() -> None:
    assert slack_limit() == RateLimit(rate=5.0, burst=1, ceiling=SLACK_MAX_RATE, floor=1.0)
    assert slack_limit(0.5) == RateLimit(rate=0.5, burst=1, ceiling=0.5, floor=0.5)
    with pytest.raises(ValueError, match="ceiling"):
        RateLimit(rate=2, ceiling=1)


def test_paces_are_shared_per_workspace_and_per_conversation() -> None:
    limiters = RateLimiters({"slack": RateLimit(rate=2, burst=2)}, unlisted=RateLimit(rate=7))
    assert limiters.workspace("slack", "T1") is limiters.workspace("slack", "T1")
    assert limiters.workspace("slack", "T2") is not limiters.workspace("slack", "T1")
    assert limiters.workspace("slack", "T1").limit == RateLimit(rate=2, burst=2)
    assert limiters.workspace("teams", "T1").limit == RateLimit(rate=7)
    dm = limiters.conversation("slack", "T1", "U1")
    assert dm is not None
    assert dm is limiters.conversation("slack", "T1", "U1")
    assert dm.limit == RateLimit(rate=1.0, burst=3)
    assert limiters.conversation("console", "T1", "U1") is None
    with pytest.raises(ValueError, match="rate > 0"):
        RateLimit(rate=0)


def test_backoff_doubles_up_to_its_cap() -> None:
    backoff = Backoff(first=timedelta(seconds=30), cap=timedelta(minutes=3))
    assert [backoff.after(n).total_seconds() for n in range(6)] == [0, 30, 60, 120, 180, 180]


# -- reading a 429 ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"Retry-After": "7"}, 7.0),
        ({"retry-after": "2.5"}, 2.5),  # as a client that lower-cases header names hands it over
        ({"Retry-After": 3}, 3.0),
        ({"Retry-After": "-4"}, 0.0),
    ],
)
def test_retry_after_reads_the_header_in_seconds(
    headers: dict[str, object], seconds: float
) -> None:
    assert retry_after(headers) == seconds


@pytest.mark.parametrize(
    "headers",
    [
        None,
        {},
        {"Retry-After": None},
        {"Retry-After": "Wed, 21 Oct 2026 07:28:00 GMT"},
        {"Retry-After": "inf"},  # would pause a platform's limiter for good
        {"Retry-After": "nan"},
    ],
)
def test_retry_after_without_a_usable_header_is_the_default(
    headers: dict[str, object] | None,
) -> None:
    assert retry_after(headers) == DEFAULT_RETRY_AFTER
    assert retry_after(headers, 30.0) == 30.0
