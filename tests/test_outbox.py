"""The outbox repository on SQLite and (with BREAKROOM_TEST_DATABASE_URL) PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select

from storage.db import Database
from storage.models import PersonRow, SurveyRoundRow, SurveyRow
from storage.outbox import (
    Delivered,
    OutboxRepository,
    OutboxStatus,
    Retry,
    RoundProgress,
    Settled,
)
from storage.people import Identity, PeopleRepository, Profile

T0 = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


async def new_round(database: Database) -> int:
    async with database.transaction() as session:
        survey = SurveyRow(name="pulse", definition={}, audience={}, schedule={})
        session.add(survey)
        await session.flush()
        round_ = SurveyRoundRow(survey_id=survey.id, opened_at=T0, closes_at=T0 + timedelta(days=5))
        session.add(round_)
        await session.flush()
        return round_.id


async def new_people(database: Database, count: int) -> list[int]:
    people = PeopleRepository(database)
    return [(await people.resolve(Profile("slack", "T1", f"U{n}"))).id for n in range(count)]


async def statuses(outbox: OutboxRepository, round_id: int) -> dict[int, str]:
    return {item.person_id: item.status for item in await outbox.items(round_id)}


async def test_enqueue_is_idempotent_per_round_person_and_kind(database: Database) -> None:
    outbox = OutboxRepository(database)
    round_id = await new_round(database)
    a, b, c = await new_people(database, 3)

    assert await outbox.enqueue(round_id, "invite", {a: T0, b: T0}) == 2
    assert await outbox.enqueue(round_id, "invite", {a: T0, b: T0, c: T0}) == 1
    assert await outbox.enqueue(round_id, "reminder", {a: T0}) == 1
    assert await outbox.enqueue(round_id, "invite", {}) == 0

    items = await outbox.items(round_id)
    assert sorted((i.person_id, i.kind) for i in items) == sorted(
        [(a, "invite"), (b, "invite"), (c, "invite"), (a, "reminder")]
    )
    assert {i.status for i in items} == {"pending"}
    assert all(i.attempts == 0 and i.due_at == T0 for i in items)
    assert [i.person_id for i in await outbox.items(round_id, kind="reminder")] == [a]


async def test_enqueue_in_chunks_keeps_every_row(database: Database) -> None:
    """More rows than one INSERT carries (bound-parameter limits) still all arrive."""
    outbox = OutboxRepository(database)
    round_id = await new_round(database)
    async with database.transaction() as session:
        await session.execute(insert(PersonRow), [{"display_name": f"p{n}"} for n in range(2100)])
        ids = list(await session.scalars(select(PersonRow.id)))
    due = {pid: T0 + timedelta(seconds=n) for n, pid in enumerate(ids)}
    assert await outbox.enqueue(round_id, "invite", due) == 2100
    assert await outbox.enqueue(round_id, "invite", due) == 0
    assert (await outbox.progress(round_id)).pending == 2100


async def test_claim_takes_due_rows_oldest_first_and_marks_them_sending(
    database: Database,
) -> None:
    outbox = OutboxRepository(database)
    round_id = await new_round(database)
    a, b, c, d = await new_people(database, 4)
    await outbox.enqueue(
        round_id,
        "invite",
        {a: T0 + timedelta(minutes=2), b: T0, c: T0 + timedelta(minutes=1), d: T0 + timedelta(1)},
    )
    now = T0 + timedelta(minutes=5)

    first = await outbox.claim_due(now, 2)
    second = await outbox.claim_due(now, 10)

    assert [i.person_id for i in first] == [b, c]
    assert [i.person_id for i in second] == [a]  # d is not due until tomorrow
    assert all(i.status == "sending" and i.claimed_at == now for i in first + second)
    assert await outbox.claim_due(now, 10) == []
    assert (await statuses(outbox, round_id))[d] == "pending"
    assert first[0].dedupe_key == f"outbox:{first[0].id}"


async def test_concurrent_claims_never_share_a_row(database: Database) -> None:
    outbox = OutboxRepository(database)
    round_id = await new_round(database)
    people = await new_people(database, 30)
    await outbox.enqueue(round_id, "invite", dict.fromkeys(people, T0))

    batches = await asyncio.gather(*(outbox.claim_due(T0, 4) for _ in range(10)))

    claimed = [item.id for batch in batches for item in batch]
    assert len(claimed) == len(set(claimed)) == 30


async def test_settle_records_each_kind_of_outcome(database: Database) -> None:
    outbox = OutboxRepository(database)
    round_id = await new_round(database)
    people = await new_people(database, 6)
    await outbox.enqueue(round_id, "invite", dict.fromkeys(people, T0))
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

    rows = {i.id: i for i in await outbox.items(round_id)}
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
    assert await outbox.progress(round_id) == RoundProgress(
        round_id, pending=2, sent=1, failed=1, blocked=1, skipped=1
    )


async def test_settle_leaves_rows_no_longer_sending_alone_except_deliveries(
    database: Database,
) -> None:
    """A late retry or failure must not undo a delivery recorded meanwhile; a delivery is
    always recorded, since the message did go out."""
    outbox = OutboxRepository(database)
    round_id = await new_round(database)
    a, b = await new_people(database, 2)
    await outbox.enqueue(round_id, "invite", {a: T0, b: T0})
    first, second = await outbox.claim_due(T0, 2)
    await outbox.settle([Delivered(first.id, "slack", "m1", T0)])
    await outbox.settle([Retry(first.id, T0, "late"), Settled(first.id, OutboxStatus.FAILED)])
    assert (await statuses(outbox, round_id))[first.person_id] == "sent"

    await outbox.settle([Retry(second.id, T0, "timeout")])  # back to pending
    await outbox.settle([Delivered(second.id, "slack", "m2", T0)])
    assert (await statuses(outbox, round_id))[second.person_id] == "sent"


def test_settled_is_only_for_final_states_other_than_sent() -> None:
    with pytest.raises(ValueError, match="not failed, blocked or skipped"):
        Settled(1, OutboxStatus.SENT)
    with pytest.raises(ValueError, match="not failed, blocked or skipped"):
        Settled(1, OutboxStatus.PENDING)


async def test_lapsed_claims_are_taken_over_and_renewed_ones_are_not(
    database: Database,
) -> None:
    outbox = OutboxRepository(database)
    round_id = await new_round(database)
    a, b, c = await new_people(database, 3)
    await outbox.enqueue(round_id, "invite", {a: T0, b: T0, c: T0})
    claimed = await outbox.claim_due(T0, 3)
    kept = [i.id for i in claimed if i.person_id == a]
    await outbox.renew(kept, T0 + timedelta(seconds=25))
    await outbox.renew([], T0 + timedelta(seconds=25))
    now = T0 + timedelta(seconds=30)

    stale = await outbox.take_stale(now - timedelta(seconds=10), now, 10)

    assert sorted(i.person_id for i in stale) == [b, c]
    assert all(i.status == "sending" and i.claimed_at == now for i in stale)
    # Taken over: no longer stale for anyone else.
    assert await outbox.take_stale(now - timedelta(seconds=10), now, 10) == []
    later = now + timedelta(seconds=30)
    assert len(await outbox.take_stale(later - timedelta(seconds=10), later, 1)) == 1


async def test_pending_and_final_rows_are_never_stale(database: Database) -> None:
    outbox = OutboxRepository(database)
    round_id = await new_round(database)
    a, b = await new_people(database, 2)
    await outbox.enqueue(round_id, "invite", {a: T0, b: T0})
    [item] = await outbox.claim_due(T0, 1)
    await outbox.settle([Delivered(item.id, "slack", "m1", T0)])
    far = T0 + timedelta(days=1)
    assert await outbox.take_stale(far, far, 10) == []


async def test_progress_and_count_open(database: Database) -> None:
    outbox = OutboxRepository(database)
    round_id = await new_round(database)
    other_round = await new_round(database)
    a, b, c, d = await new_people(database, 4)
    await outbox.enqueue(round_id, "invite", {a: T0, b: T0, c: T0 + timedelta(hours=1)})
    await outbox.enqueue(other_round, "invite", {d: T0})
    [claimed] = await outbox.claim_due(T0, 1)
    await outbox.settle([Settled(claimed.id, OutboxStatus.BLOCKED, "cannot_dm_bot")])
    await outbox.claim_due(T0, 1)

    progress = await outbox.progress(round_id)
    assert progress == RoundProgress(round_id, pending=1, sending=1, blocked=1)
    assert (progress.total, progress.open) == (3, 2)
    assert await outbox.progress(999) == RoundProgress(999)
    # Open now: one sending, plus the other round's due row; c is not due yet.
    assert await outbox.count_open(T0) == 2
    assert await outbox.count_open(T0 + timedelta(hours=2)) == 3


async def test_recipients_reads_every_identity_of_a_batch_at_once(database: Database) -> None:
    people = PeopleRepository(database)
    outbox = OutboxRepository(database)
    ana = await people.resolve(Profile("slack", "T1", "UANA"))
    teams = await people.resolve(Profile("teams", "tenant", "29:ana"))
    [ana_slack] = await people.identities(ana.id)
    await people.mark_unreachable(ana_slack.id)
    async with database.transaction() as session:
        session.add(PersonRow(display_name="no identity"))
        await session.flush()
        nobody = int(await session.scalar(select(PersonRow.id).order_by(PersonRow.id.desc())) or 0)

    found = await outbox.recipients([ana.id, teams.id, nobody, ana.id])

    assert found[ana.id] == [Identity(ana_slack.id, ana.id, "slack", "T1", "UANA", False)]
    assert [i.user_id for i in found[teams.id]] == ["29:ana"]
    assert found[nobody] == []
    assert await outbox.recipients([]) == {}
