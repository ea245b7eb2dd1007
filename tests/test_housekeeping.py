"""The nightly pruning job, on SQLite and PostgreSQL: event ids older than any redelivery and
expired roster hints go; the scheduler's cron-run markers stay as long as they can matter."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from bot.answering import forms
from bot.directory import SYNC_CRON, SYNC_JOB
from bot.events import SYSTEM_ACTOR, SYSTEM_CONVERSATION, ScheduledTrigger
from bot.housekeeping import (
    CRON_RUN_MEMORY,
    DRAFT_LIFETIME,
    EVENT_MEMORY,
    PRUNE_CRON,
    PRUNE_JOB,
    register_housekeeping,
)
from bot.router import Router
from bot.runtime import Runtime
from bot.scheduler import LEDGER, MISFIRE_GRACE
from bot.services import Services
from bot.settings import Settings
from storage.db import Database
from storage.models import IdeaDraftRow, ProcessedEventRow
from storage.people import Profile
from storage.processed import ProcessedEvents

MINUTE = timedelta(minutes=1)


async def seen(database: Database, platform: str, event_id: str, age: timedelta) -> None:
    """An event id recorded `age` ago."""
    assert await ProcessedEvents(database).first_time(platform, event_id)
    async with database.transaction() as session:
        await session.execute(
            update(ProcessedEventRow)
            .where(ProcessedEventRow.platform == platform, ProcessedEventRow.event_id == event_id)
            .values(seen_at=datetime.now(UTC) - age)
        )


async def remaining(database: Database) -> set[str]:
    async with database.transaction() as session:
        return set(await session.scalars(select(ProcessedEventRow.event_id)))


def test_the_runtime_prunes_and_syncs_the_directory_nightly(runtime: Runtime) -> None:
    jobs = runtime.router.recurring_jobs
    assert (jobs[PRUNE_JOB], jobs[SYNC_JOB]) == (PRUNE_CRON, SYNC_CRON)
    assert jobs[forms.PRUNE_JOB] == forms.PRUNE_CRON, "offered forms are pruned too"


async def test_old_event_ids_go_and_recent_cron_runs_stay(
    database: Database, settings: Settings
) -> None:
    await seen(database, "slack", "Ev-redeliverable", EVENT_MEMORY - MINUTE)
    await seen(database, "slack", "Ev-old", EVENT_MEMORY + MINUTE)
    await seen(database, "teams", "act-old", timedelta(days=30))
    # A run inside the misfire grace is what stops a restarted leader from running it again.
    await seen(database, LEDGER, "ideas.digest@in-grace", MISFIRE_GRACE)
    await seen(database, LEDGER, "directory.sync@last-night", EVENT_MEMORY + MINUTE)
    await seen(database, LEDGER, "directory.sync@long-ago", CRON_RUN_MEMORY + MINUTE)
    services = Services.build(settings, database)
    await services.roster_hints.save("teams", {"gone": {}}, expires_at=datetime.now(UTC) - MINUTE)
    await services.roster_hints.save("teams", {"here": {}}, expires_at=datetime.now(UTC) + MINUTE)

    # The job as the leader's scheduler fires it.
    router = Router(services)
    register_housekeeping(router)
    trigger = ScheduledTrigger(actor=SYSTEM_ACTOR, conversation=SYSTEM_CONVERSATION, job=PRUNE_JOB)
    assert await router.dispatch(trigger) == []

    assert await remaining(database) == {
        "Ev-redeliverable",
        "ideas.digest@in-grace",
        "directory.sync@last-night",
    }
    assert await services.roster_hints.load("teams", "here") == {}
    assert await services.roster_hints.forget_expired() == 0, "the expired one went already"
    assert await ProcessedEvents(database).first_time("slack", "Ev-redeliverable") is False


async def test_idea_drafts_nobody_confirmed_within_a_day_go(
    database: Database, settings: Settings
) -> None:
    services = Services.build(settings, database)
    person = await services.people.resolve(Profile("console", "T-test", "U-nurse"))

    async def draft(age: timedelta) -> int:
        saved = await services.ideas.save_draft(
            person.id, title="Warm blankets", description="", category="", unit="", anonymous=False
        )
        async with database.transaction() as session:
            await session.execute(
                update(IdeaDraftRow)
                .where(IdeaDraftRow.id == saved.id)
                .values(created_at=datetime.now(UTC) - age)
            )
        return saved.id

    stale = await draft(DRAFT_LIFETIME + MINUTE)
    fresh = await draft(DRAFT_LIFETIME - MINUTE)
    router = Router(services)
    register_housekeeping(router)
    trigger = ScheduledTrigger(actor=SYSTEM_ACTOR, conversation=SYSTEM_CONVERSATION, job=PRUNE_JOB)
    assert await router.dispatch(trigger) == []

    assert await services.ideas.draft(stale, person.id) is None
    assert await services.ideas.draft(fresh, person.id) is not None
