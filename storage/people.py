"""People, their platform identities and their roles."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database, retry_on_conflict, retry_on_disconnect
from storage.models import IdentityRow, PersonRow, RoleGrantRow


@dataclass(frozen=True)
class Identity:
    id: int
    person_id: int
    platform: str
    tenant: str
    user_id: str
    reachable: bool = True
    left: bool = False  # a directory listed them once and no longer does


@dataclass(frozen=True)
class Person:
    id: int
    display_name: str
    roles: frozenset[str]
    email: str | None = None
    department: str | None = None
    unit: str | None = None
    timezone: str | None = None
    locale: str | None = None
    language: str | None = None  # chosen by the person; None: their platform locale's


@dataclass(frozen=True)
class Profile:
    """What a platform tells us about a person; `None` fields leave stored values alone."""

    platform: str
    tenant: str
    user_id: str
    display_name: str = ""
    email: str | None = None
    timezone: str | None = None
    locale: str | None = None
    department: str | None = None
    unit: str | None = None


@dataclass(frozen=True)
class Known:
    """Who is behind a platform identity, as remembered by this process: the person without
    roles (roles are never remembered), and the identity's id."""

    person: Person
    identity_id: int


# How long this process trusts what it remembers of a person (name, e-mail, department) that
# another replica may have changed since: a directory sync elsewhere shows here within this.
KNOWN_SECONDS = 60.0
KNOWN_LIMIT = 50_000  # people remembered at most; the oldest are forgotten first


