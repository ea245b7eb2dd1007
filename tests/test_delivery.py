"""The outbox sender with a recording messenger: pacing, outcomes, retries, exactly-once
delivery across a crash, and rendering once per batch."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.delivery import NO_LONGER_WANTED, Backoff, OutboxSender
from bot.lease import FIRST_LEASE, LEASE_WINDOW, MAX_LEASE, MIN_LEASE, AdaptiveLease
from bot.messenger import (
    DeliveryError,
    NoRoute,
    RateLimited,
    RecipientUnreachable,
    SentMessage,
)
from bot.outbound import Outbound
from bot.pacing import RateLimit, RateLimiters
from bot.progress import Progress
from bot.renderers import Renderers
from bot.replies import Reply
from storage.db import Database
from storage.migrate import upgrade
from storage.outbox import OutboxRepository
from storage.outbox_items import OutboxItem, Recipient
from storage.people import Identity, PeopleRepository, Profile
from tests.fakes import FakeTime, RecordingMessenger

T0 = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
INVITE = Reply.text("**Weekly pulse**: three quick questions.")
KIND = "test.notice"
Replies = Mapping[int, Reply | None]


class Clock:
    """Wall time for the sender, moved by hand."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@dataclass
class World:
    db: Database
    clock: Clock
    messenger: RecordingMessenger = field(default_factory=RecordingMessenger)
    # Each render: the kind, the payload key and the person ids it was asked for.
    rendered: list[tuple[str, str, list[int]]] = field(default_factory=list)
    render_result: Reply | None = INVITE

    def __post_init__(self) -> None:
        self.people = PeopleRepository(self.db)
        self.outbox = OutboxRepository(self.db)
        self.outbound = Outbound(self.people)
        self.outbound.register(self.messenger)
        self.renderers = Renderers()
        self.renderers.register(KIND, self.render)
        self._payloads = itertools.count(1)
        self._sends = asyncio.Condition()
        send = self.messenger.send_direct

        async def send_and_tell(
            identity: Identity, reply: Reply, *, dedupe_key: str | None = None
        ) -> SentMessage:
            try:
                return await send(identity, reply, dedupe_key=dedupe_key)
            finally:
                async with self._sends:
                    self._sends.notify_all()

        self.messenger.send_direct = send_and_tell  # type: ignore[method-assign]

    async def wait_for_sends(self, count: int) -> None:
        async with asyncio.timeout(5), self._sends:
            await self._sends.wait_for(lambda: len(self.messenger.direct) >= count)

    async def render(self, kind: str, payload_key: str, recipients: Sequence[Recipient]) -> Replies:
        self.rendered.append((kind, payload_key, [r.person_id for r in recipients]))
        return {r.person_id: self.render_result for r in recipients}

    def sender(self, **options: object) -> OutboxSender:
        settings: dict[str, object] = {
            "clock": self.clock,
            "flush_interval": 0.01,
            "idle_poll": 0.01,
            "limiters": RateLimiters({"console": RateLimit(rate=10_000, burst=100)}),
        }
        settings.update(options)
        return OutboxSender(self.outbox, self.outbound, self.renderers, **settings)  # type: ignore[arg-type]

    async def invite(
        self, *users: str, due: datetime = T0, platform: str = "console", kind: str = KIND
    ) -> str:
        """A notice of `kind` queued for these users; returns its payload key."""
        payload_key = f"notice:{next(self._payloads)}"
        ids = [(await self.people.resolve(Profile(platform, "T1", u))).id for u in users]
        await self.outbox.enqueue(kind, payload_key, dict.fromkeys(ids, due))
        return payload_key

    async def rows(self, payload_key: str) -> dict[str, OutboxItem]:
        items = await self.outbox.items(payload_key)
        users = {}
        for item in items:
            [identity, *_] = await self.people.identities(item.person_id)
            users[identity.user_id] = item
        return users

    def received(self, user: str) -> int:
        return len(self.messenger.direct_to(user))


@pytest.fixture
async def sqlite_db(tmp_path: Path) -> AsyncIterator[Database]:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'delivery.db'}")
    await upgrade(db)
    yield db
    await db.dispose()


@pytest.fixture
def world(sqlite_db: Database) -> World:
    return World(sqlite_db, Clock())


