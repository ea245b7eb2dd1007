"""The async engine and session factory, configured for SQLite and PostgreSQL alike."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar

import aiosqlite
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, IntegrityError, InvalidatePoolError, SQLAlchemyError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.util import greenlet_spawn

if TYPE_CHECKING:  # asyncpg comes with the `postgres` extra; SQLite runs without it
    import asyncpg

T = TypeVar("T")

# PostgreSQL's "serialization failure" and "deadlock detected": two writers met, nothing is wrong.
_CONFLICT_STATES = frozenset({"40001", "40P01"})


@cache
def _asyncpg_disconnects() -> tuple[type[BaseException], ...]:
    """asyncpg's errors for a connection that is gone (the server may be fine). A backend
    ended while idle can also leave the protocol waiting for the end of its error message when
    the next statement comes: asyncpg then refuses it with an InternalClientError, before
    sending. Imported here, not at the top: asyncpg is installed only with PostgreSQL."""
    import asyncpg

    return (
        asyncpg.InterfaceError,
        asyncpg.InternalClientError,
        asyncpg.PostgresConnectionError,
        asyncpg.AdminShutdownError,
        OSError,
    )


class StorageUnavailable(Exception):
    """The database could not be reached or refused the write; the user should retry later."""


class Disconnected(StorageUnavailable):
    """The connection was gone (the server restarted it, a proxy dropped it): the database may
    be fine, and a unit of work that never committed can run again on a fresh connection."""


class Conflict(Exception):
    """The write met another one made at the same moment (a unique key taken, a row gone, two
    writers deadlocked): the database is fine, and the work can be read again or retried."""


async def retry_on_conflict(work: Callable[[], Awaitable[T]], attempts: int = 3) -> T:
    """`work()`, run again when it met another writer: the second run reads what the other
    one wrote (a get-or-create finds the row another replica made)."""
    for _ in range(attempts - 1):
        try:
            return await work()
        except Conflict:
            continue
    return await work()


async def retry_on_disconnect(work: Callable[[], Awaitable[T]]) -> T:
    """`work()`, run once more when its connection turned out to be gone. There is no ping
    before each checkout (a round trip on every unit of work): a connection the server closed
    fails its first statement instead, SQLAlchemy then discards the pool's older connections,
    and the second run gets a fresh one. Only for work whose failed run left nothing behind:
    a unit of work that never committed."""
    try:
        return await work()
    except Disconnected:
        return await work()


# Connections older than this are replaced at checkout: within the idle timeouts of the
# proxies and load balancers in front of PostgreSQL, so few are cut while idle in the pool.
RECYCLE_SECONDS = 300


class Database:
    """Owns the engine. Repositories borrow sessions from it; nothing else does."""

    def __init__(
        self, url: str, *, connect_timeout: float = 5.0, schema: str | None = None
    ) -> None:
        self.url = url
        self.schema = schema
        self.is_sqlite = url.startswith("sqlite")
        kwargs: dict[str, Any] = {}
        if self.is_sqlite:
            kwargs["connect_args"] = {"timeout": 30}
            if ":memory:" not in url and "mode=memory" not in url:
                # One connection, so one writer: SQLite takes one writer at a time anyway, and
                # writers on several connections meet as "database is locked" and back off in
                # sleeps; on one connection they queue, each commit cheap under WAL. No
                # rollback when it goes back to the pool: SQLAlchemy's own transactions end
                # themselves, and so does work on its thread (`on_sqlite_thread`); that
                # rollback would be one more hand-over to the thread for nothing.
                kwargs.update(pool_size=1, max_overflow=0, pool_reset_on_return=None)
        else:
            kwargs["pool_recycle"] = RECYCLE_SECONDS
            kwargs["connect_args"] = {"timeout": connect_timeout}
            if schema is not None:
                # One schema per test run keeps parallel runs on one PostgreSQL database apart.
                kwargs["connect_args"]["server_settings"] = {"search_path": schema}
        self.engine: AsyncEngine = create_async_engine(url, **kwargs)
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        else:
            event.listen(self.engine.sync_engine, "checkout", _closed_is_disconnected)
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One unit of work: commits on success, rolls back on error, and reports an unreachable
        or failing database as `StorageUnavailable` so callers can tell the user to retry, and a
        write that met another writer as `Conflict`."""
        try:
            async with self._sessions() as session, session.begin():
                yield session
        except SQLAlchemyError as exc:
            raise _storage_error(exc) from exc
        except OSError as exc:
            raise StorageUnavailable(type(exc).__name__) from exc

    @asynccontextmanager
    async def _pooled(self) -> AsyncIterator[PoolProxiedConnection]:
        """A connection straight from the pool, with no SQLAlchemy `Connection` around it,
        given back after (closing may talk to the driver, hence inside SQLAlchemy's
        greenlet, as every pool operation of the async engine)."""
        raw = await self.engine.raw_connection()
        try:
            yield raw
        finally:
            await greenlet_spawn(raw.close)

    async def on_sqlite_thread(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """`work(connection)` with the SQLite connection, run on the thread that owns it in
        one hand-over; `work` commits or rolls back itself. aiosqlite hands each cursor,
        execute, fetch, close and commit to that thread and back, and on a hot path of a few
        statements those hand-overs cost far more CPU than SQLite's own work. This uses
        aiosqlite's `_execute`, the way its own methods run a function on that thread."""
        assert self.is_sqlite
        try:
            async with self._pooled() as raw:
                driver = raw.driver_connection
                assert isinstance(driver, aiosqlite.Connection)
                result: T = await driver._execute(work, driver._conn)  # type: ignore[no-untyped-call]
                return result
        except sqlite3.IntegrityError as exc:
            raise Conflict(type(exc).__name__) from exc
        except sqlite3.Error as exc:
            raise StorageUnavailable(type(exc).__name__) from exc
        except SQLAlchemyError as exc:
            raise _storage_error(exc) from exc
        except OSError as exc:
            raise StorageUnavailable(type(exc).__name__) from exc

    async def on_asyncpg(self, work: Callable[[asyncpg.Connection], Awaitable[T]]) -> T:
        """`work(connection)` with a pooled connection's asyncpg connection, outside any
        transaction (each statement commits by itself). For a hot path of one statement:
        SQLAlchemy's execution machinery around it cost more CPU than asyncpg's own work.
        A connection found gone meanwhile is discarded and reported as `Disconnected`."""
        assert not self.is_sqlite
        import asyncpg

        disconnects = _asyncpg_disconnects()
        try:
            async with self._pooled() as raw:
                driver = raw.driver_connection
                assert isinstance(driver, asyncpg.Connection)
                try:
                    return await work(driver)
                except (asyncpg.PostgresError, *disconnects) as exc:
                    if not driver.is_closed() and not isinstance(exc, disconnects):
                        raise
                    await greenlet_spawn(raw.invalidate, exc)
                    raise Disconnected(type(exc).__name__) from exc
        except asyncpg.UniqueViolationError as exc:
            raise Conflict(type(exc).__name__) from exc
        except asyncpg.PostgresError as exc:
            if getattr(exc, "sqlstate", None) in _CONFLICT_STATES:
                raise Conflict(type(exc).__name__) from exc
            raise StorageUnavailable(type(exc).__name__) from exc
        except SQLAlchemyError as exc:
            raise _storage_error(exc) from exc
        except OSError as exc:
            raise StorageUnavailable(type(exc).__name__) from exc

    def insert(self, table: Any) -> postgresql.Insert | sqlite.Insert:
        """An INSERT that can say ON CONFLICT (DO NOTHING, DO UPDATE): both backends speak it,
        each through its own dialect's construct."""
        if self.is_sqlite:
            return sqlite.insert(table)
        return postgresql.insert(table)

    async def dispose(self) -> None:
        await self.engine.dispose()


def _storage_error(exc: SQLAlchemyError) -> Exception:
    if _is_conflict(exc):
        return Conflict(type(exc).__name__)
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return Disconnected(type(exc).__name__)
    return StorageUnavailable(type(exc).__name__)


def _is_conflict(exc: SQLAlchemyError) -> bool:
    if isinstance(exc, IntegrityError):
        return True
    return isinstance(exc, DBAPIError) and getattr(exc.orig, "sqlstate", None) in _CONFLICT_STATES


def _closed_is_disconnected(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """At checkout, a connection asyncpg already knows is closed (the server ended it: a
    restart, a failover, pg_terminate_backend) is replaced, with every connection pooled
    before it, at no cost: asyncpg learns of it from the socket, no query is sent. Without a
    ping, this keeps a restart from failing the first unit of work on each pooled connection."""
    if dbapi_connection.driver_connection.is_closed():
        raise InvalidatePoolError("connection closed by the server")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Foreign keys are off by default in SQLite; WAL lets the terminal chat and the server share
    # one file without "database is locked" on every write. In WAL, synchronous=NORMAL syncs at
    # checkpoints instead of at every commit: a crash of the process loses nothing, and the file
    # cannot be corrupted; only a power cut may undo the last commits.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
