"""The outbox: every message the bot sends on its own to many people (survey invitations and
reminders, and whatever else a skill queues), one row per kind, payload and person, moved through
its states in batches.

A row names what it is about, not how it reads: its `kind` (`pulse.invite`) says which skill
renders it, and its `payload_key` (`round:12`) what the message is about, in the terms of that
skill. The text is written when the row is sent (see `bot.renderers`), so a message reflects
the state of things then, and a row whose message is no longer wanted is skipped.

pending → sending (claimed, with `claimed_at` as the claim's lease) → sent | failed | blocked |
skipped. The unique key makes enqueueing twice harmless. A live sender renews the leases of the
rows it holds; a claim whose lease ran out belongs to a sender that died, and another sender takes
it over and asks the platform whether the message went out before sending it again.

Writes are batched (one statement per state change for a whole batch) so that a fan-out of
hundreds of messages a second spends little of its time in the database, SQLite included.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import Select, Table, and_, bindparam, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.models import IdentityRow, OutboxRow, PersonRow
from storage.people import Identity

# How long a claim lasts when its sender does not say: a sender sets its own from how long its
# sends take (see `bot.delivery`).
DEFAULT_LEASE = timedelta(seconds=10)
# A multi-row INSERT of this many rows stays under SQLite's and asyncpg's bound-parameter limits.
_INSERT_CHUNK = 1000


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    BLOCKED = "blocked"
    SKIPPED = "skipped"  # no longer needed when its turn came (e.g. the round had closed)


FINAL_STATUSES = frozenset(
    {OutboxStatus.SENT, OutboxStatus.FAILED, OutboxStatus.BLOCKED, OutboxStatus.SKIPPED}
)


@dataclass(frozen=True)
class OutboxItem:
    id: int
    kind: str
    payload_key: str
    person_id: int
    status: str
    due_at: datetime
    attempts: int = 0
    claimed_at: datetime | None = None
    sent_at: datetime | None = None
    platform: str | None = None
    message_id: str | None = None
    handle: Mapping[str, Any] | None = field(default=None, compare=False)
    error: str | None = None

    @property
    def dedupe_key(self) -> str:
        """What the platform keeps with the message, so a restart can ask whether it went out."""
        return f"outbox:{self.id}"


@dataclass(frozen=True)
class Recipient:
    """A person an outbox message is for: where it can reach them (their identities, for the
    sender's routing), and what a renderer may vary the message by."""

    person_id: int
    timezone: str | None = None
    locale: str | None = None
    identities: tuple[Identity, ...] = ()
    language: str | None = None  # the person's own choice; None: their locale's


@dataclass(frozen=True)
class Delivered:
    """The platform accepted the message: the row becomes `sent`."""

    id: int
    platform: str
    message_id: str
    sent_at: datetime
    handle: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Retry:
    """Back to `pending`, due again at `due_at`. `attempted` counts a failed attempt; a rate
    limit or a claim given back does not."""

    id: int
    due_at: datetime
    error: str | None = None
    attempted: bool = True


@dataclass(frozen=True)
class Settled:
    """A final state other than sent: failed, blocked or skipped."""

    id: int
    status: OutboxStatus
    error: str | None = None
    attempted: bool = True

    def __post_init__(self) -> None:
        if self.status not in FINAL_STATUSES or self.status is OutboxStatus.SENT:
            raise ValueError(f"{self.status!r} is not failed, blocked or skipped")


Outcome = Delivered | Retry | Settled


@dataclass(frozen=True)
class OutboxProgress:
    """How the messages about one payload (every kind of them) stand."""

    payload_key: str
    pending: int = 0
    sending: int = 0
    sent: int = 0
    failed: int = 0
    blocked: int = 0
    skipped: int = 0

    @property
    def total(self) -> int:
        return self.pending + self.sending + self.sent + self.failed + self.blocked + self.skipped

    @property
    def open(self) -> int:
        return self.pending + self.sending


class OutboxRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def enqueue(self, kind: str, payload_key: str, due_at: Mapping[int, datetime]) -> int:
        """Queue one `kind` message about `payload_key` per person (person id → when it is
        due); rows that exist already are left alone. Returns how many rows were added."""
        async with self._db.transaction() as session:
            return await enqueue_in(session, self._db.is_sqlite, kind, payload_key, due_at)

    async def withdraw(self, payload_key: str) -> int:
        """Mark every message about `payload_key` still waiting (pending) as skipped: what it
        was about is over. Rows a sender holds are left to it; it asks before each send
        whether the message is still wanted. Returns how many were withdrawn."""
        async with self._db.transaction() as session:
            result = await session.execute(
                update(OutboxRow)
                .where(
                    OutboxRow.payload_key == payload_key,
                    OutboxRow.status == OutboxStatus.PENDING,
                )
                .values(status=OutboxStatus.SKIPPED.value, error="withdrawn")
            )
            return int(getattr(result, "rowcount", 0))

    async def claim_due(
        self, now: datetime, limit: int, lease: timedelta = DEFAULT_LEASE
    ) -> list[OutboxItem]:
        """Mark up to `limit` due rows `sending` under a `lease` and return them, oldest due
        first.

        One statement, WITH picked AS (SELECT … LIMIT n) UPDATE … RETURNING: atomic on SQLite,
        and on PostgreSQL the pick takes FOR UPDATE SKIP LOCKED, so concurrent senders each get
        different rows without waiting for one another."""
        wanted = (
            select(OutboxRow.id)
            .where(OutboxRow.status == OutboxStatus.PENDING, OutboxRow.due_at <= now)
            .order_by(OutboxRow.due_at, OutboxRow.id)
            .limit(limit)
        )
        return await self._take(wanted, now, lease)

    async def take_stale(
        self, now: datetime, limit: int, lease: timedelta = DEFAULT_LEASE
    ) -> list[OutboxItem]:
        """Take over `sending` rows whose lease has lapsed by `now`: their sender died. They
        stay `sending`, now under this caller's `lease`, until it reconciles them. A claim from
        before leases were written down lapses DEFAULT_LEASE after it was last renewed."""
        lapsed = or_(
            OutboxRow.lease_until < now,
            and_(OutboxRow.lease_until.is_(None), OutboxRow.claimed_at < now - DEFAULT_LEASE),
        )
        wanted = (
            select(OutboxRow.id)
            .where(OutboxRow.status == OutboxStatus.SENDING, lapsed)
            .order_by(OutboxRow.claimed_at, OutboxRow.id)
            .limit(limit)
        )
        return await self._take(wanted, now, lease, from_status=OutboxStatus.SENDING)

    async def renew(
        self, ids: Iterable[int], now: datetime, lease: timedelta = DEFAULT_LEASE
    ) -> None:
        """Extend the leases of rows this sender still holds to `now + lease`."""
        held = list(ids)
        if not held:
            return
        async with self._db.transaction() as session:
            await session.execute(
                update(OutboxRow)
                .where(OutboxRow.id.in_(held), OutboxRow.status == OutboxStatus.SENDING)
                .values(claimed_at=now, lease_until=now + lease)
            )

    async def settle(self, outcomes: Sequence[Outcome]) -> None:
        """Record a batch of results in one transaction, one statement per kind of result.

        Only `sending` rows change, except that a delivery is always recorded: the message went
        out, whatever another sender concluded meanwhile."""
        delivered = [o for o in outcomes if isinstance(o, Delivered)]
        retries = [o for o in outcomes if isinstance(o, Retry)]
        settled = [o for o in outcomes if isinstance(o, Settled)]
        table = cast(Table, OutboxRow.__table__)
        async with self._db.transaction() as session:
            if delivered:
                await session.execute(
                    update(table)
                    .where(table.c.id == bindparam("b_id"))
                    .values(
                        status=OutboxStatus.SENT.value,
                        sent_at=bindparam("b_sent_at"),
                        platform=bindparam("b_platform"),
                        message_id=bindparam("b_message_id"),
                        handle=bindparam("b_handle"),
                        error=None,
                    ),
                    [
                        {
                            "b_id": d.id,
                            "b_sent_at": d.sent_at,
                            "b_platform": d.platform,
                            "b_message_id": d.message_id,
                            "b_handle": dict(d.handle),
                        }
                        for d in delivered
                    ],
                )
            if retries:
                await session.execute(
                    update(table)
                    .where(
                        table.c.id == bindparam("b_id"),
                        table.c.status == OutboxStatus.SENDING.value,
                    )
                    .values(
                        status=OutboxStatus.PENDING.value,
                        due_at=bindparam("b_due_at"),
                        error=bindparam("b_error"),
                        attempts=table.c.attempts + bindparam("b_attempted"),
                        claimed_at=None,
                        lease_until=None,
                    ),
                    [
                        {
                            "b_id": r.id,
                            "b_due_at": r.due_at,
                            "b_error": _clip(r.error),
                            "b_attempted": int(r.attempted),
                        }
                        for r in retries
                    ],
                )
            if settled:
                await session.execute(
                    update(table)
                    .where(
                        table.c.id == bindparam("b_id"),
                        table.c.status == OutboxStatus.SENDING.value,
                    )
                    .values(
                        status=bindparam("b_status"),
                        error=bindparam("b_error"),
                        attempts=table.c.attempts + bindparam("b_attempted"),
                    ),
                    [
                        {
                            "b_id": s.id,
                            "b_status": s.status.value,
                            "b_error": _clip(s.error),
                            "b_attempted": int(s.attempted),
                        }
                        for s in settled
                    ],
                )

    async def progress(self, payload_key: str) -> OutboxProgress:
        async with self._db.transaction() as session:
            rows = await session.execute(
                select(OutboxRow.status, func.count())
                .where(OutboxRow.payload_key == payload_key)
                .group_by(OutboxRow.status)
            )
            counts = {status: int(n) for status, n in rows.all()}
        return OutboxProgress(
            payload_key=payload_key,
            **{s.value: counts.get(s.value, 0) for s in OutboxStatus},
        )

    async def count_open(self, now: datetime) -> int:
        """Rows still to do at `now`: pending and due, or claimed by some sender."""
        condition = or_(
            and_(OutboxRow.status == OutboxStatus.PENDING, OutboxRow.due_at <= now),
            OutboxRow.status == OutboxStatus.SENDING,
        )
        async with self._db.transaction() as session:
            return int(await session.scalar(select(func.count(OutboxRow.id)).where(condition)) or 0)

    async def recipients(self, person_ids: Iterable[int]) -> dict[int, Recipient]:
        """These people with their time zones, locales and platform identities, in one query:
        a sender routes and renders a whole batch at once instead of reading people once per
        message. Every id asked for has an entry; someone not found has no identity."""
        wanted = sorted(set(person_ids))
        if not wanted:
            return {}
        people: dict[int, tuple[str | None, str | None, str | None]] = {}
        identities: dict[int, list[Identity]] = {person_id: [] for person_id in wanted}
        async with self._db.transaction() as session:
            rows = await session.execute(
                select(
                    PersonRow.id,
                    PersonRow.timezone,
                    PersonRow.locale,
                    PersonRow.language,
                    IdentityRow.id,
                    IdentityRow.platform,
                    IdentityRow.tenant,
                    IdentityRow.user_id,
                    IdentityRow.unreachable_at,
                )
                .outerjoin(IdentityRow, IdentityRow.person_id == PersonRow.id)
                .where(PersonRow.id.in_(wanted))
                .order_by(PersonRow.id, IdentityRow.id)
            )
            for row in rows:
                person_id, timezone, locale, language, identity_id = row[:5]
                platform, tenant, user_id, gone = row[5:]
                people[person_id] = (timezone, locale, language)
                if identity_id is not None:
                    identities[person_id].append(
                        Identity(identity_id, person_id, platform, tenant, user_id, gone is None)
                    )
        recipients = {}
        for person_id, found in identities.items():
            timezone, locale, language = people.get(person_id, (None, None, None))
            recipients[person_id] = Recipient(
                person_id, timezone, locale, tuple(found), language=language
            )
        return recipients

    async def addressed(self, payload_key: str, kind: str, person_id: int) -> bool:
        """Whether `person_id` was queued a `kind` message about `payload_key`: how a button
        on a message sent to many is checked against the person pressing it."""
        async with self._db.transaction() as session:
            found = await session.scalar(
                select(OutboxRow.id).where(
                    OutboxRow.payload_key == payload_key,
                    OutboxRow.kind == kind,
                    OutboxRow.person_id == person_id,
                )
            )
            return found is not None

    async def people_with(self, payload_key: str, kind: str, status: OutboxStatus) -> list[int]:
        """Who has a `kind` message about `payload_key` in `status` (the failed, to resend)."""
        async with self._db.transaction() as session:
            rows = await session.scalars(
                select(OutboxRow.person_id)
                .where(
                    OutboxRow.payload_key == payload_key,
                    OutboxRow.kind == kind,
                    OutboxRow.status == status,
                )
                .order_by(OutboxRow.person_id)
            )
            return list(rows)

    async def requeue_failed(
        self, payload_key: str, kind: str, due_at: Mapping[int, datetime]
    ) -> int:
        """Put these people's failed `kind` messages about `payload_key` back to pending, due
        at `due_at[person]`, with their attempts counted afresh. A conditional write: only rows
        still `failed` change, so of two resends at once, each row goes back once. Returns how
        many went back."""
        by_due: dict[datetime, list[int]] = {}
        for person_id, due in due_at.items():
            by_due.setdefault(due, []).append(person_id)
        back = 0
        async with self._db.transaction() as session:
            # One statement per due time (people in one time zone share one), so the count
            # of rows changed is each statement's own, on every backend.
            for due, people in by_due.items():
                for start in range(0, len(people), _INSERT_CHUNK):
                    result = await session.execute(
                        update(OutboxRow)
                        .where(
                            OutboxRow.payload_key == payload_key,
                            OutboxRow.kind == kind,
                            OutboxRow.person_id.in_(people[start : start + _INSERT_CHUNK]),
                            OutboxRow.status == OutboxStatus.FAILED,
                        )
                        .values(
                            status=OutboxStatus.PENDING.value,
                            due_at=due,
                            attempts=0,
                            error=None,
                            claimed_at=None,
                            lease_until=None,
                        )
                    )
                    back += int(getattr(result, "rowcount", 0))
        return back

    async def items(self, payload_key: str, *, kind: str | None = None) -> list[OutboxItem]:
        query = select(OutboxRow).where(OutboxRow.payload_key == payload_key)
        if kind is not None:
            query = query.where(OutboxRow.kind == kind)
        async with self._db.transaction() as session:
            rows = await session.scalars(query.order_by(OutboxRow.id))
            return [_item(row) for row in rows]

    async def _take(
        self,
        wanted: Select[int],
        now: datetime,
        lease: timedelta,
        from_status: OutboxStatus = OutboxStatus.PENDING,
    ) -> list[OutboxItem]:
        if not self._db.is_sqlite:
            wanted = wanted.with_for_update(skip_locked=True)
        # MATERIALIZED: the pick runs once. As a plain sub-select PostgreSQL may run it again
        # for each row it updates, and with SKIP LOCKED each run finds other rows.
        picked = wanted.cte("picked").prefix_with("MATERIALIZED")
        statement = (
            update(OutboxRow)
            .where(OutboxRow.id.in_(select(picked.c.id)), OutboxRow.status == from_status)
            .values(status=OutboxStatus.SENDING.value, claimed_at=now, lease_until=now + lease)
            .returning(OutboxRow)
        )
        async with self._db.transaction() as session:
            rows = (await session.scalars(statement)).all()
            items = [_item(row) for row in rows]
        return sorted(items, key=lambda item: (item.due_at, item.id))


async def enqueue_in(
    session: AsyncSession,
    is_sqlite: bool,
    kind: str,
    payload_key: str,
    due_at: Mapping[int, datetime],
) -> int:
    """`OutboxRepository.enqueue` inside a transaction the caller holds: for a change whose
    messages must be queued with it or not at all (a crash between the two would lose them)."""
    rows = [
        {
            "kind": kind,
            "payload_key": payload_key,
            "person_id": person_id,
            "status": OutboxStatus.PENDING.value,
            "due_at": due,
            "attempts": 0,
        }
        for person_id, due in due_at.items()
    ]
    insert = sqlite.insert if is_sqlite else postgresql.insert
    added = 0
    for start in range(0, len(rows), _INSERT_CHUNK):
        statement = (
            insert(OutboxRow)
            .values(rows[start : start + _INSERT_CHUNK])
            .on_conflict_do_nothing(index_elements=["payload_key", "kind", "person_id"])
        )
        result = await session.execute(statement)
        added += int(getattr(result, "rowcount", 0))
    return added


def _clip(error: str | None) -> str | None:
    return None if error is None else error[:200]


def _item(row: OutboxRow) -> OutboxItem:
    return OutboxItem(
        id=row.id,
        kind=row.kind,
        payload_key=row.payload_key,
        person_id=row.person_id,
        status=row.status,
        due_at=row.due_at,
        attempts=row.attempts,
        claimed_at=row.claimed_at,
        sent_at=row.sent_at,
        platform=row.platform,
        message_id=row.message_id,
        handle=row.handle,
        error=row.error,
    )
