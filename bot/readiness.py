"""Whether this replica may take work: its database answers within a second, and the schema
there is one this release runs on.

`GET /readyz` asks on every probe, so a load balancer stops routing here the moment either
fails, and routes again once both hold. On PostgreSQL the server does not migrate: the schema
is changed by `breakroom db upgrade` (safe from several replicas at once), run before or beside
the new release. Until it has run, this replica stays out of rotation and says why in its log,
and its own background work (the scheduler, a Socket Mode connection) waits as well
(`start_when_ready`). A schema a later release has already migrated is fine: that is the middle
of a rolling upgrade, when older replicas must keep serving.

The bound matters as much as the answer: a database that accepts connections and never replies
would otherwise hold each probe for the connect timeout, past the prober's own timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from storage.db import Database
from storage.migrate import Schema, SchemaState, newest_revisions, schema

log = logging.getLogger(__name__)

# Time a readiness check may take, under the 1 s probers are commonly given.
CHECK_SECONDS = 0.8
# How often background work that waits for readiness asks again.
RECHECK_SECONDS = 5.0
# How long shutting down waits for abandoned checks to let go of their connections.
CLOSE_SECONDS = 5.0
UPGRADE_HINT = "run `breakroom db upgrade`"


@dataclass(frozen=True)
class Verdict:
    ready: bool
    reason: str  # for the log: why not ready, or what is worth knowing while ready
    answer: dict[str, Any]  # the body /readyz returns


class Readiness:
    def __init__(
        self,
        database: Database,
        *,
        timeout: float = CHECK_SECONDS,
        recheck_seconds: float = RECHECK_SECONDS,
    ) -> None:
        self._database = database
        self._timeout = timeout
        self._recheck = recheck_seconds
        self._last_reason: str | None = None
        self._asking: asyncio.Task[Schema] | None = None  # shared by probes that overlap
        self._abandoned: set[asyncio.Task[Schema]] = set()

    async def check(self) -> Verdict:
        """The verdict now, logged when it changes (not at every probe)."""
        verdict = await self._verdict()
        if verdict.reason != self._last_reason:
            self._last_reason = verdict.reason
            if verdict.ready:
                log.info("ready: %s", verdict.reason)
            else:
                log.warning("not ready: %s", verdict.reason)
        return verdict

    async def _verdict(self) -> Verdict:
        try:
            found = await self._schema()
        except TimeoutError:
            return _unreachable(f"the database did not answer within {self._timeout:g} s")
        except (SQLAlchemyError, OSError) as exc:
            return _unreachable(f"the database could not be reached ({type(exc).__name__})")
        if found.state is SchemaState.BEHIND:
            needed = ", ".join(sorted(newest_revisions()))
            return Verdict(
                False,
                f"the database schema is behind this release (at {found.described}, this "
                f"release needs {needed}): {UPGRADE_HINT}",
                {
                    "status": "unavailable",
                    "database": "ok",
                    "schema": found.state.value,
                    "reason": f"the database schema is behind this release: {UPGRADE_HINT}",
                },
            )
        reason = "the database answers and its schema is current"
        if found.state is SchemaState.NEWER:
            reason = (
                f"the database schema is newer than this release (at {found.described}); "
                "carrying on, as during a rolling upgrade"
            )
        answer = {"status": "ok", "database": "ok", "schema": found.state.value}
        return Verdict(True, reason, answer)

    async def _schema(self) -> Schema:
        """The schema; from a database server within the time bound, else TimeoutError."""
        if self._database.is_sqlite:
            # A file inside this process: no server to stall, and cancelling aiosqlite in the
            # middle of a call can leave a connection that never finishes closing.
            return await schema(self._database)
        if self._asking is None or self._asking.done():
            self._asking = asyncio.create_task(schema(self._database))
        asking = self._asking
        await asyncio.wait({asking}, timeout=self._timeout)
        if asking.cancelled():  # abandoned by an overlapping probe
            raise TimeoutError
        if not asking.done():
            # Not awaited after cancelling: closing a connection to a stalled server takes
            # seconds of its own. The next probe asks afresh.
            self._abandon(asking)
            raise TimeoutError
        return asking.result()

    async def close(self) -> None:
        """Let checks still closing their connections finish, before the engine goes."""
        if self._asking is not None and not self._asking.done():
            self._abandon(self._asking)
        if self._abandoned:
            await asyncio.wait(set(self._abandoned), timeout=CLOSE_SECONDS)

    def _abandon(self, asking: asyncio.Task[Schema]) -> None:
        self._asking = None
        self._abandoned.add(asking)
        asking.add_done_callback(self._forget)
        asking.cancel()

    def _forget(self, asking: asyncio.Task[Schema]) -> None:
        self._abandoned.discard(asking)
        if not asking.cancelled() and asking.exception() is not None:
            log.debug("an abandoned readiness check failed: %r", asking.exception())

    async def start_when_ready(self, stop: asyncio.Event, *starts: Callable[[], None]) -> None:
        """Call each of `starts` once the replica is ready; give up when `stop` is set."""
        while not stop.is_set():
            ready = (await self.check()).ready
            if ready and not stop.is_set():  # a replica stopping meanwhile starts nothing
                for start in starts:
                    start()
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self._recheck)


def _unreachable(reason: str) -> Verdict:
    return Verdict(False, reason, {"status": "unavailable", "database": "unreachable"})