# -- sending ------------------------------------------------------------------------------------


async def test_every_due_row_is_sent_once_and_recorded(world: World) -> None:
    notice = await world.invite("U1", "U2", "U3")
    later = await world.invite("U4", due=T0 + timedelta(hours=1))
    reports: list[Progress] = []

    result = await world.sender().run_until_idle(progress=reports.append)

    assert [world.received(u) for u in ("U1", "U2", "U3", "U4")] == [1, 1, 1, 0]
    rows = await world.rows(notice)
    assert {r.status for r in rows.values()} == {"sent"}
    sent = {s.to: s for s in world.messenger.direct}
    assert rows["U1"].message_id == sent["U1"].message_id
    assert rows["U1"].platform == "console"
    assert rows["U1"].sent_at == T0
    assert sent["U1"].dedupe_key == f"outbox:{rows['U1'].id}"
    # Marked with its reader's language, for the words the adapter adds (`Reply.language`).
    assert sent["U1"].reply == replace(INVITE, language="en")
    assert result == Progress(sent=3, remaining=0)
    assert reports[-1] == result
    assert (await world.rows(later))["U4"].status == "pending"


async def test_run_once_sends_one_batch(world: World) -> None:
    await world.invite(*(f"U{n}" for n in range(5)))
    result = await world.sender(prefetch=3).run_once()
    assert result.sent == 3
    assert result.remaining == 2
    assert len(world.messenger.direct) == 3


async def test_a_row_no_longer_needed_is_skipped(world: World) -> None:
    notice = await world.invite("U1")
    world.render_result = None
    result = await world.sender().run_until_idle()
    assert result.skipped == 1
    assert world.messenger.direct == []
    assert (await world.rows(notice))["U1"].status == "skipped"


async def test_a_message_no_longer_wanted_when_its_turn_comes_is_not_sent(world: World) -> None:
    """Written when the batch is claimed, then waiting for the rate limit: what it is about
    ends meanwhile, and the check right before each send keeps the rest from leaving."""
    kind = "test.current"
    wanted = True
    checks: list[str] = []
    turn = asyncio.Event()  # the rate limit's wait, ended by the test

    async def current(kind: str, payload_key: str) -> bool:
        checks.append(payload_key)
        await asyncio.sleep(0)  # a database round trip, during which others ask too
        return wanted

    async def wait_for_turn(seconds: float) -> None:
        await turn.wait()

    world.renderers.register(kind, world.render, current=current)
    notice = await world.invite(*(f"U{n}" for n in range(6)), kind=kind)
    send = world.messenger.send_direct

    async def send_then_end(
        identity: Identity, reply: Reply, *, dedupe_key: str | None = None
    ) -> SentMessage:
        nonlocal wanted
        sent = await send(identity, reply, dedupe_key=dedupe_key)
        wanted = False  # e.g. the survey round closed just after the first invitation left
        turn.set()
        return sent

    world.messenger.send_direct = send_then_end  # type: ignore[method-assign]
    limiters = RateLimiters({"console": RateLimit(rate=1000, burst=1)}, sleep=wait_for_turn)

    result = await world.sender(limiters=limiters).run_until_idle()

    assert (result.sent, result.skipped) == (1, 5)
    assert len(world.messenger.direct) == 1
    rows = (await world.rows(notice)).values()
    assert sorted(r.status for r in rows) == ["sent"] + ["skipped"] * 5
    assert {r.error for r in rows if r.status == "skipped"} == {NO_LONGER_WANTED}
    assert len(world.rendered) == 1, "written once, before the wait"
    # The five waiting at once shared checks begun after they asked, instead of one each.
    assert 2 <= len(checks) < 6


async def test_someone_who_blocked_the_bot_is_marked_and_never_retried(world: World) -> None:
    notice = await world.invite("U1", "U2")
    world.messenger.blocked.add("U2")

    first = await world.sender().run_until_idle()
    world.clock.advance(days=1)
    again = await world.sender().run_until_idle()

    assert (first.sent, first.blocked, again.done) == (1, 1, 0)
    row = (await world.rows(notice))["U2"]
    assert (row.status, row.attempts, row.error) == ("blocked", 1, "U2")
    [identity] = await world.people.identities(row.person_id)
    assert not identity.reachable


