"""Ideas, their votes, comments and drafts.

`Idea` is what leaders may see: it has a submitter only when the idea is not anonymous. The sealed
reference of an anonymous submitter leaves this module only through `sealed_submitter`, which
the notification path alone calls.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Update, delete, exists, func, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.models import IdeaCommentRow, IdeaDraftRow, IdeaRow, IdeaVoteRow, PersonRow


@dataclass(frozen=True)
class Draft:
    id: int
    person_id: int
    title: str
    description: str
    category: str
    unit: str
    anonymous: bool


@dataclass(frozen=True)
class Idea:
    id: int
    title: str
    description: str
    category: str
    unit: str
    status: str
    status_reason: str
    merged_into_id: int | None
    anonymous: bool
    submitter_person_id: int | None
    submitter_name: str | None
    votes: int
    created_at: datetime
    updated_at: datetime

    @property
    def headline(self) -> str:
        """The title, or the start of the description when the submitter gave no title."""
        if self.title:
            return self.title
        text = " ".join(self.description.split())
        return text if len(text) <= 80 else text[:77].rsplit(" ", 1)[0] + "…"


@dataclass(frozen=True)
class Vote:
    """What a vote did: `counted` is False when the person had voted already (or the idea was
    closed to votes, see `status`); `votes` is the idea's count with it."""

    counted: bool
    votes: int
    status: str


@dataclass(frozen=True)
class Comment:
    id: int
    idea_id: int
    author_person_id: int | None
    author_name: str | None
    text: str
    created_at: datetime


@dataclass(frozen=True)
class IdeaFilter:
    since: datetime | None = None
    until: datetime | None = None
    status: str | None = None
    category: str | None = None
    unit: str | None = None
    statuses_excluded: tuple[str, ...] = ()


class IdeaRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    # -- drafts -------------------------------------------------------------------------

    async def save_draft(
        self,
        person_id: int,
        *,
        title: str,
        description: str,
        category: str,
        unit: str,
        anonymous: bool,
    ) -> Draft:
        async with self._db.transaction() as session:
            row = IdeaDraftRow(
                person_id=person_id,
                title=title,
                description=description,
                category=category,
                unit=unit,
                anonymous=anonymous,
            )
            session.add(row)
            await session.flush()
            return _draft(row)

    async def draft(self, draft_id: int, person_id: int) -> Draft | None:
        """A person's own draft; someone else's draft id finds nothing."""
        async with self._db.transaction() as session:
            row = await session.scalar(
                select(IdeaDraftRow).where(
                    IdeaDraftRow.id == draft_id, IdeaDraftRow.person_id == person_id
                )
            )
            return None if row is None else _draft(row)

    async def discard_draft(self, draft_id: int, person_id: int) -> None:
        async with self._db.transaction() as session:
            await session.execute(
                delete(IdeaDraftRow).where(
                    IdeaDraftRow.id == draft_id, IdeaDraftRow.person_id == person_id
                )
            )

    async def drop_drafts_before(self, cutoff: datetime) -> int:
        async with self._db.transaction() as session:
            result = await session.execute(
                delete(IdeaDraftRow).where(IdeaDraftRow.created_at < cutoff)
            )
            return int(getattr(result, "rowcount", 0))

    async def submit(self, draft: Draft, *, sealed_submitter: str | None) -> Idea | None:
        """Turn a confirmed draft into an idea, consuming the draft in the same transaction;
        None when it was consumed already (a second press of "Submit", on any replica).

        The delete of the draft is the gate: of two submissions of one draft at once, one
        deletes it and the other finds it gone. An anonymous idea stores no submitter, only
        `sealed_submitter`.
        """
        async with self._db.transaction() as session:
            consumed = await session.execute(
                delete(IdeaDraftRow)
                .where(IdeaDraftRow.id == draft.id, IdeaDraftRow.person_id == draft.person_id)
                .returning(IdeaDraftRow.id)
            )
            if consumed.first() is None:
                return None
            row = IdeaRow(
                title=draft.title,
                description=draft.description,
                category=draft.category,
                unit=draft.unit,
                submitter_person_id=None if draft.anonymous else draft.person_id,
                sealed_submitter=sealed_submitter if draft.anonymous else None,
                draft_id=draft.id,
            )
            session.add(row)
            await session.flush()
            return await _idea(session, row)

    async def submitted_from(self, draft_id: int) -> bool:
        """Whether an idea was made from this draft (its "Submit" was pressed already)."""
        async with self._db.transaction() as session:
            found = await session.scalar(select(IdeaRow.id).where(IdeaRow.draft_id == draft_id))
            return found is not None

    # -- ideas --------------------------------------------------------------------------

    async def get(self, idea_id: int) -> Idea | None:
        async with self._db.transaction() as session:
            row = await session.get(IdeaRow, idea_id)
            return None if row is None else await _idea(session, row)

    async def find(self, where: IdeaFilter = IdeaFilter(), limit: int | None = None) -> list[Idea]:
        query = select(IdeaRow).order_by(IdeaRow.created_at.desc(), IdeaRow.id.desc())
        if where.since is not None:
            query = query.where(IdeaRow.created_at >= where.since)
        if where.until is not None:
            query = query.where(IdeaRow.created_at < where.until)
        if where.status is not None:
            query = query.where(IdeaRow.status == where.status)
        if where.category is not None:
            query = query.where(IdeaRow.category == where.category)
        if where.unit is not None:
            query = query.where(func.lower(IdeaRow.unit) == where.unit.lower())
        if where.statuses_excluded:
            query = query.where(IdeaRow.status.not_in(where.statuses_excluded))
        if limit is not None:
            query = query.limit(limit)
        async with self._db.transaction() as session:
            rows = list(await session.scalars(query))
            return await load_ideas(session, rows)

    async def by_submitter(self, person_id: int, limit: int = 10) -> list[Idea]:
        """A person's own non-anonymous ideas (anonymous ones are, by design, not findable)."""
        async with self._db.transaction() as session:
            rows = list(
                await session.scalars(
                    select(IdeaRow)
                    .where(IdeaRow.submitter_person_id == person_id)
                    .order_by(IdeaRow.created_at.desc())
                    .limit(limit)
                )
            )
            return await load_ideas(session, rows)

    async def set_status(
        self, idea_id: int, status: str, reason: str = "", *, from_status: str | None = None
    ) -> Idea | None:
        """Move an idea to `status`; with `from_status`, only if it still is in that one. None
        when there is no such idea or it had moved on: of two leaders pressing at once, one
        moves it and the other is told."""
        async with self._db.transaction() as session:
            changed = await session.execute(
                _moving(idea_id, from_status)
                .values(status=status, status_reason=reason)
                .returning(IdeaRow.id)
            )
            if changed.first() is None:
                return None
            row = await session.get(IdeaRow, idea_id, populate_existing=True)
            assert row is not None
            return await _idea(session, row)

    async def merge(
        self, idea_id: int, into_id: int, reason: str = "", *, from_status: str | None = None
    ) -> Idea | None:
        """Mark `idea_id` merged into `into_id` and carry its votes over (once per person);
        None when either is missing, or `idea_id` is no longer in `from_status`."""
        async with self._db.transaction() as session:
            if await session.get(IdeaRow, into_id) is None:
                return None
            # The status changes first: a vote waits for it (see `vote`), so none is left
            # behind on the merged idea.
            changed = await session.execute(
                _moving(idea_id, from_status)
                .values(status="merged", merged_into_id=into_id, status_reason=reason)
                .returning(IdeaRow.id)
            )
            if changed.first() is None:
                return None
            carried = select(literal(into_id), IdeaVoteRow.person_id, IdeaVoteRow.voted_at).where(
                IdeaVoteRow.idea_id == idea_id
            )
            await session.execute(
                self._db.insert(IdeaVoteRow)
                .from_select(["idea_id", "person_id", "voted_at"], carried)
                .on_conflict_do_nothing(index_elements=["idea_id", "person_id"])
            )
            await session.execute(delete(IdeaVoteRow).where(IdeaVoteRow.idea_id == idea_id))
            row = await session.get(IdeaRow, idea_id, populate_existing=True)
            assert row is not None
            return await _idea(session, row)

    async def vote(
        self, idea_id: int, person_id: int, *, closed: Iterable[str] = ()
    ) -> Vote | None:
        """One vote per person, not counted while the idea is in a `closed` status; None when
        there is no such idea. The vote is a conditional insert, so two presses at once (on
        two replicas) count once and the other press learns it was counted already."""
        votable = exists().where(IdeaRow.id == idea_id, IdeaRow.status.not_in(list(closed)))
        async with self._db.transaction() as session:
            # FOR SHARE (PostgreSQL): a status change or merge under way finishes first, and one
            # starting now waits for this vote, so no vote lands on a closed or merged idea.
            await session.execute(
                select(IdeaRow.id).where(IdeaRow.id == idea_id).with_for_update(read=True)
            )
            added = await session.execute(
                self._db.insert(IdeaVoteRow)
                .from_select(
                    ["idea_id", "person_id"],
                    select(literal(idea_id), literal(person_id)).where(votable),
                )
                .on_conflict_do_nothing(index_elements=["idea_id", "person_id"])
                .returning(IdeaVoteRow.person_id)
            )
            counted = added.first() is not None
            found = (
                await session.execute(
                    select(
                        IdeaRow.status,
                        select(func.count())
                        .where(IdeaVoteRow.idea_id == idea_id)
                        .scalar_subquery(),
                    ).where(IdeaRow.id == idea_id)
                )
            ).first()
            if found is None:
                return None
            status, votes = found
            return Vote(counted, int(votes), status)

    async def voted(self, idea_id: int, person_id: int) -> bool:
        async with self._db.transaction() as session:
            found = await session.scalar(
                select(IdeaVoteRow.person_id).where(
                    IdeaVoteRow.idea_id == idea_id, IdeaVoteRow.person_id == person_id
                )
            )
            return found is not None

    async def add_comment(self, idea_id: int, author_person_id: int, text: str) -> Comment:
        async with self._db.transaction() as session:
            row = IdeaCommentRow(idea_id=idea_id, author_person_id=author_person_id, text=text)
            session.add(row)
            await session.flush()
            author = await session.get(PersonRow, author_person_id)
            return _comment(row, author.display_name if author else None)

    async def comments(self, idea_id: int) -> list[Comment]:
        async with self._db.transaction() as session:
            rows = await session.execute(
                select(IdeaCommentRow, PersonRow.display_name)
                .outerjoin(PersonRow, PersonRow.id == IdeaCommentRow.author_person_id)
                .where(IdeaCommentRow.idea_id == idea_id)
                .order_by(IdeaCommentRow.created_at)
            )
            return [_comment(row, name) for row, name in rows.all()]

    async def sealed_submitter(self, idea_id: int) -> tuple[int | None, str | None]:
        """(person id, sealed reference) of the submitter: for delivering notices only."""
        async with self._db.transaction() as session:
            row = await session.get(IdeaRow, idea_id)
            if row is None:
                return None, None
            return row.submitter_person_id, row.sealed_submitter


