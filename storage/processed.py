"""Event de-duplication that survives restarts: a retried delivery has its effect once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from storage.db import Database, StorageUnavailable
from storage.models import ProcessedEventRow


class ProcessedEvents:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def first_time(self, platform: str, event_id: str) -> bool:
        """Record the event id; False when it was recorded before (a redelivery)."""
        try:
            async with self._db.transaction() as session:
                session.add(ProcessedEventRow(platform=platform, event_id=event_id))
        except StorageUnavailable as exc:
            if isinstance(exc.__cause__, IntegrityError):
                return False
            raise
        return True

    async def forget_older_than(self, age: timedelta) -> int:
        """Drop ids older than any platform retries (Slack retries for minutes, not days)."""
        cutoff = datetime.now(UTC) - age
        async with self._db.transaction() as session:
            result = await session.execute(
                delete(ProcessedEventRow).where(ProcessedEventRow.seen_at < cutoff)
            )
            return int(getattr(result, "rowcount", 0))