async def test_a_person_already_marked_unreachable_is_blocked_without_a_send(
    world: World,
) -> None:
    notice = await world.invite("U1")
    row = (await world.rows(notice))["U1"]
    [identity] = await world.people.identities(row.person_id)
    await world.people.mark_unreachable(identity.id)

    result = await world.sender().run_until_idle()

    assert result.blocked == 1
    assert world.rendered == []
    assert (await world.rows(notice))["U1"].status == "blocked"


async def test_a_failure_is_retried_after_a_backoff_and_checked_first(world: World) -> None:
    notice = await world.invite("U1")
    world.messenger.failures["U1"] = [DeliveryError("HTTP 500")]
    checks: list[str] = []
    find_sent = world.messenger.find_sent

    async def spy(identity: Identity, dedupe_key: str, since: datetime) -> SentMessage | None:
        checks.append(dedupe_key)
        return await find_sent(identity, dedupe_key, since)

    world.messenger.find_sent = spy  # type: ignore[method-assign]
    sender = world.sender()

    first = await sender.run_until_idle()
    row = (await world.rows(notice))["U1"]
    assert (first.retried, row.status, row.attempts, row.error) == (1, "pending", 1, "HTTP 500")
    assert row.due_at == T0 + timedelta(seconds=2)
    assert checks == []

    world.clock.advance(seconds=31)
    second = await sender.run_until_idle()
    assert second.sent == 1
    assert checks == [f"outbox:{row.id}"]  # a failed attempt may still have gone out
    assert world.received("U1") == 1


async def test_repeated_failures_end_as_failed(world: World) -> None:
    notice = await world.invite("U1")
    world.messenger.failures["U1"] = [DeliveryError(f"boom {n}") for n in range(3)]
    sender = world.sender(max_attempts=3, backoff=Backoff(first=timedelta(seconds=1)))
    results = []
    for _ in range(3):
        results.append(await sender.run_until_idle())
        world.clock.advance(minutes=1)
    assert [r.retried for r in results] == [1, 1, 0]
    assert results[-1].failed == 1
    row = (await world.rows(notice))["U1"]
    assert (row.status, row.attempts, row.error) == ("failed", 3, "boom 2")
    world.clock.advance(days=1)
    assert (await sender.run_until_idle()).done == 0


async def test_a_lost_answer_does_not_lead_to_a_second_message(world: World) -> None:
    """The platform took the message but the answer never came back: the retry finds it."""
    notice = await world.invite("U1")
    world.messenger.lost_replies.add("U1")
    sender = world.sender()
    await sender.run_until_idle()
    world.messenger.lost_replies.clear()
    world.clock.advance(minutes=1)

    result = await sender.run_until_idle()

    assert result.sent == 1
    assert world.received("U1") == 1
    row = (await world.rows(notice))["U1"]
    assert (row.status, row.message_id) == ("sent", world.messenger.direct[0].message_id)


async def test_a_check_that_cannot_be_made_counts_as_a_failed_attempt(world: World) -> None:
    notice = await world.invite("U1")
    world.messenger.failures["U1"] = [DeliveryError("timeout")]
    sender = world.sender()
    await sender.run_until_idle()

    async def cannot_tell(
        identity: Identity, dedupe_key: str, since: datetime
    ) -> SentMessage | None:
        raise DeliveryError("missing_scope")

    world.messenger.find_sent = cannot_tell  # type: ignore[method-assign]
    world.clock.advance(minutes=1)
    await sender.run_until_idle()

    row = (await world.rows(notice))["U1"]
    assert (row.status, row.attempts) == ("pending", 2)
    assert row.error == "cannot check an earlier attempt: missing_scope"
    assert world.messenger.direct == []


async def test_a_rate_limited_check_waits_its_retry_after_and_is_not_a_failed_attempt(
    world: World,
) -> None:
    notice = await world.invite("U1")
    world.messenger.failures["U1"] = [DeliveryError("timeout")]
    limiters = RateLimiters({"console": RateLimit(rate=10_000, burst=100)})
    sender = world.sender(limiters=limiters)
    await sender.run_until_idle()

    async def slow_down(identity: Identity, dedupe_key: str, since: datetime) -> SentMessage | None:
        raise RateLimited(30.0)

    world.messenger.find_sent = slow_down  # type: ignore[method-assign]
    world.clock.advance(minutes=1)
    result = await sender.run_until_idle()

    assert (result.rate_limited, result.failed) == (1, 0)
    row = (await world.rows(notice))["U1"]
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.due_at == T0 + timedelta(minutes=1, seconds=30)
    assert limiters.workspace("console", "T1").paused_for > 25
    assert world.messenger.direct == []


