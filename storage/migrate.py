"""Apply Alembic migrations from inside the package, on the same async engine the bot uses, and
tell how a database's schema stands against this release.

On PostgreSQL several replicas may run `breakroom db upgrade` at once (each at start, or an
orchestrator's job beside them). Each upgrade therefore runs in one transaction that first takes a
transaction-scoped advisory lock: the next replica waits for it, then finds the schema current and
does nothing. The lock is per schema, the unit that migrates, and is released by the commit (or by
the server when a session dies), so no replica can leave it held.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib.resources import files
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from storage.db import Database

# The first of the two 32-bit keys of the migration lock: b"brkm" read as an integer. The
# second is the schema's hash. Two-key advisory locks never meet the scheduler's one-key lock.
MIGRATION_LOCK = int.from_bytes(b"brkm", "big")
_TAKE_MIGRATION_LOCK = text(
    "SELECT pg_advisory_xact_lock(:lock, hashtext(coalesce(current_schema(), '')))"
)


class SchemaState(StrEnum):
    CURRENT = "current"
    BEHIND = "behind"  # never migrated, or missing migrations this release brings
    NEWER = "newer"  # migrated by a later release, whose migrations keep this one working


@dataclass(frozen=True)
class Schema:
    state: SchemaState
    revisions: frozenset[str]  # where the database is; empty when never migrated

    @property
    def described(self) -> str:
        return ", ".join(sorted(self.revisions)) or "no revision"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(files("storage") / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


@cache
def _scripts() -> ScriptDirectory:
    """Read once: the migration scripts cannot change while the process runs."""
    return ScriptDirectory(str(files("storage") / "migrations"))


@cache
def newest_revisions() -> frozenset[str]:
    return frozenset(_scripts().get_heads())


@cache
def _known_revisions() -> frozenset[str]:
    return frozenset(script.revision for script in _scripts().walk_revisions())


def _current_revisions(connection: Any) -> frozenset[str]:
    return frozenset(MigrationContext.configure(connection).get_current_heads())


async def upgrade(db: Database, revision: str = "head") -> None:
    """Migrate to `revision`; a database already at the newest one costs a single query (and
    the lock, on PostgreSQL)."""
    config = alembic_config(db.url)

    def run(connection: Any) -> None:
        if connection.dialect.name == "postgresql":
            connection.execute(_TAKE_MIGRATION_LOCK, {"lock": MIGRATION_LOCK})
        if revision == "head" and _current_revisions(connection) == newest_revisions():
            return
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    async with db.engine.begin() as conn:
        await conn.run_sync(run)


async def schema(db: Database) -> Schema:
    """Where the database's schema stands against this release. A revision this release does
    not know was written by a later one: during a rolling upgrade the older replicas keep
    serving on it."""
    async with db.engine.connect() as conn:
        found = await conn.run_sync(_current_revisions)
    if found == newest_revisions():
        return Schema(SchemaState.CURRENT, found)
    if found - _known_revisions():
        return Schema(SchemaState.NEWER, found)
    return Schema(SchemaState.BEHIND, found)
