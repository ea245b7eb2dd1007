"""Shared fixtures: settings without the process environment, databases on SQLite and (when
BREAKROOM_TEST_DATABASE_URL is set) PostgreSQL, a runtime with a recording messenger, and the
Teams app served in emulator mode against a fake connector."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.runtime import Runtime, start_runtime
from bot.settings import Settings, load_settings
from storage.db import Database
from storage.migrate import upgrade
from storage.models import Base
from tests.cli import PROXY_VARIABLES
from tests.fakes import RecordingMessenger
from tests.kb_fixture import write_kb
from tests.teams_harness import SETTINGS as TEAMS_SETTINGS
from tests.teams_harness import Teams, serve_teams

POSTGRES_URL = os.environ.get("BREAKROOM_TEST_DATABASE_URL")
REPO = Path(__file__).resolve().parent.parent
SHARED_EVAL = REPO.parent / "shared" / "eval"


@pytest.fixture(autouse=True)
def _no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    """slack_sdk reads HTTP(S)_PROXY and ignores NO_PROXY; clear them so loopback fakes work."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite file migrated to the newest revision, copied by tests that need a fresh one:
    copying a file is far cheaper than running every migration again per test."""
    path = tmp_path_factory.mktemp("template") / "migrated.db"

    async def migrate() -> None:
        db = Database(f"sqlite+aiosqlite:///{path}")
        await upgrade(db)
        await db.dispose()

    asyncio.run(migrate())
    return path


@pytest.fixture
def make_settings(tmp_path: Path, migrated_sqlite: Path) -> Callable[..., Settings]:
    """Settings from an explicit environment (never the developer's), on a fresh SQLite file
    already migrated (starting the runtime migrates it again, which then costs one query)."""

    def make(**env: str) -> Settings:
        fresh = tmp_path / "breakroom.db"
        if not fresh.exists():
            shutil.copyfile(migrated_sqlite, fresh)
        values = {"DATABASE_URL": f"sqlite+aiosqlite:///{fresh}"}
        values.update(env)
        return load_settings(values, env_file=None)

    return make


@pytest.fixture
def settings(make_settings: Callable[..., Settings]) -> Settings:
    return make_settings()


BACKENDS = [
    "sqlite",
    pytest.param(
        "postgresql",
        marks=[
            pytest.mark.postgres,
            pytest.mark.skipif(
                POSTGRES_URL is None,
                reason="BREAKROOM_TEST_DATABASE_URL is not set (no PostgreSQL to test against)",
            ),
        ],
    ),
]


def _in_schema(schema: str | None) -> Database:
    """A database on the test server, working in `schema` (parallel runs never meet)."""
    assert POSTGRES_URL is not None
    return Database(POSTGRES_URL, schema=schema)


async def _on_postgres_server(statement: str) -> None:
    db = _in_schema(None)
    try:
        async with db.engine.begin() as conn:
            await conn.execute(text(statement))
    finally:
        await db.dispose()


@asynccontextmanager
async def _new_schema() -> AsyncIterator[Database]:
    schema = f"t_{uuid.uuid4().hex[:12]}"
    await _on_postgres_server(f'CREATE SCHEMA "{schema}"')
    db = _in_schema(schema)
    try:
        yield db
    finally:
        await db.dispose()
        await _on_postgres_server(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(scope="session")
def migrated_postgres() -> Iterator[str | None]:
    """A schema on the test server migrated once for the whole run and emptied before each
    test: emptying tables is far cheaper than migrating (None when there is no server)."""
    if POSTGRES_URL is None:
        yield None
        return
    schema = f"t_migrated_{uuid.uuid4().hex[:12]}"

    async def create() -> None:
        await _on_postgres_server(f'CREATE SCHEMA "{schema}"')
        db = _in_schema(schema)
        await upgrade(db)
        await db.dispose()

    asyncio.run(create())
    yield schema
    asyncio.run(_on_postgres_server(f'DROP SCHEMA "{schema}" CASCADE'))


async def _emptied(db: Database) -> None:
    """Back at the newest revision (a test may have migrated down), every table empty and every
    sequence restarted. DELETE is far quicker than TRUNCATE on tables this small."""
    await upgrade(db)
    async with db.engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            await conn.execute(table.delete())
        sequences = await conn.execute(
            text("SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema()")
        )
        for name in sequences.scalars().all():
            await conn.execute(text(f'ALTER SEQUENCE "{name}" RESTART'))


@pytest.fixture(params=BACKENDS)
async def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """A database with no tables yet: a SQLite file, or a schema of its own on PostgreSQL."""
    if request.param == "sqlite":
        db = Database(f"sqlite+aiosqlite:///{tmp_path / 'test.db'}")
        yield db
        await db.dispose()
        return
    async with _new_schema() as db:
        yield db


@pytest.fixture(params=BACKENDS)
async def database(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    migrated_sqlite: Path,
    migrated_postgres: str | None,
) -> AsyncIterator[Database]:
    """A migrated, empty database: a copy of a migrated SQLite file, or the run's migrated
    schema on PostgreSQL, emptied."""
    if request.param == "sqlite":
        path = tmp_path / "test.db"
        shutil.copyfile(migrated_sqlite, path)
        db = Database(f"sqlite+aiosqlite:///{path}")
        yield db
        await db.dispose()
        return
    assert migrated_postgres is not None
    db = _in_schema(migrated_postgres)
    try:
        await _emptied(db)
        yield db
    finally:
        await db.dispose()


@pytest.fixture
async def runtime(settings: Settings) -> AsyncIterator[Runtime]:
    rt = await start_runtime(settings)
    yield rt
    await rt.close()


@pytest.fixture
def messenger(runtime: Runtime) -> RecordingMessenger:
    fake = RecordingMessenger()
    runtime.services.outbound.register(fake)
    return fake


@pytest.fixture
def teams_settings(
    make_settings: Callable[..., Settings], tmp_path: Path
) -> Callable[..., Settings]:
    def make(**env: str) -> Settings:
        values = {"BREAKROOM_KB_DIR": str(write_kb(tmp_path / "kb")), **TEAMS_SETTINGS}
        return make_settings(**{**values, **env})

    return make


@pytest.fixture
async def teams(teams_settings: Callable[..., Settings]) -> AsyncIterator[Teams]:
    async with serve_teams(teams_settings(BREAKROOM_TEAMS_EMULATOR="1")) as served:
        yield served


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say plainly whether the PostgreSQL half of the storage tests ran, for CI logs."""
    reports = [
        report
        for outcome in ("passed", "failed", "skipped")
        for report in terminalreporter.stats.get(outcome, [])
        if getattr(report, "when", "") in ("call", "setup") and "postgres" in report.keywords
    ]
    ran = {r.nodeid for r in reports if r.when == "call" and r.outcome in ("passed", "failed")}
    if not reports:
        return
    if ran:
        terminalreporter.write_line(f"PostgreSQL tests ran: {len(ran)} (on {POSTGRES_URL})")
    else:
        terminalreporter.write_line(
            "PostgreSQL tests skipped: set BREAKROOM_TEST_DATABASE_URL to run them"
        )