async def test_rate_limited_requeues_without_counting_and_pauses_the_workspace(
    world: World,
) -> None:
    notice = await world.invite("U1")
    world.messenger.failures["U1"] = [RateLimited(2.0)]
    limiters = RateLimiters({"console": RateLimit(rate=10_000, burst=100)})

    result = await world.sender(limiters=limiters).run_until_idle()

    assert (result.rate_limited, result.retried, result.failed) == (1, 1, 0)
    row = (await world.rows(notice))["U1"]
    assert (row.status, row.attempts, row.due_at) == ("pending", 0, T0 + timedelta(seconds=2))
    assert limiters.workspace("console", "T1").paused_for > 1.5
    assert world.messenger.direct == []


async def test_someone_reachable_only_elsewhere_is_retried_for_another_process(
    world: World,
) -> None:
    notice = await world.invite("29:teams-user", platform="teams")
    result = await world.sender().run_until_idle()
    row = (await world.rows(notice))["29:teams-user"]
    assert (result.retried, row.status, row.attempts) == (1, "pending", 1)
    assert "not mounted" in (row.error or "")


async def test_an_unexpected_error_while_rendering_is_retried_then_failed(
    world: World,
) -> None:
    notice = await world.invite("U1")

    async def broken(kind: str, payload_key: str, recipients: Sequence[Recipient]) -> Replies:
        raise KeyError("survey")

    renderers = Renderers()
    renderers.register(KIND, broken)
    sender = OutboxSender(
        world.outbox, world.outbound, renderers, clock=world.clock, max_attempts=2, idle_poll=0.01
    )
    await sender.run_until_idle()
    world.clock.advance(minutes=5)
    await sender.run_until_idle()

    row = (await world.rows(notice))["U1"]
    assert (row.status, row.attempts, row.error) == ("failed", 2, "KeyError")


# -- rendering once per batch ---------------------------------------------------------------------


async def test_each_kind_and_payload_is_rendered_once_per_batch_for_all_its_recipients(
    world: World,
) -> None:
    world.renderers.register("test.reminder", world.render)
    first = await world.invite("U1", "U2", "U3")
    second = await world.invite("U4", "U5")
    reminder = await world.invite("U1", "U6", kind="test.reminder")

    result = await world.sender().run_until_idle()

    assert result.sent == 7
    calls = {(kind, key): sorted(ids) for kind, key, ids in world.rendered}
    assert len(world.rendered) == len(calls) == 3, "one render per kind and payload"
    for kind, key in [(KIND, first), (KIND, second), ("test.reminder", reminder)]:
        recipients = sorted(row.person_id for row in (await world.rows(key)).values())
        assert calls[(kind, key)] == recipients


async def test_a_renderer_can_give_each_person_their_own_reply(world: World) -> None:
    """One render for the batch, one reply per person: here by time zone, and nothing at all
    for someone the renderer leaves out."""
    for user, zone in [("U1", "America/New_York"), ("U2", "Europe/London"), ("U3", None)]:
        await world.people.resolve(Profile("console", "T1", user, timezone=zone))
    built: list[str] = []

    async def by_zone(kind: str, payload_key: str, recipients: Sequence[Recipient]) -> Replies:
        zoned = {r.person_id: r.timezone for r in recipients if r.timezone is not None}
        replies: dict[str, Reply] = {}
        for zone in set(zoned.values()):
            built.append(zone)
            replies[zone] = Reply.text(f"Closes Friday 5 pm ({zone})")
        return {person_id: replies[zone] for person_id, zone in zoned.items()}

    world.renderers.register("test.dated", by_zone)
    notice = await world.invite("U1", "U2", "U3", kind="test.dated")

    result = await world.sender().run_until_idle()

    assert (result.sent, result.skipped) == (2, 1)
    assert sorted(built) == ["America/New_York", "Europe/London"]
    assert [r.fallback for r in world.messenger.direct_to("U1")] == [
        "Closes Friday 5 pm (America/New_York)"
    ]
    assert [r.fallback for r in world.messenger.direct_to("U2")] == [
        "Closes Friday 5 pm (Europe/London)"
    ]
    assert (await world.rows(notice))["U3"].status == "skipped"


