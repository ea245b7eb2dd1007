"""Pacing: how fast the bot may call a platform, and how it waits when a platform says "slower".

Bulk delivery's rate limits live here, so that each number is chosen once and its reason is
written next to it:
- `RateLimiters`: the paces bulk delivery (the outbox) waits on before every send: a budget per
  workspace, learned from 429s and shared by every replica through the database
  (`WorkspacePace`), and a token bucket per conversation (`RateLimiter`).

A send made one at a time (a reply, a notice) waits out a 429 by `bot.patience` instead.

Slack asks callers to honour Retry-After (https://docs.slack.dev/apis/web-api/rate-limits);
Microsoft asks Teams bots for exponential backoff on 429
(https://learn.microsoft.com/microsoftteams/platform/bots/how-to/rate-limit).
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from typing import Protocol, TypeVar

from storage.db import Conflict, StorageUnavailable
from storage.send_budgets import BudgetState, Change

T = TypeVar("T")
log = logging.getLogger(__name__)
Monotonic = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


# -- bulk sends: budgets per workspace and per conversation ----------------------------------

# Slack: chat.postMessage allows about one message per second per channel, "short bursts >1
# allowed", under a workspace-wide limit Slack does not publish beyond "several hundred messages
# per minute" (https://docs.slack.dev/apis/web-api/rate-limits). Each DM is a channel of its
# own, so a fan-out meets the workspace limit: it starts at 300 a minute, probes upward while
# sends go through, and lets 429s say where to stop.
SLACK_START_RATE = 5.0
SLACK_MAX_RATE = 50.0  # BREAKROOM_SLACK_MAX_RATE: never probe past this many a second
# Teams: 50 requests per second per app per tenant for all bot API calls together; per bot per
# conversation 7 a second, 60 in 30 seconds, 1,800 an hour
# (https://learn.microsoft.com/microsoftteams/platform/bots/how-to/rate-limit).
TEAMS_START_RATE = 20.0
TEAMS_MAX_RATE = 50.0  # BREAKROOM_TEAMS_MAX_RATE

# Probing: below the pace where the last 429 came, each send that goes through raises the pace
# by PROBE_GROWTH (at most MOST_GROWTH_PER_LOT between two lots); past it, the pace creeps up by
# CREEP_PER_SECOND of sending time, a little faster the longer no 429 has come (the creep
# doubles after CREEP_DOUBLES_AFTER seconds), so the limit is met again only now and then: each
# 429 stops everyone for its Retry-After. A 429 settles the pace SETTLE_BELOW the throughput
# accepted just before it, and brings the pace now down to BACK_OFF_FACTOR of itself, or lower
# to the settled pace. (Tuned against a simulated workspace of 10, 20 and 40 a second with
# random 429s: halving at each 429 cost more in slow sends than it saved in refusals.)
PROBE_GROWTH = 1.1
MOST_GROWTH_PER_LOT = 1.5  # so that a 429 comes at most half again past the limit
CREEP_PER_SECOND = 0.001
BACK_OFF_FACTOR = 0.9
SETTLE_BELOW = 0.985
# A 429 this long after the previous one, with the pace at most PASSING_ABOVE the settled one
# (about what half a minute of creeping adds), is a passing refusal: the settled pace stays.
ISOLATED_AFTER = 10.0
PASSING_ABOVE = 1.06
CREEP_DOUBLES_AFTER = 20.0
# How the accepted throughput is smoothed: over about half a second, every replica's sends.
THROUGHPUT_SECONDS = 0.5
# A replica takes this much of the workspace's time at once from the shared budget: one round
# trip to the database per quarter second of sends, whatever the rate.
LOT_SECONDS = 0.25
MAX_LOT = 64


@dataclass(frozen=True)
class RateLimit:
    rate: float  # sends per second, on average, to start with
    burst: int = 1  # sends allowed at once after a quiet spell
    ceiling: float | None = None  # the most per second to probe up to; None: stay at `rate`
    floor: float | None = None  # the least a 429 may bring it down to; None: `rate`

    def __post_init__(self) -> None:
        if self.rate <= 0 or self.burst < 1:
            raise ValueError("a rate limit needs rate > 0 and burst >= 1")
        if self.ceiling is not None and self.ceiling < self.rate:
            raise ValueError("a rate limit's ceiling cannot be below its rate")
        if self.floor is not None and not 0 < self.floor <= self.rate:
            raise ValueError("a rate limit's floor must be above 0 and not above its rate")

    @property
    def cap(self) -> float:
        return self.ceiling or self.rate

    @property
    def least(self) -> float:
        return self.floor or self.rate


def slack_limit(max_rate: float = SLACK_MAX_RATE) -> RateLimit:
    """Slack's workspace pace for bulk DMs, probing up to `max_rate`; 429s may bring it down
    to the one a second Slack documents per channel. No burst: a workspace's burst allowance is
    not published, and a fan-out gains nothing from one (a burst the platform refuses costs a
    whole Retry-After)."""
    start = min(SLACK_START_RATE, max_rate)
    return RateLimit(rate=start, burst=1, ceiling=max_rate, floor=min(1.0, start))


def teams_limit(max_rate: float = TEAMS_MAX_RATE) -> RateLimit:
    """Teams' tenant pace for bulk messages, probing up to `max_rate`."""
    start = min(TEAMS_START_RATE, max_rate)
    return RateLimit(rate=start, burst=1, ceiling=max_rate, floor=min(1.0, start))


