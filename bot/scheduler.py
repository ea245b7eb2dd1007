"""Timed work, run by one process only.

The router's jobs fire as `ScheduledTrigger` events through `router.dispatch`, so a job runs
with the same error handling and logging as any message. They run only in the leader (see
`bot.leader`): APScheduler is started when this process becomes leader and shut down when it
stops leading, together with the long-running leader tasks (the outbox sender).

Jobs are recreated from the router at every start, so APScheduler keeps no state of its own
(its in-memory job store; our database holds survey schedules). That store cannot know about a
run missed while no process led, and `misfire_grace_time` only applies to runs APScheduler
itself knew were due ("Missed job executions and coalescing",
https://apscheduler.readthedocs.io/en/3.x/userguide.html#missed-job-executions-and-coalescing).
So on start each cron job is added with its most recent fire time within `MISFIRE_GRACE` as its
next run time; APScheduler, seeing it late but within the grace time, runs it once (`coalesce`
folds several missed runs into one). Every cron run is first recorded in the database's
processed-events ledger under its scheduled time, so a run is never repeated: not by a restart
just after it ran, nor by two leaders overlapping while one has not yet noticed it lost the lock.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine, Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.crontab import crontab_trigger
from bot.events import SYSTEM_ACTOR, SYSTEM_CONVERSATION, ScheduledTrigger
from bot.leader import LeaderElection
from bot.router import Router
from bot.settings import Settings
from storage.db import Database, StorageUnavailable

log = logging.getLogger(__name__)

# A cron run missed by less than this still happens (late) when a process starts leading.
MISFIRE_GRACE = timedelta(hours=1)
LEDGER = "scheduler"  # the processed-events "platform" under which cron runs are recorded

LeaderTask = Callable[[asyncio.Event], Coroutine[Any, Any, None]]


class Scheduler:
    def __init__(
        self,
        router: Router,
        settings: Settings,
        database: Database,
        *,
        election: LeaderElection | None = None,
        stop_seconds: float = 10.0,
    ) -> None:
        """`stop_seconds` is how long running jobs and leader tasks get to finish when this
        process stops leading, before they are cancelled."""
        self._router = router
        self._timezone = ZoneInfo(settings.timezone)
        self._election = election or LeaderElection(database)
        self._stop_seconds = stop_seconds
        self._stop = asyncio.Event()
        self._campaign: asyncio.Task[None] | None = None
        self._aps: AsyncIOScheduler | None = None
        self._leader_tasks: list[LeaderTask] = []
        self._running: dict[asyncio.Task[None], asyncio.Event] = {}
        self._jobs_in_flight: set[asyncio.Task[Any]] = set()

    @property
    def is_leader(self) -> bool:
        return self._election.is_leader

    def add_leader_task(self, factory: LeaderTask) -> None:
        """Run `factory(stop_event)` while this process leads (the outbox sender's
        `run_forever`); it should return soon after the event is set. Add before `start()`."""
        if self._campaign is not None:
            raise RuntimeError("add leader tasks before the scheduler starts")
        self._leader_tasks.append(factory)

    def start(self) -> None:
        """Begin campaigning for leadership (from inside the running event loop)."""
        self._campaign = asyncio.get_running_loop().create_task(
            self._election.run(self._lead, self._follow, self._stop), name="leader-election"
        )

    async def stop(self) -> None:
        """Stop the jobs and leader tasks, and give up leadership."""
        self._stop.set()
        if self._campaign is not None:
            await self._campaign

    # -- leading -----------------------------------------------------------------------------

    async def _lead(self) -> None:
        aps = AsyncIOScheduler(timezone=self._timezone)
        now = datetime.now(self._timezone)
        for name, cron in self._router.recurring_jobs.items():
            trigger = crontab_trigger(cron, self._timezone)
            missed = _latest_fire(trigger, now)
            aps.add_job(
                self._fire_cron,
                trigger,
                args=[name, trigger],
                id=name,
                coalesce=True,
                max_instances=1,
                misfire_grace_time=int(MISFIRE_GRACE.total_seconds()),
                # Leaving next_run_time out lets the trigger choose; None would pause the job.
                **({"next_run_time": missed} if missed is not None else {}),
            )
            log.info("scheduled %s at %r (%s)", name, cron, self._timezone.key)
        for name, seconds in self._router.interval_jobs.items():
            aps.add_job(
                self._fire,
                IntervalTrigger(seconds=seconds, timezone=self._timezone),
                args=[name, {}],
                id=name,
                coalesce=True,
                max_instances=1,
                misfire_grace_time=None,  # a late tick still runs (once, coalesced)
                next_run_time=now,  # a new leader catches up at once
            )
            log.info("scheduled %s every %ss", name, seconds)
        aps.start()
        self._aps = aps
        for factory in self._leader_tasks:
            stop = asyncio.Event()
            name = getattr(factory, "__qualname__", repr(factory))
            task = asyncio.create_task(factory(stop), name=name)
            task.add_done_callback(_report_end)
            self._running[task] = stop

    async def _follow(self) -> None:
        """Stop everything `_lead` started; running jobs and tasks get `stop_seconds`."""
        aps, self._aps = self._aps, None
        if aps is not None:
            aps.pause()
        for stop in self._running.values():
            stop.set()
        pending = set(self._running) | self._jobs_in_flight
        self._running = {}
        if pending:
            _, late = await asyncio.wait(pending, timeout=self._stop_seconds)
            for task in late:
                log.warning(
                    "cancelling %s: still running %ss after stop",
                    task.get_name(),
                    self._stop_seconds,
                )
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        if aps is not None:
            aps.shutdown(wait=False)

    # -- firing ------------------------------------------------------------------------------

    async def _fire_cron(self, job: str, trigger: Any) -> None:
        with self._in_flight() as leading:
            if not leading:
                return
            scheduled = _latest_fire(trigger, datetime.now(self._timezone))
            if scheduled is None:
                log.warning(
                    "job=%s fired with no scheduled time in the last %s", job, MISFIRE_GRACE
                )
                return
            key = f"{job}@{scheduled.isoformat()}"
            try:
                first = await self._router.services.processed.first_time(LEDGER, key)
            except StorageUnavailable as exc:
                log.warning("job=%s at %s skipped: database unavailable (%s)", job, scheduled, exc)
                return
            if not first:
                log.info("job=%s at %s already ran", job, scheduled)
                return
            await self._dispatch(job, {"scheduled_at": scheduled.isoformat()})

    async def _fire(self, job: str, payload: dict[str, Any]) -> None:
        with self._in_flight() as leading:
            if leading:
                await self._dispatch(job, payload)

    @contextlib.contextmanager
    def _in_flight(self) -> Iterator[bool]:
        """Count the running job among those stopping waits for; False once leadership has
        ended, as a job APScheduler handed to the loop just before may start after it."""
        task = asyncio.current_task()
        assert task is not None  # APScheduler's asyncio executor runs each job as a task
        if self._aps is None:
            yield False
            return
        self._jobs_in_flight.add(task)
        try:
            yield True
        finally:
            self._jobs_in_flight.discard(task)

    async def _dispatch(self, job: str, payload: dict[str, Any]) -> None:
        await self._router.dispatch(
            ScheduledTrigger(
                actor=SYSTEM_ACTOR, conversation=SYSTEM_CONVERSATION, job=job, payload=payload
            )
        )


def _latest_fire(trigger: Any, now: datetime) -> datetime | None:
    """The trigger's last fire time in (now - MISFIRE_GRACE, now], if any."""
    latest: datetime | None = None
    found: datetime | None = trigger.get_next_fire_time(None, now - MISFIRE_GRACE)
    while found is not None and found <= now:
        latest = found
        found = trigger.get_next_fire_time(found, found)
    return latest


def _report_end(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and (error := task.exception()) is not None:
        log.error("leader task %s failed", task.get_name(), exc_info=error)
