"""What came of implemented ideas ("you said, we did"), and the monthly digests that share them.

Marking an idea implemented is one transaction: the status moves (only from the status the
leader saw), what changed is stored, and the notices to the submitter and every voter are
queued in the outbox. A crash leaves all of it or none of it, and the outbox's unique key
tells each person once however often it is tried. An anonymous idea's submitter is not queued
here: an outbox row would tie them to their idea in the database (see `Implemented.submitter`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, or_, select, update

from storage.db import Database
from storage.ideas import Idea, load_ideas
from storage.models import IdeaDigestRow, IdeaOutcomeRow, IdeaRow, IdeaVoteRow, PersonRow
from storage.outbox import enqueue_in

IMPLEMENTED = "implemented"
IDEA_KEY = "idea:"


def idea_key(idea_id: int) -> str:
    """The outbox payload key of the messages about an idea."""
    return f"{IDEA_KEY}{idea_id}"


@dataclass(frozen=True)
class Outcome:
    """What changed, who helped, and whether the submitter agreed to be named (None: not
    answered, or never asked because the idea is anonymous)."""

    idea_id: int
    what_changed: str
    helped: str
    implemented_at: datetime
    credit_agreed: bool | None


@dataclass(frozen=True)
class Implemented:
    """An idea just marked implemented; `told` notices were queued (the named submitter and the
    voters, each once)."""

    idea: Idea
    outcome: Outcome
    told: int


@dataclass(frozen=True)
class Digest:
    id: int
    audience: dict[str, Any]
    schedule: dict[str, Any]
    next_run_at: datetime | None


class IdeaOutcomes:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def implement(
        self,
        idea_id: int,
        *,
        from_status: str,
        what_changed: str,
        helped: str,
        by_person_id: int,
        now: datetime,
        notice_kind: str,
        due: Callable[[str | None], datetime],
    ) -> Implemented | None:
        """Mark the idea implemented if it is still in `from_status`, store what came of it and
        queue a `notice_kind` message about it to its named submitter and its voters, each due
        at `due(their time zone)`. None when it had moved on (another leader, a double press)."""
        async with self._db.transaction() as session:
            changed = await session.execute(
                update(IdeaRow)
                .where(IdeaRow.id == idea_id, IdeaRow.status == from_status)
                .values(status=IMPLEMENTED, status_reason="")
                .returning(IdeaRow.submitter_person_id)
            )
            moved = changed.first()
            if moved is None:
                return None
            submitter = moved[0]
            row = IdeaOutcomeRow(
                idea_id=idea_id,
                what_changed=what_changed,
                helped=helped,
                implemented_by_person_id=by_person_id,
                implemented_at=now,
            )
            session.add(row)
            voters = select(IdeaVoteRow.person_id).where(IdeaVoteRow.idea_id == idea_id)
            told_people = await session.execute(
                select(PersonRow.id, PersonRow.timezone).where(
                    or_(PersonRow.id.in_(voters), PersonRow.id == submitter)
                )
            )
            due_at = {person_id: due(zone) for person_id, zone in told_people.all()}
            told = await enqueue_in(
                session, self._db.is_sqlite, notice_kind, idea_key(idea_id), due_at
            )
            idea_row = await session.get(IdeaRow, idea_id, populate_existing=True)
            assert idea_row is not None
            [idea] = await load_ideas(session, [idea_row])
            return Implemented(idea, _outcome(row), told)

    async def get(self, idea_id: int) -> Outcome | None:
        async with self._db.transaction() as session:
            row = await session.get(IdeaOutcomeRow, idea_id)
            return None if row is None else _outcome(row)

    async def set_credit(self, idea_id: int, agreed: bool, now: datetime) -> bool:
        """Record the submitter's answer (they may change it); False when the idea has no
        outcome. Whose answer it is, the caller checks."""
        async with self._db.transaction() as session:
            result = await session.execute(
                update(IdeaOutcomeRow)
                .where(IdeaOutcomeRow.idea_id == idea_id)
                .values(credit_agreed=agreed, credit_answered_at=now)
            )
            return bool(getattr(result, "rowcount", 0))

    async def implemented_between(
        self, since: datetime, until: datetime, *, unit: str | None = None
    ) -> list[tuple[Idea, Outcome]]:
        """Ideas put in place in [since, until), oldest first; of one unit when given."""
        query = (
            select(IdeaRow, IdeaOutcomeRow)
            .join(IdeaOutcomeRow, IdeaOutcomeRow.idea_id == IdeaRow.id)
            .where(IdeaOutcomeRow.implemented_at >= since, IdeaOutcomeRow.implemented_at < until)
            .order_by(IdeaOutcomeRow.implemented_at, IdeaRow.id)
        )
        if unit is not None:
            query = query.where(func.lower(IdeaRow.unit) == unit.lower())
        async with self._db.transaction() as session:
            found = (await session.execute(query)).all()
            ideas = await load_ideas(session, [idea for idea, _ in found])
            return [(idea, _outcome(row)) for idea, (_, row) in zip(ideas, found, strict=True)]


class IdeaDigests:
    """Scheduled monthly digests of implemented ideas, one per audience."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def create(
        self,
        *,
        audience: dict[str, Any],
        audience_key: str,
        schedule: dict[str, Any],
        next_run_at: datetime | None,
        by_person_id: int,
    ) -> Digest | None:
        """The new digest; None when that audience has one already (unique, so two leaders
        scheduling it at once make one)."""
        async with self._db.transaction() as session:
            added = await session.execute(
                self._db.insert(IdeaDigestRow)
                .values(
                    audience=audience,
                    audience_key=audience_key,
                    schedule=schedule,
                    next_run_at=next_run_at,
                    created_by_person_id=by_person_id,
                )
                .on_conflict_do_nothing(index_elements=["audience_key"])
                .returning(IdeaDigestRow.id)
            )
            new_id = added.scalar()
            if new_id is None:
                return None
            row = await session.get(IdeaDigestRow, new_id)
            assert row is not None
            return _digest(row)

    async def by_audience(self, audience_key: str) -> Digest | None:
        async with self._db.transaction() as session:
            row = await session.scalar(
                select(IdeaDigestRow).where(IdeaDigestRow.audience_key == audience_key)
            )
            return None if row is None else _digest(row)

    async def get(self, digest_id: int) -> Digest | None:
        async with self._db.transaction() as session:
            row = await session.get(IdeaDigestRow, digest_id)
            return None if row is None else _digest(row)

    async def all(self) -> list[Digest]:
        async with self._db.transaction() as session:
            rows = await session.scalars(select(IdeaDigestRow).order_by(IdeaDigestRow.id))
            return [_digest(row) for row in rows]

    async def remove(self, digest_id: int) -> bool:
        """Stop a digest; False when it was gone already."""
        async with self._db.transaction() as session:
            result = await session.execute(
                delete(IdeaDigestRow).where(IdeaDigestRow.id == digest_id)
            )
            return bool(getattr(result, "rowcount", 0))

    async def due(self, now: datetime) -> list[Digest]:
        async with self._db.transaction() as session:
            rows = await session.scalars(
                select(IdeaDigestRow).where(IdeaDigestRow.next_run_at <= now)
            )
            return [_digest(row) for row in rows]

    async def claim_run(
        self, digest_id: int, expected: datetime, next_run_at: datetime | None
    ) -> bool:
        """Move a digest's next run on, only if nobody else did: of two ticks racing (two
        leaders overlapping), one sends the month's digest."""
        async with self._db.transaction() as session:
            result = await session.execute(
                update(IdeaDigestRow)
                .where(IdeaDigestRow.id == digest_id, IdeaDigestRow.next_run_at == expected)
                .values(next_run_at=next_run_at)
            )
            return bool(getattr(result, "rowcount", 0))


def _outcome(row: IdeaOutcomeRow) -> Outcome:
    return Outcome(
        idea_id=row.idea_id,
        what_changed=row.what_changed,
        helped=row.helped,
        implemented_at=row.implemented_at,
        credit_agreed=row.credit_agreed,
    )


def _digest(row: IdeaDigestRow) -> Digest:
    return Digest(
        id=row.id,
        audience=dict(row.audience),
        schedule=dict(row.schedule),
        next_run_at=row.next_run_at,
    )
