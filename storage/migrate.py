"""Apply Alembic migrations from inside the package, on the same async engine the bot uses."""

from __future__ import annotations

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


async def upgrade(db: Database, revision: str = "head") -> None:
    config = alembic_config(db.url)

    def run(connection: Any) -> None:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    async with db.engine.begin() as conn:
        await conn.run_sync(run)


async def is_current(db: Database) -> bool:
    """True when the database is at the newest revision (readiness needs the schema too)."""
    heads = set(ScriptDirectory.from_config(alembic_config(db.url)).get_heads())

    def current(connection: Any) -> set[str]:
        return set(MigrationContext.configure(connection).get_current_heads())

    async with db.engine.connect() as conn:
        return await conn.run_sync(current) == heads
