"""Event de-duplication that survives restarts: a retried delivery has its effect once."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete

from storage.db import Conflict, Database, retry_on_disconnect
from storage.models import ProcessedEventRow


class ProcessedEvents:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def first_time(self, platform: str, event_id: str) -> bool:
        """Record the event id; False when it was recorded before (a redelivery). Run again
        on a connection that turned out to be dropped (no ping before each use)."""
        return await retry_on_disconnect(lambda: self._record(platform, event_id))

    async def _record(self, platform: str, event_id: str) -> bool:
        try:
            async with self._db.transaction() as session:
                session.add(ProcessedEventRow(platform=platform, event_id=event_id))
        except Conflict:
            return False
        return True

    async def forget_older_than(
        self, age: timedelta, *, keep: Mapping[str, timedelta] | None = None
    ) -> int:
        """Drop ids older than any platform redelivers; the ids recorded under a name in
        `keep` (a ledger such as the scheduler's cron runs) are dropped only once older than
        the age given for it. Returns how many were dropped."""
        kept = dict(keep or {})
        now = datetime.now(UTC)
        async with self._db.transaction() as session:
            dropped = await session.execute(
                delete(ProcessedEventRow).where(
                    ProcessedEventRow.seen_at < now - age,
                    ProcessedEventRow.platform.not_in(list(kept)),
                )
            )
            count = int(getattr(dropped, "rowcount", 0))
            for platform, platform_age in kept.items():
                dropped = await session.execute(
                    delete(ProcessedEventRow).where(
                        ProcessedEventRow.platform == platform,
                        ProcessedEventRow.seen_at < now - platform_age,
                    )
                )
                count += int(getattr(dropped, "rowcount", 0))
            return count
