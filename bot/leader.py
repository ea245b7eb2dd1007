"""Which replica runs the scheduler: the one holding a PostgreSQL advisory lock.

Several replicas may share one PostgreSQL database, and scheduled work (opening survey rounds,
the weekly digest) must happen once. Each replica tries `pg_try_advisory_lock` on a connection of
its own; the winner keeps that connection open for as long as it leads, since a session-level lock
lasts exactly as long as its session. When the leader's process dies, its socket closes, the
server ends the session and frees the lock, and a follower's next try wins.

A leader that loses its connection (database restart, `pg_terminate_backend`, network) notices
on its next liveness check and stops leading; until then a follower may already lead. That gap
(at most `check_seconds`) is why work that must happen once is also guarded in the database
(the outbox claims, the scheduler's run ledger).

SQLite means one embedded process, which always leads.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from storage.db import Database

log = logging.getLogger(__name__)

# Any 64-bit number works as long as every replica uses the same one: b"brkroom1" read as an
# integer. Advisory locks are per database, so two Breakroom installations sharing one database
# (in separate schemas) need different keys.
LOCK_KEY = int.from_bytes(b"brkroom1", "big")

Callback = Callable[[], Awaitable[None]]


class LeaderElection:
    def __init__(
        self,
        database: Database,
        *,
        key: int = LOCK_KEY,
        retry_seconds: float = 5.0,
        check_seconds: float = 5.0,
        timeout_seconds: float = 5.0,
    ) -> None:
        self._database = database
        self._key = key
        self._retry = retry_seconds
        self._check = check_seconds
        self._timeout = timeout_seconds
        self._leading = False
        self._warned = False

    @property
    def is_leader(self) -> bool:
        return self._leading

    async def run(self, on_gain: Callback, on_lose: Callback, stop: asyncio.Event) -> None:
        """Campaign until `stop` is set: `on_gain` when this process becomes leader, `on_lose`
        when it stops leading (lost session, or `stop`), before the lock is given up so that
        the next leader starts only after this one has stopped."""
        engine = None if self._database.is_sqlite else self._engine()
        try:
            while not stop.is_set():
                if engine is None:
                    await self._lead(on_gain, on_lose, stop.wait)
                elif (conn := await self._try_lock(engine)) is not None:
                    try:
                        await self._lead(on_gain, on_lose, lambda: self._hold(conn, stop))
                    finally:
                        await self._release(conn)
                if not stop.is_set():
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), self._retry)
        finally:
            if engine is not None:
                await engine.dispose()

    async def _lead(
        self, on_gain: Callback, on_lose: Callback, held: Callable[[], Awaitable[object]]
    ) -> None:
        self._leading = True
        log.info("this process now runs the scheduler")
        try:
            await on_gain()
            await held()
        except Exception:
            # A failure while starting the leader's work must not end the campaign: step down,
            # and try again after the retry interval.
            log.exception("leader start-up failed; stepping down")
        finally:
            self._leading = False
            await on_lose()
            log.info("this process no longer runs the scheduler")

    def _engine(self) -> AsyncEngine:
        """A connection outside the shared pool: the pool would hand the locked session to other
        work and keep it alive after we let go. Autocommit, so a long-held connection never sits
        idle in a transaction. TCP keepalives let the server notice a vanished host in about
        25 s (instead of the kernel's two hours) and free the lock for a follower."""
        return create_async_engine(
            self._database.engine.url,
            poolclass=NullPool,
            isolation_level="AUTOCOMMIT",
            connect_args={
                "timeout": self._timeout,
                "server_settings": {
                    "application_name": "breakroom scheduler lock",
                    "tcp_keepalives_idle": "10",
                    "tcp_keepalives_interval": "5",
                    "tcp_keepalives_count": "3",
                },
            },
        )

    async def _try_lock(self, engine: AsyncEngine) -> AsyncConnection | None:
        conn: AsyncConnection | None = None
        try:
            conn = await engine.connect()  # asyncpg's own `timeout` bounds the connect
            result = await asyncio.wait_for(
                conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": self._key}),
                self._timeout,
            )
            locked = bool(result.scalar_one())
        except Exception as exc:
            if not self._warned:
                log.warning("cannot reach the database to campaign for leader: %r", exc)
                self._warned = True
            locked = False
        else:
            self._warned = False
        if locked:
            return conn
        if conn is not None:
            await self._close(conn)
        return None

    async def _hold(self, conn: AsyncConnection, stop: asyncio.Event) -> None:
        """Return when `stop` is set or the locked session stops answering."""
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self._check)
            if stop.is_set():
                return
            try:
                await asyncio.wait_for(conn.execute(text("SELECT 1")), self._timeout)
            except Exception as exc:
                log.warning("lost the scheduler lock's database session: %r", exc)
                return

    async def _release(self, conn: AsyncConnection) -> None:
        """Unlock and close; if the session is already gone, so is its lock."""
        with contextlib.suppress(Exception):
            await asyncio.wait_for(
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self._key}),
                self._timeout,
            )
        await self._close(conn)

    async def _close(self, conn: AsyncConnection) -> None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(conn.close(), self._timeout)
