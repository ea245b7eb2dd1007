"""Delivery of outbox rows: paced per workspace and conversation, batched in the database,
exactly once across crashes wherever the platform can be asked what it already received.

How a row moves: it is claimed with a batch (`sending`, under a lease the sender keeps renewing
and sizes from its own send times, see `bot.lease`), rendered by the skill that queued it
(once per kind and payload in the batch, see `bot.renderers`), paced by its conversation's and
its workspace's budgets (`bot.pacing`; a 429 pauses the workspace), asked once more whether
it is still wanted (an invitation to a round that closed during the wait is not), sent with the
dedupe key `outbox:<id>`, and its outcome is written with the others of the last tenth of a
second. A crash leaves the claimed rows in `sending`; once their lease has lapsed, a sender
takes them over and asks the platform (`find_sent`) whether each message went out: found →
`sent`, not found → sent now. A row retried after a failure is checked the same way first,
since a timeout can hide a delivered message.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bot.lease import AdaptiveLease
from bot.messenger import (
    DeliveryError,
    NoRoute,
    RateLimited,
    RecipientUnreachable,
)
from bot.outbound import Outbound
from bot.pacing import RateLimiters
from bot.progress import Progress, ProgressCallback
from bot.renderers import BatchReplies, Renderers, RenderFailed
from bot.tally import Tally
from storage.db import Conflict, StorageUnavailable
from storage.outbox import OutboxRepository
from storage.outbox_claims import Delivered, Outcome, Retry, Settled
from storage.outbox_items import OutboxItem, OutboxStatus
from storage.people import Identity

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
Monotonic = Callable[[], float]


@dataclass(frozen=True)
class Backoff:
    """Waits between failed attempts: first, then doubling, never above cap. A platform's
    error is mostly over within seconds (a 500, a timeout), and a fan-out should not end with
    its last messages waiting out a long first pause; doubling from two seconds still reaches
    several minutes before an outbox row gives up (see `OutboxSender`'s max_attempts)."""

    first: timedelta = timedelta(seconds=2)
    cap: timedelta = timedelta(minutes=30)

    def after(self, attempts: int) -> timedelta:
        if attempts <= 0:
            return timedelta(0)
        doubled: timedelta = self.first * (2 ** min(attempts - 1, 30))
        return min(self.cap, doubled)


# Our clock and the platform's may disagree; a lookup for an earlier send starts this much sooner.
CLOCK_MARGIN = timedelta(minutes=5)
DEFAULT_BACKOFF = Backoff()
NO_LONGER_WANTED = "no longer wanted when its turn came"


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class _Held:
    item: OutboxItem
    identities: tuple[Identity, ...]  # the recipient's, read with the batch
    replies: BatchReplies  # the batch's messages, rendered once per kind and payload
    claimed: float  # monotonic time of the claim
    check_first: bool  # an earlier attempt may have gone out: ask the platform before sending
    sending: bool = False  # the send has started: if it is interrupted, its outcome is unknown


@dataclass
class _Run:
    queue: asyncio.Queue[_Held] = field(default_factory=asyncio.Queue)
    held: dict[int, _Held] = field(default_factory=dict)
    outcomes: list[Outcome] = field(default_factory=list)
    unsent: int = 0  # held rows not yet tried: queued or in a worker
    renewed: float = -math.inf  # monotonic time of the last lease renewal that succeeded
    next_stale_check: float = -math.inf  # monotonic time to look for lapsed claims again
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    tally: Tally = field(default_factory=Tally)


class OutboxSender:
    """Sends due outbox rows through `Outbound`. One sender per process is enough; several
    (a server and a CLI run) share the work safely through claims and leases."""

    def __init__(
        self,
        outbox: OutboxRepository,
        outbound: Outbound,
        renderers: Renderers,
        *,
        limiters: RateLimiters | None = None,
        concurrency: int = 16,
        prefetch: int | None = None,
        max_attempts: int = 10,  # with the default backoff: about 17 minutes of tries
        backoff: Backoff = DEFAULT_BACKOFF,
        lease: timedelta | None = None,
        flush_interval: float = 0.1,
        idle_poll: float = 0.5,
        clock: Clock = _utcnow,
        monotonic: Monotonic = time.monotonic,
    ) -> None:
        self._outbox = outbox
        self._outbound = outbound
        self._renderers = renderers
        self._limiters = limiters or RateLimiters(monotonic=monotonic)
        self._concurrency = concurrency
        # Claimed rows waiting for a worker. Few, so that a crash leaves few rows in doubt.
        self._prefetch = prefetch or 4 * concurrency
        self._max_attempts = max_attempts
        self._backoff = backoff
        # A fixed lease when one is given; otherwise it follows how long sends and renewals
        # take (`AdaptiveLease`).
        self._lease = AdaptiveLease(fixed=None if lease is None else lease.total_seconds())
        self._flush_interval = flush_interval
        self._idle_poll = idle_poll
        self._clock = clock
        self._monotonic = monotonic

    # -- entry points -----------------------------------------------------------------------

    async def run_once(self, now: datetime | None = None) -> Progress:
        """Claim one batch (due rows, and lapsed claims to reconcile), send it, record it."""
        return await self._run(now=now or self._clock(), stop=None, until_idle=False)

    async def run_until_idle(self, progress: ProgressCallback | None = None) -> Progress:
        """Send until nothing is due and no sender holds a claim (for the CLI). Claims of a
        sender that died are waited for until their lease lapses, then reconciled."""
        return await self._run(now=None, stop=None, until_idle=True, progress=progress)

    async def run_forever(self, stop: asyncio.Event) -> None:
        """The server's loop: send whatever falls due until `stop` is set. A database outage
        is logged and waited out."""
        while not stop.is_set():
            try:
                await self._run(now=None, stop=stop, until_idle=False)
            except (StorageUnavailable, Conflict) as exc:
                log.warning("outbox: database unavailable (%s); retrying shortly", exc)
                await _wait(stop, self._idle_poll * 5)

    # -- the pipeline -----------------------------------------------------------------------

    async def _run(
        self,
        *,
        now: datetime | None,
        stop: asyncio.Event | None,
        until_idle: bool,
        progress: ProgressCallback | None = None,
    ) -> Progress:
        run = _Run()
        tasks: list[asyncio.Task[object]] = [
            asyncio.create_task(self._work(run)) for _ in range(self._concurrency)
        ]
        housekeeping: asyncio.Task[object] = asyncio.create_task(self._housekeep(run, progress))
        tasks.append(housekeeping)
        try:
            feeding: asyncio.Task[object]
            if now is not None:
                feeding = asyncio.create_task(self._claim(run, now, stale_too=True))
            else:
                feeding = asyncio.create_task(self._feed(run, stop, until_idle))
            tasks.append(feeding)
            # Housekeeping only ends by failing; then the run fails too instead of waiting for
            # outcomes that will never be written.
            await asyncio.wait({feeding, housekeeping}, return_when=asyncio.FIRST_COMPLETED)
            if housekeeping.done():
                housekeeping.result()
            feeding.result()
            if stop is None or not stop.is_set():
                await run.queue.join()
                await self._flush(run)
        finally:
            # Stopping (or failing): rows not yet tried go back to pending now; a send cut off
            # half-way stays claimed, to be reconciled once its lease lapses.
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            while not run.queue.empty():
                run.outcomes.append(_give_back(run.queue.get_nowait().item))
            if run.outcomes:
                await self._flush_quietly(run)
        result = await self._progress(run)
        if progress is not None:
            progress(result)
        if result.done or result.retried:
            log.info(
                "outbox: sent=%d blocked=%d failed=%d skipped=%d retried=%d rate_limited=%d",
                result.sent,
                result.blocked,
                result.failed,
                result.skipped,
                result.retried,
                result.rate_limited,
            )
        return result

    async def _feed(self, run: _Run, stop: asyncio.Event | None, until_idle: bool) -> None:
        while stop is None or not stop.is_set():
            run.wake.clear()
            if run.unsent > self._prefetch // 2:
                await _wait(run.wake, self._flush_interval)
                continue
            now = self._clock()
            if await self._claim(run, now, stale_too=self._monotonic() >= run.next_stale_check):
                continue
            # Nothing due: look for lapsed claims again at the next poll, not a quarter lease on.
            run.next_stale_check = -math.inf
            if until_idle and not run.held and await self._outbox.count_open(now) == 0:
                return
            await _wait(stop or run.wake, self._idle_poll if not run.held else self._flush_interval)

    async def _claim(self, run: _Run, now: datetime, *, stale_too: bool) -> int:
        room = self._prefetch - run.unsent
        if room <= 0:
            return 0
        stale: list[OutboxItem] = []
        if stale_too:
            stale = await self._outbox.take_stale(now, room, self._lease.span)
            if stale:
                log.info("outbox: reconciling %d claim(s) whose sender stopped", len(stale))
            # A full batch may have left more behind: look again as soon as there is room.
            full = len(stale) == room
            quarter = self._lease.seconds / 4
            run.next_stale_check = -math.inf if full else self._monotonic() + quarter
        room -= len(stale)
        due = await self._outbox.claim_due(now, room, self._lease.span) if room > 0 else []
        if not stale and not due:
            return 0
        claimed = self._monotonic()
        batch = [*stale, *due]
        recipients = await self._outbox.recipients(i.person_id for i in batch)
        replies = BatchReplies(self._renderers, batch, recipients)
        for item, taken_over in [*((i, True) for i in stale), *((i, False) for i in due)]:
            held = _Held(
                item,
                recipients[item.person_id].identities,
                replies,
                claimed,
                check_first=taken_over or item.attempts > 0,
            )
            run.held[item.id] = held
            run.unsent += 1
            run.queue.put_nowait(held)
        return len(stale) + len(due)

    async def _work(self, run: _Run) -> None:
        while True:
            held = await run.queue.get()
            outcome: Outcome | None
            try:
                outcome = await self._deliver(run, held)
            except asyncio.CancelledError:
                if not held.sending:
                    run.outcomes.append(_give_back(held.item))
                raise
            except Exception as exc:
                # Not a platform answer (a bug, the database): try again later, counted, so that
                # a row that always fails this way ends as failed instead of looping.
                log.exception("outbox: row %s failed unexpectedly", held.item.id)
                outcome = self._retry(held.item, type(exc).__name__)
            finally:
                run.unsent -= 1
                run.queue.task_done()
                if run.unsent <= self._prefetch // 2:
                    run.wake.set()
            if outcome is None:
                run.held.pop(held.item.id, None)  # left to lapse and be reconciled
            else:
                run.tally.outcome(outcome)
                run.outcomes.append(outcome)

    async def _deliver(self, run: _Run, held: _Held) -> Outcome | None:
        item = held.item
        try:
            identity = self._outbound.choose(item.person_id, held.identities)
        except RecipientUnreachable as exc:
            return Settled(item.id, OutboxStatus.BLOCKED, str(exc), attempted=False)
        except NoRoute as exc:
            return self._retry(item, str(exc))
        if held.check_first:
            try:
                earlier = await self._outbound.find_sent(
                    identity, item.dedupe_key, self._since(item)
                )
            except RateLimited as exc:
                return self._slow_down(run, item, identity, exc)
            except DeliveryError as exc:
                return self._retry(item, f"cannot check an earlier attempt: {exc}")
            if earlier is not None:
                return Delivered(
                    item.id, earlier.platform, earlier.message_id, self._clock(), earlier.handle
                )
        try:
            reply = await held.replies.reply_for(item)
        except RenderFailed as exc:
            return self._retry(item, str(exc))
        if reply is None:
            return Settled(item.id, OutboxStatus.SKIPPED, attempted=False)
        workspace = self._limiters.workspace(identity.platform, identity.tenant)
        conversation = self._limiters.conversation(
            identity.platform, identity.tenant, identity.user_id
        )
        if conversation is not None:
            await conversation.acquire()
        await workspace.acquire()
        if self._monotonic() - max(held.claimed, run.renewed) > self._lease.seconds / 2:
            # Our lease may have lapsed (the database was unreachable to renew it); another
            # sender may own the row now. Sending could duplicate; leaving it cannot.
            log.warning("outbox: row %s not sent: its claim could not be renewed", item.id)
            return None
        # The wait above can be long, and the message was written before it: whether it is
        # still wanted is asked now, the last thing before it leaves, for every kind alike.
        try:
            wanted = await held.replies.still_wanted(item)
        except RenderFailed as exc:
            return self._retry(item, str(exc))
        if not wanted:
            return Settled(item.id, OutboxStatus.SKIPPED, NO_LONGER_WANTED, attempted=False)
        held.sending = True
        started = self._monotonic()
        try:
            sent = await self._outbound.send(identity, reply, dedupe_key=item.dedupe_key)
        except RateLimited as exc:
            return self._slow_down(run, item, identity, exc)
        except RecipientUnreachable as exc:
            return Settled(item.id, OutboxStatus.BLOCKED, str(exc))
        except DeliveryError as exc:
            return self._retry(item, str(exc))
        finally:
            self._lease.observe(self._monotonic() - started)
        workspace.went_through()
        return Delivered(item.id, sent.platform, sent.message_id, self._clock(), sent.handle)

    def _slow_down(
        self, run: _Run, item: OutboxItem, identity: Identity, exc: RateLimited
    ) -> Outcome:
        """A 429 on any call, a look-up as much as a send, pauses the workspace for its
        Retry-After and puts the row back for then: being asked to wait is never a failure."""
        self._limiters.workspace(identity.platform, identity.tenant).pause(exc.retry_after)
        run.tally.rate_limited()
        due = self._clock() + timedelta(seconds=exc.retry_after)
        return Retry(item.id, due, "rate limited", attempted=False)

    def _retry(self, item: OutboxItem, error: str) -> Outcome:
        attempts = item.attempts + 1
        if attempts >= self._max_attempts:
            return Settled(item.id, OutboxStatus.FAILED, error)
        return Retry(item.id, self._clock() + self._backoff.after(attempts), error)

    def _since(self, item: OutboxItem) -> datetime:
        """No attempt at this row can be older than its due time less the backoff that led to
        it (a rate limit only moves it later); the margin covers clock differences."""
        return item.due_at - self._backoff.after(item.attempts) - CLOCK_MARGIN

    # -- writes -----------------------------------------------------------------------------

    async def _housekeep(self, run: _Run, progress: ProgressCallback | None) -> None:
        """Every tick: record outcomes, renew the leases still held, report progress."""
        last_report = -math.inf
        while True:
            await asyncio.sleep(self._flush_interval)
            await self._flush_quietly(run)
            if self._monotonic() - run.renewed >= self._lease.seconds / 4:
                await self._renew(run)
            if progress is not None and self._monotonic() - last_report >= 0.25:
                last_report = self._monotonic()
                progress(await self._progress(run))

    async def _flush(self, run: _Run) -> None:
        if not run.outcomes:
            return
        batch, run.outcomes = run.outcomes, []
        try:
            await self._outbox.settle(batch)
        except BaseException:
            run.outcomes[:0] = batch
            raise
        for outcome in batch:
            run.held.pop(outcome.id, None)
        run.wake.set()

    async def _flush_quietly(self, run: _Run) -> None:
        try:
            await self._flush(run)
        except (StorageUnavailable, Conflict) as exc:
            log.warning("outbox: %d outcome(s) not recorded yet: %s", len(run.outcomes), exc)

    async def _renew(self, run: _Run) -> None:
        started = self._monotonic()
        try:
            await self._outbox.renew(list(run.held), self._clock(), self._lease.span)
        except (StorageUnavailable, Conflict) as exc:
            log.warning("outbox: claims not renewed: %s", exc)
            return
        finally:
            self._lease.observe(self._monotonic() - started)
        run.renewed = started

    async def _progress(self, run: _Run) -> Progress:
        try:
            # Rows with an outcome not yet written are still `sending`, but already counted done.
            remaining = await self._outbox.count_open(self._clock()) - len(run.outcomes)
        except StorageUnavailable:
            remaining = len(run.held) - len(run.outcomes)
        return run.tally.progress(remaining)


def _give_back(item: OutboxItem) -> Retry:
    return Retry(item.id, item.due_at, item.error, attempted=False)


async def _wait(event: asyncio.Event, seconds: float) -> None:
    """Until `event` is set or `seconds` have passed, whichever comes first."""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(seconds):
            await event.wait()
