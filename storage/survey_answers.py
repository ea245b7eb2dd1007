"""Answering a pulse survey: a person's answers in an open round, and the anonymous answer sets
that results are computed from.

A person's answers are found through the random answer key their participation row shares with
their response while the round is open (see `surveys`); `responses` returns answer sets with no
person at all.

Exactly once, across replicas: a person's first answer claims their participation row with a
conditional write (an answer key put there if there was none, while the round is open), and only
the write that put it stores the anonymous response, in the same transaction. Two presses at
once, on two replicas, make one response; the second press adds to it. An answer is stored only
when it changes what is there, so a repeated press is told apart from a new answer.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import exists, func, select, update
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


@dataclass(frozen=True)
class Recorded:
    """What one answer did: the person's answers so far, whether the set is complete, and
    whether this answer changed anything (False: the same answer was in already)."""

    answers: dict[str, str]
    complete: bool
    changed: bool


class SurveyAnswers:
    def __init__(self, db: Database) -> None:
        self._db = db

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
    ) -> Recorded:
        """Store one answer for an invited person in an open round. Raises LookupError when
        not invited or closed."""
        async with self._db.transaction() as session:
            response_id = await _own_response(session, round_id, person_id, department, unit)
            insert = self._db.insert(AnswerRow).values(
                response_id=response_id, question_id=question_id, value=value
            )
            stored = await session.execute(
                insert.on_conflict_do_update(
                    index_elements=["response_id", "question_id"],
                    set_={"value": insert.excluded.value},
                    where=AnswerRow.value != insert.excluded.value,
                ).returning(AnswerRow.question_id)
            )
            changed = stored.first() is not None
            answers = await _answers(session, response_id)
            complete = set(required) <= set(answers)
            if complete:
                await session.execute(
                    update(ParticipationRow)
                    .where(
                        ParticipationRow.round_id == round_id,
                        ParticipationRow.person_id == person_id,
                        ParticipationRow.responded.is_(False),
                    )
                    .values(responded=True)
                )
            return Recorded(answers, complete, changed)

    async def record_comment(
        self, round_id: int, person_id: int, comment: str, *, department: str, unit: str
    ) -> None:
        async with self._db.transaction() as session:
            response_id = await _own_response(session, round_id, person_id, department, unit)
            await session.execute(
                update(ResponseRow).where(ResponseRow.id == response_id).values(comment=comment)
            )

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
) -> int:
    """The id of the person's response in an open round, made by their first answer.

    The round is locked FOR SHARE first (PostgreSQL): closing it, which erases the answer keys,
    waits for this transaction, and one that closed it first is seen. Then one write claims the
    person's participation row: it keeps the answer key there or puts a new one, and says
    which. Every answer of one person takes that row first, so their answers take turns and
    only the claim that put the key stores the response. The claim repeats the open check,
    which is what holds on SQLite, where writers take turns anyway."""
    await session.execute(
        select(SurveyRoundRow.id).where(SurveyRoundRow.id == round_id).with_for_update(read=True)
    )
    new_key = secrets.token_hex(16)
    claimed = await session.execute(
        update(ParticipationRow)
        .where(
            ParticipationRow.round_id == round_id,
            ParticipationRow.person_id == person_id,
            exists().where(SurveyRoundRow.id == round_id, SurveyRoundRow.status == OPEN),
        )
        .values(answer_key=func.coalesce(ParticipationRow.answer_key, new_key))
        .returning(ParticipationRow.answer_key)
    )
    key = claimed.scalar()
    if key is None:
        raise LookupError("not invited to an open round")
    if key == new_key:
        response = ResponseRow(round_id=round_id, answer_key=key, department=department, unit=unit)
        session.add(response)
        await session.flush()
        return response.id
    found = await session.scalar(
        select(ResponseRow.id).where(
            ResponseRow.round_id == round_id, ResponseRow.answer_key == key
        )
    )
    assert found is not None
    return int(found)


async def _answers(session: AsyncSession, response_id: int) -> dict[str, str]:
    rows = await session.execute(
        select(AnswerRow.question_id, AnswerRow.value).where(AnswerRow.response_id == response_id)
    )
    return {question_id: value for question_id, value in rows.all()}