async def test_a_kind_nobody_renders_here_is_left_for_another_process(world: World) -> None:
    notice = await world.invite("U1", kind="test.from_a_newer_release")
    result = await world.sender().run_until_idle()
    row = (await world.rows(notice))["U1"]
    assert (result.retried, row.status, row.attempts) == (1, "pending", 1)
    assert row.error == "no renderer for test.from_a_newer_release"
    assert world.messenger.direct == []


def test_a_kind_has_one_renderer(world: World) -> None:
    with pytest.raises(ValueError, match="has a renderer already"):
        world.renderers.register(KIND, world.render)


# -- crashes, leases and reconciliation ----------------------------------------------------------


async def crash_after_sending(world: World, count: int) -> None:
    """A sender that sends everything and dies before any outcome reaches the database."""

    async def lost(outcomes: object) -> None:
        return None

    world.outbox.settle = lost  # type: ignore[method-assign]
    doomed = asyncio.create_task(world.sender().run_until_idle())
    await world.wait_for_sends(count)
    doomed.cancel()
    with pytest.raises(asyncio.CancelledError):
        await doomed
    world.outbox = OutboxRepository(world.db)  # the restarted process


async def test_a_crash_between_send_and_record_is_reconciled_without_resending(
    database: Database,
) -> None:
    world = World(database, Clock())
    users = [f"U{n}" for n in range(12)]
    notice = await world.invite(*users)
    await crash_after_sending(world, 12)
    assert {r.status for r in (await world.rows(notice)).values()} == {"sending"}
    assert len(world.messenger.direct) == 12

    world.clock.advance(seconds=11)  # past the 10 second lease: the claims have lapsed
    result = await world.sender().run_until_idle()

    assert result.sent == 12
    assert [world.received(u) for u in users] == [1] * 12
    rows = await world.rows(notice)
    sent = {s.to: s.message_id for s in world.messenger.direct}
    assert {u: r.message_id for u, r in rows.items()} == sent
    assert {r.status for r in rows.values()} == {"sent"}


async def test_claims_left_by_a_crash_before_sending_are_sent_after_their_lease(
    database: Database,
) -> None:
    """Claimed, some sent and some not, then the process died: everyone gets exactly one."""
    world = World(database, Clock())
    users = [f"U{n}" for n in range(6)]
    notice = await world.invite(*users)
    claimed = await world.outbox.claim_due(T0, 10)
    rows = await world.rows(notice)
    for user in users[:3]:  # these went out just before the crash
        identity = (await world.people.identities(rows[user].person_id))[0]
        await world.messenger.send_direct(identity, INVITE, dedupe_key=rows[user].dedupe_key)
    assert len(claimed) == 6

    sender = world.sender()
    early = await sender.run_once(T0 + timedelta(seconds=5))
    assert early.done == 0  # the lease has not lapsed: the owner may still be working
    late = await sender.run_once(T0 + timedelta(seconds=11))

    assert late.sent == 6
    assert [world.received(u) for u in users] == [1] * 6
    assert {r.status for r in (await world.rows(notice)).values()} == {"sent"}


async def test_two_senders_at_once_send_each_message_once(database: Database) -> None:
    world = World(database, Clock())
    users = [f"U{n}" for n in range(40)]
    await world.invite(*users)
    first, second = world.sender(prefetch=4), world.sender(prefetch=4)

    results = await asyncio.gather(first.run_until_idle(), second.run_until_idle())

    assert sum(r.sent for r in results) == 40
    assert [world.received(u) for u in users] == [1] * 40


