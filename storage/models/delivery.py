"""Messages the bot sends on its own: the outbox, one row per message, and the pace each
workspace allows, shared by every replica."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class OutboxRow(Base):
    """One message of one kind about one payload to one person: the unit of exactly-once
    delivery. `kind` names the renderer (`pulse.invite`), `payload_key` what the message is
    about (`round:12`).

    pending → sending (claimed) → sent | failed | blocked | skipped. The unique key makes
    re-enqueueing after a crash harmless; a claim left in `sending` by a crash is reconciled, not
    resent blind.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        # Led by the payload key, so that a payload's progress is read from this index.
        UniqueConstraint("payload_key", "kind", "person_id"),
        Index("ix_outbox_due", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    payload_key: Mapped[str] = mapped_column(String(64))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    due_at: Mapped[datetime] = mapped_column()
    attempts: Mapped[int] = mapped_column(default=0)
    claimed_at: Mapped[datetime | None] = mapped_column()
    # Until when the claimer vouches for its claim; it renews it while it works. Each sender
    # sets its own lease from how long its sends take, so others can tell a dead one quickly.
    lease_until: Mapped[datetime | None] = mapped_column()
    sent_at: Mapped[datetime | None] = mapped_column()
    platform: Mapped[str | None] = mapped_column(String(16))
    message_id: Mapped[str | None] = mapped_column(String(128))
    handle: Mapped[dict[str, Any] | None] = mapped_column()
    error: Mapped[str | None] = mapped_column(String(200))


class SendBudgetRow(Base):
    """The pace one workspace (a Slack team, a Teams tenant) allows, learned from its 429s and
    shared by every replica: they all spend one platform budget. Times are seconds since the
    epoch (every replica reads the same clock, give or take NTP), and `version` makes each
    change a conditional write."""

    __tablename__ = "send_budgets"

    key: Mapped[str] = mapped_column(String(160), primary_key=True)  # "<platform>:<workspace>"
    rate: Mapped[float] = mapped_column(Float)  # sends a second now
    settled: Mapped[float | None] = mapped_column(Float)  # just below where the last 429 came
    next_slot: Mapped[float] = mapped_column(Float)  # the token bucket, kept as GCRA
    paused_until: Mapped[float] = mapped_column(Float)  # a 429's Retry-After, for everyone
    grown_at: Mapped[float] = mapped_column(Float)  # when sends were last reported
    accepted: Mapped[float] = mapped_column(Float)  # sends a second that went through, smoothed
    version: Mapped[int] = mapped_column()
