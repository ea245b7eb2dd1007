"""Application-generated secrets kept in the database, for deployments that configure none."""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from storage.db import Conflict, Database
from storage.models import SecretRow


class SecretStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def get_or_create(self, name: str, make: Callable[[], str]) -> str:
        """The stored secret `name`, created with `make()` on first use. Two replicas racing to
        create it both end up with the one that was stored first."""
        async with self._db.transaction() as session:
            row = await session.get(SecretRow, name)
            if row is not None:
                return row.value
        with contextlib.suppress(Conflict):  # another replica stored one first: theirs counts
            async with self._db.transaction() as session:
                value = make()
                session.add(SecretRow(name=name, value=value))
                return value
        async with self._db.transaction() as session:
            row = await session.get(SecretRow, name)
            assert row is not None
            return row.value
