"""Pulse surveys: the surveys HR scheduled and their rounds, who was invited, the answers (kept
apart from who gave them), the sharing of results and the actions HR said would follow."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow


class SurveyRow(Base):
    """A pulse survey HR scheduled: its questions, audience and schedule live here, so they
    survive restarts and every replica sees the same ones."""

    __tablename__ = "surveys"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    definition: Mapped[dict[str, Any]] = mapped_column()
    owner_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL")
    )
    audience: Mapped[dict[str, Any]] = mapped_column()
    schedule: Mapped[dict[str, Any]] = mapped_column()
    status: Mapped[str] = mapped_column(String(16), default="active", index=True)
    open_days: Mapped[int] = mapped_column(default=5)
    reminder_after_days: Mapped[int] = mapped_column(default=2)
    threshold: Mapped[int] = mapped_column(default=5)
    next_run_at: Mapped[datetime | None] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SurveyRoundRow(Base):
    """One round of a survey. At most one round of a survey is open at a time: the unique key
    over open rounds keeps a second one (a `pulse run` racing the scheduler, or twice) out."""

    __tablename__ = "survey_rounds"
    __table_args__ = (
        Index(
            "uq_survey_rounds_open",
            "survey_id",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    remind_at: Mapped[datetime | None] = mapped_column()
    closes_at: Mapped[datetime] = mapped_column()
    closed_at: Mapped[datetime | None] = mapped_column()
    invited: Mapped[int] = mapped_column(default=0)


class ParticipationRow(Base):
    """Who was invited and whether they answered, for reminders and one answer set per person.
    `answer_key` links to the response only while the round is open; closing erases it."""

    __tablename__ = "survey_participation"

    round_id: Mapped[int] = mapped_column(
        ForeignKey("survey_rounds.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    responded: Mapped[bool] = mapped_column(default=False)
    answer_key: Mapped[str | None] = mapped_column(String(64))


class ResponseRow(Base):
    """One person's answer set, stored without the person. Department and unit are kept for
    breakdowns, which the results refuse below the anonymity threshold."""

    __tablename__ = "survey_responses"
    __table_args__ = (UniqueConstraint("round_id", "answer_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("survey_rounds.id", ondelete="CASCADE"), index=True
    )
    answer_key: Mapped[str | None] = mapped_column(String(64))
    department: Mapped[str] = mapped_column(String(120), default="")
    unit: Mapped[str] = mapped_column(String(120), default="")
    comment: Mapped[str | None] = mapped_column(String(2000))


class AnswerRow(Base):
    __tablename__ = "survey_answers"

    response_id: Mapped[int] = mapped_column(
        ForeignKey("survey_responses.id", ondelete="CASCADE"), primary_key=True
    )
    question_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(64))


class SurveySharingRow(Base):
    """A survey whose rounds' results go to their audience as each closes
    (`pulse create --share`)."""

    __tablename__ = "survey_sharing"

    survey_id: Mapped[int] = mapped_column(
        ForeignKey("surveys.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SurveyShareRow(Base):
    """A round whose results were shared with its audience: made once, by its key."""

    __tablename__ = "survey_shares"

    round_id: Mapped[int] = mapped_column(
        ForeignKey("survey_rounds.id", ondelete="CASCADE"), primary_key=True
    )
    shared_at: Mapped[datetime] = mapped_column(default=utcnow)


class SurveyActionRow(Base):
    """What HR said would be done about a survey's results: who owns it and how far it got
    (planned, in progress, done). Listed when results are shared, and in the next invitation."""

    __tablename__ = "survey_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(String(300))
    owner: Mapped[str] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(16), default="planned")
    author_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
