"""What the people directory stores, on SQLite and PostgreSQL: who a directory listed, who has
left and what brings them back, roster hints with their expiry, and the migration that moved
the hints out of the conversation references."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from alembic import command
from sqlalchemy import select

from bot.directory import HINT_LIFETIME, Directories, DirectoryUnavailable, Listing
from storage.conversations import ConversationStore
from storage.db import Database
from storage.migrate import alembic_config, upgrade
from storage.models import RosterHintRow
from storage.people import Identity, PeopleRepository, Profile
from storage.roster_hints import RosterHints
from storage.surveys import SurveyRepository

HINT = {"teams_id": "29:porter", "service_url": "https://smba.example/", "tenant": "T1"}


def teams(user_id: str, tenant: str = "T1") -> Profile:
    return Profile(platform="teams", tenant=tenant, user_id=user_id, display_name=user_id)


class Listed:
    """A directory that lists what a test says, and fails part-way when told to."""

    platform = "teams"

    def __init__(self, *batches: list[Profile], fail_after: int | None = None) -> None:
        self.batches = batches
        self.fail_after = fail_after

    async def read(self) -> AsyncIterator[Listing]:
        for n, batch in enumerate(self.batches):
            if n == self.fail_after:
                raise DirectoryUnavailable("the connector went away")
            yield Listing(people=batch, hints={p.user_id: HINT for p in batch})


@pytest.fixture
def people(database: Database) -> PeopleRepository:
    return PeopleRepository(database)


@pytest.fixture
def directories(database: Database, people: PeopleRepository) -> Directories:
    return Directories(people, RosterHints(database))


async def identity(people: PeopleRepository, user_id: str) -> Identity:
    found = await people.find_identity("teams", user_id)
    assert found is not None
    return found


async def everyone(database: Database) -> set[str]:
    """The user ids of a survey's "everyone" audience."""
    people = PeopleRepository(database)
    audience = await SurveyRepository(database).audience(platforms=("teams",))
    return {(await people.identities(r.person_id))[0].user_id for r in audience}


# --- who has left -------------------------------------------------------------------------------


async def test_a_complete_read_marks_who_it_no_longer_lists(
    database: Database, people: PeopleRepository, directories: Directories
) -> None:
    await people.resolve(teams("wrote-only"))  # known only from their own messages
    await directories.sync(Listed([teams("ana"), teams("ben")], [teams("cy"), teams("di", "T2")]))

    report = await directories.sync(Listed([teams("ana")], [teams("cy")]))

    assert (report.tenants, report.people, report.left, report.batches) == (("T1",), 2, 1, 2)
    assert (await identity(people, "ben")).left
    assert not (await identity(people, "wrote-only")).left, "no directory ever listed them"
    assert not (await identity(people, "di")).left, "T2 was not read this time"
    assert await everyone(database) == {"ana", "cy", "di", "wrote-only"}
    # A channel's roster, read just now, lists them: its survey reaches them.
    surveys = SurveyRepository(database)
    channel = await surveys.audience(user_ids=[("teams", "ben")], platforms=("teams",))
    assert [r.person_id for r in channel] == [(await identity(people, "ben")).person_id]
    assert (await directories.sync(Listed([teams("ana")], [teams("cy")]))).left == 0


async def test_an_incomplete_read_marks_nobody(
    database: Database, people: PeopleRepository, directories: Directories
) -> None:
    await directories.sync(Listed([teams("ana"), teams("ben")]))
    with pytest.raises(DirectoryUnavailable):
        await directories.sync(Listed([teams("ana", "T1")], [teams("zed")], fail_after=1))
    assert not (await identity(people, "ben")).left
    assert await everyone(database) == {"ana", "ben"}


async def test_a_read_that_lists_nobody_marks_nobody(
    people: PeopleRepository, directories: Directories
) -> None:
    """An empty directory looks like a broken one: nobody is marked on its word."""
    await directories.sync(Listed([teams("ana")]))
    report = await directories.sync(Listed([]))
    assert (report.tenants, report.left) == ((), 0)
    assert not (await identity(people, "ana")).left


async def test_writing_to_the_bot_brings_someone_back_for_good(
    database: Database, people: PeopleRepository, directories: Directories
) -> None:
    await directories.sync(Listed([teams("ana"), teams("ben")]))
    await directories.sync(Listed([teams("ana")]))
    assert (await identity(people, "ben")).left

    await people.resolve(teams("ben"))
    assert not (await identity(people, "ben")).left
    # Known from their own messages now: a directory that does not list them says nothing.
    await directories.sync(Listed([teams("ana")]))
    assert await everyone(database) == {"ana", "ben"}
    # Listed again, and then not: they have left again.
    await directories.sync(Listed([teams("ana"), teams("ben")]))
    await directories.sync(Listed([teams("ana")]))
    assert (await identity(people, "ben")).left


