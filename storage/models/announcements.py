"""Announcements and spotlights: messages HR or a leader writes once for an audience, the
recurring campaigns that send one knowledge-base article at a time, and what people pressed on
them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow


class AnnouncementRow(Base):
    """An announcement HR or a leader wrote: a draft until its author presses Send or Schedule,
    then queued (its messages are outbox rows about `announcement:<id>`), or cancelled.
    `send_at` is None for "now"; `zone` is the author's, whose wall clock `send_at` was typed
    in and each recipient gets it at in their own."""

    __tablename__ = "announcements"

    id: Mapped[int] = mapped_column(primary_key=True)
    author_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL")
    )
    title: Mapped[str] = mapped_column(String(150))
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(500))
    article_id: Mapped[str | None] = mapped_column(String(120))
    audience: Mapped[dict[str, Any]] = mapped_column()
    send_at: Mapped[datetime | None] = mapped_column()
    zone: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="draft")
    recipients: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    queued_at: Mapped[datetime | None] = mapped_column()
    cancelled_at: Mapped[datetime | None] = mapped_column()


class AnnouncementOpenRow(Base):
    """One press of "Got it" or "Learn more" on an announcement: the key keeps one per person
    and button, so a second press (a double click, another replica) counts nothing. Only counts
    are ever read."""

    __tablename__ = "announcement_opens"

    announcement_id: Mapped[int] = mapped_column(
        ForeignKey("announcements.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    button: Mapped[str] = mapped_column(String(16), primary_key=True)


class SpotlightRow(Base):
    """A recurring spotlight campaign: one knowledge-base article at a time, to an audience, on
    a schedule. `article_ids` is HR's list in its order; None rotates through the articles
    tagged `spotlight`, as the knowledge base has them at each turn."""

    __tablename__ = "spotlights"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL")
    )
    article_ids: Mapped[list[str] | None] = mapped_column(JSON)
    audience: Mapped[dict[str, Any]] = mapped_column()
    schedule: Mapped[dict[str, Any]] = mapped_column()
    status: Mapped[str] = mapped_column(String(16), default="active", index=True)
    next_run_at: Mapped[datetime | None] = mapped_column(index=True)
    turns: Mapped[int] = mapped_column(default=0)  # how many turns have fired
    last_article_id: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SpotlightTurnRow(Base):
    """One turn of a spotlight: the article it sent and when. The unique number per spotlight
    makes a turn fire once, whichever replica's tick gets there first; `queued_at` is set once
    its messages are in the outbox, so a crash in between is finished by the next tick."""

    __tablename__ = "spotlight_turns"
    __table_args__ = (UniqueConstraint("spotlight_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    spotlight_id: Mapped[int] = mapped_column(ForeignKey("spotlights.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column()
    article_id: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(200))  # kept for the stats once it is gone
    run_at: Mapped[datetime] = mapped_column()  # the scheduled time, the hospital's wall clock
    fired_at: Mapped[datetime] = mapped_column(index=True)
    queued_at: Mapped[datetime | None] = mapped_column()
    recipients: Mapped[int] = mapped_column(default=0)
    # "Ask about this" presses: a count, never who pressed.
    asks: Mapped[int] = mapped_column(default=0)
