"""What people ask: questions of the knowledge base, those handed to HR as tickets, and the daily
count of messages that got crisis resources instead of an answer."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow


class QuestionRow(Base):
    """A question asked of the knowledge base, PHI-screened, with no link to who asked."""

    __tablename__ = "questions"
    __table_args__ = (Index("ix_questions_asked_at", "asked_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    asked_at: Mapped[datetime] = mapped_column(default=utcnow)
    text: Mapped[str] = mapped_column(String(2000))
    article_id: Mapped[str | None] = mapped_column(String(120))
    confidence: Mapped[float] = mapped_column(default=0.0)
    answered: Mapped[bool] = mapped_column(default=False)
    # None until the asker clicks Helpful (True) or Not helpful (False).
    helpful: Mapped[bool | None] = mapped_column()


class TicketRow(Base):
    """A question handed to HR. It keeps the asker so the answer can reach them by DM.

    One open ticket per person and question: pressing "Ask HR" twice, on two replicas at once
    included, opens one."""

    __tablename__ = "hr_tickets"
    __table_args__ = (
        Index(
            "uq_hr_tickets_open_question",
            "question_id",
            "person_id",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int | None] = mapped_column(ForeignKey("questions.id", ondelete="SET NULL"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(String(2000))
    status: Mapped[str] = mapped_column(String(16), default="open")
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    answer: Mapped[str | None] = mapped_column(String(4000))
    answered_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    answered_at: Mapped[datetime | None] = mapped_column()


class CrisisCountRow(Base):
    """How many messages got crisis resources, per day and kind: a counter and nothing more.
    No person, no text, no time of day: a crisis message leaves no other trace."""

    __tablename__ = "crisis_counts"

    day: Mapped[date] = mapped_column(Date, primary_key=True)  # in the hospital's time zone
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    count: Mapped[int] = mapped_column()
