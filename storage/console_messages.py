"""Messages waiting for a person's own terminal chat.

Whoever's process sends a message to a terminal person (a leader changing an idea's status, HR
answering, a survey round going out) stores it here; the recipient's `breakroom chat` shows it,
now if it is running, else when they next open it. Showing is claimed by the database, so a
message shows once even with the same person in two terminals.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update

from storage.db import Database
from storage.models import ConsoleMessageRow, utcnow


@dataclass(frozen=True)
class ConsoleMessage:
    id: int
    text: str
    picks: tuple[tuple[str, str], ...]  # (action_id, value) of each number it offers


class ConsoleMessages:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def put(
        self,
        person_id: int,
        text: str,
        picks: list[tuple[str, str]],
        *,
        dedupe_key: str | None = None,
    ) -> int:
        """Store a message for the person; its id. The same `dedupe_key` again stores nothing
        and returns the first one's id."""
        async with self._db.transaction() as session:
            stored = await session.execute(
                self._db.insert(ConsoleMessageRow)
                .values(
                    person_id=person_id,
                    text=text,
                    picks=[list(pick) for pick in picks],
                    dedupe_key=dedupe_key,
                    created_at=utcnow(),
                )
                .on_conflict_do_nothing(index_elements=["dedupe_key"])
                .returning(ConsoleMessageRow.id)
            )
            new_id = stored.scalar()
            if new_id is not None:
                return int(new_id)
            found = await session.scalar(
                select(ConsoleMessageRow.id).where(ConsoleMessageRow.dedupe_key == dedupe_key)
            )
            assert found is not None
            return int(found)

    async def find(self, dedupe_key: str) -> int | None:
        async with self._db.transaction() as session:
            found = await session.scalar(
                select(ConsoleMessageRow.id).where(ConsoleMessageRow.dedupe_key == dedupe_key)
            )
            return None if found is None else int(found)

    async def recipient(self, message_id: int) -> int | None:
        """Whose message this is (to store its update for them)."""
        async with self._db.transaction() as session:
            found = await session.scalar(
                select(ConsoleMessageRow.person_id).where(ConsoleMessageRow.id == message_id)
            )
            return None if found is None else int(found)

    async def take_waiting(self, person_id: int) -> list[ConsoleMessage]:
        """The person's messages not shown yet, oldest first, each marked shown by this call
        only: a message another terminal of theirs took first is left to it."""
        async with self._db.transaction() as session:
            rows = (
                await session.scalars(
                    select(ConsoleMessageRow)
                    .where(
                        ConsoleMessageRow.person_id == person_id,
                        ConsoleMessageRow.shown_at.is_(None),
                    )
                    .order_by(ConsoleMessageRow.id)
                )
            ).all()
            taken: list[ConsoleMessage] = []
            for row in rows:
                marked = await session.execute(
                    update(ConsoleMessageRow)
                    .where(ConsoleMessageRow.id == row.id, ConsoleMessageRow.shown_at.is_(None))
                    .values(shown_at=utcnow())
                )
                if marked.rowcount == 1:  # type: ignore[attr-defined]
                    taken.append(
                        ConsoleMessage(
                            row.id, row.text, tuple((pick[0], pick[1]) for pick in row.picks)
                        )
                    )
            return taken