async def test_a_claim_that_could_not_be_renewed_in_time_is_not_sent(world: World) -> None:
    """If the lease may have lapsed before the send (the database was unreachable to renew it),
    another sender may own the row: sending could duplicate, leaving it cannot."""
    notice = await world.invite("U1")
    ticks = FakeTime()

    async def slow_render(kind: str, payload_key: str, recipients: Sequence[Recipient]) -> Replies:
        ticks.now += 6  # more than half the 10 second lease passes before the send
        return {r.person_id: INVITE for r in recipients}

    renderers = Renderers()
    renderers.register(KIND, slow_render)
    sender = OutboxSender(
        world.outbox,
        world.outbound,
        renderers,
        clock=world.clock,
        monotonic=ticks.monotonic,
        limiters=RateLimiters(monotonic=ticks.monotonic),
        flush_interval=60,
    )
    result = await sender.run_once()

    assert result.done == 0
    assert world.messenger.direct == []
    assert (await world.rows(notice))["U1"].status == "sending"  # to be reconciled


async def test_the_server_loop_stops_promptly_and_gives_back_what_it_did_not_try(
    world: World,
) -> None:
    notice = await world.invite("U1", "U2")
    limiters = RateLimiters({"console": RateLimit(rate=0.2)})  # the second waits 5 seconds
    stop = asyncio.Event()
    task = asyncio.create_task(world.sender(limiters=limiters).run_forever(stop))
    await world.wait_for_sends(1)

    stop.set()
    await asyncio.wait_for(task, 2)

    rows = await world.rows(notice)
    [sent] = [r for r in rows.values() if r.status == "sent"]
    [back] = [r for r in rows.values() if r.status != "sent"]
    assert (back.status, back.attempts, back.claimed_at) == ("pending", 0, None)
    assert sent.message_id == world.messenger.direct[0].message_id


async def test_the_server_loop_sends_what_falls_due_later(world: World) -> None:
    stop = asyncio.Event()
    task = asyncio.create_task(world.sender().run_forever(stop))
    await asyncio.sleep(0.05)
    await world.invite("U1")
    await world.wait_for_sends(1)
    stop.set()
    await asyncio.wait_for(task, 2)


# -- outbound -------------------------------------------------------------------------------


async def test_outbound_routes_to_the_first_reachable_mounted_identity(world: World) -> None:
    teams = Identity(1, 7, "teams", "T1", "29:ana")
    console = Identity(2, 7, "console", "T1", "ana")
    assert world.outbound.choose(7, [teams, console]) == console
    with pytest.raises(NoRoute, match="not mounted"):
        world.outbound.choose(7, [teams, replace(console, reachable=False)])
    with pytest.raises(RecipientUnreachable, match="no reachable identity"):
        world.outbound.choose(7, [replace(console, reachable=False)])
    with pytest.raises(RecipientUnreachable):
        world.outbound.choose(7, [])

    person = await world.people.resolve(Profile("teams", "T1", "29:ana"))
    with pytest.raises(NoRoute):
        await world.outbound.route(person.id)


async def test_outbound_passes_the_dedupe_key_and_finds_sent_messages(world: World) -> None:
    person = await world.people.resolve(Profile("console", "T1", "ana"))
    sent = await world.outbound.to_person(person.id, INVITE, dedupe_key="outbox:1")
    [identity] = await world.people.identities(person.id)
    assert await world.outbound.find_sent(identity, "outbox:1", T0) == sent
    assert await world.outbound.find_sent(identity, "outbox:2", T0) is None
    with pytest.raises(NoRoute):
        await world.outbound.update(SentMessage("teams", "1"), INVITE)


def test_the_lease_follows_the_slowest_recent_send_or_renewal_within_bounds() -> None:
    lease = AdaptiveLease(fixed=None)
    assert lease.seconds == FIRST_LEASE, "nothing seen yet"
    for _ in range(10):
        lease.observe(0.02)
    assert lease.seconds == MIN_LEASE, "quick sends: a dead sender is noticed within seconds"
    lease.observe(1.5)
    assert lease.seconds == pytest.approx(4 * 1.5), "a slow send stretches it"
    for _ in range(LEASE_WINDOW):
        lease.observe(0.02)
    assert lease.seconds == MIN_LEASE, "and it shrinks again once sends are quick"
    lease.observe(600)
    assert lease.seconds == MAX_LEASE
    assert AdaptiveLease(fixed=10).seconds == 10
    assert AdaptiveLease(fixed=None).span == timedelta(seconds=FIRST_LEASE)
