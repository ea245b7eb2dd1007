"""Pulse surveys, their rounds, who was invited, and the anonymous answers.

The privacy design lives here: participation (who was invited, whether they answered) and
responses (what was answered) are separate tables. While a round is open a random answer key in
both lets a person change their answers; closing the round erases that key from both, after
which nothing links a person to an answer. No method returns a person together with an answer.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.models import (
    AnswerRow,
    IdentityRow,
    ParticipationRow,
    PersonRow,
    ResponseRow,
    SurveyRoundRow,
    SurveyRow,
)

ACTIVE = "active"
PAUSED = "paused"
ENDED = "ended"
OPEN = "open"
CLOSED = "closed"


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


@dataclass(frozen=True)
class Recipient:
    person_id: int
    timezone: str | None


@dataclass(frozen=True)
class StoredResponse:
    """An answer set with no person: what results are computed from."""

    department: str
    unit: str
    answers: Mapping[str, str]
    comment: str | None


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
    ) -> Survey:
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

    async def set_status(self, survey_id: int, status: str) -> None:
        async with self._db.transaction() as session:
            await session.execute(
                update(SurveyRow).where(SurveyRow.id == survey_id).values(status=status)
            )

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
        department, a unit, or a set of (platform, user id) pairs (a channel's members)."""
        query = (
            select(PersonRow.id, PersonRow.timezone)
            .join(IdentityRow, IdentityRow.person_id == PersonRow.id)
            .where(IdentityRow.unreachable_at.is_(None), IdentityRow.platform.in_(list(platforms)))
            .distinct()
            .order_by(PersonRow.id)
        )
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
    ) -> Round:
        """A new round with one participation row per invited person."""
        people = sorted(set(person_ids))
        async with self._db.transaction() as session:
            row = SurveyRoundRow(
                survey_id=survey_id,
                opened_at=opened_at,
                remind_at=remind_at,
                closes_at=closes_at,
                invited=len(people),
            )
            session.add(row)
            await session.flush()
            session.add_all(ParticipationRow(round_id=row.id, person_id=p) for p in people)
            return _round(row, 0)

    async def get_round(self, round_id: int) -> Round | None:
        async with self._db.transaction() as session:
            row = await session.get(SurveyRoundRow, round_id)
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
                )
                .select_from(ParticipationRow)
                .join(SurveyRoundRow, SurveyRoundRow.id == ParticipationRow.round_id)
                .join(SurveyRow, SurveyRow.id == SurveyRoundRow.survey_id)
                .where(ParticipationRow.person_id == person_id, SurveyRoundRow.status == OPEN)
                .order_by(SurveyRoundRow.closes_at, SurveyRoundRow.id)
            )
            return [Invitation(*row) for row in rows.all()]

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

    # -- answering ----------------------------------------------------------------------

    async def is_invited(self, round_id: int, person_id: int) -> bool:
        async with self._db.transaction() as session:
            return await session.get(ParticipationRow, (round_id, person_id)) is not None

    async def record_answer(
        self,
        round_id: int,
        person_id: int,
        question_id: str,
        value: str,
        *,
        department: str,
        unit: str,
        required: Iterable[str],
    ) -> tuple[dict[str, str], bool]:
        """Store one answer for an invited person in an open round; returns their answers so far
        and whether the set is now complete. Raises LookupError when not invited or closed."""
        async with self._db.transaction() as session:
            response = await _own_response(session, round_id, person_id, department, unit)
            existing = await session.get(AnswerRow, (response.id, question_id))
            if existing is None:
                session.add(
                    AnswerRow(response_id=response.id, question_id=question_id, value=value)
                )
            else:
                existing.value = value
            await session.flush()
            answers = await _answers(session, response.id)
            complete = set(required) <= set(answers)
            if complete:
                participation = await session.get(ParticipationRow, (round_id, person_id))
                assert participation is not None
                participation.responded = True
            return answers, complete

    async def record_comment(
        self, round_id: int, person_id: int, comment: str, *, department: str, unit: str
    ) -> None:
        async with self._db.transaction() as session:
            response = await _own_response(session, round_id, person_id, department, unit)
            response.comment = comment

    async def own_answers(self, round_id: int, person_id: int) -> dict[str, str]:
        """A person's own answers in an open round (to show what they picked)."""
        async with self._db.transaction() as session:
            participation = await session.get(ParticipationRow, (round_id, person_id))
            if participation is None or participation.answer_key is None:
                return {}
            response_id = await session.scalar(
                select(ResponseRow.id).where(
                    ResponseRow.round_id == round_id,
                    ResponseRow.answer_key == participation.answer_key,
                )
            )
            return {} if response_id is None else await _answers(session, response_id)

    async def responses(self, round_id: int) -> list[StoredResponse]:
        async with self._db.transaction() as session:
            rows = list(
                await session.scalars(select(ResponseRow).where(ResponseRow.round_id == round_id))
            )
            answers = (
                await session.execute(
                    select(AnswerRow.response_id, AnswerRow.question_id, AnswerRow.value).where(
                        AnswerRow.response_id.in_([row.id for row in rows])
                    )
                )
            ).all()
            by_response: dict[int, dict[str, str]] = {}
            for response_id, question_id, value in answers:
                by_response.setdefault(response_id, {})[question_id] = value
            return [
                StoredResponse(row.department, row.unit, by_response.get(row.id, {}), row.comment)
                for row in rows
                if by_response.get(row.id)
            ]


async def _own_response(
    session: AsyncSession, round_id: int, person_id: int, department: str, unit: str
) -> ResponseRow:
    round_row = await session.get(SurveyRoundRow, round_id)
    participation = await session.get(ParticipationRow, (round_id, person_id))
    if round_row is None or round_row.status != OPEN or participation is None:
        raise LookupError("not invited to an open round")
    if participation.answer_key is None:
        participation.answer_key = secrets.token_hex(16)
        response = ResponseRow(
            round_id=round_id,
            answer_key=participation.answer_key,
            department=department,
            unit=unit,
        )
        session.add(response)
        await session.flush()
        return response
    found: ResponseRow | None = await session.scalar(
        select(ResponseRow).where(
            ResponseRow.round_id == round_id, ResponseRow.answer_key == participation.answer_key
        )
    )
    assert found is not None
    return found


async def _answers(session: AsyncSession, response_id: int) -> dict[str, str]:
    rows = await session.execute(
        select(AnswerRow.question_id, AnswerRow.value).where(AnswerRow.response_id == response_id)
    )
    return {question_id: value for question_id, value in rows.all()}


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
