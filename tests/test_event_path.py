"""The question event path on real SQLite and PostgreSQL: one round trip before the answer, the
question log committed with the event id, people remembered with roles read afresh, and a
connection the server dropped retried instead of failing the answer."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
from sqlalchemy import event, func, make_url, select, text

from bot.events import Message
from bot.fallbacks import STORAGE_APOLOGY
from bot.ownership import named_record
from bot.replies import Buttons, Reply
from bot.roles import Role
from bot.router import Router
from bot.services import Services
from bot.settings import Settings
from skills import catalog
from storage.db import Database
from storage.models import ProcessedEventRow, QuestionRow
from storage.people import KNOWN_SECONDS, PeopleRepository, Profile
from tests.conftest import POSTGRES_URL
from tests.helpers import TENANT, command, message
from tests.kb_fixture import write_kb

QUESTION = "how many vacation days do i get"


@pytest.fixture
def router(database: Database, tmp_path: Path, make_settings: Callable[..., Settings]) -> Router:
    """The real router and skills on the test database, with the test knowledge base."""
    settings = make_settings(BREAKROOM_KB_DIR=str(write_kb(tmp_path / "kb")))
    router = Router(Services.build(settings, database))
    catalog.install(router)
    return router


def asked(text: str = QUESTION, user: str = "U-nurse") -> Message:
    """A DM question as Slack delivers it: with an event id, possibly redelivered."""
    return message(text, user=user, id=f"Ev{uuid.uuid4().hex}", redelivered_possible=True)


def question_id(reply: Reply) -> int:
    value = next(
        b.value
        for block in reply.blocks
        if isinstance(block, Buttons)
        for b in block.buttons
        if b.action_id == "knowledge.helpful"
    )
    return int(named_record(value).partition("|")[0])


@dataclass
class Statements:
    sql: list[str] = field(default_factory=list)
    commits: int = 0


@contextmanager
def counting(database: Database) -> Iterator[Statements]:
    """Every statement the engine sends while inside, through SQLAlchemy or, on PostgreSQL,
    straight through asyncpg (its query logger), and every commit through SQLAlchemy."""
    seen = Statements()
    engine = database.engine.sync_engine

    def on_execute(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.sql.append(statement)

    def on_commit(_conn: Any) -> None:
        seen.commits += 1

    def on_query(record: Any) -> None:
        seen.sql.append(record.query)

    def on_checkout(dbapi_connection: Any, *_args: Any) -> None:
        dbapi_connection.driver_connection.add_query_logger(on_query)

    def on_checkin(dbapi_connection: Any, *_args: Any) -> None:
        if dbapi_connection is not None:
            dbapi_connection.driver_connection.remove_query_logger(on_query)

    listeners: list[tuple[str, Any]] = [("commit", on_commit)]
    if database.is_sqlite:
        listeners.append(("before_cursor_execute", on_execute))
    else:  # asyncpg's logger sees SQLAlchemy's statements too, BEGIN and COMMIT included
        listeners += [("checkout", on_checkout), ("checkin", on_checkin)]
    for name, listener in listeners:
        event.listen(engine, name, listener)
    try:
        yield seen
    finally:
        for name, listener in listeners:
            event.remove(engine, name, listener)


async def count(database: Database, table: Any) -> int:
    async with database.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(table)) or 0)


async def _schema(database: Database) -> str | None:
    """The schema a PostgreSQL test database works in (None on SQLite)."""
    if database.is_sqlite:
        return None
    async with database.engine.begin() as connection:
        return str((await connection.execute(text("SELECT current_schema()"))).scalar_one())


# -- one round trip -------------------------------------------------------------------------


async def test_a_question_costs_one_round_trip_before_its_answer(
    router: Router, database: Database
) -> None:
    await router.dispatch(asked())  # first contact: the person is created, the key made
    traced: list[str] = []
    if database.is_sqlite:  # what SQLite itself runs, on its one connection
        async with database.engine.connect() as connection:
            driver = (await connection.get_raw_connection()).driver_connection
            assert isinstance(driver, aiosqlite.Connection)
            await driver.set_trace_callback(traced.append)
    with counting(database) as seen:
        [reply] = await router.dispatch(asked())
        await asyncio.sleep(0)  # asyncpg hands query records to its loggers on the next turn
    assert "Paid time off" in reply.fallback
    if database.is_sqlite:
        # No network: a few statements in one transaction, handed to SQLite's thread at once.
        assert seen.sql == []
        statements = [s.split()[0].upper() for s in traced]
        assert statements.count("BEGIN") == 1, traced
        assert statements.count("COMMIT") == 1, traced
        assert len(statements) <= 5, traced
    else:
        # One statement in autocommit: one transaction, one round trip, no BEGIN or COMMIT.
        assert len(seen.sql) == 1, seen.sql
        assert seen.sql[0].lstrip().startswith("WITH recorded AS")
        assert seen.commits == 0
    assert await count(database, ProcessedEventRow) == 2
    assert await count(database, QuestionRow) == 2


async def test_a_redelivered_question_is_answered_and_logged_once(
    router: Router, database: Database
) -> None:
    event = asked()
    first = await router.dispatch(event)
    again = [await router.dispatch(event) for _ in range(3)]
    assert len(first) == 1
    assert again == [[], [], []]
    assert await count(database, QuestionRow) == 1


async def test_an_empty_question_still_records_its_event(router: Router) -> None:
    """A handler that logs nothing: the router records the event after it, so a redelivery
    is still dropped."""
    event = message("   ", id="Ev-empty", redelivered_possible=True)
    assert len(await router.dispatch(event)) == 1
    assert await router.dispatch(event) == []


# -- the question log is committed with the event id ----------------------------------------


async def test_the_logged_question_the_answer_names_is_committed_before_the_answer(
    router: Router, database: Database
) -> None:
    """The answer's buttons name the logged question: it is in the database by the time the
    answer exists, so a crash before the answer is sent loses nothing the buttons name."""
    [reply] = await router.dispatch(asked())
    other = Database(database.url, schema=await _schema(database))  # another process's view
    try:
        async with other.transaction() as session:
            row = await session.get(QuestionRow, question_id(reply))
        assert row is not None
        assert row.article_id == "pto-basics"
    finally:
        await other.dispose()


async def test_a_question_log_that_cannot_be_written_leaves_the_event_unrecorded(
    router: Router, database: Database
) -> None:
    """Event id and question row commit together or not at all: when the log cannot be
    written, the event is not counted as handled, and its redelivery is answered and logged."""
    event = asked()
    async with database.engine.begin() as connection:
        await connection.execute(text("ALTER TABLE questions RENAME TO questions_away"))
    try:
        [apology] = await router.dispatch(event)
    finally:
        async with database.engine.begin() as connection:
            await connection.execute(text("ALTER TABLE questions_away RENAME TO questions"))
    assert apology.fallback == STORAGE_APOLOGY
    assert await count(database, ProcessedEventRow) == 0
    [reply] = await router.dispatch(event)
    assert "Paid time off" in reply.fallback
    assert await count(database, QuestionRow) == 1


async def test_a_question_makes_its_asker_reachable_again(
    router: Router, database: Database
) -> None:
    await router.dispatch(asked())
    identity = await router.services.people.find_identity("console", "U-nurse")
    assert identity is not None
    await router.services.people.mark_unreachable(identity.id)  # as another replica would
    await router.dispatch(asked())  # the person is remembered: no resolve on this one
    again = await router.services.people.find_identity("console", "U-nurse")
    assert again is not None
    assert again.reachable


# -- people remembered, roles read afresh ----------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_a_remembered_person_is_not_read_again(database: Database) -> None:
    people = PeopleRepository(database)
    profile = Profile("slack", TENANT, "U-remembered")
    first = await people.known(profile)
    with counting(database) as seen:
        again = await people.known(profile)
    assert again == first
    assert seen.sql == []
    assert first.person.roles == frozenset()  # roles are never remembered


async def test_a_directory_refresh_here_is_seen_at_once(database: Database) -> None:
    people = PeopleRepository(database)
    await people.known(Profile("slack", TENANT, "U-renamed"))
    await people.refresh([Profile("slack", TENANT, "U-renamed", display_name="Rosa Nurse")])
    known = await people.known(Profile("slack", TENANT, "U-renamed"))
    assert known.person.display_name == "Rosa Nurse"


async def test_a_change_by_another_replica_is_seen_within_the_time_remembered(
    database: Database,
) -> None:
    clock = Clock()
    here = PeopleRepository(database, clock=clock)
    elsewhere = PeopleRepository(database)
    await here.known(Profile("slack", TENANT, "U-moved"))
    await elsewhere.refresh([Profile("slack", TENANT, "U-moved", department="ICU")])
    assert (await here.known(Profile("slack", TENANT, "U-moved"))).person.department is None
    clock.now += KNOWN_SECONDS
    assert (await here.known(Profile("slack", TENANT, "U-moved"))).person.department == "ICU"


async def test_a_role_revoked_elsewhere_is_refused_at_once_though_the_person_is_remembered(
    router: Router, database: Database
) -> None:
    people = router.services.people
    hr = await people.resolve(Profile("console", TENANT, "U-hr"))
    await people.grant(hr.id, Role.HR.value, granted_by="test")
    await router.dispatch(asked(user="U-hr"))  # remembered now
    [allowed] = await router.dispatch(command("ask", "tickets", user="U-hr"))
    assert "can do that" not in allowed.fallback
    await PeopleRepository(database).revoke(hr.id, Role.HR.value)  # another replica
    [refused] = await router.dispatch(command("ask", "tickets", user="U-hr"))
    assert "Only HR can do that." in refused.fallback


# -- a connection the server dropped ----------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.skipif(
    POSTGRES_URL is None,
    reason="BREAKROOM_TEST_DATABASE_URL is not set (no PostgreSQL server to drop a connection)",
)
async def test_a_question_on_a_connection_the_server_dropped_is_still_answered(
    make_settings: Callable[..., Settings], tmp_path: Path, migrated_postgres: str | None
) -> None:
    assert POSTGRES_URL is not None
    assert migrated_postgres is not None
    database = Database(POSTGRES_URL, schema=migrated_postgres)
    try:
        settings = make_settings(BREAKROOM_KB_DIR=str(write_kb(tmp_path / "kb")))
        router = Router(Services.build(settings, database))
        catalog.install(router)
        await router.dispatch(asked(user="U-dropped"))  # one connection, now idle in the pool
        async with database.engine.connect() as connection:
            backend = (await connection.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        _terminate_blocking(backend)
        [reply] = await router.dispatch(asked(user="U-dropped"))
        assert "Paid time off" in reply.fallback
        async with database.engine.begin() as connection:
            assert (await connection.execute(text("SELECT pg_backend_pid()"))).scalar() != backend
    finally:
        await database.dispose()


def _terminate_blocking(backend: int) -> None:
    """End a server backend from another process while this event loop waits, blocked: the
    connection learns of it only when next used, as one dropped between two events does, so
    the answer's statement meets it (and is retried) rather than the pool's checkout."""
    assert POSTGRES_URL is not None
    dsn = make_url(POSTGRES_URL).set(drivername="postgresql").render_as_string(False)
    script = (
        "import asyncio, sys, asyncpg\n"
        "async def end():\n"
        "    connection = await asyncpg.connect(sys.argv[1])\n"
        "    await connection.execute('SELECT pg_terminate_backend($1)', int(sys.argv[2]))\n"
        "    await connection.close()\n"
        "asyncio.run(end())\n"
    )
    subprocess.run([sys.executable, "-c", script, dsn, str(backend)], check=True, timeout=30)


@pytest.mark.postgres
@pytest.mark.skipif(
    POSTGRES_URL is None,
    reason="BREAKROOM_TEST_DATABASE_URL is not set (no PostgreSQL server to drop a connection)",
)
async def test_a_connection_the_server_closed_while_idle_is_replaced_at_checkout() -> None:
    """No ping, and no retry either: asyncpg already knows, from the socket, that the server
    closed it, so the pool hands out a new connection in its place."""
    assert POSTGRES_URL is not None
    database = Database(POSTGRES_URL)
    admin = Database(POSTGRES_URL)
    try:
        async with database.engine.begin() as connection:
            backend = (await connection.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        async with admin.engine.begin() as connection:
            await connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
        await asyncio.sleep(0.2)  # the loop reads the server's goodbye on the idle socket
        async with database.transaction() as session:
            assert (await session.execute(text("SELECT pg_backend_pid()"))).scalar() != backend
    finally:
        await database.dispose()
        await admin.dispose()
