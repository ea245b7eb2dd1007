"""Migrations with several replicas on one PostgreSQL database: `breakroom db upgrade` run by
several at once."""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from tests.cli import BREAKROOM, clean_env, run
from tests.conftest import POSTGRES_URL

needs_postgres = pytest.mark.skipif(
    POSTGRES_URL is None,
    reason="BREAKROOM_TEST_DATABASE_URL is not set (no PostgreSQL to test against)",
)


async def _on_server(statement: str) -> None:
    assert POSTGRES_URL is not None
    engine = create_async_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(statement))
    finally:
        await engine.dispose()


@pytest.fixture
async def fresh_postgres() -> AsyncIterator[str]:
    """A database of its own on the test server, never migrated: a process started with a
    DATABASE_URL cannot be given a schema of its own, as the in-process tests are."""
    assert POSTGRES_URL is not None
    name = f"breakroom_t_{uuid.uuid4().hex[:12]}"
    await _on_server(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        await _on_server(f'DROP DATABASE "{name}" WITH (FORCE)')


@needs_postgres
@pytest.mark.postgres
def test_db_upgrade_from_several_replicas_at_once(fresh_postgres: str, tmp_path: Path) -> None:
    replicas = [
        subprocess.Popen(
            [BREAKROOM, "db", "upgrade"],
            cwd=tmp_path,
            env=clean_env(DATABASE_URL=fresh_postgres),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    outcomes = [(p.wait(timeout=60), *p.communicate()) for p in replicas]
    for status, stdout, stderr in outcomes:
        assert status == 0, stderr
        assert stdout.strip() == "database is up to date"
        assert "Traceback" not in stderr


def test_a_failed_db_upgrade_says_why_in_one_line(tmp_path: Path) -> None:
    result = run(
        ["db", "upgrade"],
        tmp_path,
        DATABASE_URL="postgresql+asyncpg://nobody@127.0.0.1:1/breakroom",
    )
    assert result.returncode == 1
    assert result.stderr.startswith("breakroom: database upgrade failed: ConnectionRefusedError")
    assert result.stderr.strip().count("\n") == 0
