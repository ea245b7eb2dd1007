"""Exactly once, made by the database: the same write sent several times at once (a double click,
two replicas, a newcomer's first two events) takes effect once, and each caller can tell "done
now" from "done already". On SQLite and, with BREAKROOM_TEST_DATABASE_URL, PostgreSQL; each
race runs its writers side by side on connections of their own."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any, TypeVar

import pytest
from sqlalchemy import func, select

from storage.conversations import ConversationStore
from storage.db import Conflict, Database, retry_on_conflict
from storage.models import (
    ConversationRefRow,
    IdentityRow,
    PersonRow,
)
from storage.people import PeopleRepository, Profile

T = TypeVar("T")
AT_ONCE = 6


async def at_once(*work: Awaitable[T]) -> list[T]:
    return list(await asyncio.gather(*work))


async def count(database: Database, statement: Any) -> int:
    async with database.transaction() as session:
        return int(await session.scalar(statement) or 0)


async def people(database: Database, count: int, prefix: str = "U") -> list[int]:
    repository = PeopleRepository(database)
    return [
        (await repository.resolve(Profile("slack", "T1", f"{prefix}{n}"))).id for n in range(count)
    ]


# -- first contact -------------------------------------------------------------------------------


async def test_a_newcomer_met_on_several_replicas_at_once_is_one_person(
    database: Database,
) -> None:
    repository = PeopleRepository(database)
    newcomer = Profile("slack", "T1", "UNEW", display_name="Ana")
    met = await at_once(*(repository.resolve(newcomer, seed_roles=["hr"]) for _ in range(AT_ONCE)))
    assert len({person.id for person in met}) == 1
    assert all(person.roles == frozenset({"hr"}) for person in met)
    assert await count(database, select(func.count()).select_from(PersonRow)) == 1
    assert await count(database, select(func.count()).select_from(IdentityRow)) == 1


async def test_a_role_granted_twice_at_once_is_granted_once(database: Database) -> None:
    [person] = await people(database, 1)
    repository = PeopleRepository(database)
    granted = await at_once(
        *(repository.grant(person, "leader", granted_by="admin") for _ in range(AT_ONCE))
    )
    assert sorted(granted) == [False] * (AT_ONCE - 1) + [True]


async def test_a_conversation_first_seen_twice_at_once_is_stored_once(database: Database) -> None:
    store = ConversationStore(database)
    await at_once(
        *(store.save("teams", "aad-1", {"conversation": {"id": f"a:{n}"}}) for n in range(AT_ONCE))
    )
    assert await count(database, select(func.count()).select_from(ConversationRefRow)) == 1
    assert await store.load("teams", "aad-1") is not None


async def test_get_or_create_gives_up_after_repeated_conflicts() -> None:
    tries: list[int] = []

    async def always_taken() -> None:
        tries.append(1)
        raise Conflict("IntegrityError")

    with pytest.raises(Conflict):
        await retry_on_conflict(always_taken)
    assert len(tries) == 3
