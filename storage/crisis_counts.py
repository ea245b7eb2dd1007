"""How many messages got crisis resources, per day and kind: no person, no text. Questions
admitted with their event id are counted by `storage.admission`; this counts the others (a
command, a form, the terminal) and reads the totals for HR."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from storage.db import Database
from storage.models import CrisisCountRow


class CrisisCounts:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(self, day: date, kind: str) -> None:
        statement = (
            self._db.insert(CrisisCountRow)
            .values(day=day, kind=kind, count=1)
            .on_conflict_do_update(
                index_elements=["day", "kind"], set_={"count": CrisisCountRow.count + 1}
            )
        )
        async with self._db.transaction() as session:
            await session.execute(statement)

    async def since(self, day: date) -> dict[str, int]:
        """Messages per kind from `day` on."""
        async with self._db.transaction() as session:
            rows = await session.execute(
                select(CrisisCountRow.kind, func.sum(CrisisCountRow.count))
                .where(CrisisCountRow.day >= day)
                .group_by(CrisisCountRow.kind)
            )
            return {kind: int(total) for kind, total in rows}