async def test_listing_again_brings_back_but_is_not_contact(
    people: PeopleRepository, directories: Directories
) -> None:
    await directories.sync(Listed([teams("ana"), teams("ben")]))
    await people.mark_unreachable((await identity(people, "ben")).id)
    await directories.sync(Listed([teams("ana")]))
    await directories.sync(Listed([teams("ana"), teams("ben")]))
    ben = await identity(people, "ben")
    assert not ben.left
    assert not ben.reachable, "only hearing from them clears a refusal"


async def test_a_partial_store_refreshes_and_marks_nobody(
    people: PeopleRepository, directories: Directories
) -> None:
    """A roster read when the bot joins a team is not the whole directory."""
    await directories.sync(Listed([teams("ana"), teams("ben")]))
    report = await directories.store("teams", Listed([teams("cy")]).read())
    assert (report.people, report.left) == (1, 0)
    assert not (await identity(people, "ben")).left
    # Listed by a roster once: a full read that no longer lists them says they left.
    await directories.sync(Listed([teams("ana"), teams("ben")]))
    assert (await identity(people, "cy")).left


# --- roster hints -------------------------------------------------------------------------------


async def test_a_sync_renews_the_hints_of_everyone_it_lists(
    database: Database, directories: Directories
) -> None:
    hints = RosterHints(database)
    await hints.save("teams", {"ana": {"old": True}}, expires_at=datetime.now(UTC))
    before = datetime.now(UTC)
    await directories.sync(Listed([teams("ana"), teams("ben")]))

    assert await hints.load("teams", "ana") == HINT
    assert await hints.load("teams", "ben") == HINT
    assert await hints.load("slack", "ana") is None
    for expires_at in await _expiries(database):
        assert before + HINT_LIFETIME <= expires_at <= datetime.now(UTC) + HINT_LIFETIME


async def test_expired_hints_are_not_used_and_are_deleted(database: Database) -> None:
    hints = RosterHints(database)
    now = datetime.now(UTC)
    await hints.save("teams", {"gone": HINT}, expires_at=now - timedelta(seconds=1))
    await hints.save("teams", {"here": HINT}, expires_at=now + timedelta(days=1))
    assert await hints.load("teams", "gone") is None
    assert await hints.load("teams", "here") == HINT
    assert await hints.forget_expired() == 1
    assert await hints.forget_expired() == 0
    assert len(await _expiries(database)) == 1


async def test_hints_saved_at_once_by_two_replicas_are_all_kept(database: Database) -> None:
    """A roster read after an install can race the nightly sync on another replica."""
    stores = [RosterHints(database), RosterHints(database)]
    later = datetime.now(UTC) + timedelta(days=1)
    batch = {f"p{n}": {**HINT, "n": n} for n in range(50)}
    await asyncio.gather(*(store.save("teams", batch, expires_at=later) for store in stores))
    assert len(await _expiries(database)) == 50
    assert await stores[0].load("teams", "p7") == {**HINT, "n": 7}


# --- migration ----------------------------------------------------------------------------------


async def test_the_migration_moves_roster_hints_out_of_the_references(database: Database) -> None:
    references, hints = ConversationStore(database), RosterHints(database)
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    await hints.save("teams", {"aad-porter": HINT}, expires_at=tomorrow)
    await _downgrade(database, "0007")  # to the revision before the directory's
    assert await references.load("teams", "member:aad-porter") == HINT

    await references.save("teams", "member:aad-nurse", {**HINT, "teams_id": "29:nurse"})
    await references.save("teams", "aad-nurse", {"conversation": {"id": "a:1"}})
    await upgrade(database)

    assert await references.addresses("teams") == ["aad-nurse"]
    assert await hints.load("teams", "aad-porter") == HINT
    assert await hints.load("teams", "aad-nurse") == {**HINT, "teams_id": "29:nurse"}
    for expires_at in await _expiries(database):
        assert expires_at > datetime.now(UTC) + HINT_LIFETIME - timedelta(minutes=1)


async def _downgrade(database: Database, revision: str) -> None:
    config = alembic_config(database.url)

    def run(connection: Any) -> None:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)

    async with database.engine.begin() as conn:
        await conn.run_sync(run)


async def _expiries(database: Database) -> list[datetime]:
    async with database.transaction() as session:
        return list(await session.scalars(select(RosterHintRow.expires_at)))
