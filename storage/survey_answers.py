"""Answering a pulse survey: a person's answers in an open round, and the anonymous answer sets
that results are computed from.

A person's answers are found through the random answer key their participation row shares with
their response while the round is open (see `surveys`); `responses` returns answer sets with no
person at all.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.models import AnswerRow, ParticipationRow, ResponseRow, SurveyRoundRow
from storage.surveys import OPEN


@dataclass(frozen=True)
class StoredResponse:
    """An answer set with no person: what results are computed from."""

    department: str
    unit: str
    answers: Mapping[str, str]
    comment: str | None


class SurveyAnswers:
    def __init__(self, db: Database) -> None:
        self._db = db

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
