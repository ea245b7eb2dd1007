"""People and what they may do: a person, their identity on each platform, the roles granted
them, the log of what privileged people did, and the keys the application generates for itself
(the one that seals anonymous submitters among them)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import Base, utcnow


class PersonRow(Base):
    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str | None] = mapped_column(String(320))
    department: Mapped[str | None] = mapped_column(String(120))
    unit: Mapped[str | None] = mapped_column(String(120))
    timezone: Mapped[str | None] = mapped_column(String(64))
    locale: Mapped[str | None] = mapped_column(String(35))
    language: Mapped[str | None] = mapped_column(String(8))  # chosen by the person; None: locale's
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    identities: Mapped[list[IdentityRow]] = relationship(back_populates="person")


class IdentityRow(Base):
    """A person as one platform knows them. One person may have a Slack and a Teams identity."""

    __tablename__ = "identities"
    __table_args__ = (UniqueConstraint("platform", "tenant", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    platform: Mapped[str] = mapped_column(String(16))
    tenant: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[str] = mapped_column(String(128))
    # Set when the platform says the person blocked or removed the bot; cleared when they write.
    unreachable_at: Mapped[datetime | None] = mapped_column()
    # When a platform's directory last listed this identity; None for someone known only from
    # their own messages, whom no directory can say has left.
    listed_at: Mapped[datetime | None] = mapped_column()
    # Set when a complete directory read no longer lists them: they leave "everyone",
    # department and unit audiences. Cleared when a directory lists them again or they write.
    left_at: Mapped[datetime | None] = mapped_column()

    person: Mapped[PersonRow] = relationship(back_populates="identities")


class RoleGrantRow(Base):
    __tablename__ = "role_grants"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(16), primary_key=True)
    granted_by: Mapped[str | None] = mapped_column(String(64))
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditRow(Base):
    """Privileged actions. `detail` never holds message text or survey answers."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_at", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL")
    )
    action: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(200), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class SecretRow(Base):
    """Keys the application generates for itself when none is configured (e.g. the key that
    seals anonymous submitters)."""

    __tablename__ = "secrets"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
