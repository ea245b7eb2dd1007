"""The outbox repository on SQLite and (with BREAKROOM_TEST_DATABASE_URL) PostgreSQL, and the
migration that moved the survey outbox's rows into it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.migrate import alembic_config
from storage.models import PersonRow
from storage.outbox import OutboxRepository
from storage.outbox_claims import Delivered, Retry, Settled
from storage.outbox_items import OutboxProgress, OutboxStatus, Recipient
from storage.people import Identity, PeopleRepository, Profile

T0 = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
INVITE = "pulse.invite"
REMINDER = "pulse.reminder"
ROUND = "round:12"


async def new_people(database: Database, count: int) -> list[int]:
    people = PeopleRepository(database)
    return [(await people.resolve(Profile("slack", "T1", f"U{n}"))).id for n in range(count)]


async def statuses(outbox: OutboxRepository, payload_key: str) -> dict[int, str]:
    return {item.person_id: item.status for item in await outbox.items(payload_key)}


async def test_enqueue_is_idempotent_per_kind_payload_and_person(database: Database) -> None:
    outbox = OutboxRepository(database)
    a, b, c = await new_people(database, 3)

    assert await outbox.enqueue(INVITE, ROUND, {a: T0, b: T0}) == 2
    assert await outbox.enqueue(INVITE, ROUND, {a: T0, b: T0, c: T0}) == 1
    assert await outbox.enqueue(REMINDER, ROUND, {a: T0}) == 1
    assert await outbox.enqueue(INVITE, "round:13", {a: T0}) == 1
    assert await outbox.enqueue(INVITE, ROUND, {}) == 0

    items = await outbox.items(ROUND)
    assert sorted((i.person_id, i.kind) for i in items) == sorted(
        [(a, INVITE), (b, INVITE), (c, INVITE), (a, REMINDER)]
    )
    assert {i.payload_key for i in items} == {ROUND}
    assert {i.status for i in items} == {"pending"}
    assert all(i.attempts == 0 and i.due_at == T0 for i in items)
    assert [i.person_id for i in await outbox.items(ROUND, kind=REMINDER)] == [a]


async def test_enqueue_in_chunks_keeps_every_row(database: Database) -> None:
    """More rows than one INSERT carries (bound-parameter limits) still all arrive."""
    outbox = OutboxRepository(database)
    async with database.transaction() as session:
        await session.execute(insert(PersonRow), [{"display_name": f"p{n}"} for n in range(2100)])
        ids = list(await session.scalars(select(PersonRow.id)))
    due = {pid: T0 + timedelta(seconds=n) for n, pid in enumerate(ids)}
    assert await outbox.enqueue(INVITE, ROUND, due) == 2100
    assert await outbox.enqueue(INVITE, ROUND, due) == 0
    assert (await outbox.progress(ROUND)).pending == 2100


async def test_claim_takes_due_rows_oldest_first_and_marks_them_sending(
    database: Database,
) -> None:
    outbox = OutboxRepository(database)
    a, b, c, d = await new_people(database, 4)
    await outbox.enqueue(
        INVITE,
        ROUND,
        {a: T0 + timedelta(minutes=2), b: T0, c: T0 + timedelta(minutes=1), d: T0 + timedelta(1)},
    )
    now = T0 + timedelta(minutes=5)

    first = await outbox.claim_due(now, 2)
    second = await outbox.claim_due(now, 10)

    assert [i.person_id for i in first] == [b, c]
    assert [i.person_id for i in second] == [a]  # d is not due until tomorrow
    assert all(i.status == "sending" and i.claimed_at == now for i in first + second)
    assert await outbox.claim_due(now, 10) == []
    assert (await statuses(outbox, ROUND))[d] == "pending"
    assert first[0].dedupe_key == f"outbox:{first[0].id}"


async def test_concurrent_claims_never_share_a_row(database: Database) -> None:
    outbox = OutboxRepository(database)
    people = await new_people(database, 30)
    await outbox.enqueue(INVITE, ROUND, dict.fromkeys(people, T0))

    batches = await asyncio.gather(*(outbox.claim_due(T0, 4) for _ in range(10)))

    claimed = [item.id for batch in batches for item in batch]
    assert len(claimed) == len(set(claimed)) == 30


async def test_settle_records_each_kind_of_outcome(database: Database) -> None:
    outbox = OutboxRepository(database)
    people = await new_people(database, 6)
    await outbox.enqueue(INVITE, ROUND, dict.fromkeys(people, T0))
    items = {i.person_id: i for i in await outbox.claim_due(T0, 10)}
    sent, retried, rate_limited, blocked, failed, skipped = (items[p].id for p in people)
    later = T0 + timedelta(minutes=1)

    await outbox.settle(
        [
            Delivered(sent, "slack", "1700.01", later, {"channel": "D1", "ts": "1700.01"}),
            Retry(retried, later, "HTTP 500"),
            Retry(rate_limited, later, "rate limited", attempted=False),
            Settled(blocked, OutboxStatus.BLOCKED, "cannot_dm_bot"),
            Settled(failed, OutboxStatus.FAILED, "x" * 500),
            Settled(skipped, OutboxStatus.SKIPPED, attempted=False),
        ]
    )

    rows = {i.id: i for i in await outbox.items(ROUND)}
    assert rows[sent].status == "sent"
    assert (rows[sent].platform, rows[sent].message_id, rows[sent].sent_at) == (
        "slack",
        "1700.01",
        later,
    )
    assert dict(rows[sent].handle or {}) == {"channel": "D1", "ts": "1700.01"}
    assert (rows[retried].status, rows[retried].attempts, rows[retried].due_at) == (
        "pending",
        1,
        later,
    )
    assert rows[retried].error == "HTTP 500"
    assert rows[retried].claimed_at is None
    assert (rows[rate_limited].status, rows[rate_limited].attempts) == ("pending", 0)
    assert (rows[blocked].status, rows[blocked].error) == ("blocked", "cannot_dm_bot")
    assert rows[failed].status == "failed"
    assert len(rows[failed].error or "") == 200
    assert (rows[skipped].status, rows[skipped].attempts) == ("skipped", 0)
    assert await outbox.progress(ROUND) == OutboxProgress(
        ROUND, pending=2, sent=1, failed=1, blocked=1, skipped=1
    )


async def test_settle_leaves_rows_no_longer_sending_alone_except_deliveries(
    database: Database,
) -> None:
    """A late retry or failure must not undo a delivery recorded meanwhile; a delivery is
    always recorded, since the message did go out."""
    outbox = OutboxRepository(database)
    a, b = await new_people(database, 2)
    await outbox.enqueue(INVITE, ROUND, {a: T0, b: T0})
    first, second = await outbox.claim_due(T0, 2)
    await outbox.settle([Delivered(first.id, "slack", "m1", T0)])
    await outbox.settle([Retry(first.id, T0, "late"), Settled(first.id, OutboxStatus.FAILED)])
    assert (await statuses(outbox, ROUND))[first.person_id] == "sent"

    await outbox.settle([Retry(second.id, T0, "timeout")])  # back to pending
    await outbox.settle([Delivered(second.id, "slack", "m2", T0)])
    assert (await statuses(outbox, ROUND))[second.person_id] == "sent"


def test_settled_is_only_for_final_states_other_than_sent() -> None:
    with pytest.raises(ValueError, match="not failed, blocked or skipped"):
        Settled(1, OutboxStatus.SENT)
    with pytest.raises(ValueError, match="not failed, blocked or skipped"):
        Settled(1, OutboxStatus.PENDING)


async def test_lapsed_claims_are_taken_over_and_renewed_ones_are_not(
    database: Database,
) -> None:
    outbox = OutboxRepository(database)
    a, b, c = await new_people(database, 3)
    await outbox.enqueue(INVITE, ROUND, {a: T0, b: T0, c: T0})
    claimed = await outbox.claim_due(T0, 3)
    kept = [i.id for i in claimed if i.person_id == a]
    await outbox.renew(kept, T0 + timedelta(seconds=25))
    await outbox.renew([], T0 + timedelta(seconds=25))
    now = T0 + timedelta(seconds=30)

    stale = await outbox.take_stale(now, 10)

    assert sorted(i.person_id for i in stale) == [b, c]
    assert all(i.status == "sending" and i.claimed_at == now for i in stale)
    # Taken over: no longer stale for anyone else.
    assert await outbox.take_stale(now, 10) == []
    later = now + timedelta(seconds=30)
    assert len(await outbox.take_stale(later, 1)) == 1


async def test_each_claim_lapses_after_the_lease_its_sender_asked_for(database: Database) -> None:
    outbox = OutboxRepository(database)
    a, b = await new_people(database, 2)
    await outbox.enqueue(INVITE, ROUND, {a: T0, b: T0})
    [short] = await outbox.claim_due(T0, 1, lease=timedelta(seconds=2))
    await outbox.claim_due(T0, 1, lease=timedelta(seconds=30))
    assert await outbox.take_stale(T0 + timedelta(seconds=1), 10) == []
    [lapsed] = await outbox.take_stale(T0 + timedelta(seconds=3), 10)
    assert lapsed.id == short.id
    await outbox.renew([lapsed.id], T0 + timedelta(seconds=3), lease=timedelta(seconds=2))
    assert await outbox.take_stale(T0 + timedelta(seconds=4), 10) == []
    assert len(await outbox.take_stale(T0 + timedelta(seconds=31), 10)) == 2


async def test_pending_and_final_rows_are_never_stale(database: Database) -> None:
    outbox = OutboxRepository(database)
    a, b = await new_people(database, 2)
    await outbox.enqueue(INVITE, ROUND, {a: T0, b: T0})
    [item] = await outbox.claim_due(T0, 1)
    await outbox.settle([Delivered(item.id, "slack", "m1", T0)])
    far = T0 + timedelta(days=1)
    assert await outbox.take_stale(far, 10) == []


async def test_progress_and_count_open(database: Database) -> None:
    outbox = OutboxRepository(database)
    a, b, c, d = await new_people(database, 4)
    await outbox.enqueue(INVITE, ROUND, {a: T0, b: T0, c: T0 + timedelta(hours=1)})
    await outbox.enqueue(INVITE, "round:13", {d: T0})
    [claimed] = await outbox.claim_due(T0, 1)
    await outbox.settle([Settled(claimed.id, OutboxStatus.BLOCKED, "cannot_dm_bot")])
    await outbox.claim_due(T0, 1)

    progress = await outbox.progress(ROUND)
    assert progress == OutboxProgress(ROUND, pending=1, sending=1, blocked=1)
    assert (progress.total, progress.open) == (3, 2)
    assert await outbox.progress("round:999") == OutboxProgress("round:999")
    # Open now: one sending, plus the other round's due row; c is not due yet.
    assert await outbox.count_open(T0) == 2
    assert await outbox.count_open(T0 + timedelta(hours=2)) == 3


async def test_recipients_reads_every_identity_of_a_batch_at_once(database: Database) -> None:
    people = PeopleRepository(database)
    outbox = OutboxRepository(database)
    ana = await people.resolve(Profile("slack", "T1", "UANA"))
    teams = await people.resolve(
        Profile("teams", "tenant", "29:ana", timezone="Europe/Berlin", locale="de-DE")
    )
    [ana_slack] = await people.identities(ana.id)
    await people.mark_unreachable(ana_slack.id)
    async with database.transaction() as session:
        session.add(PersonRow(display_name="no identity"))
        await session.flush()
        nobody = int(await session.scalar(select(PersonRow.id).order_by(PersonRow.id.desc())) or 0)

    found = await outbox.recipients([ana.id, teams.id, nobody, ana.id, 999_999])

    assert found[ana.id] == Recipient(
        ana.id, identities=(Identity(ana_slack.id, ana.id, "slack", "T1", "UANA", False),)
    )
    assert (found[teams.id].timezone, found[teams.id].locale) == ("Europe/Berlin", "de-DE")
    assert [i.user_id for i in found[teams.id].identities] == ["29:ana"]
    assert found[nobody] == Recipient(nobody)
    assert found[999_999] == Recipient(999_999), "a person no longer there has no identity"
    assert await outbox.recipients([]) == {}


# -- the migration from the survey outbox ---------------------------------------------------------

OUTBOX_REVISION = "0007"


async def migrate(db: Database, revision: str, *, down: bool = False) -> None:
    config = alembic_config(db.url)

    def run(connection: Any) -> None:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)

    async with db.engine.begin() as conn:
        await conn.run_sync(run)


async def insert_rows(
    session: AsyncSession,
    table: str,
    columns: tuple[str, ...],
    rows: list[tuple[object, ...]],
    **same: object,
) -> None:
    """Rows written as the schema stood then, without today's models."""
    names = (*columns, *same)
    handle = sa.table(
        table,
        *(sa.column(n, sa.DateTime(timezone=True) if n.endswith("_at") else None) for n in names),
    )
    await session.execute(
        sa.insert(handle), [{**dict(zip(columns, row, strict=True)), **same} for row in rows]
    )