def workspace_limits(
    slack_max_rate: float = SLACK_MAX_RATE, teams_max_rate: float = TEAMS_MAX_RATE
) -> dict[str, RateLimit]:
    return {"slack": slack_limit(slack_max_rate), "teams": teams_limit(teams_max_rate)}


DEFAULT_LIMITS: Mapping[str, RateLimit] = workspace_limits()
UNLISTED_LIMIT = RateLimit(rate=100.0, burst=10)
# One conversation (a DM is one): Slack's one a second with a short burst; Teams' 60 in 30
# seconds with its 7 at once.
CONVERSATION_LIMITS: Mapping[str, RateLimit] = {
    "slack": RateLimit(rate=1.0, burst=3),
    "teams": RateLimit(rate=2.0, burst=7),
}


class RateLimiter:
    """A token bucket, kept as GCRA: `rate` sends a second on average and at most `burst` at once.

    Each caller reserves the next free slot and sleeps until it, so waiting callers are served in
    order. `pause` (a 429's Retry-After) stops everyone: slots reserved before the pause are
    given up and taken anew after it, without a burst."""

    def __init__(
        self,
        limit: RateLimit,
        *,
        monotonic: Monotonic = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.limit = limit
        self._interval = 1.0 / limit.rate
        self._tolerance = (limit.burst - 1) * self._interval
        self._monotonic = monotonic
        self._sleep = sleep
        self._tat = -math.inf  # theoretical arrival time of the next send at exactly `rate`
        self._paused_until = -math.inf
        self._generation = 0

    async def acquire(self) -> None:
        while True:
            now = self._monotonic()
            slot = max(now, self._paused_until, self._tat - self._tolerance)
            self._tat = max(self._tat, slot) + self._interval
            generation = self._generation
            if slot > now:
                await self._sleep(slot - now)
            if generation == self._generation:
                return

    def pause(self, seconds: float) -> None:
        """Nobody sends for `seconds`."""
        until = self._monotonic() + max(0.0, seconds)
        if until > self._paused_until:
            self._paused_until = until
            self._tat = until + self._tolerance
            self._generation += 1

    @property
    def idle(self) -> bool:
        """Nothing reserved: a fresh limiter would behave the same."""
        return self._tat - self._tolerance <= self._monotonic() and self.paused_for == 0

    @property
    def paused_for(self) -> float:
        return max(0.0, self._paused_until - self._monotonic())


# -- the workspace's pace: one rule, kept in the database or in memory --------------------------


class BudgetStore(Protocol):
    """Where a workspace's pace is kept: the database (every replica shares it) or memory."""

    async def change(self, key: str, change: Change[T]) -> T: ...


class MemoryBudgets:
    """The pace kept in this process only: for a sender alone with its workspace (tests, tools)."""

    def __init__(self) -> None:
        self._states: dict[str, BudgetState] = {}

    async def change(self, key: str, change: Change[T]) -> T:
        state, result = change(self._states.get(key))
        self._states[key] = state
        return result

    def read(self, key: str) -> BudgetState | None:
        return self._states.get(key)


@dataclass(frozen=True)
class LotReport:
    """What one replica tells the budget when it takes its next lot."""

    successes: int = 0  # sends that went through since its last lot
    retry_after: float | None = None  # a 429 asked everyone to wait this long


def _grown(state: BudgetState, limit: RateLimit, successes: int, now: float) -> BudgetState:
    if successes <= 0:
        return state
    rate, cap = state.rate, limit.cap
    fast_until = min(cap, state.settled) if state.settled is not None else cap
    if rate < fast_until:
        growth = min(PROBE_GROWTH**successes, MOST_GROWTH_PER_LOT)
        rate = min(fast_until, rate * growth)
    elif rate < cap:
        sending = min(1.0, max(0.0, now - state.grown_at))
        # The longer since the last 429, the faster the creep: a pace settled too low (by a
        # refusal met early, at random) finds its way back up.
        calm = max(0.0, now - state.paused_until)
        creep = CREEP_PER_SECOND * (1 + calm / CREEP_DOUBLES_AFTER)
        rate = min(cap, rate * (1 + creep * sending))
    # Accepted throughput, every replica's together: successes over the time since anyone last
    # reported, smoothed over THROUGHPUT_SECONDS.
    elapsed = max(1e-3, now - state.grown_at)
    weight = 1 - math.exp(-elapsed / THROUGHPUT_SECONDS)
    accepted = state.accepted + weight * (successes / elapsed - state.accepted)
    return replace(state, rate=rate, accepted=accepted, grown_at=now)


def _backed_off(
    state: BudgetState, limit: RateLimit, retry_after: float, now: float
) -> BudgetState:
    until = now + max(0.0, retry_after)
    if state.paused_until > now:  # the same 429 episode, met by another send: slow down once
        return replace(state, paused_until=max(state.paused_until, until))
    met = min(state.rate, state.accepted)
    settled = max(limit.least, min(limit.cap, met * SETTLE_BELOW))
    if state.settled is not None:
        # A 429 under the pace the last one came at, long after it, is taken as a passing
        # refusal (platforms send some at random): it pauses, and the settled pace stays.
        # Another one soon after says the limit has come down.
        isolated = now - state.paused_until > ISOLATED_AFTER
        if isolated and state.rate <= state.settled * PASSING_ABOVE:
            settled = state.settled
        else:  # one 429 lowers it by SETTLE_BELOW at most
            settled = max(settled, state.settled * SETTLE_BELOW)
    rate = max(limit.least, min(settled, state.rate * BACK_OFF_FACTOR))
    return replace(
        state,
        rate=rate,
        settled=settled,
        paused_until=until,
        # Resume without a burst: the platform's own bucket is empty.
        next_slot=max(state.next_slot, until + (limit.burst - 1) / rate),
        grown_at=until,
    )


def take_lot(
    state: BudgetState | None, limit: RateLimit, now: float, want: int, report: LotReport
) -> tuple[BudgetState, list[float]]:
    """The budget after `report`, and the next `want` send times it grants (GCRA with `burst`)."""
    if state is None:
        state = BudgetState(
            rate=limit.rate,
            settled=None,
            next_slot=now,
            paused_until=0.0,
            grown_at=now,
            accepted=limit.rate,
        )
    state = _grown(state, limit, report.successes, now)
    if report.retry_after is not None:
        state = _backed_off(state, limit, report.retry_after, now)
    interval = 1.0 / state.rate
    tolerance = (limit.burst - 1) * interval
    earliest = max(now, state.paused_until)
    tat = max(state.next_slot, earliest - tolerance)
    slots = [max(earliest, tat + i * interval - tolerance) for i in range(want)]
    return replace(state, next_slot=tat + want * interval), slots


_Lot = tuple[BudgetState, list[float]]


class WorkspacePace:
    """Bulk sends to one workspace: this replica's share of the budget every replica spends.

    Send times are taken a lot at a time from the store (a quarter second's worth), with this
    replica's successes and 429s since its last lot, so the database sees a few small writes a
    second whatever the rate. A 429 stops this replica at once; the others hear of it with their
    next lot, or from their own 429."""

    def __init__(
        self,
        key: str,
        limit: RateLimit,
        store: BudgetStore,
        *,
        wall: Monotonic = time.time,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.key = key
        self.limit = limit
        self._store = store
        self._wall = wall
        self._sleep = sleep
        self._slots: deque[float] = deque()
        self._rate = limit.rate
        self._successes = 0
        self._retry_after: float | None = None
        self._paused_until = -math.inf
        self._generation = 0
        self._taking = asyncio.Lock()

    @property
    def rate(self) -> float:
        """The pace as of this replica's last lot."""
        return self._rate

    @property
    def paused_for(self) -> float:
        return max(0.0, self._paused_until - self._wall())

    async def acquire(self) -> None:
        while True:
            async with self._taking:
                now = self._wall()
                while self._slots and self._slots[0] < now - LOT_SECONDS:
                    self._slots.popleft()  # granted, but nobody was ready to use it in time
                if not self._slots or self._retry_after is not None:
                    await self._take(now)
                slot = self._slots.popleft()
                generation = self._generation
            wait = slot - self._wall()
            if wait > 0:
                await self._sleep(wait)
            if generation == self._generation:
                return

    def went_through(self) -> None:
        self._successes += 1

    def pause(self, seconds: float) -> None:
        """A 429: nobody here sends for `seconds`; the budget hears of it with the next lot."""
        until = self._wall() + max(0.0, seconds)
        if until > self._paused_until:
            self._paused_until = until
            self._slots.clear()
            self._generation += 1
        self._retry_after = max(seconds, self._retry_after or 0.0)

    async def _take(self, now: float) -> None:
        want = max(1, min(MAX_LOT, round(self._rate * LOT_SECONDS)))
        report = LotReport(self._successes, self._retry_after)
        limit = self.limit
        try:

            def change(found: BudgetState | None) -> tuple[BudgetState, _Lot]:
                state, slots = take_lot(found, limit, now, want, report)
                return state, (state, slots)

            state, slots = await self._store.change(self.key, change)
        except (StorageUnavailable, Conflict) as exc:
            # Keep sending at the last pace known, on this replica's own clock, until the
            # database answers again; the report waits for the next lot.
            log.warning("pacing: budget %s unreachable (%s); keeping the last pace", self.key, exc)
            start = max(now, self._paused_until)
            self._slots.extend(start + i / self._rate for i in range(want))
            return
        self._successes = 0
        self._retry_after = None
        self._rate = state.rate
        self._paused_until = max(self._paused_until, state.paused_until)
        self._slots.extend(slots)


class RateLimiters:
    """Every pace a bulk sender waits on: one per workspace (shared through `store`, so that
    replicas spend one budget together) and one per conversation (within this process). Build
    it once, in the composition root."""

    def __init__(
        self,
        limits: Mapping[str, RateLimit] = DEFAULT_LIMITS,
        *,
        conversations: Mapping[str, RateLimit] = CONVERSATION_LIMITS,
        unlisted: RateLimit = UNLISTED_LIMIT,
        store: BudgetStore | None = None,
        wall: Monotonic = time.time,
        monotonic: Monotonic = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._limits = dict(limits)
        self._conversation_limits = dict(conversations)
        self._unlisted = unlisted
        self._store = store or MemoryBudgets()
        self._wall = wall
        self._monotonic = monotonic
        self._sleep = sleep
        self._workspaces: dict[str, WorkspacePace] = {}
        self._conversations: dict[tuple[str, str, str], RateLimiter] = {}

    def workspace(self, platform: str, tenant: str) -> WorkspacePace:
        key = f"{platform}:{tenant}"
        pace = self._workspaces.get(key)
        if pace is None:
            limit = self._limits.get(platform, self._unlisted)
            pace = WorkspacePace(key, limit, self._store, wall=self._wall, sleep=self._sleep)
            self._workspaces[key] = pace
        return pace

    def conversation(self, platform: str, tenant: str, user: str) -> RateLimiter | None:
        """The pace of one DM, or None where the platform sets none per conversation."""
        limit = self._conversation_limits.get(platform)
        if limit is None:
            return None
        key = (platform, tenant, user)
        limiter = self._conversations.get(key)
        if limiter is None:
            if len(self._conversations) >= MAX_CONVERSATIONS:
                self._forget_idle_conversations()
            limiter = RateLimiter(limit, monotonic=self._monotonic, sleep=self._sleep)
            self._conversations[key] = limiter
        return limiter

    def _forget_idle_conversations(self) -> None:
        """A fan-out touches thousands of DMs once each: keep only those still pacing."""
        self._conversations = {k: v for k, v in self._conversations.items() if not v.idle}


# Conversations tracked before idle ones are forgotten.
MAX_CONVERSATIONS = 1000
