"""Send budgets: one row per workspace holding the pace every replica shares there.

The rules (how the pace grows, what a 429 does) belong to the caller; this module only makes
each change safe when several replicas make one at once: read the row, work out the new state,
write it only if nobody wrote in between (`version`), and otherwise start again from what the
other wrote. Two short transactions, and no lock held across them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import insert, update

from storage.db import Conflict, Database
from storage.models import SendBudgetRow

T = TypeVar("T")

# Replicas meet on one row a few times a second at most; a change losing this many races in a
# row means something else is wrong.
_TRIES = 20


@dataclass(frozen=True)
class BudgetState:
    """A workspace's pace: see `SendBudgetRow` for each field."""

    rate: float
    settled: float | None
    next_slot: float
    paused_until: float
    grown_at: float
    accepted: float


Change = Callable[[BudgetState | None], tuple[BudgetState, T]]


class SendBudgetRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def read(self, key: str) -> BudgetState | None:
        found = await self._read(key)
        return None if found is None else found[0]

    async def change(self, key: str, change: Change[T]) -> T:
        """Apply `change` (the state now, None for a new workspace → the new state and what to
        hand back) as one conditional write, again from the fresh state after losing a race."""
        for _ in range(_TRIES):
            found = await self._read(key)
            state, result = change(None if found is None else found[0])
            if found is None:
                if await self._create(key, state):
                    return result
            elif await self._replace(key, found[1], state):
                return result
        raise Conflict(f"send budget {key}: too many concurrent changes")

    async def _read(self, key: str) -> tuple[BudgetState, int] | None:
        async with self._db.transaction() as session:
            row = await session.get(SendBudgetRow, key)
            if row is None:
                return None
            state = BudgetState(
                rate=row.rate,
                settled=row.settled,
                next_slot=row.next_slot,
                paused_until=row.paused_until,
                grown_at=row.grown_at,
                accepted=row.accepted,
            )
            return state, row.version

    async def _create(self, key: str, state: BudgetState) -> bool:
        try:
            async with self._db.transaction() as session:
                await session.execute(
                    insert(SendBudgetRow).values(key=key, version=1, **_values(state))
                )
        except Conflict:
            return False  # another replica created it first: start again from its row
        return True

    async def _replace(self, key: str, version: int, state: BudgetState) -> bool:
        async with self._db.transaction() as session:
            result = await session.execute(
                update(SendBudgetRow)
                .where(SendBudgetRow.key == key, SendBudgetRow.version == version)
                .values(version=version + 1, **_values(state))
            )
            return int(getattr(result, "rowcount", 0)) == 1


def _values(state: BudgetState) -> dict[str, float | None]:
    return {
        "rate": state.rate,
        "settled": state.settled,
        "next_slot": state.next_slot,
        "paused_until": state.paused_until,
        "grown_at": state.grown_at,
        "accepted": state.accepted,
    }