def previous_revision() -> str:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    down = script.get_revision(OUTBOX_REVISION).down_revision
    assert isinstance(down, str)
    return down


async def test_survey_rows_move_to_the_outbox_with_their_ids_and_back(
    empty_database: Database,
) -> None:
    """Ids are kept: a message already sent carries `outbox:<id>` as its dedupe key."""
    db = empty_database
    before = previous_revision()
    await migrate(db, before)
    async with db.transaction() as session:
        await insert_rows(
            session,
            "people",
            ("id", "display_name", "created_at", "updated_at"),
            [(1, "Ana", T0, T0), (2, "Ben", T0, T0)],
        )
        await insert_rows(
            session,
            "surveys",
            ("id", "name", "status", "open_days", "reminder_after_days", "threshold"),
            [(3, "pulse", "active", 5, 2, 5)],
            created_at=T0,
            definition="{}",
            audience="{}",
            schedule="{}",
        )
        await insert_rows(
            session,
            "survey_rounds",
            ("id", "survey_id", "status", "opened_at", "closes_at", "invited"),
            [(12, 3, "open", T0, T0, 2)],
        )
        await insert_rows(
            session,
            "survey_outbox",
            ("id", "round_id", "person_id", "kind", "status", "attempts", "message_id"),
            [
                (40, 12, 1, "invite", "sent", 0, "1700.01"),
                (41, 12, 2, "reminder", "pending", 1, None),
            ],
            due_at=T0,
        )

    await migrate(db, OUTBOX_REVISION)
    await migrate(db, "head")  # read through today's models; later revisions keep the rows

    outbox = OutboxRepository(db)
    moved = await outbox.items(ROUND)
    assert [(i.id, i.kind, i.person_id, i.status, i.attempts) for i in moved] == [
        (40, INVITE, 1, "sent", 0),
        (41, REMINDER, 2, "pending", 1),
    ]
    assert moved[0].message_id == "1700.01"
    assert await outbox.enqueue(INVITE, "round:13", {1: T0}) == 1
    [added] = await outbox.items("round:13")
    assert added.id > 41, "new rows are numbered after the ones moved over"
    await outbox.enqueue("announce.notice", "announcement:1", {1: T0})

    await migrate(db, before, down=True)

    async with db.transaction() as session:
        query = sa.text("SELECT id, round_id, kind FROM survey_outbox ORDER BY id")
        back = (await session.execute(query)).all()
    assert [tuple(row) for row in back] == [(40, 12, "invite"), (41, 12, "reminder")], (
        "rows of rounds that do not exist, and of other kinds, have no place there"
    )
