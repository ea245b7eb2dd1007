"""The question log: what people asked (screened), what matched, and whether it helped.

It deliberately stores no person: HR learns what to write next, not who asked what.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import func, or_, select, update

from storage.db import Database
from storage.models import QuestionRow


@dataclass(frozen=True)
class LoggedQuestion:
    id: int
    asked_at: datetime
    text: str
    article_id: str | None
    confidence: float
    answered: bool
    helpful: bool | None


class Feedback(StrEnum):
    """What a Helpful / Not helpful press did."""

    RECORDED = "recorded"  # stored now (a first press, or a change of mind)
    ALREADY = "already"  # the same as stored already (a second press, a double click)
    UNKNOWN = "unknown"  # no such question


class QuestionLog:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def record(
        self, text: str, *, article_id: str | None, confidence: float, answered: bool
    ) -> int:
        async with self._db.transaction() as session:
            row = QuestionRow(
                text=text[:2000], article_id=article_id, confidence=confidence, answered=answered
            )
            session.add(row)
            await session.flush()
            return row.id

    async def get(self, question_id: int) -> LoggedQuestion | None:
        async with self._db.transaction() as session:
            row = await session.get(QuestionRow, question_id)
            return None if row is None else _logged(row)

    async def set_feedback(self, question_id: int, helpful: bool) -> Feedback:
        """Record Helpful / Not helpful; pressing the other one changes it. The write happens
        only when it changes something, so a repeated press is told apart."""
        async with self._db.transaction() as session:
            result = await session.execute(
                update(QuestionRow)
                .where(
                    QuestionRow.id == question_id,
                    QuestionRow.helpful.is_distinct_from(helpful),
                )
                .values(helpful=helpful)
            )
            if getattr(result, "rowcount", 0):
                return Feedback.RECORDED
            known = await session.get(QuestionRow, question_id)
            return Feedback.UNKNOWN if known is None else Feedback.ALREADY

    async def needing_content(self, since: datetime) -> list[LoggedQuestion]:
        """Questions the knowledge base failed: not answered, or answered but not helpful."""
        async with self._db.transaction() as session:
            rows = await session.scalars(
                select(QuestionRow)
                .where(
                    QuestionRow.asked_at >= since,
                    or_(QuestionRow.answered.is_(False), QuestionRow.helpful.is_(False)),
                )
                .order_by(QuestionRow.asked_at.desc())
            )
            return [_logged(row) for row in rows]

    async def count_since(self, since: datetime) -> int:
        async with self._db.transaction() as session:
            rows = await session.scalars(
                select(QuestionRow.id).where(QuestionRow.asked_at >= since)
            )
            return len(list(rows))

    async def count_between(
        self, start: datetime, end: datetime, *, article_id: str | None = None
    ) -> int:
        """Questions asked from `start` until `end`; with `article_id`, those it came to."""
        query = select(func.count(QuestionRow.id)).where(
            QuestionRow.asked_at >= start, QuestionRow.asked_at < end
        )
        if article_id is not None:
            query = query.where(QuestionRow.article_id == article_id)
        async with self._db.transaction() as session:
            return int(await session.scalar(query) or 0)


def _logged(row: QuestionRow) -> LoggedQuestion:
    return LoggedQuestion(
        id=row.id,
        asked_at=row.asked_at,
        text=row.text,
        article_id=row.article_id,
        confidence=row.confidence,
        answered=row.answered,
        helpful=row.helpful,
    )
