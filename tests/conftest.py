"""Shared fixtures: settings without the process environment, databases on SQLite and (when
BREAKROOM_TEST_DATABASE_URL is set) PostgreSQL, a runtime with a recording messenger, and the
Teams app served in emulator mode against a fake connector."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.runtime import Runtime, start_runtime
from bot.settings import Settings, load_settings
from storage.db import Database
from storage.migrate import upgrade
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
    for name in (
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "http_proxy",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[..., Settings]:
    """Settings from an explicit environment (never the developer's), on a fresh SQLite file."""

    def make(**env: str) -> Settings:
        values = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'breakroom.db'}"}
        values.update(env)
        return load_settings(values, env_file=None)

    return make


@pytest.fixture
def settings(make_settings: Callable[..., Settings]) -> Settings:
    return make_settings()


@pytest.fixture(
    params=[
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
)
async def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """A database with no tables yet: a SQLite file, or a schema of its own on PostgreSQL."""
    if request.param == "sqlite":
        db = Database(f"sqlite+aiosqlite:///{tmp_path / 'test.db'}")
        yield db
        await db.dispose()
        return
    assert POSTGRES_URL is not None
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = Database(POSTGRES_URL)
    async with admin.engine.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    db = Database(POSTGRES_URL, schema=schema)
    try:
        yield db
    finally:
        await db.dispose()
        async with admin.engine.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()


@pytest.fixture
async def database(empty_database: Database) -> Database:
    """A migrated, empty database, on SQLite and (when configured) PostgreSQL."""
    await upgrade(empty_database)
    return empty_database


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
