"""Conversation references kept for proactive messages (Teams needs one to send at all)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from storage.db import Database
from storage.models import ConversationRefRow, utcnow


class ConversationStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def save(self, platform: str, address: str, data: dict[str, Any]) -> None:
        """Keep the newest reference; a reference first seen by two replicas at once is
        stored once, whichever writes last."""
        async with self._db.transaction() as session:
            row = await session.scalar(
                select(ConversationRefRow).where(
                    ConversationRefRow.platform == platform, ConversationRefRow.address == address
                )
            )
            if row is not None:
                if row.data != data:
                    row.data = data
                return
            insert = self._db.insert(ConversationRefRow).values(
                platform=platform, address=address, data=data
            )
            await session.execute(
                insert.on_conflict_do_update(
                    index_elements=["platform", "address"],
                    set_={"data": insert.excluded.data, "updated_at": utcnow()},
                )
            )

    async def load(self, platform: str, address: str) -> dict[str, Any] | None:
        async with self._db.transaction() as session:
            row = await session.scalar(
                select(ConversationRefRow).where(
                    ConversationRefRow.platform == platform, ConversationRefRow.address == address
                )
            )
            return None if row is None else dict(row.data)

    async def addresses(self, platform: str, prefix: str | None = None) -> list[str]:
        """The stored addresses of a platform, optionally only those starting with `prefix`
        (Teams: "19:" for team channels and group chats), in a stable order."""
        query = select(ConversationRefRow.address).where(ConversationRefRow.platform == platform)
        if prefix:
            query = query.where(ConversationRefRow.address.startswith(prefix, autoescape=True))
        async with self._db.transaction() as session:
            return list(await session.scalars(query.order_by(ConversationRefRow.address)))
