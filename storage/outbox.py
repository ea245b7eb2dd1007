"""The outbox: every message the bot sends on its own to many people (survey invitations and
reminders, and whatever else a skill queues), one row per kind, payload and person, moved through
its states in batches.

A row names what it is about, not how it reads: its `kind` (`pulse.invite`) says which skill
renders it, and its `payload_key` (`round:12`) what the message is about, in the terms of that
skill. The text is written when the row is sent (see `bot.renderers`), so a message reflects
the state of things then, and a row whose message is no longer wanted is skipped.

Here skills queue messages (the unique key makes enqueueing twice harmless), withdraw them,
resend the failed and read how they stand. A sender claims and settles them through the same
repository (see `storage.outbox_claims`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OutboxRow
from storage.outbox_claims import OutboxClaims
from storage.outbox_items import OutboxItem, OutboxProgress, OutboxStatus, outbox_item

# A multi-row INSERT of this many rows stays under SQLite's and asyncpg's bound-parameter limits.
_INSERT_CHUNK = 1000


class OutboxRepository(OutboxClaims):
    """The outbox as the skills that queue messages use it; the sender's side it inherits."""

    async def enqueue(self, kind: str, payload_key: str, due_at: Mapping[int, datetime]) -> int:
        """Queue one `kind` message about `payload_key` per person (person id → when it is
        due); rows that exist already are left alone. Returns how many rows were added."""
        async with self._db.transaction() as session:
            return await enqueue_in(session, self._db.is_sqlite, kind, payload_key, due_at)

    async def withdraw(self, payload_key: str) -> int:
        """Mark every message about `payload_key` still waiting (pending) as skipped: what it
        was about is over. Rows a sender holds are left to it; it asks before each send
        whether the message is still wanted. Returns how many were withdrawn."""
        async with self._db.transaction() as session:
            result = await session.execute(
                update(OutboxRow)
                .where(
                    OutboxRow.payload_key == payload_key,
                    OutboxRow.status == OutboxStatus.PENDING,
                )
                .values(status=OutboxStatus.SKIPPED.value, error="withdrawn")
            )
            return int(getattr(result, "rowcount", 0))

    async def progress(self, payload_key: str) -> OutboxProgress:
        async with self._db.transaction() as session:
            rows = await session.execute(
                select(OutboxRow.status, func.count())
                .where(OutboxRow.payload_key == payload_key)
                .group_by(OutboxRow.status)
            )
            counts = {status: int(n) for status, n in rows.all()}
        return OutboxProgress(
            payload_key=payload_key,
            **{s.value: counts.get(s.value, 0) for s in OutboxStatus},
        )

    async def addressed(self, payload_key: str, kind: str, person_id: int) -> bool:
        """Whether `person_id` was queued a `kind` message about `payload_key`: how a button
        on a message sent to many is checked against the person pressing it."""
        async with self._db.transaction() as session:
            found = await session.scalar(
                select(OutboxRow.id).where(
                    OutboxRow.payload_key == payload_key,
                    OutboxRow.kind == kind,
                    OutboxRow.person_id == person_id,
                )
            )
            return found is not None

    async def people_with(self, payload_key: str, kind: str, status: OutboxStatus) -> list[int]:
        """Who has a `kind` message about `payload_key` in `status` (the failed, to resend)."""
        async with self._db.transaction() as session:
            rows = await session.scalars(
                select(OutboxRow.person_id)
                .where(
                    OutboxRow.payload_key == payload_key,
                    OutboxRow.kind == kind,
                    OutboxRow.status == status,
                )
                .order_by(OutboxRow.person_id)
            )
            return list(rows)

    async def requeue_failed(
        self, payload_key: str, kind: str, due_at: Mapping[int, datetime]
    ) -> int:
        """Put these people's failed `kind` messages about `payload_key` back to pending, due
        at `due_at[person]`, with their attempts counted afresh. A conditional write: only rows
        still `failed` change, so of two resends at once, each row goes back once. Returns how
        many went back."""
        by_due: dict[datetime, list[int]] = {}
        for person_id, due in due_at.items():
            by_due.setdefault(due, []).append(person_id)
        back = 0
        async with self._db.transaction() as session:
            # One statement per due time (people in one time zone share one), so the count
            # of rows changed is each statement's own, on every backend.
            for due, people in by_due.items():
                for start in range(0, len(people), _INSERT_CHUNK):
                    result = await session.execute(
                        update(OutboxRow)
                        .where(
                            OutboxRow.payload_key == payload_key,
                            OutboxRow.kind == kind,
                            OutboxRow.person_id.in_(people[start : start + _INSERT_CHUNK]),
                            OutboxRow.status == OutboxStatus.FAILED,
                        )
                        .values(
                            status=OutboxStatus.PENDING.value,
                            due_at=due,
                            attempts=0,
                            error=None,
                            claimed_at=None,
                            lease_until=None,
                        )
                    )
                    back += int(getattr(result, "rowcount", 0))
        return back

    async def items(self, payload_key: str, *, kind: str | None = None) -> list[OutboxItem]:
        query = select(OutboxRow).where(OutboxRow.payload_key == payload_key)
        if kind is not None:
            query = query.where(OutboxRow.kind == kind)
        async with self._db.transaction() as session:
            rows = await session.scalars(query.order_by(OutboxRow.id))
            return [outbox_item(row) for row in rows]


async def enqueue_in(
    session: AsyncSession,
    is_sqlite: bool,
    kind: str,
    payload_key: str,
    due_at: Mapping[int, datetime],
) -> int:
    """`OutboxRepository.enqueue` inside a transaction the caller holds: for a change whose
    messages must be queued with it or not at all (a crash between the two would lose them)."""
    rows = [
        {
            "kind": kind,
            "payload_key": payload_key,
            "person_id": person_id,
            "status": OutboxStatus.PENDING.value,
            "due_at": due,
            "attempts": 0,
        }
        for person_id, due in due_at.items()
    ]
    insert = sqlite.insert if is_sqlite else postgresql.insert
    added = 0
    for start in range(0, len(rows), _INSERT_CHUNK):
        statement = (
            insert(OutboxRow)
            .values(rows[start : start + _INSERT_CHUNK])
            .on_conflict_do_nothing(index_elements=["payload_key", "kind", "person_id"])
        )
        result = await session.execute(statement)
        added += int(getattr(result, "rowcount", 0))
    return added
