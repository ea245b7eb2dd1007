"""Forms offered behind a button: their store, its migration, and the job that prunes it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text

from bot.answering import FORM_LIFETIME, keeper
from bot.answering.forms import PRUNE_JOB
from bot.events import SYSTEM_ACTOR, SYSTEM_CONVERSATION, ScheduledTrigger
from bot.runtime import Runtime
from storage.conversations import ConversationStore
from storage.db import Database
from storage.migrate import upgrade
from storage.offered_forms import OfferedForms

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
VIEW: dict[str, Any] = {"type": "modal", "blocks": [{"block_id": "comment"}]}


async def test_a_form_is_kept_until_it_expires(database: Database) -> None:
    forms = OfferedForms(database)
    await forms.keep("slack", {"k1": VIEW}, NOW + timedelta(hours=1))
    assert await forms.get("slack", "k1", NOW) == VIEW
    assert await forms.get("teams", "k1", NOW) is None  # keys are per platform
    assert await forms.get("slack", "k2", NOW) is None
    assert await forms.get("slack", "k1", NOW + timedelta(hours=1)) is None


async def test_offering_a_form_again_moves_its_expiry(database: Database) -> None:
    forms = OfferedForms(database)
    await forms.keep("slack", {"k1": VIEW}, NOW + timedelta(hours=1))
    await forms.keep("slack", {"k1": VIEW}, NOW + timedelta(hours=5))
    assert await forms.get("slack", "k1", NOW + timedelta(hours=2)) == VIEW


async def test_two_replicas_offering_the_same_form_at_once_both_succeed(
    database: Database,
) -> None:
    forms = OfferedForms(database)
    await asyncio.gather(
        *(forms.keep("slack", {"k1": VIEW}, NOW + timedelta(hours=1)) for _ in range(4))
    )
    assert await forms.prune(NOW + timedelta(hours=1)) == 1


async def test_pruning_deletes_only_expired_forms(database: Database) -> None:
    forms = OfferedForms(database)
    await forms.keep("slack", {"old": VIEW}, NOW)
    await forms.keep("slack", {"fresh": VIEW}, NOW + timedelta(days=1))
    assert await forms.prune(NOW) == 1
    assert await forms.get("slack", "fresh", NOW) == VIEW
    assert await forms.prune(NOW) == 0


async def test_the_keeper_keeps_forms_for_a_day_from_the_services_clock(
    runtime: Runtime,
) -> None:
    services = runtime.services
    services.clock = lambda: NOW
    await keeper(services, "slack")({"k1": VIEW})
    assert await services.forms.get("slack", "k1", NOW + FORM_LIFETIME - timedelta(seconds=1))
    assert await services.forms.get("slack", "k1", NOW + FORM_LIFETIME) is None


async def test_the_leader_prunes_expired_forms_daily(runtime: Runtime) -> None:
    assert PRUNE_JOB in runtime.router.recurring_jobs  # a cron job: the leader runs it
    services = runtime.services
    await services.forms.keep("slack", {"old": VIEW, "fresh": VIEW}, NOW)
    await services.forms.keep("slack", {"fresh": VIEW}, NOW + FORM_LIFETIME)
    services.clock = lambda: NOW + timedelta(hours=1)
    trigger = ScheduledTrigger(actor=SYSTEM_ACTOR, conversation=SYSTEM_CONVERSATION, job=PRUNE_JOB)
    await runtime.router.dispatch(trigger)
    assert await services.forms.get("slack", "old", NOW - timedelta(hours=1)) is None
    assert await services.forms.get("slack", "fresh", NOW) == VIEW


async def test_the_migration_drops_forms_kept_among_conversation_references(
    tmp_path: Path,
) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}")
    try:
        await upgrade(db, "0005")
        conversations = ConversationStore(db)
        await conversations.save("slack", "form:" + "a" * 32, VIEW)
        await conversations.save("teams", "aad-nurse", {"serviceUrl": "https://x"})
        await upgrade(db)
        assert await conversations.load("slack", "form:" + "a" * 32) is None
        assert await conversations.load("teams", "aad-nurse") == {"serviceUrl": "https://x"}
        async with db.transaction() as session:
            assert await session.scalar(text("SELECT count(*) FROM offered_forms")) == 0
    finally:
        await db.dispose()
