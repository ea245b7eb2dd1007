"""Questions handed to HR ("Ask HR"), open until someone in HR answers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy import text as sql

from storage.db import Database
from storage.models import TicketRow

OPEN = "open"
ANSWERED = "answered"


@dataclass(frozen=True)
class Ticket:
    id: int
    person_id: int
    question_id: int | None
    text: str
    status: str
    opened_at: datetime
    answer: str | None = None
    answered_by: int | None = None


class TicketRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def open(self, person_id: int, text: str, question_id: int | None) -> tuple[Ticket, bool]:
        """Open a ticket; True with it when it is new. Asking again about the same question
        while its ticket is open returns that ticket and False: a unique key over open tickets
        decides, so two presses at once (on two replicas) open one."""
        async with self._db.transaction() as session:
            opened = await session.execute(
                self._db.insert(TicketRow)
                .values(person_id=person_id, text=text[:2000], question_id=question_id)
                .on_conflict_do_nothing(
                    index_elements=["question_id", "person_id"], index_where=_OPEN_QUESTION
                )
                .returning(TicketRow.id)
            )
            new_id = opened.scalar()
            if new_id is not None:
                row = await session.get(TicketRow, new_id)
            else:
                row = await session.scalar(
                    select(TicketRow).where(
                        TicketRow.question_id == question_id,
                        TicketRow.person_id == person_id,
                        TicketRow.status == OPEN,
                    )
                )
            assert row is not None
            return _ticket(row), new_id is not None

    async def get(self, ticket_id: int) -> Ticket | None:
        async with self._db.transaction() as session:
            row = await session.get(TicketRow, ticket_id)
            return None if row is None else _ticket(row)

    async def answer(self, ticket_id: int, answer: str, answered_by: int) -> Ticket | None:
        """Store HR's answer to an open ticket; None when there is no such ticket or it was
        answered already. The status decides in one conditional write, so of two answers sent
        at once (two people in HR, or a double click) one is stored and delivered."""
        async with self._db.transaction() as session:
            answered = await session.execute(
                update(TicketRow)
                .where(TicketRow.id == ticket_id, TicketRow.status == OPEN)
                .values(
                    answer=answer[:4000],
                    answered_by=answered_by,
                    answered_at=datetime.now(UTC),
                    status=ANSWERED,
                )
                .returning(TicketRow.id)
            )
            if answered.first() is None:
                return None
            row = await session.get(TicketRow, ticket_id, populate_existing=True)
            assert row is not None
            return _ticket(row)

    async def open_tickets(self, limit: int = 20) -> list[Ticket]:
        async with self._db.transaction() as session:
            rows = await session.scalars(
                select(TicketRow)
                .where(TicketRow.status == OPEN)
                .order_by(TicketRow.opened_at)
                .limit(limit)
            )
            return [_ticket(row) for row in rows]


# The open tickets the unique index covers (see `TicketRow`).
_OPEN_QUESTION = sql("status = 'open'")


def _ticket(row: TicketRow) -> Ticket:
    return Ticket(
        id=row.id,
        person_id=row.person_id,
        question_id=row.question_id,
        text=row.text,
        status=row.status,
        opened_at=row.opened_at,
        answer=row.answer,
        answered_by=row.answered_by,
    )
