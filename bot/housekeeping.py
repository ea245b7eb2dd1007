"""Nightly pruning of what is kept only for a while, on the leader.

Processed event ids exist so that a platform's redelivery has its effect once: Slack retries an
event three times within minutes (https://docs.slack.dev/apis/events-api#retries), and Teams
redelivers an activity it got no answer to within about as long, so a day is generous. The
scheduler's cron-run markers share that table (under `LEDGER`) and are what keeps a cron run
from happening twice; a marker is only ever looked up for a run within `MISFIRE_GRACE` of now,
and they are a few rows a night, so they are kept a week: far past the grace, and long enough
to tell when each nightly job last ran.

Roster hints that no directory sync renewed expire (see `bot.directory`) and are deleted here.
So are idea drafts nobody confirmed within a day: a screened draft is still someone's words, kept
only for them to press Submit. Exports saved as files (`bot.exports`) go after a week.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from bot.events import ScheduledTrigger
from bot.exports import export_folder, prune_exports
from bot.scheduler import LEDGER

if TYPE_CHECKING:
    from bot.router import Router
    from bot.services import Services

log = logging.getLogger(__name__)

PRUNE_JOB = "housekeeping.prune"
PRUNE_CRON = "15 4 * * *"  # daily at 04:15 hospital time, after the directory sync
EVENT_MEMORY = timedelta(days=1)
CRON_RUN_MEMORY = timedelta(days=7)
DRAFT_LIFETIME = timedelta(days=1)


async def prune(services: Services) -> None:
    events = await services.processed.forget_older_than(
        EVENT_MEMORY, keep={LEDGER: CRON_RUN_MEMORY}
    )
    hints = await services.roster_hints.forget_expired()
    drafts = await services.ideas.drop_drafts_before(services.clock() - DRAFT_LIFETIME)
    folder = export_folder(services.settings)
    exports = await asyncio.to_thread(prune_exports, folder, services.clock())
    log.info(
        "pruned %d processed event ids, %d expired roster hints, %d unconfirmed idea drafts "
        "and %d old exports",
        events,
        hints,
        drafts,
        exports,
    )


def register_housekeeping(router: Router) -> None:
    """Prune nightly, on the leader only (where the router's jobs run)."""

    async def run(trigger: ScheduledTrigger, services: Services) -> None:
        await prune(services)

    router.job(PRUNE_JOB, run, cron=PRUNE_CRON)
