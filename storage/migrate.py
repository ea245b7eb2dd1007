"""Apply Alembic migrations from inside the package, on the same async engine the bot uses."""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from storage.db import Database


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(files("storage") / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


@cache
def newest_revisions() -> frozenset[str]:
    """The heads of the migration scripts, read once: they cannot change while the process runs."""
    script = ScriptDirectory(str(files("storage") / "migrations"))
    return frozenset(script.get_heads())


def _current_revisions(connection: Any) -> frozenset[str]:
    return frozenset(MigrationContext.configure(connection).get_current_heads())


async def upgrade(db: Database, revision: str = "head") -> None:
    """Migrate to `revision`; a database already at the newest one costs a single query."""
    config = alembic_config(db.url)

    def run(connection: Any) -> None:
        if revision == "head" and _current_revisions(connection) == newest_revisions():
            return
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    async with db.engine.begin() as conn:
        await conn.run_sync(run)


async def is_current(db: Database) -> bool:
    """True when the database is at the newest revision (readiness needs the schema too)."""
    async with db.engine.connect() as conn:
        return await conn.run_sync(_current_revisions) == newest_revisions()
