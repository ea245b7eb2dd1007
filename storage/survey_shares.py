"""Which surveys share their results with their audience as each round closes, and which
rounds' results have been shared (the messages themselves are outbox rows, one per person)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from storage.db import Database
from storage.models import SurveyShareRow, SurveySharingRow


class SurveyShares:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def shares_on_close(self, survey_ids: list[int]) -> set[int]:
        """Those of these surveys whose results are shared as each round closes."""
        async with self._db.transaction() as session:
            rows = await session.scalars(
                select(SurveySharingRow.survey_id).where(SurveySharingRow.survey_id.in_(survey_ids))
            )
            return set(rows)

    async def mark_shared(self, round_id: int, shared_at: datetime) -> bool:
        """Record that the round's results were shared; False when they had been already
        (by another `pulse share`, or on close), so only one caller says it shared them."""
        statement = (
            self._db.insert(SurveyShareRow)
            .values(round_id=round_id, shared_at=shared_at)
            .on_conflict_do_nothing(index_elements=["round_id"])
            .returning(SurveyShareRow.round_id)
        )
        async with self._db.transaction() as session:
            return (await session.execute(statement)).scalar() is not None

    async def shared_at(self, round_id: int) -> datetime | None:
        """When the round's results were shared; None if they have not been."""
        async with self._db.transaction() as session:
            at: datetime | None = await session.scalar(
                select(SurveyShareRow.shared_at).where(SurveyShareRow.round_id == round_id)
            )
            return at
