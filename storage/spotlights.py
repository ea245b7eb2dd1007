"""Spotlight campaigns and their turns.

A turn fires once: moving the campaign's next run on (only from the run it was due at) and
writing the turn row (its number unique per campaign) are one transaction, so of two ticks at
once, on one replica or two, one fires the turn and the other finds nothing due. The turn's
messages are queued after it commits; `queued_at` says they were, and a turn left unqueued by
a crash is queued by the next tick (the outbox's unique key makes queueing twice harmless).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from storage.db import Database
from storage.models import SpotlightRow, SpotlightTurnRow


@dataclass(frozen=True)
class Spotlight:
    id: int
    owner_person_id: int | None
    article_ids: tuple[str, ...] | None  # None: the articles tagged `spotlight`
    audience: dict[str, Any]
    schedule: dict[str, Any]
    status: str
    next_run_at: datetime | None
    turns: int
    last_article_id: str | None


@dataclass(frozen=True)
class Turn:
    id: int
    spotlight_id: int
    number: int
    article_id: str
    title: str
    run_at: datetime
    fired_at: datetime
    queued_at: datetime | None
    recipients: int
    asks: int

    @property
    def payload_key(self) -> str:
        """What the turn's outbox messages are about: `spotlight:3:turn:2`."""
        return f"spotlight:{self.spotlight_id}:turn:{self.number}"


class SpotlightRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def create(
        self,
        *,
        owner_person_id: int,
        article_ids: list[str] | None,
        audience: dict[str, Any],
        schedule: dict[str, Any],
        next_run_at: datetime | None,
    ) -> Spotlight:
        async with self._db.transaction() as session:
            row = SpotlightRow(
                owner_person_id=owner_person_id,
                article_ids=article_ids,
                audience=audience,
                schedule=schedule,
                status="active",
                next_run_at=next_run_at,
                turns=0,
            )
            session.add(row)
            await session.flush()
            return _spotlight(row)

    async def get(self, spotlight_id: int) -> Spotlight | None:
        async with self._db.transaction() as session:
            row = await session.get(SpotlightRow, spotlight_id)
            return None if row is None else _spotlight(row)

    async def all(self) -> list[Spotlight]:
        async with self._db.transaction() as session:
            rows = await session.scalars(select(SpotlightRow).order_by(SpotlightRow.id))
            return [_spotlight(row) for row in rows]

    async def due(self, now: datetime) -> list[Spotlight]:
        async with self._db.transaction() as session:
            rows = await session.scalars(
                select(SpotlightRow)
                .where(SpotlightRow.status == "active", SpotlightRow.next_run_at <= now)
                .order_by(SpotlightRow.next_run_at, SpotlightRow.id)
            )
            return [_spotlight(row) for row in rows]

    async def status(self, spotlight_id: int) -> str | None:
        async with self._db.transaction() as session:
            status: str | None = await session.scalar(
                select(SpotlightRow.status).where(SpotlightRow.id == spotlight_id)
            )
            return status

    async def set_status(self, spotlight_id: int, status: str) -> bool:
        """Change the status; False when it was that already (a second press, another HR)."""
        async with self._db.transaction() as session:
            result = await session.execute(
                update(SpotlightRow)
                .where(SpotlightRow.id == spotlight_id, SpotlightRow.status != status)
                .values(status=status)
            )
            return bool(getattr(result, "rowcount", 0))

    async def set_next_run(self, spotlight_id: int, next_run_at: datetime | None) -> None:
        async with self._db.transaction() as session:
            await session.execute(
                update(SpotlightRow)
                .where(SpotlightRow.id == spotlight_id)
                .values(next_run_at=next_run_at)
            )

    async def skip_run(
        self, spotlight_id: int, expected: datetime, next_run_at: datetime | None
    ) -> bool:
        """Move the next run on without a turn (nothing to send), only if nobody else did."""
        async with self._db.transaction() as session:
            result = await session.execute(
                update(SpotlightRow)
                .where(SpotlightRow.id == spotlight_id, SpotlightRow.next_run_at == expected)
                .values(next_run_at=next_run_at)
            )
            return bool(getattr(result, "rowcount", 0))

    async def fire(
        self,
        spotlight: Spotlight,
        *,
        next_run_at: datetime | None,
        article_id: str,
        title: str,
        now: datetime,
    ) -> Turn | None:
        """The turn due at `spotlight.next_run_at`, fired now with `article_id`; None when
        another tick fired it (or moved the run on) first."""
        due = spotlight.next_run_at
        assert due is not None
        async with self._db.transaction() as session:
            result = await session.execute(
                update(SpotlightRow)
                .where(SpotlightRow.id == spotlight.id, SpotlightRow.next_run_at == due)
                .values(
                    next_run_at=next_run_at,
                    turns=SpotlightRow.turns + 1,
                    last_article_id=article_id,
                )
                .returning(SpotlightRow.turns)
            )
            number = result.scalar_one_or_none()
            if number is None:
                return None
            row = SpotlightTurnRow(
                spotlight_id=spotlight.id,
                number=number,
                article_id=article_id,
                title=title[:200],
                run_at=due,
                fired_at=now,
                recipients=0,
                asks=0,
            )
            session.add(row)
            await session.flush()
            return _turn(row)

    async def unqueued(self) -> list[Turn]:
        """Turns whose messages are not known to be in the outbox yet."""
        async with self._db.transaction() as session:
            rows = await session.scalars(
                select(SpotlightTurnRow)
                .where(SpotlightTurnRow.queued_at.is_(None))
                .order_by(SpotlightTurnRow.id)
            )
            return [_turn(row) for row in rows]

    async def mark_queued(self, turn_id: int, recipients: int, now: datetime) -> None:
        async with self._db.transaction() as session:
            await session.execute(
                update(SpotlightTurnRow)
                .where(SpotlightTurnRow.id == turn_id, SpotlightTurnRow.queued_at.is_(None))
                .values(queued_at=now, recipients=recipients)
            )

    async def turn(self, spotlight_id: int, number: int) -> Turn | None:
        async with self._db.transaction() as session:
            row = await session.scalar(
                select(SpotlightTurnRow).where(
                    SpotlightTurnRow.spotlight_id == spotlight_id,
                    SpotlightTurnRow.number == number,
                )
            )
            return None if row is None else _turn(row)

    async def turn_by_id(self, turn_id: int) -> Turn | None:
        async with self._db.transaction() as session:
            row = await session.get(SpotlightTurnRow, turn_id)
            return None if row is None else _turn(row)

    async def turns_since(self, since: datetime) -> list[Turn]:
        """Turns fired since `since`, oldest first."""
        async with self._db.transaction() as session:
            rows = await session.scalars(
                select(SpotlightTurnRow)
                .where(SpotlightTurnRow.fired_at >= since)
                .order_by(SpotlightTurnRow.fired_at, SpotlightTurnRow.id)
            )
            return [_turn(row) for row in rows]

    async def count_ask(self, turn_id: int) -> None:
        """One more "Ask about this" press on the turn: an increment in the database, so
        presses on several replicas at once all count."""
        async with self._db.transaction() as session:
            await session.execute(
                update(SpotlightTurnRow)
                .where(SpotlightTurnRow.id == turn_id)
                .values(asks=SpotlightTurnRow.asks + 1)
            )


def _spotlight(row: SpotlightRow) -> Spotlight:
    return Spotlight(
        id=row.id,
        owner_person_id=row.owner_person_id,
        article_ids=None if row.article_ids is None else tuple(row.article_ids),
        audience=dict(row.audience),
        schedule=dict(row.schedule),
        status=row.status,
        next_run_at=row.next_run_at,
        turns=row.turns,
        last_article_id=row.last_article_id,
    )


def _turn(row: SpotlightTurnRow) -> Turn:
    return Turn(
        id=row.id,
        spotlight_id=row.spotlight_id,
        number=row.number,
        article_id=row.article_id,
        title=row.title,
        run_at=row.run_at,
        fired_at=row.fired_at,
        queued_at=row.queued_at,
        recipients=row.recipients,
        asks=row.asks,
    )
