"""Migrations and readiness with several replicas on one PostgreSQL database: `breakroom db
upgrade` run by several at once, a server started on a database not yet migrated, and readiness
that answers within a second whatever the database does."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import time
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bot.app import create_app
from bot.readiness import Readiness
from bot.settings import Settings
from storage.db import Database
from storage.migrate import newest_revisions, upgrade
from tests.cli import BREAKROOM, clean_env, free_port, run
from tests.conftest import POSTGRES_URL
from tests.http import serve
from tests.tcp import FreezableRelay

UPGRADE_HINT = "run `breakroom db upgrade`"

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


async def probe(http: aiohttp.ClientSession, url: str) -> tuple[int, dict[str, Any], float]:
    started = time.monotonic()
    async with http.get(url) as response:
        return response.status, await response.json(), time.monotonic() - started


async def test_readyz_is_503_within_a_second_when_the_database_never_answers(
    make_settings: Callable[..., Settings],
) -> None:
    async with FreezableRelay() as silent:
        url = f"postgresql+asyncpg://breakroom@127.0.0.1:{silent.port}/breakroom"
        app = create_app(make_settings(DATABASE_URL=url))
        async with serve(app) as base, aiohttp.ClientSession() as http:
            one_by_one = [await probe(http, f"{base}/readyz") for _ in range(2)]
            at_once = await asyncio.gather(*(probe(http, f"{base}/readyz") for _ in range(3)))
            healthz = await probe(http, f"{base}/healthz")
    for status, body, seconds in [*one_by_one, *at_once]:
        assert (status, body) == (503, {"status": "unavailable", "database": "unreachable"})
        assert seconds < 1.0
    assert healthz[0] == 200
    assert healthz[2] < 1.0


@needs_postgres
@pytest.mark.postgres
async def test_readyz_stays_within_a_second_when_a_working_database_freezes(
    fresh_postgres: str, make_settings: Callable[..., Settings]
) -> None:
    database = Database(fresh_postgres)
    await upgrade(database)
    await database.dispose()
    real = make_url(fresh_postgres)
    async with FreezableRelay((real.host or "127.0.0.1", real.port or 5432)) as relay:
        through = real.set(host="127.0.0.1", port=relay.port)
        app = create_app(make_settings(DATABASE_URL=through.render_as_string(hide_password=False)))
        async with serve(app) as base, aiohttp.ClientSession() as http:
            before = await probe(http, f"{base}/readyz")
            relay.freeze()  # the pool now holds a connection to a server that stopped answering
            frozen = [await probe(http, f"{base}/readyz") for _ in range(3)]
            relay.thaw()
            after = await probe(http, f"{base}/readyz")
    assert before[:2] == (200, {"status": "ok", "database": "ok", "schema": "current"})
    for status, body, seconds in frozen:
        assert (status, body["database"]) == (503, "unreachable")
        assert seconds < 1.0
    assert after[0] == 200


@needs_postgres
@pytest.mark.postgres
async def test_serve_on_an_unmigrated_postgresql_is_not_ready_until_upgraded(
    fresh_postgres: str, tmp_path: Path
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = await asyncio.create_subprocess_exec(
        BREAKROOM,
        *("serve", "--port", str(port)),
        cwd=tmp_path,
        env=clean_env(DATABASE_URL=fresh_postgres),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        async with aiohttp.ClientSession() as http:
            await until_listening(http, f"{base}/healthz", server)
            not_ready = await probe(http, f"{base}/readyz")
            upgrading = await asyncio.create_subprocess_exec(
                BREAKROOM, "db", "upgrade", cwd=tmp_path, env=clean_env(DATABASE_URL=fresh_postgres)
            )
            assert await upgrading.wait() == 0
            ready = await probe(http, f"{base}/readyz")
    finally:
        server.send_signal(signal.SIGINT)
        _, stderr = await asyncio.wait_for(server.communicate(), timeout=30)
    log = stderr.decode()
    assert not_ready[:2] == (
        503,
        {
            "status": "unavailable",
            "database": "ok",
            "schema": "behind",
            "reason": f"the database schema is behind this release: {UPGRADE_HINT}",
        },
    )
    assert ready[:2] == (200, {"status": "ok", "database": "ok", "schema": "current"})
    [head] = newest_revisions()
    behind = "not ready: the database schema is behind this release (at no revision, this "
    assert f"{behind}release needs {head}): {UPGRADE_HINT}" in log
    became_ready = log.index("ready: the database answers")
    assert log.index("not ready:") < became_ready
    assert log.find("this process now runs the scheduler", 0, became_ready) == -1
    assert "Traceback" not in log


async def until_listening(
    http: aiohttp.ClientSession, url: str, process: asyncio.subprocess.Process
) -> None:
    async with asyncio.timeout(30):
        while process.returncode is None:
            try:
                async with http.get(url) as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientConnectionError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError(f"breakroom serve exited with {process.returncode}")


async def test_background_work_starts_only_once_the_schema_is_current(
    empty_database: Database,
) -> None:
    readiness = Readiness(empty_database, recheck_seconds=0.05)
    started = asyncio.Event()
    waiting = asyncio.create_task(readiness.start_when_ready(asyncio.Event(), started.set))
    await asyncio.sleep(0.2)  # a few rechecks, each finding the schema behind
    assert not started.is_set()
    await upgrade(empty_database)
    await asyncio.wait_for(started.wait(), timeout=5)
    await waiting


async def test_a_replica_stopping_while_it_waits_starts_nothing(empty_database: Database) -> None:
    readiness = Readiness(empty_database, recheck_seconds=60)
    stop = asyncio.Event()
    started: list[str] = []
    waiting = asyncio.create_task(readiness.start_when_ready(stop, lambda: started.append("x")))
    await asyncio.sleep(0.05)
    stop.set()
    await asyncio.wait_for(waiting, timeout=1)  # at once, not after the next recheck
    assert started == []


@needs_postgres
@pytest.mark.postgres
def test_a_command_on_an_unmigrated_postgresql_says_to_upgrade_first(
    fresh_postgres: str, tmp_path: Path
) -> None:
    result = run(["chat"], tmp_path, stdin="help\n", DATABASE_URL=fresh_postgres)
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0
    assert "schema is behind this release (no revision)" in result.stderr
    assert UPGRADE_HINT in result.stderr
    assert "unreachable" not in result.stderr