def _moving(idea_id: int, from_status: str | None) -> Update:
    """UPDATE of one idea, conditional on the status it is expected to be in."""
    statement = update(IdeaRow).where(IdeaRow.id == idea_id)
    if from_status is not None:
        statement = statement.where(IdeaRow.status == from_status)
    return statement


async def load_ideas(session: AsyncSession, rows: Sequence[IdeaRow]) -> list[Idea]:
    """Rows as the ideas leaders see, with their votes and submitters' names in two queries."""
    if not rows:
        return []
    ids = [row.id for row in rows]
    votes = dict(
        (
            await session.execute(
                select(IdeaVoteRow.idea_id, func.count())
                .where(IdeaVoteRow.idea_id.in_(ids))
                .group_by(IdeaVoteRow.idea_id)
            )
        ).all()
    )
    people_ids = {row.submitter_person_id for row in rows if row.submitter_person_id is not None}
    names: dict[int, str] = {}
    if people_ids:
        names = dict(
            (
                await session.execute(
                    select(PersonRow.id, PersonRow.display_name).where(PersonRow.id.in_(people_ids))
                )
            ).all()
        )
    return [_to_idea(row, votes.get(row.id, 0), names) for row in rows]


async def _idea(session: AsyncSession, row: IdeaRow) -> Idea:
    [idea] = await load_ideas(session, [row])
    return idea


def _to_idea(row: IdeaRow, votes: int, names: dict[int, str]) -> Idea:
    submitter = row.submitter_person_id
    return Idea(
        id=row.id,
        title=row.title,
        description=row.description,
        category=row.category,
        unit=row.unit,
        status=row.status,
        status_reason=row.status_reason,
        merged_into_id=row.merged_into_id,
        anonymous=submitter is None,
        submitter_person_id=submitter,
        submitter_name=names.get(submitter) if submitter is not None else None,
        votes=votes,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _draft(row: IdeaDraftRow) -> Draft:
    return Draft(
        id=row.id,
        person_id=row.person_id,
        title=row.title,
        description=row.description,
        category=row.category,
        unit=row.unit,
        anonymous=row.anonymous,
    )


def _comment(row: IdeaCommentRow, author_name: str | None) -> Comment:
    return Comment(
        id=row.id,
        idea_id=row.idea_id,
        author_person_id=row.author_person_id,
        author_name=author_name,
        text=row.text,
        created_at=row.created_at,
    )
