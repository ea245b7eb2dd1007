"""A survey's action plan: what HR said would be done about its results, who owns each action
and how far it got. Staff read it when results are shared and in the next round's invitation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update

from storage.db import Database
from storage.models import SurveyActionRow

PLANNED = "planned"
IN_PROGRESS = "in progress"
DONE = "done"
STATUSES = (PLANNED, IN_PROGRESS, DONE)


@dataclass(frozen=True)
class SurveyAction:
    id: int
    survey_id: int
    text: str
    owner: str
    status: str
    author_person_id: int | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class StatusChange:
    """An action moved from one status to another."""

    action: SurveyAction
    previous: str


class SurveyActions:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(
        self, survey_id: int, text: str, *, owner: str, author_person_id: int
    ) -> SurveyAction:
        async with self._db.transaction() as session:
            row = SurveyActionRow(
                survey_id=survey_id,
                text=text,
                owner=owner,
                status=PLANNED,
                author_person_id=author_person_id,
            )
            session.add(row)
            await session.flush()
            return _action(row)

    async def for_survey(self, survey_id: int) -> list[SurveyAction]:
        """The survey's actions, oldest first: the order they were promised in."""
        async with self._db.transaction() as session:
            rows = await session.scalars(
                select(SurveyActionRow)
                .where(SurveyActionRow.survey_id == survey_id)
                .order_by(SurveyActionRow.id)
            )
            return [_action(row) for row in rows]

    async def set_status(
        self, survey_id: int, action_id: int, status: str
    ) -> StatusChange | SurveyAction | None:
        """Move the survey's action to `status`: the change, or the action as it is when it
        had that status already (another press got there first), or None when the survey has
        no such action. The write is conditional, so of two changes at once one is reported."""
        if status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, not {status!r}")
        async with self._db.transaction() as session:
            row = await session.scalar(
                select(SurveyActionRow).where(
                    SurveyActionRow.id == action_id, SurveyActionRow.survey_id == survey_id
                )
            )
            if row is None:
                return None
            previous = row.status
            result = await session.execute(
                update(SurveyActionRow)
                .where(SurveyActionRow.id == action_id, SurveyActionRow.status == previous)
                .where(SurveyActionRow.status != status)
                .values(status=status)
                .execution_options(synchronize_session="fetch")
            )
            changed = bool(getattr(result, "rowcount", 0))
            await session.refresh(row)
            return StatusChange(_action(row), previous) if changed else _action(row)


def _action(row: SurveyActionRow) -> SurveyAction:
    return SurveyAction(
        id=row.id,
        survey_id=row.survey_id,
        text=row.text,
        owner=row.owner,
        status=row.status,
        author_person_id=row.author_person_id,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )
