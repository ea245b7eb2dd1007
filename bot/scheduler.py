"""Recurring jobs: APScheduler fires them as `ScheduledTrigger` events through the router, so a
job runs with the same error handling and logging as any message."""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from bot.events import SYSTEM_ACTOR, SYSTEM_CONVERSATION, ScheduledTrigger
from bot.router import Router

log = logging.getLogger(__name__)


class Scheduler:
    def __init__(self, router: Router, timezone: str) -> None:
        self._router = router
        self._timezone = ZoneInfo(timezone)
        self._scheduler = AsyncIOScheduler(timezone=self._timezone)

    def start(self) -> None:
        for name, cron in self._router.recurring_jobs.items():
            self._scheduler.add_job(
                self.fire,
                CronTrigger.from_crontab(cron, timezone=self._timezone),
                args=[name],
                id=name,
                coalesce=True,
                max_instances=1,
                misfire_grace_time=3600,
            )
            log.info("scheduled %s at %r (%s)", name, cron, self._timezone.key)
        self._scheduler.start()

    async def fire(self, job: str) -> None:
        await self._router.dispatch(
            ScheduledTrigger(actor=SYSTEM_ACTOR, conversation=SYSTEM_CONVERSATION, job=job)
        )

    def shutdown(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