class PeopleRepository:
    def __init__(self, db: Database, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._db = db
        self._clock = clock
        self._known: dict[tuple[str, str, str], tuple[float, Known]] = {}

    async def known(self, profile: Profile, *, seed_roles: Iterable[str] = ()) -> Known:
        """The person behind a platform identity, remembered for `KNOWN_SECONDS` after it was
        last read (`resolve` reads it, creating them on first contact), with no roles.

        What is remembered can be stale by that long when another replica changed it; here,
        every write that changes a person (`refresh`) forgets them at once. Roles are not
        remembered at all, so a revoked role can never be used from here: callers that need
        roles read them (`resolve`, `get`). A profile with details that differ from what is
        remembered is always stored."""
        key = (profile.platform, profile.tenant, profile.user_id)
        remembered = self._known.get(key)
        if remembered is not None:
            read_at, known = remembered
            fresh = self._clock() - read_at < KNOWN_SECONDS
            if fresh and not _would_change(profile, known.person):
                return known
        person, identity_id = await self._read(profile, set(seed_roles))
        return self._remember(key, person, identity_id)

    async def _read(self, profile: Profile, seed_roles: set[str]) -> tuple[Person, int]:
        """`_resolve`, again when it met another writer, or when its connection had been
        dropped (no ping before each use): it is a get-or-create, so a second run after a
        commit that did happen finds what the first one made."""
        return await retry_on_disconnect(
            lambda: retry_on_conflict(lambda: self._resolve(profile, seed_roles))
        )

    def _remember(self, key: tuple[str, str, str], person: Person, identity_id: int) -> Known:
        known = Known(replace(person, roles=frozenset()), identity_id)
        self._known.pop(key, None)
        while len(self._known) >= KNOWN_LIMIT:
            del self._known[next(iter(self._known))]
        self._known[key] = (self._clock(), known)
        return known

    def _forget(self, keys: Iterable[tuple[str, str, str]]) -> None:
        for key in keys:
            self._known.pop(key, None)

    async def resolve(self, profile: Profile, *, seed_roles: Iterable[str] = ()) -> Person:
        """The person behind a platform identity, created on first contact.

        Profile details refresh the stored ones, and `seed_roles` (from configuration) are
        granted if missing, so a configured HR user has the role from their first message.
        Hearing from someone makes them reachable again; someone a directory said had left is
        back, and known from their own messages until a directory lists them again.

        Two replicas meeting a newcomer at once both try to create them; the one that loses
        the race reads again and returns the person the other one made.
        """
        person, identity_id = await self._read(profile, set(seed_roles))
        self._remember((profile.platform, profile.tenant, profile.user_id), person, identity_id)
        return person

    async def _resolve(self, profile: Profile, seed_roles: set[str]) -> tuple[Person, int]:
        async with self._db.transaction() as session:
            identity = await session.scalar(
                select(IdentityRow).where(
                    IdentityRow.platform == profile.platform,
                    IdentityRow.tenant == profile.tenant,
                    IdentityRow.user_id == profile.user_id,
                )
            )
            if identity is None:
                person = PersonRow(display_name=profile.display_name or profile.user_id)
                session.add(person)
                await session.flush()
                identity = IdentityRow(
                    person_id=person.id,
                    platform=profile.platform,
                    tenant=profile.tenant,
                    user_id=profile.user_id,
                )
                session.add(identity)
            else:
                loaded = await session.get(PersonRow, identity.person_id)
                assert loaded is not None
                person = loaded
                identity.unreachable_at = None
                if identity.left_at is not None:
                    identity.left_at = identity.listed_at = None
            _apply_profile(person, profile)
            await session.flush()
            roles = await _roles(session, person.id)
            for role in seed_roles - roles:
                await self._grant(session, person.id, role, granted_by="config")
                roles.add(role)
            return _person(person, roles), identity.id

    async def refresh(
        self, profiles: Iterable[Profile], *, listed_at: datetime | None = None
    ) -> int:
        """Store what a directory says about people, creating those not met yet, in one
        transaction of a few statements, and record that a directory listed them at
        `listed_at` (now by default): someone marked as left is back. A directory is not
        contact: unreachable identities stay unreachable until the person is heard from."""
        wanted = {(p.platform, p.tenant, p.user_id): p for p in profiles}
        if not wanted:
            return 0
        listed = listed_at or datetime.now(UTC)
        # Someone's first message may create them between our read and our write: once more,
        # and they are among the known.
        await retry_on_conflict(lambda: self._refresh(dict(wanted), listed), attempts=2)
        self._forget(wanted)  # after the commit: a read racing the write is forgotten too
        return len(wanted)

    async def _refresh(
        self, wanted: dict[tuple[str, str, str], Profile], listed_at: datetime
    ) -> None:
        async with self._db.transaction() as session:
            known = await session.execute(
                select(IdentityRow, PersonRow)
                .join(PersonRow, PersonRow.id == IdentityRow.person_id)
                .where(IdentityRow.user_id.in_([user_id for _, _, user_id in wanted]))
            )
            for identity, person in known:
                key = (identity.platform, identity.tenant, identity.user_id)
                profile = wanted.pop(key, None)
                if profile is not None:
                    _apply_profile(person, profile)
                    identity.listed_at, identity.left_at = listed_at, None
            newcomers = [(PersonRow(display_name=p.user_id), p) for p in wanted.values()]
            for person, profile in newcomers:
                _apply_profile(person, profile)
            session.add_all(person for person, _ in newcomers)
            await session.flush()  # one INSERT of every newcomer, for their ids
            for person, profile in newcomers:
                session.add(
                    IdentityRow(
                        person_id=person.id,
                        platform=profile.platform,
                        tenant=profile.tenant,
                        user_id=profile.user_id,
                        listed_at=listed_at,
                    )
                )

    async def mark_left(self, platform: str, tenant: str, *, listed_before: datetime) -> int:
        """After a complete read of a tenant's directory that began at `listed_before`: the
        identities it listed once and not this time have left, and leave "everyone",
        department and unit audiences. Returns how many were marked now; someone no directory
        ever listed is never marked."""
        async with self._db.transaction() as session:
            result = await session.execute(
                update(IdentityRow)
                .where(
                    IdentityRow.platform == platform,
                    IdentityRow.tenant == tenant,
                    IdentityRow.listed_at < listed_before,
                    IdentityRow.left_at.is_(None),
                )
                .values(left_at=datetime.now(UTC))
            )
            return int(getattr(result, "rowcount", 0))

    async def mark_deactivated(self, platform: str, tenant: str, user_ids: Iterable[str]) -> int:
        """Identities whose accounts the platform deactivated become unreachable, so survey
        audiences skip them; returns how many were reachable until now."""
        wanted = list(user_ids)
        if not wanted:
            return 0
        async with self._db.transaction() as session:
            result = await session.execute(
                update(IdentityRow)
                .where(
                    IdentityRow.platform == platform,
                    IdentityRow.tenant == tenant,
                    IdentityRow.user_id.in_(wanted),
                    IdentityRow.unreachable_at.is_(None),
                )
                .values(unreachable_at=datetime.now(UTC))
            )
            return int(getattr(result, "rowcount", 0))

    async def get(self, person_id: int) -> Person | None:
        async with self._db.transaction() as session:
            row = await session.get(PersonRow, person_id)
            if row is None:
                return None
            return _person(row, await _roles(session, person_id))

    async def set_language(self, person_id: int, language: str | None) -> bool:
        """Store the language a person chose (`None`: follow their platform's locale); whether
        that changed it. What this process remembers of them is forgotten at once."""
        async with self._db.transaction() as session:
            result = await session.execute(
                update(PersonRow)
                .where(PersonRow.id == person_id, PersonRow.language.is_distinct_from(language))
                .values(language=language)
            )
        self._forget(
            [key for key, (_, known) in self._known.items() if known.person.id == person_id]
        )
        return bool(getattr(result, "rowcount", 0))

    async def identities(self, person_id: int) -> list[Identity]:
        async with self._db.transaction() as session:
            rows = await session.scalars(
                select(IdentityRow)
                .where(IdentityRow.person_id == person_id)
                .order_by(IdentityRow.id)
            )
            return [_identity(row) for row in rows]

    async def timezones(self, person_ids: Iterable[int]) -> dict[int, str | None]:
        async with self._db.transaction() as session:
            rows = await session.execute(
                select(PersonRow.id, PersonRow.timezone).where(PersonRow.id.in_(list(person_ids)))
            )
            return {person_id: tz for person_id, tz in rows.all()}

    async def find_identity(self, platform: str, user_id: str) -> Identity | None:
        async with self._db.transaction() as session:
            row = await session.scalar(
                select(IdentityRow)
                .where(IdentityRow.platform == platform, IdentityRow.user_id == user_id)
                .limit(1)
            )
            return None if row is None else _identity(row)

    async def mark_unreachable(self, identity_id: int) -> None:
        async with self._db.transaction() as session:
            await session.execute(
                update(IdentityRow)
                .where(IdentityRow.id == identity_id)
                .values(unreachable_at=datetime.now(UTC))
            )

    async def grant(self, person_id: int, role: str, *, granted_by: str) -> bool:
        """Grant a role; False when the person already had it (granted just now elsewhere
        included)."""
        async with self._db.transaction() as session:
            return await self._grant(session, person_id, role, granted_by=granted_by)

    async def _grant(
        self, session: AsyncSession, person_id: int, role: str, *, granted_by: str
    ) -> bool:
        added = await session.execute(
            self._db.insert(RoleGrantRow)
            .values(person_id=person_id, role=role, granted_by=granted_by)
            .on_conflict_do_nothing(index_elements=["person_id", "role"])
        )
        return bool(getattr(added, "rowcount", 0))

    async def revoke(self, person_id: int, role: str) -> bool:
        async with self._db.transaction() as session:
            result = await session.execute(
                delete(RoleGrantRow).where(
                    RoleGrantRow.person_id == person_id, RoleGrantRow.role == role
                )
            )
            return bool(getattr(result, "rowcount", 0))


def _would_change(profile: Profile, person: Person) -> bool:
    """True when storing `profile` would change what is stored of `person`."""
    if profile.display_name and profile.display_name != person.display_name:
        return True
    return any(
        getattr(profile, name) not in (None, getattr(person, name))
        for name in ("email", "timezone", "locale", "department", "unit")
    )


def _apply_profile(person: PersonRow, profile: Profile) -> None:
    if profile.display_name:
        person.display_name = profile.display_name
    for name in ("email", "timezone", "locale", "department", "unit"):
        value = getattr(profile, name)
        if value is not None:
            setattr(person, name, value)


async def _roles(session: AsyncSession, person_id: int) -> set[str]:
    rows = await session.scalars(
        select(RoleGrantRow.role).where(RoleGrantRow.person_id == person_id)
    )
    return set(rows)


def _person(row: PersonRow, roles: Iterable[str]) -> Person:
    return Person(
        id=row.id,
        display_name=row.display_name,
        roles=frozenset(roles),
        email=row.email,
        department=row.department,
        unit=row.unit,
        timezone=row.timezone,
        locale=row.locale,
        language=row.language,
    )


def _identity(row: IdentityRow) -> Identity:
    return Identity(
        id=row.id,
        person_id=row.person_id,
        platform=row.platform,
        tenant=row.tenant,
        user_id=row.user_id,
        reachable=row.unreachable_at is None,
        left=row.left_at is not None,
    )
