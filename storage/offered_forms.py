"""Forms offered behind a button until someone presses it, for a day or so.

A platform whose forms are modals that open only within moments of a click (Slack's trigger ids)
cannot open a form in answer to a typed message or a proactive send: it shows a button instead,
and the form, already rendered, waits here under the key the button carries. Offering the same
form again refreshes its expiry; a button pressed after that finds nothing and says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite

from storage.db import Database
from storage.models import OfferedFormRow


class OfferedForms:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def keep(
        self, platform: str, views: Mapping[str, dict[str, Any]], expires_at: datetime
    ) -> None:
        """Keep each view under its key until `expires_at`, in one transaction. The key names
        the view's content, so a row that exists already holds the same view: only its expiry
        moves. One statement per row, so that two replicas offering the same form both succeed."""
        if not views:
            return
        insert = sqlite.insert if self._db.is_sqlite else postgresql.insert
        async with self._db.transaction() as session:
            for key, view in views.items():
                statement = insert(OfferedFormRow).values(
                    platform=platform, key=key, view=view, expires_at=expires_at
                )
                await session.execute(
                    statement.on_conflict_do_update(
                        index_elements=["platform", "key"],
                        set_={"expires_at": statement.excluded.expires_at},
                    )
                )

    async def get(self, platform: str, key: str, now: datetime) -> dict[str, Any] | None:
        """The view kept under `key`, unless unknown or expired by `now`."""
        async with self._db.transaction() as session:
            row = await session.scalar(
                select(OfferedFormRow).where(
                    OfferedFormRow.platform == platform,
                    OfferedFormRow.key == key,
                    OfferedFormRow.expires_at > now,
                )
            )
            return None if row is None else dict(row.view)

    async def prune(self, now: datetime) -> int:
        """Delete every form expired by `now`; how many went."""
        async with self._db.transaction() as session:
            result = await session.execute(
                delete(OfferedFormRow).where(OfferedFormRow.expires_at <= now)
            )
            return int(getattr(result, "rowcount", 0))
