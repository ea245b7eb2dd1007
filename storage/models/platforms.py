"""What the platform adapters keep between one event and the next: the events already handled,
where to reach a person or channel again, roster hints, files and forms waiting for a click, and
messages waiting for a terminal to show them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow


class ProcessedEventRow(Base):
    """Ids of platform events already handled, so a redelivery has its effect once."""

    __tablename__ = "processed_events"
    __table_args__ = (Index("ix_processed_events_seen_at", "seen_at"),)

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(default=utcnow)


class ConversationRefRow(Base):
    """What an adapter needs to message a person or channel later (Teams: the serviceUrl and
    conversation id from the last activity). Opaque JSON owned by the adapter."""

    __tablename__ = "conversation_refs"
    __table_args__ = (UniqueConstraint("platform", "address"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(200))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class RosterHintRow(Base):
    """Where to open a chat with someone known only from a team roster (Teams: their Teams id,
    the service URL, the tenant and the bot), refreshed by each directory sync. Opaque JSON
    owned by the adapter; expired hints are deleted, as a roster we no longer read is no
    reason to keep someone's details."""

    __tablename__ = "roster_hints"
    __table_args__ = (Index("ix_roster_hints_expires_at", "expires_at"),)

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    data: Mapped[dict[str, Any]] = mapped_column()
    expires_at: Mapped[datetime] = mapped_column()
    refreshed_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class HeldFileRow(Base):
    """A file waiting for its recipient to accept it (Teams' file consent), deleted once it is
    uploaded, declined or expired: exports hold personal data and are kept no longer."""

    __tablename__ = "held_files"
    __table_args__ = (Index("ix_held_files_expires_at", "expires_at"),)

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    owner: Mapped[str] = mapped_column(String(128))
    filename: Mapped[str] = mapped_column(String(255))
    mime_type: Mapped[str] = mapped_column(String(100))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    expires_at: Mapped[datetime] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OfferedFormRow(Base):
    """A form offered behind a button, rendered for its platform (a Slack modal view), until
    someone presses the button or it expires: a modal must open within moments of a click, so
    a form that could not open at once waits here."""

    __tablename__ = "offered_forms"
    __table_args__ = (Index("ix_offered_forms_expires_at", "expires_at"),)

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    view: Mapped[dict[str, Any]] = mapped_column()
    expires_at: Mapped[datetime] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ConsoleMessageRow(Base):
    """A message to a person who chats in a terminal, waiting for their own `breakroom chat`
    to show it: a terminal has no server to push to, and whoever's process sent it must not.
    `dedupe_key` (the outbox's `outbox:<id>`) lets a resend after a crash find it."""

    __tablename__ = "console_messages"
    __table_args__ = (Index("ix_console_messages_waiting", "person_id", "shown_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    dedupe_key: Mapped[str | None] = mapped_column(String(128), unique=True)
    text: Mapped[str] = mapped_column(Text)
    # The numbers the message offers: [[action_id, value], ...] in the order shown.
    picks: Mapped[list[list[str]]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    shown_at: Mapped[datetime | None] = mapped_column()
