"""Announcements: drafts, the one conditional write that queues one with its messages, cancelling,
and the presses of its buttons, counted once per person and button.

An announcement's messages are outbox rows of kind `announce.message` about `announcement:<id>`
(see `storage.outbox`); how they stand is read from there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from storage.db import Database
from storage.models import AnnouncementOpenRow, AnnouncementRow, OutboxRow
from storage.outbox import enqueue_in
from storage.outbox_items import OutboxStatus

MESSAGE_KIND = "announce.message"
KEY_PREFIX = "announcement:"


def announcement_key(announcement_id: int) -> str:
    """The outbox payload key of an announcement's messages."""
    return f"{KEY_PREFIX}{announcement_id}"


class AnnouncementStatus(StrEnum):
    DRAFT = "draft"  # written, previewed, not sent
    QUEUED = "queued"  # its messages are in the outbox, going out now or at `send_at`
    CANCELLED = "cancelled"


class Press(StrEnum):
    """The buttons on an announcement whose presses are counted."""

    GOT_IT = "got_it"
    LEARN_MORE = "learn_more"


@dataclass(frozen=True)
class Announcement:
    id: int
    author_person_id: int | None
    title: str
    body: str
    link: str | None
    article_id: str | None
    audience: Mapping[str, Any]
    send_at: datetime | None
    zone: str
    status: AnnouncementStatus
    recipients: int
    created_at: datetime
    queued_at: datetime | None
    cancelled_at: datetime | None


@dataclass(frozen=True)
class Cancelled:
    """An announcement just cancelled, and how many of its messages were still to go."""

    announcement: Announcement
    withdrawn: int


class AnnouncementRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def create(
        self,
        *,
        author_person_id: int,
        title: str,
        body: str,
        link: str | None,
        article_id: str | None,
        audience: Mapping[str, Any],
        send_at: datetime | None,
        zone: str,
    ) -> Announcement:
        async with self._db.transaction() as session:
            row = AnnouncementRow(
                author_person_id=author_person_id,
                title=title,
                body=body,
                link=link,
                article_id=article_id,
                audience=dict(audience),
                send_at=send_at,
                zone=zone,
                status=AnnouncementStatus.DRAFT.value,
                recipients=0,
            )
            session.add(row)
            await session.flush()
            return _announcement(row)

    async def get(self, announcement_id: int) -> Announcement | None:
        async with self._db.transaction() as session:
            row = await session.get(AnnouncementRow, announcement_id)
            return None if row is None else _announcement(row)

    async def recent(self, limit: int = 15) -> list[Announcement]:
        """The newest announcements, drafts left out (they are their authors' own business)."""
        async with self._db.transaction() as session:
            rows = await session.scalars(
                select(AnnouncementRow)
                .where(AnnouncementRow.status != AnnouncementStatus.DRAFT)
                .order_by(AnnouncementRow.id.desc())
                .limit(limit)
            )
            return [_announcement(row) for row in rows]

    async def queue(
        self,
        announcement_id: int,
        author_person_id: int,
        now: datetime,
        due_at: Mapping[int, datetime],
    ) -> bool:
        """Turn the author's draft queued and queue its messages (person id → when due), in one
        transaction. A conditional write: of two presses of Send at once, one queues it and the
        other gets False; nothing is queued for a draft cancelled meanwhile."""
        async with self._db.transaction() as session:
            result = await session.execute(
                update(AnnouncementRow)
                .where(
                    AnnouncementRow.id == announcement_id,
                    AnnouncementRow.author_person_id == author_person_id,
                    AnnouncementRow.status == AnnouncementStatus.DRAFT,
                )
                .values(
                    status=AnnouncementStatus.QUEUED.value, queued_at=now, recipients=len(due_at)
                )
            )
            if int(getattr(result, "rowcount", 0)) != 1:
                return False
            key = announcement_key(announcement_id)
            await enqueue_in(session, self._db.is_sqlite, MESSAGE_KIND, key, due_at)
            return True

    async def cancel(
        self, announcement_id: int, now: datetime, *, drafts_only: bool = False
    ) -> Cancelled | None:
        """Cancel a draft or a queued announcement (a draft only, with `drafts_only`),
        withdrawing its messages still waiting, in one transaction; None when it was not
        cancelled here (of two cancels, one gets it). Messages a sender holds are asked about
        right before they leave (`current`)."""
        cancellable = (
            [AnnouncementStatus.DRAFT.value]
            if drafts_only
            else [AnnouncementStatus.DRAFT.value, AnnouncementStatus.QUEUED.value]
        )
        async with self._db.transaction() as session:
            result = await session.execute(
                update(AnnouncementRow)
                .where(
                    AnnouncementRow.id == announcement_id,
                    AnnouncementRow.status.in_(cancellable),
                )
                .values(status=AnnouncementStatus.CANCELLED.value, cancelled_at=now)
            )
            if int(getattr(result, "rowcount", 0)) != 1:
                return None
            withdrawn = await session.execute(
                update(OutboxRow)
                .where(
                    OutboxRow.payload_key == announcement_key(announcement_id),
                    OutboxRow.status == OutboxStatus.PENDING,
                )
                .values(status=OutboxStatus.SKIPPED.value, error="cancelled")
            )
            row = await session.get(AnnouncementRow, announcement_id)
            assert row is not None
            return Cancelled(_announcement(row), int(getattr(withdrawn, "rowcount", 0)))

    async def status(self, announcement_id: int) -> AnnouncementStatus | None:
        async with self._db.transaction() as session:
            found = await session.scalar(
                select(AnnouncementRow.status).where(AnnouncementRow.id == announcement_id)
            )
            return None if found is None else AnnouncementStatus(found)

    async def record_press(self, announcement_id: int, person_id: int, press: Press) -> bool:
        """Count `person_id`'s press of `press`; False when they had pressed it before."""
        insert = postgresql.insert if not self._db.is_sqlite else sqlite.insert
        async with self._db.transaction() as session:
            result = await session.execute(
                insert(AnnouncementOpenRow)
                .values(announcement_id=announcement_id, person_id=person_id, button=press.value)
                .on_conflict_do_nothing()
            )
            return int(getattr(result, "rowcount", 0)) == 1

    async def presses(self, announcement_id: int) -> dict[Press, int]:
        """How many people pressed each button: counts only, never who."""
        async with self._db.transaction() as session:
            rows = await session.execute(
                select(AnnouncementOpenRow.button, func.count())
                .where(AnnouncementOpenRow.announcement_id == announcement_id)
                .group_by(AnnouncementOpenRow.button)
            )
            counted = {button: int(n) for button, n in rows.all()}
        return {press: counted.get(press.value, 0) for press in Press}


def _announcement(row: AnnouncementRow) -> Announcement:
    return Announcement(
        id=row.id,
        author_person_id=row.author_person_id,
        title=row.title,
        body=row.body,
        link=row.link,
        article_id=row.article_id,
        audience=dict(row.audience),
        send_at=row.send_at,
        zone=row.zone,
        status=AnnouncementStatus(row.status),
        recipients=row.recipients,
        created_at=row.created_at,
        queued_at=row.queued_at,
        cancelled_at=row.cancelled_at,
    )
