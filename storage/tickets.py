"""Questions handed to HR ("Ask HR"), open until someone in HR answers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

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

    async def open(self, person_id: int, text: str, question_id: int | None) -> Ticket:
        """Open a ticket; asking twice about the same question returns the open one."""
        async with self._db.transaction() as session:
            if question_id is not None:
                existing = await session.scalar(
                    select(TicketRow).where(
                        TicketRow.question_id == question_id,
                        TicketRow.person_id == person_id,
                        TicketRow.status == OPEN,
                    )
                )
                if existing is not None:
                    return _ticket(existing)
            row = TicketRow(person_id=person_id, text=text[:2000], question_id=question_id)
            session.add(row)
            await session.flush()
            return _ticket(row)

    async def get(self, ticket_id: int) -> Ticket | None:
        async with self._db.transaction() as session:
            row = await session.get(TicketRow, ticket_id)
            return None if row is None else _ticket(row)

    async def answer(self, ticket_id: int, answer: str, answered_by: int) -> Ticket | None:
        """Store HR's answer; None if there is no such ticket. Answering again overwrites."""
        async with self._db.transaction() as session:
            row = await session.get(TicketRow, ticket_id)
            if row is None:
                return None
            row.answer = answer[:4000]
            row.answered_by = answered_by
            row.answered_at = datetime.now(UTC)
            row.status = ANSWERED
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
