"""What the outbox holds and hands out: the states a message goes through, a message as a sender
claims it, the person it is for, and how the messages about one payload stand."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from storage.models import OutboxRow
from storage.people import Identity


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    BLOCKED = "blocked"
    SKIPPED = "skipped"  # no longer needed when its turn came (e.g. the round had closed)


FINAL_STATUSES = frozenset(
    {OutboxStatus.SENT, OutboxStatus.FAILED, OutboxStatus.BLOCKED, OutboxStatus.SKIPPED}
)


@dataclass(frozen=True)
class OutboxItem:
    id: int
    kind: str
    payload_key: str
    person_id: int
    status: str
    due_at: datetime
    attempts: int = 0
    claimed_at: datetime | None = None
    sent_at: datetime | None = None
    platform: str | None = None
    message_id: str | None = None
    handle: Mapping[str, Any] | None = field(default=None, compare=False)
    error: str | None = None

    @property
    def dedupe_key(self) -> str:
        """What the platform keeps with the message, so a restart can ask whether it went out."""
        return f"outbox:{self.id}"


@dataclass(frozen=True)
class Recipient:
    """A person an outbox message is for: where it can reach them (their identities, for the
    sender's routing), and what a renderer may vary the message by."""

    person_id: int
    timezone: str | None = None
    locale: str | None = None
    identities: tuple[Identity, ...] = ()
    language: str | None = None  # the person's own choice; None: their locale's


@dataclass(frozen=True)
class OutboxProgress:
    """How the messages about one payload (every kind of them) stand."""

    payload_key: str
    pending: int = 0
    sending: int = 0
    sent: int = 0
    failed: int = 0
    blocked: int = 0
    skipped: int = 0

    @property
    def total(self) -> int:
        return self.pending + self.sending + self.sent + self.failed + self.blocked + self.skipped

    @property
    def open(self) -> int:
        return self.pending + self.sending


def outbox_item(row: OutboxRow) -> OutboxItem:
    return OutboxItem(
        id=row.id,
        kind=row.kind,
        payload_key=row.payload_key,
        person_id=row.person_id,
        status=row.status,
        due_at=row.due_at,
        attempts=row.attempts,
        claimed_at=row.claimed_at,
        sent_at=row.sent_at,
        platform=row.platform,
        message_id=row.message_id,
        handle=row.handle,
        error=row.error,
    )
