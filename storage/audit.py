"""The audit log of privileged actions: who did what to which subject, and when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from storage.db import Database
from storage.models import AuditRow


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    actor_person_id: int | None
    action: str
    subject: str
    detail: dict[str, Any]


class AuditLog:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def record(
        self, actor_person_id: int | None, action: str, subject: str = "", **detail: Any
    ) -> None:
        async with self._db.transaction() as session:
            session.add(
                AuditRow(
                    actor_person_id=actor_person_id, action=action, subject=subject, detail=detail
                )
            )

    async def recent(self, limit: int = 50, action: str | None = None) -> list[AuditEntry]:
        query = select(AuditRow).order_by(AuditRow.id.desc()).limit(limit)
        if action is not None:
            query = query.where(AuditRow.action == action)
        async with self._db.transaction() as session:
            rows = await session.scalars(query)
            return [
                AuditEntry(r.at, r.actor_person_id, r.action, r.subject, dict(r.detail))
                for r in rows
            ]
