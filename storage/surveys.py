"""Pulse surveys, their rounds and who was invited; the answers are in `survey_answers`.

The privacy design spans both modules: participation (who was invited, whether they answered)
and responses (what was answered) are separate tables. While a round is open a random answer key
in both lets a person change their answers; closing the round (here) erases that key from both,
after which nothing links a person to an answer. No method returns a person together with an
answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select, update
from sqlalchemy import text as sql
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.models import (
    IdentityRow,
    ParticipationRow,
    PersonRow,
    ResponseRow,
    SurveyRoundRow,
    SurveyRow,
    SurveySharingRow,
)

ACTIVE = "active"
PAUSED = "paused"
ENDED = "ended"
OPEN = "open"
CLOSED = "closed"
_OPEN_ROUND = sql("status = 'open'")


@dataclass(frozen=True)
class Survey:
    id: int
    name: str
    definition: dict[str, Any]
    owner_person_id: int | None
    audience: dict[str, Any]
    schedule: dict[str, Any]
    status: str
    open_days: int
    reminder_after_days: int
    threshold: int
    next_run_at: datetime | None
    created_at: datetime


@dataclass(frozen=True)
class Round:
    id: int
    survey_id: int
    status: str
    opened_at: datetime
    remind_at: datetime | None
    closes_at: datetime
    closed_at: datetime | None
    invited: int
    responded: int


@dataclass(frozen=True)
class Invitation:
    """An open round a person was invited to, and whether they have finished it: their own
    participation only, never what they answered."""

    round_id: int
    survey_id: int
    title: str
    closes_at: datetime
    responded: bool
    definition: Mapping[str, Any] = field(default_factory=dict)  # its texts in each language


@dataclass(frozen=True)
class Recipient:
    person_id: int
    timezone: str | None


class SurveyRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    # -- surveys ------------------------------------------------------------------------

    async def create(
        self,
        *,
        name: str,
        definition: dict[str, Any],
        owner_person_id: int,
        audience: dict[str, Any],
        schedule: dict[str, Any],
        next_run_at: datetime | None,
        open_days: int,
        reminder_after_days: int,
        threshold: int,
        share_on_close: bool = False,
    ) -> Survey:
        """A new survey; `share_on_close` shares each round's results with its audience as
        the round closes (see `storage.survey_shares`)."""
        async with self._db.transaction() as session:
            row = SurveyRow(
                name=name,
                definition=definition,
                owner_person_id=owner_person_id,
                audience=audience,
                schedule=schedule,
                next_run_at=next_run_at,
                open_days=open_days,
                reminder_after_days=reminder_after_days,
                threshold=threshold,
            )
            session.add(row)
            await session.flush()
            if share_on_close:
                session.add(SurveySharingRow(survey_id=row.id))
            return _survey(row)

    async def get(self, survey_id: int) -> Survey | None:
        async with self._db.transaction() as session:
            row = await session.get(SurveyRow, survey_id)
            return None if row is None else _survey(row)

    async def all(self) -> list[Survey]:
        async with self._db.transaction() as session:
            rows = await session.scalars(select(SurveyRow).order_by(SurveyRow.id))
            return [_survey(row) for row in rows]

    async def due(self, now: datetime) -> list[Survey]:
        async with self._db.transaction() as session:
            rows = await session.scalars(
                select(SurveyRow).where(SurveyRow.status == ACTIVE, SurveyRow.next_run_at <= now)
            )
            return [_survey(row) for row in rows]

    async def set_status(self, survey_id: int, status: str) -> bool:
        """Set the survey's status; False when it had that status already (set just now by
        another press or replica included), so only one caller reports the change."""
        async with self._db.transaction() as session:
            result = await session.execute(
                update(SurveyRow)
                .where(SurveyRow.id == survey_id, SurveyRow.status != status)
                .values(status=status)
            )
            return bool(getattr(result, "rowcount", 0))

    async def set_next_run(self, survey_id: int, next_run_at: datetime | None) -> None:
        async with self._db.transaction() as session:
            await session.execute(
                update(SurveyRow).where(SurveyRow.id == survey_id).values(next_run_at=next_run_at)
            )

    async def claim_run(
        self, survey_id: int, expected: datetime, next_run_at: datetime | None
    ) -> bool:
        """Move a survey's next run on, only if nobody else did: the guard that makes a due run
        open one round even if two ticks race."""
        async with self._db.transaction() as session:
            result = await session.execute(
                update(SurveyRow)
                .where(SurveyRow.id == survey_id, SurveyRow.next_run_at == expected)
                .values(next_run_at=next_run_at)
            )
            return bool(getattr(result, "rowcount", 0))

    # -- audience -----------------------------------------------------------------------

    async def audience(
        self,
        *,
        department: str | None = None,
        unit: str | None = None,
        user_ids: Iterable[tuple[str, str]] | None = None,
        platforms: Iterable[str] = (),
    ) -> list[Recipient]:
        """People to invite: everyone reachable on a mounted platform, optionally narrowed to a
        department, a unit, or a set of (platform, user id) pairs (a channel's members).
        Identities a directory says have left count only when a channel lists them: its
        roster was read just now, the directory last night."""
        query = (
            select(PersonRow.id, PersonRow.timezone)
            .join(IdentityRow, IdentityRow.person_id == PersonRow.id)
            .where(IdentityRow.unreachable_at.is_(None), IdentityRow.platform.in_(list(platforms)))
            .distinct()
            .order_by(PersonRow.id)
        )
        if user_ids is None:
            query = query.where(IdentityRow.left_at.is_(None))
        if department is not None:
            query = query.where(func.lower(PersonRow.department) == department.lower())
        if unit is not None:
            query = query.where(func.lower(PersonRow.unit) == unit.lower())
        async with self._db.transaction() as session:
            rows = (await session.execute(query)).all()
            recipients = [Recipient(person_id, tz) for person_id, tz in rows]
            if user_ids is None:
                return recipients
            wanted = set(user_ids)
            members = (
                await session.execute(
                    select(IdentityRow.person_id, IdentityRow.platform, IdentityRow.user_id)
                )
            ).all()
            allowed = {pid for pid, platform, uid in members if (platform, uid) in wanted}
            return [r for r in recipients if r.person_id in allowed]

    # -- rounds -------------------------------------------------------------------------

    async def open_round(
        self,
        survey_id: int,
        *,
        opened_at: datetime,
        remind_at: datetime | None,
        closes_at: datetime,
        person_ids: Iterable[int],
    ) -> Round | None:
        """A new round with one participation row per invited person; None, and nothing
        written, while the survey has a round open: the unique key over open rounds decides,
        so of two opens at once (two replicas, a double `pulse run`) one opens a round."""
        people = sorted(set(person_ids))
        async with self._db.transaction() as session:
            opened = await session.execute(
                self._db.insert(SurveyRoundRow)
                .values(
                    survey_id=survey_id,
                    status=OPEN,
                    opened_at=opened_at,
                    remind_at=remind_at,
                    closes_at=closes_at,
                    invited=len(people),
                )
                .on_conflict_do_nothing(index_elements=["survey_id"], index_where=_OPEN_ROUND)
                .returning(SurveyRoundRow.id)
            )
            round_id = opened.scalar()
            if round_id is None:
                return None
            session.add_all(ParticipationRow(round_id=round_id, person_id=p) for p in people)
            row = await session.get(SurveyRoundRow, round_id)
            assert row is not None
            return _round(row, 0)

    async def round_status(self, round_id: int) -> str | None:
        """The round's status alone (open or closed), as cheaply as it can be read: asked
        before each invitation or reminder leaves."""
        async with self._db.transaction() as session:
            status: str | None = await session.scalar(
                select(SurveyRoundRow.status).where(SurveyRoundRow.id == round_id)
            )
            return status

    async def get_round(self, round_id: int) -> Round | None:
        async with self._db.transaction() as session:
            row = await session.get(SurveyRoundRow, round_id)
            if row is None:
                return None
            return _round(row, await _responded(session, round_id))

    async def with_previous(self, round_id: int) -> tuple[Round | None, Round | None]:
        """The round and the survey's round before it (None for its first), in one read:
        an invitation says what came of the round before."""
        survey = select(SurveyRoundRow.survey_id).where(SurveyRoundRow.id == round_id)
        async with self._db.transaction() as session:
            rows = list(
                await session.scalars(
                    select(SurveyRoundRow)
                    .where(
                        SurveyRoundRow.survey_id == survey.scalar_subquery(),
                        SurveyRoundRow.id <= round_id,
                    )
                    .order_by(SurveyRoundRow.id.desc())
                    .limit(2)
                )
            )
            found = [_round(row, await _responded(session, row.id)) for row in rows]
        if not found or found[0].id != round_id:
            return None, None
        return found[0], found[1] if len(found) > 1 else None

    async def invited_round(self, round_id: int, person_id: int) -> Round | None:
        """The round, if `person_id` was invited to it: a survey's buttons name a round, and
        only its invitees may answer, comment on or even read it."""
        async with self._db.transaction() as session:
            row = await session.scalar(
                select(SurveyRoundRow)
                .join(ParticipationRow, ParticipationRow.round_id == SurveyRoundRow.id)
                .where(SurveyRoundRow.id == round_id, ParticipationRow.person_id == person_id)
            )
            if row is None:
                return None
            return _round(row, await _responded(session, round_id))

    async def rounds(self, survey_id: int, limit: int = 6) -> list[Round]:
        """The survey's most recent rounds, newest first."""
        return await self._rounds(
            select(SurveyRoundRow)
            .where(SurveyRoundRow.survey_id == survey_id)
            .order_by(SurveyRoundRow.id.desc())
            .limit(limit)
        )

    async def rounds_to_remind(self, now: datetime) -> list[Round]:
        return await self._rounds(
            select(SurveyRoundRow).where(
                SurveyRoundRow.status == OPEN, SurveyRoundRow.remind_at <= now
            )
        )

    async def take_reminder(self, round_id: int) -> list[int]:
        """People who have not answered, and mark the round's one reminder as taken (once)."""
        async with self._db.transaction() as session:
            result = await session.execute(
                update(SurveyRoundRow)
                .where(SurveyRoundRow.id == round_id, SurveyRoundRow.remind_at.is_not(None))
                .values(remind_at=None)
            )
            if not getattr(result, "rowcount", 0):
                return []
            rows = await session.scalars(
                select(ParticipationRow.person_id).where(
                    ParticipationRow.round_id == round_id, ParticipationRow.responded.is_(False)
                )
            )
            return list(rows)

    async def rounds_to_close(self, now: datetime) -> list[Round]:
        return await self._rounds(
            select(SurveyRoundRow).where(
                SurveyRoundRow.status == OPEN, SurveyRoundRow.closes_at <= now
            )
        )

    async def open_rounds(self, survey_id: int) -> list[Round]:
        return await self._rounds(
            select(SurveyRoundRow).where(
                SurveyRoundRow.survey_id == survey_id, SurveyRoundRow.status == OPEN
            )
        )

    async def _rounds(self, query: Select[SurveyRoundRow]) -> list[Round]:
        async with self._db.transaction() as session:
            rows = list(await session.scalars(query))
            return [_round(row, await _responded(session, row.id)) for row in rows]

    async def open_rounds_for(self, person_id: int) -> list[Invitation]:
        """The open rounds a person was invited to, closing soonest first."""
        async with self._db.transaction() as session:
            rows = await session.execute(
                select(
                    SurveyRoundRow.id,
                    SurveyRow.id,
                    SurveyRow.name,
                    SurveyRoundRow.closes_at,
                    ParticipationRow.responded,
                    SurveyRow.definition,
                )
                .select_from(ParticipationRow)
                .join(SurveyRoundRow, SurveyRoundRow.id == ParticipationRow.round_id)
                .join(SurveyRow, SurveyRow.id == SurveyRoundRow.survey_id)
                .where(ParticipationRow.person_id == person_id, SurveyRoundRow.status == OPEN)
                .order_by(SurveyRoundRow.closes_at, SurveyRoundRow.id)
            )
            return [Invitation(*row) for row in rows.all()]

    async def invitees(self, round_id: int) -> list[Recipient]:
        """Everyone invited to the round, answered or not: who its results are shared with."""
        async with self._db.transaction() as session:
            rows = await session.execute(
                select(PersonRow.id, PersonRow.timezone)
                .join(ParticipationRow, ParticipationRow.person_id == PersonRow.id)
                .where(ParticipationRow.round_id == round_id)
                .order_by(PersonRow.id)
            )
            return [Recipient(person_id, tz) for person_id, tz in rows.all()]

    async def close_round(self, round_id: int, closed_at: datetime) -> bool:
        """Close the round and erase every link between people and answers. False if it was
        already closed (another tick or an HR "close now" got there first)."""
        async with self._db.transaction() as session:
            result = await session.execute(
                update(SurveyRoundRow)
                .where(SurveyRoundRow.id == round_id, SurveyRoundRow.status == OPEN)
                .values(status=CLOSED, closed_at=closed_at, remind_at=None)
            )
            if not getattr(result, "rowcount", 0):
                return False
            await session.execute(
                update(ParticipationRow)
                .where(ParticipationRow.round_id == round_id)
                .values(answer_key=None)
            )
            await session.execute(
                update(ResponseRow).where(ResponseRow.round_id == round_id).values(answer_key=None)
            )
            return True


async def _responded(session: AsyncSession, round_id: int) -> int:
    count = await session.scalar(
        select(func.count())
        .select_from(ParticipationRow)
        .where(ParticipationRow.round_id == round_id, ParticipationRow.responded.is_(True))
    )
    return int(count or 0)


def _survey(row: SurveyRow) -> Survey:
    return Survey(
        id=row.id,
        name=row.name,
        definition=dict(row.definition),
        owner_person_id=row.owner_person_id,
        audience=dict(row.audience),
        schedule=dict(row.schedule),
        status=row.status,
        open_days=row.open_days,
        reminder_after_days=row.reminder_after_days,
        threshold=row.threshold,
        next_run_at=row.next_run_at,
        created_at=row.created_at,
    )


def _round(row: SurveyRoundRow, responded: int) -> Round:
    return Round(
        id=row.id,
        survey_id=row.survey_id,
        status=row.status,
        opened_at=row.opened_at,
        remind_at=row.remind_at,
        closes_at=row.closes_at,
        closed_at=row.closed_at,
        invited=row.invited,
        responded=responded,
    )
