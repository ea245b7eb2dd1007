"""Roster hints: where to open a chat with someone a platform's directory listed but who never
wrote to the bot (Teams: their Teams id, the service URL, the tenant and the bot). Each sync
refreshes the hints of everyone it lists; a hint nobody refreshed expires and is deleted."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select

from storage.db import Conflict, Database
from storage.models import RosterHintRow


class RosterHints:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def save(
        self, platform: str, hints: Mapping[str, Mapping[str, Any]], *, expires_at: datetime
    ) -> None:
        """Store or refresh the hints of a page of people (by user id) in one transaction."""
        if not hints:
            return
        try:
            await self._save(platform, hints, expires_at)
        except Conflict:
            # Another replica stored one of them between our read and our write (a roster read
            # after an install, during the nightly sync): once more, and they are all known.
            await self._save(platform, hints, expires_at)

    async def _save(
        self, platform: str, hints: Mapping[str, Mapping[str, Any]], expires_at: datetime
    ) -> None:
        async with self._db.transaction() as session:
            rows = await session.scalars(
                select(RosterHintRow).where(
                    RosterHintRow.platform == platform, RosterHintRow.user_id.in_(list(hints))
                )
            )
            existing = {row.user_id: row for row in rows}
            for user_id, data in hints.items():
                row = existing.get(user_id)
                if row is None:
                    session.add(
                        RosterHintRow(
                            platform=platform,
                            user_id=user_id,
                            data=dict(data),
                            expires_at=expires_at,
                        )
                    )
                else:
                    row.data = dict(data)
                    row.expires_at = expires_at

    async def load(self, platform: str, user_id: str) -> dict[str, Any] | None:
        """The person's hint, unless it has expired (pruned or not yet)."""
        async with self._db.transaction() as session:
            row = await session.scalar(
                select(RosterHintRow).where(
                    RosterHintRow.platform == platform,
                    RosterHintRow.user_id == user_id,
                    RosterHintRow.expires_at > datetime.now(UTC),
                )
            )
            return None if row is None else dict(row.data)

    async def forget_expired(self) -> int:
        """Delete the hints no sync refreshed in their lifetime; returns how many."""
        async with self._db.transaction() as session:
            result = await session.execute(
                delete(RosterHintRow).where(RosterHintRow.expires_at <= datetime.now(UTC))
            )
            return int(getattr(result, "rowcount", 0))
