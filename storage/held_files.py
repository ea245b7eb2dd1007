"""Files held for a recipient until they take them: Teams uploads a file only after the person
accepts a consent card, so the bytes wait here under a random token the card carries."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete

from storage.db import Database
from storage.models import HeldFileRow


@dataclass(frozen=True)
class HeldFile:
    token: str
    platform: str
    owner: str
    filename: str
    mime_type: str
    data: bytes = field(repr=False)
    expires_at: datetime


class HeldFiles:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def hold(
        self,
        platform: str,
        owner: str,
        filename: str,
        mime_type: str,
        data: bytes,
        expires_at: datetime,
    ) -> str:
        """Keep the file until `expires_at`; the token is unguessable (it is all a consent card
        carries) and only `owner` may take the file."""
        token = secrets.token_urlsafe(24)
        async with self._db.transaction() as session:
            session.add(
                HeldFileRow(
                    token=token,
                    platform=platform,
                    owner=owner,
                    filename=filename,
                    mime_type=mime_type,
                    data=data,
                    expires_at=expires_at,
                )
            )
        return token

    async def get(self, token: str, now: datetime) -> HeldFile | None:
        """The file, unless unknown, taken, or expired by `now`."""
        async with self._db.transaction() as session:
            row = await session.get(HeldFileRow, token)
            if row is None or row.expires_at <= now:
                return None
            return HeldFile(
                row.token,
                row.platform,
                row.owner,
                row.filename,
                row.mime_type,
                row.data,
                row.expires_at,
            )

    async def discard(self, token: str) -> bool:
        async with self._db.transaction() as session:
            result = await session.execute(delete(HeldFileRow).where(HeldFileRow.token == token))
            return bool(getattr(result, "rowcount", 0))

    async def discard_expired(self, now: datetime) -> int:
        async with self._db.transaction() as session:
            result = await session.execute(delete(HeldFileRow).where(HeldFileRow.expires_at <= now))
            return int(getattr(result, "rowcount", 0))
