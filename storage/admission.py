"""Admitting a question event in one round trip: its id recorded once, its asker heard from,
and its question logged (or, for a crisis message, only counted), committed together before
the answer goes out.

The question log is written with the event id rather than after the reply, because the reply
names it: its Helpful / Not helpful / Ask HR buttons carry the logged question's id. A row
written after the reply would be lost by a crash between the two, leaving buttons that name
nothing; written in the same commit as the event id, it exists exactly when the event counts
as handled, and a redelivery (whose id is taken) logs nothing and is not answered twice.

A crisis message is never logged: only the count of its day and kind goes up, in the same
commit as its event id, so that a redelivery neither answers nor counts it twice.

On PostgreSQL the three writes are one statement (data-modifying CTEs) sent in autocommit:
one statement is one transaction and one round trip. SQLite has no data-modifying CTEs; there
the writes are a few statements in one transaction on its one connection, handed to the thread
that owns it once. Both are written as SQL, side by side, for what they are: the hot path.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from storage.db import Database, retry_on_disconnect
from storage.models import ProcessedEventRow

if TYPE_CHECKING:  # asyncpg comes with the `postgres` extra; SQLite runs without it
    import asyncpg

MAX_QUESTION_TEXT = 2000


@dataclass(frozen=True)
class QuestionEntry:
    """What the question log keeps of one question: screened text, no person."""

    text: str
    article_id: str | None
    confidence: float
    answered: bool


@dataclass(frozen=True)
class CrisisCount:
    """What is kept of a crisis message: its day (in the hospital's zone) and kind."""

    day: date
    kind: str


@dataclass(frozen=True)
class Admitted:
    question_id: int | None  # the logged question's id, when one was given


class Admissions:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._time_to_sqlite: Callable[[Any], Any] | None = None

    async def admit(
        self,
        platform: str,
        event_id: str,
        *,
        identity_id: int,
        question: QuestionEntry | None = None,
        crisis: CrisisCount | None = None,
    ) -> Admitted | None:
        """Record the event id and, only if it was new, mark the identity as heard from
        (reachable, not left) and log the question. None when the id was recorded before (a
        redelivery): then nothing was written. A dropped connection is retried once: the usual
        case, a connection the server closed while it sat idle, fails before anything is
        written; one lost after its statement committed finds the id taken on the retry, and
        the event goes unanswered rather than answered twice. A `crisis` is counted instead
        of logged."""
        if question is not None and crisis is not None:
            raise ValueError("a crisis message is counted, never logged as a question")
        values: dict[str, Any] = {
            "platform": platform,
            "event_id": event_id,
            "now": datetime.now(UTC),
            "identity_id": identity_id,
        }
        if question is not None:
            values.update(
                text=question.text[:MAX_QUESTION_TEXT],
                article_id=question.article_id,
                confidence=question.confidence,
                answered=question.answered,
            )
        if crisis is not None:
            values.update(day=crisis.day, kind=crisis.kind)
        admit = self._admit_sqlite if self._db.is_sqlite else self._admit_postgres
        return await retry_on_disconnect(
            lambda: admit(values, logs=question is not None, counts=crisis is not None)
        )

    async def _admit_postgres(
        self, values: dict[str, Any], *, logs: bool, counts: bool
    ) -> Admitted | None:
        arguments = [values["platform"], values["event_id"], values["now"], values["identity_id"]]
        statement = _ADMIT
        if logs:
            statement = _ADMIT_AND_LOG
            arguments += [
                values["text"],
                values["article_id"],
                values["confidence"],
                values["answered"],
            ]
        elif counts:
            statement = _ADMIT_AND_COUNT
            arguments += [values["day"], values["kind"]]

        async def admit(connection: asyncpg.Connection) -> Any:
            return await connection.fetchrow(statement, *arguments)

        row = await self._db.on_asyncpg(admit)
        if not row["first"]:
            return None
        return Admitted(question_id=row["question_id"] if logs else None)

    async def _admit_sqlite(
        self, values: dict[str, Any], *, logs: bool, counts: bool
    ) -> Admitted | None:
        stored_now = self._stored_time(values["now"])

        def admit(connection: sqlite3.Connection) -> Admitted | None:
            try:
                recorded = connection.execute(
                    _RECORD_SQLITE, (values["platform"], values["event_id"], stored_now)
                )
                if not recorded.rowcount:
                    connection.rollback()
                    return None
                connection.execute(_HEARD_FROM_SQLITE, (values["identity_id"],))
                question_id = None
                if logs:
                    logged = connection.execute(
                        _LOG_SQLITE,
                        (
                            stored_now,
                            values["text"],
                            values["article_id"],
                            values["confidence"],
                            values["answered"],
                        ),
                    ).fetchone()
                    question_id = int(logged[0])
                if counts:
                    connection.execute(_COUNT_SQLITE, (values["day"].isoformat(), values["kind"]))
                connection.commit()
            except BaseException:
                connection.rollback()
                raise
            return Admitted(question_id=question_id)

        return await self._db.on_sqlite_thread(admit)

    def _stored_time(self, moment: datetime) -> Any:
        """A time as SQLAlchemy stores it in SQLite (text in its own format), so that rows
        written here read back like every other row."""
        if self._time_to_sqlite is None:
            dialect = self._db.engine.dialect
            self._time_to_sqlite = ProcessedEventRow.seen_at.type.bind_processor(dialect)
        return self._time_to_sqlite(moment) if self._time_to_sqlite else moment


# SQLite: a few statements in one transaction, all run in one hand-over to the thread that
# owns the connection (`Database.on_sqlite_thread`). The event id is inserted unless taken;
# only if it was new is the identity marked as heard from and the question logged.
_RECORD_SQLITE = (
    "INSERT INTO processed_events (platform, event_id, seen_at) VALUES (?, ?, ?) "
    "ON CONFLICT DO NOTHING"
)
# Hearing from someone makes them reachable again; someone a directory said had left is back
# (and no longer counted as listed), as `PeopleRepository.resolve` does. It writes only when
# there is something to clear.
_HEARD_FROM_SQLITE = (
    "UPDATE identities SET unreachable_at = NULL, "
    "listed_at = CASE WHEN left_at IS NULL THEN listed_at END, left_at = NULL "
    "WHERE id = ? AND (unreachable_at IS NOT NULL OR left_at IS NOT NULL)"
)
_LOG_SQLITE = (
    "INSERT INTO questions (asked_at, text, article_id, confidence, answered) "
    "VALUES (?, ?, ?, ?, ?) RETURNING id"
)

_COUNT_SQLITE = (
    "INSERT INTO crisis_counts (day, kind, count) VALUES (?, ?, 1) "
    "ON CONFLICT (day, kind) DO UPDATE SET count = crisis_counts.count + 1"
)


# PostgreSQL: one statement, sent in autocommit (one statement, one transaction, one round
# trip). The event id is inserted unless taken; only if it was new is the identity marked as
# heard from (as in `_HEARD_FROM_SQLITE`) and the question logged. The casts give each
# parameter its column's type where PostgreSQL cannot infer it.
_RECORDED_AND_HEARD = """
WITH recorded AS (
    INSERT INTO processed_events (platform, event_id, seen_at)
    VALUES ($1, $2, $3::TIMESTAMP WITH TIME ZONE)
    ON CONFLICT DO NOTHING
    RETURNING event_id
), heard AS (
    UPDATE identities
    SET unreachable_at = NULL,
        listed_at = CASE WHEN left_at IS NULL THEN listed_at END,
        left_at = NULL
    WHERE id = $4
      AND (unreachable_at IS NOT NULL OR left_at IS NOT NULL)
      AND EXISTS (SELECT FROM recorded)
)"""
_ADMIT = _RECORDED_AND_HEARD + " SELECT EXISTS (SELECT FROM recorded) AS first"
_ADMIT_AND_LOG = (
    _RECORDED_AND_HEARD
    + """, logged AS (
    INSERT INTO questions (asked_at, text, article_id, confidence, answered)
    SELECT $3::TIMESTAMP WITH TIME ZONE, $5::VARCHAR, $6::VARCHAR, $7::DOUBLE PRECISION,
           $8::BOOLEAN
    FROM recorded
    RETURNING id
)
SELECT EXISTS (SELECT FROM recorded) AS first, (SELECT id FROM logged) AS question_id"""
)
_ADMIT_AND_COUNT = (
    _RECORDED_AND_HEARD
    + """, counted AS (
    INSERT INTO crisis_counts (day, kind, count)
    SELECT $5::DATE, $6::VARCHAR, 1
    FROM recorded
    ON CONFLICT (day, kind) DO UPDATE SET count = crisis_counts.count + 1
)
SELECT EXISTS (SELECT FROM recorded) AS first"""
)
