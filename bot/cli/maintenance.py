"""`breakroom db upgrade` and `catalog`: the database schema and the other languages' message
catalogs kept in step with the code."""

from __future__ import annotations

import argparse
import asyncio

from bot.cli.command import CommandFailed
from bot.plural import counted
from bot.settings import Settings


def db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from storage.db import Database
    from storage.migrate import upgrade

    async def run() -> int:
        database = Database(settings.database_url)
        try:
            await upgrade(database)
        except (SQLAlchemyError, OSError) as exc:
            # One line (repr keeps it on one), enough to name the cause: refused, timed out,
            # no permission.
            raise CommandFailed(f"database upgrade failed: {exc!r:.300}") from None
        finally:
            await database.dispose()
        print("database is up to date")
        return 0

    return asyncio.run(run())


def catalog_update(args: argparse.Namespace, settings: Settings) -> int:
    from bot import catalog

    for language, missing in catalog.update().items():
        print(f"{language}: {counted(missing, 'message')} to translate")
    return 0


def catalog_check(args: argparse.Namespace, settings: Settings) -> int:
    from bot import catalog

    problems = catalog.check()
    for problem in problems:
        print(problem)
    return 1 if problems else 0
