"""The sender's side of the outbox: claiming due rows in batches, holding them under a lease, and
settling them with what the platform said.

pending → sending (claimed, with `claimed_at` as the claim's lease) → sent | failed | blocked |
skipped. A live sender renews the leases of the rows it holds; a claim whose lease ran out belongs
to a sender that died, and another sender takes it over and asks the platform whether the message
went out before sending it again.

Writes are batched (one statement per state change for a whole batch) so that a fan-out of
hundreds of messages a second spends little of its time in the database, SQLite included.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Select, Table, and_, bindparam, func, or_, select, update

from storage.db import Database
from storage.models import IdentityRow, OutboxRow, PersonRow
from storage.outbox_items import FINAL_STATUSES, OutboxItem, OutboxStatus, Recipient, outbox_item
from storage.people import Identity

# How long a claim lasts when its sender does not say: a sender sets its own from how long its
# sends take (see `bot.delivery`).
DEFAULT_LEASE = timedelta(seconds=10)


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


class OutboxClaims:
    """What a sender needs of the outbox. `storage.outbox.OutboxRepository` adds to it what the
    skills that queue messages need, and is what a sender is handed."""

    def __init__(self, db: Database) -> None:
        self._db = db

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
            items = [outbox_item(row) for row in rows]
        return sorted(items, key=lambda item: (item.due_at, item.id))


def _clip(error: str | None) -> str | None:
    return None if error is None else error[:200]
