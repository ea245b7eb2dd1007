"""Repositories and migrations, on SQLite and (with BREAKROOM_TEST_DATABASE_URL) PostgreSQL."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, select, text, update

from storage.audit import AuditLog
from storage.conversations import ConversationStore
from storage.db import Database, StorageUnavailable
from storage.held_files import HeldFiles
from storage.migrate import Schema, SchemaState, schema, upgrade
from storage.models import Base, HeldFileRow, PersonRow, ProcessedEventRow, RoleGrantRow
from storage.people import PeopleRepository, Profile
from storage.processed import ProcessedEvents

UNREACHABLE_URL = "postgresql+asyncpg://postgres@127.0.0.1:1/nothing"


def slack(user_id: str = "U1", tenant: str = "T1", **fields: Any) -> Profile:
    return Profile(platform="slack", tenant=tenant, user_id=user_id, **fields)


async def count(database: Database, column: Any) -> int:
    async with database.transaction() as session:
        return int(await session.scalar(select(func.count(column))) or 0)


# --- people -------------------------------------------------------------------------------------


async def test_first_contact_creates_person_and_identity(database: Database) -> None:
    people = PeopleRepository(database)
    person = await people.resolve(slack(display_name="Ana Ruiz", timezone="America/Chicago"))
    assert person.display_name == "Ana Ruiz"
    assert person.timezone == "America/Chicago"
    assert person.roles == frozenset()
    [identity] = await people.identities(person.id)
    assert (identity.person_id, identity.platform, identity.tenant, identity.user_id) == (
        person.id,
        "slack",
        "T1",
        "U1",
    )
    assert identity.reachable
    assert await people.get(person.id) == person


async def test_same_identity_resolves_to_the_same_person(database: Database) -> None:
    people = PeopleRepository(database)
    first = await people.resolve(slack(display_name="Ana"))
    again = await people.resolve(slack(display_name="Ana"))
    assert again.id == first.id
    assert len(await people.identities(first.id)) == 1
    assert await count(database, PersonRow.id) == 1


async def test_other_tenant_or_platform_is_another_person(database: Database) -> None:
    people = PeopleRepository(database)
    a = await people.resolve(slack("U1", "T1"))
    b = await people.resolve(slack("U1", "T2"))
    c = await people.resolve(Profile(platform="teams", tenant="T1", user_id="U1"))
    assert len({a.id, b.id, c.id}) == 3


async def test_display_name_defaults_to_the_user_id(database: Database) -> None:
    person = await PeopleRepository(database).resolve(slack("U-nameless"))
    assert person.display_name == "U-nameless"


async def test_profile_refreshes_stored_details(database: Database) -> None:
    people = PeopleRepository(database)
    person = await people.resolve(slack(display_name="Ana", timezone="America/Chicago"))
    await people.resolve(
        slack(display_name="Ana Ruiz, RN", timezone="America/Denver", email="ana@example.org")
    )
    stored = await people.get(person.id)
    assert stored is not None
    assert (stored.display_name, stored.timezone, stored.email) == (
        "Ana Ruiz, RN",
        "America/Denver",
        "ana@example.org",
    )


async def test_missing_profile_fields_leave_stored_values_alone(database: Database) -> None:
    people = PeopleRepository(database)
    full = slack(
        display_name="Ana",
        email="ana@example.org",
        timezone="America/Chicago",
        locale="es-US",
        department="Nursing",
        unit="4 West",
    )
    person = await people.resolve(full)
    refreshed = await people.resolve(slack())  # a payload that carries no profile at all
    assert refreshed == person
    assert await people.get(person.id) == person


async def test_seed_roles_are_granted_once(database: Database) -> None:
    people = PeopleRepository(database)
    first = await people.resolve(slack(), seed_roles=["hr"])
    again = await people.resolve(slack(), seed_roles=["hr", "hr"])
    assert first.roles == again.roles == frozenset({"hr"})
    assert await count(database, RoleGrantRow.role) == 1
    async with database.transaction() as session:
        granted_by = await session.scalar(select(RoleGrantRow.granted_by))
    assert granted_by == "config"


async def test_seed_roles_add_to_existing_grants(database: Database) -> None:
    people = PeopleRepository(database)
    person = await people.resolve(slack())
    assert await people.grant(person.id, "leader", granted_by="admin:1")
    seeded = await people.resolve(slack(), seed_roles=["hr"])
    assert seeded.roles == frozenset({"leader", "hr"})


async def test_grant_and_revoke_report_whether_anything_changed(database: Database) -> None:
    people = PeopleRepository(database)
    person = await people.resolve(slack())
    assert await people.grant(person.id, "leader", granted_by="admin:1") is True
    assert await people.grant(person.id, "leader", granted_by="admin:1") is False
    assert await people.grant(person.id, "hr", granted_by="admin:1") is True
    after_grants = await people.get(person.id)
    assert after_grants is not None
    assert after_grants.roles == frozenset({"leader", "hr"})

    assert await people.revoke(person.id, "leader") is True
    assert await people.revoke(person.id, "leader") is False
    assert await people.revoke(person.id, "admin") is False
    after_revoke = await people.get(person.id)
    assert after_revoke is not None
    assert after_revoke.roles == frozenset({"hr"})


async def test_get_unknown_person(database: Database) -> None:
    assert await PeopleRepository(database).get(424242) is None


async def test_find_identity(database: Database) -> None:
    people = PeopleRepository(database)
    ana = await people.resolve(slack("U-ana"))
    await people.resolve(slack("U-ben"))
    found = await people.find_identity("slack", "U-ana")
    assert found is not None
    assert (found.person_id, found.user_id, found.tenant) == (ana.id, "U-ana", "T1")
    assert await people.find_identity("teams", "U-ana") is None
    assert await people.find_identity("slack", "U-nobody") is None


async def test_unreachable_until_the_person_writes_again(database: Database) -> None:
    people = PeopleRepository(database)
    ana = await people.resolve(slack("U-ana"))
    ben = await people.resolve(slack("U-ben"))
    identity = await people.find_identity("slack", "U-ana")
    assert identity is not None
    await people.mark_unreachable(identity.id)

    blocked = await people.find_identity("slack", "U-ana")
    assert blocked is not None
    assert not blocked.reachable
    assert [i.reachable for i in await people.identities(ana.id)] == [False]
    assert [i.reachable for i in await people.identities(ben.id)] == [True]

    await people.resolve(slack("U-ana"))  # Ana wrote to the bot again
    back = await people.find_identity("slack", "U-ana")
    assert back is not None
    assert back.reachable


async def test_directory_refresh_creates_updates_and_is_not_contact(database: Database) -> None:
    people = PeopleRepository(database)
    ana = await people.resolve(slack("U-ana", display_name="Ana", email="ana@h.example"))
    other_tenant = await people.resolve(slack("U-ben", tenant="T2", display_name="Ben (T2)"))
    identity = await people.find_identity("slack", "U-ana")
    assert identity is not None
    await people.mark_unreachable(identity.id)

    stored = await people.refresh(
        [
            slack("U-ana", timezone="America/Denver"),
            slack("U-ben", display_name="Ben", timezone="America/Chicago"),
            slack("U-cy"),
        ]
    )

    assert stored == 3
    refreshed = await people.get(ana.id)
    assert refreshed is not None
    assert (refreshed.display_name, refreshed.email, refreshed.timezone) == (
        "Ana",
        "ana@h.example",
        "America/Denver",
    )
    [still] = await people.identities(ana.id)
    assert not still.reachable, "a directory is not the person writing to the bot"
    ben_t1 = await people.find_identity("slack", "U-ben")
    assert ben_t1 is not None
    assert ben_t1.person_id != other_tenant.id, "the same user id in another tenant is another"
    ben = await people.get(ben_t1.person_id)
    assert ben is not None
    assert (ben.display_name, ben.timezone) == ("Ben", "America/Chicago")
    cy = await people.find_identity("slack", "U-cy")
    assert cy is not None
    assert (await people.get(cy.person_id)) == (await people.resolve(slack("U-cy")))
    assert await people.refresh([]) == 0


async def test_deactivated_accounts_become_unreachable_once(database: Database) -> None:
    people = PeopleRepository(database)
    ana = await people.resolve(slack("U-ana"))
    ana_elsewhere = await people.resolve(slack("U-ana", tenant="T2"))
    ben = await people.resolve(slack("U-ben"))

    assert await people.mark_deactivated("slack", "T1", ["U-ana", "U-nobody"]) == 1
    assert await people.mark_deactivated("slack", "T1", ["U-ana"]) == 0
    assert await people.mark_deactivated("slack", "T1", []) == 0
    reachable = [
        identity.reachable
        for person in (ana, ana_elsewhere, ben)
        for identity in await people.identities(person.id)
    ]
    assert reachable == [False, True, True]


# --- audit log ----------------------------------------------------------------------------------


async def test_audit_log_lists_newest_first(database: Database) -> None:
    actor = await PeopleRepository(database).resolve(slack())
    audit = AuditLog(database)
    await audit.record(actor.id, "roles.grant", "person:7", role="hr")
    await audit.record(actor.id, "pulse.results", "round:3", group="4 West")
    await audit.record(None, "ideas.status", "idea:9", status="accepted")

    entries = await audit.recent()
    assert [e.action for e in entries] == ["ideas.status", "pulse.results", "roles.grant"]
    newest, _, oldest = entries
    assert (newest.actor_person_id, newest.subject, newest.detail) == (
        None,
        "idea:9",
        {"status": "accepted"},
    )
    assert (oldest.actor_person_id, oldest.detail) == (actor.id, {"role": "hr"})
    assert [e.subject for e in await audit.recent(limit=2)] == ["idea:9", "round:3"]


async def test_audit_log_filters_by_action(database: Database) -> None:
    audit = AuditLog(database)
    for n in range(3):
        await audit.record(None, "roles.grant", f"person:{n}")
        await audit.record(None, "export", f"file:{n}")
    grants = await audit.recent(action="roles.grant")
    assert [e.subject for e in grants] == ["person:2", "person:1", "person:0"]
    assert [e.subject for e in await audit.recent(limit=1, action="export")] == ["file:2"]
    assert await audit.recent(action="nothing.like.this") == []


async def test_stored_times_come_back_as_aware_utc(database: Database) -> None:
    """Skills compare stored times with `Services.clock()`; SQLite used to return naive ones."""
    audit = AuditLog(database)
    await audit.record(None, "export")
    [entry] = await audit.recent()
    assert entry.at.utcoffset() == timedelta(0)
    assert abs(datetime.now(UTC) - entry.at) < timedelta(minutes=1)


# --- processed events ---------------------------------------------------------------------------


async def test_event_is_processed_once_per_platform(database: Database) -> None:
    events = ProcessedEvents(database)
    assert await events.first_time("slack", "Ev1") is True
    assert await events.first_time("slack", "Ev1") is False
    assert await events.first_time("teams", "Ev1") is True
    assert await events.first_time("slack", "Ev2") is True


async def test_concurrent_redeliveries_have_one_first_time(database: Database) -> None:
    events = ProcessedEvents(database)
    results = await asyncio.gather(*(events.first_time("slack", "Ev-retry") for _ in range(5)))
    assert sorted(results) == [False, False, False, False, True]


async def test_forget_older_than_drops_only_old_ids(database: Database) -> None:
    events = ProcessedEvents(database)
    assert await events.first_time("slack", "Ev-old")
    assert await events.first_time("slack", "Ev-new")
    async with database.transaction() as session:
        await session.execute(
            update(ProcessedEventRow)
            .where(ProcessedEventRow.event_id == "Ev-old")
            .values(seen_at=datetime.now(UTC) - timedelta(days=2))
        )
    assert await events.forget_older_than(timedelta(hours=1)) == 1
    assert await events.forget_older_than(timedelta(hours=1)) == 0
    assert await events.first_time("slack", "Ev-old") is True
    assert await events.first_time("slack", "Ev-new") is False


async def test_local_time_is_stored_as_the_same_instant(database: Database) -> None:
    """A time in a local zone (a schedule in BREAKROOM_TIMEZONE) must not be stored as its wall
    clock: on SQLite that made a fresh event look hours old."""
    events = ProcessedEvents(database)
    assert await events.first_time("slack", "Ev-local")
    async with database.transaction() as session:
        await session.execute(
            update(ProcessedEventRow).values(seen_at=datetime.now(ZoneInfo("America/Los_Angeles")))
        )
    assert await events.forget_older_than(timedelta(hours=1)) == 0
    assert await events.first_time("slack", "Ev-local") is False


# --- conversation references --------------------------------------------------------------------


async def test_conversation_reference_round_trip(database: Database) -> None:
    store = ConversationStore(database)
    assert await store.load("teams", "29:abc") is None
    ref = {"serviceUrl": "https://smba.example/", "conversation": {"id": "a:1"}, "n": [1, 2]}
    await store.save("teams", "29:abc", ref)
    assert await store.load("teams", "29:abc") == ref
    assert await store.load("slack", "29:abc") is None


async def test_conversation_reference_is_overwritten(database: Database) -> None:
    store = ConversationStore(database)
    await store.save("teams", "29:abc", {"serviceUrl": "https://old.example/"})
    await store.save("teams", "29:abc", {"serviceUrl": "https://new.example/"})
    await store.save("teams", "29:other", {"serviceUrl": "https://other.example/"})
    assert await store.load("teams", "29:abc") == {"serviceUrl": "https://new.example/"}
    assert await store.load("teams", "29:other") == {"serviceUrl": "https://other.example/"}


async def test_addresses_by_platform_and_prefix(database: Database) -> None:
    store = ConversationStore(database)
    for address in ("19:team@thread.tacv2", "aad-nurse", "a:personal-1", "19:chat@thread.v2"):
        await store.save("teams", address, {})
    await store.save("slack", "19:not-teams", {})
    await store.save("teams", "1_:odd", {})
    assert await store.addresses("teams", "19:") == ["19:chat@thread.v2", "19:team@thread.tacv2"]
    assert await store.addresses("teams", "a:") == ["a:personal-1"]
    assert await store.addresses("teams", "1_:") == ["1_:odd"]  # "_" is no LIKE wildcard here
    assert len(await store.addresses("teams")) == 5
    assert await store.addresses("console") == []


# --- held files ---------------------------------------------------------------------------------


async def test_a_held_file_is_there_for_its_token_until_discarded(database: Database) -> None:
    files = HeldFiles(database)
    now = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    token = await files.hold(
        "teams", "aad-1", "x.csv", "text/csv", b"a,b\n", now + timedelta(hours=1)
    )
    other = await files.hold(
        "teams", "aad-1", "y.csv", "text/csv", b"c\n", now + timedelta(hours=1)
    )
    assert len(token) >= 32
    assert token != other
    held = await files.get(token, now)
    assert held is not None
    assert (held.owner, held.filename, held.mime_type, held.data) == (
        "aad-1",
        "x.csv",
        "text/csv",
        b"a,b\n",
    )
    assert await files.discard(token)
    assert not await files.discard(token)
    assert await files.get(token, now) is None
    assert await files.get(other, now) is not None


async def test_expired_files_are_not_given_out_and_are_deleted(database: Database) -> None:
    files = HeldFiles(database)
    now = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    old = await files.hold("teams", "aad-1", "x.csv", "text/csv", b"1", now + timedelta(minutes=5))
    fresh = await files.hold("teams", "aad-1", "y.csv", "text/csv", b"2", now + timedelta(hours=1))
    later = now + timedelta(minutes=5)
    assert await files.get(old, later) is None
    assert await files.discard_expired(later) == 1
    assert await count(database, HeldFileRow.token) == 1
    assert await files.get(fresh, later) is not None


# --- database and migrations --------------------------------------------------------------------


async def test_upgrade_twice_is_a_no_op(database: Database) -> None:
    person = await PeopleRepository(database).resolve(slack(display_name="Ana"))
    await upgrade(database)
    assert (await schema(database)).state is SchemaState.CURRENT
    assert await PeopleRepository(database).get(person.id) == person


async def test_models_match_the_migrations(database: Database) -> None:
    """A model changed without a migration would only show up on a deployed database."""

    def diff(connection: Any) -> list[Any]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))

    async with database.engine.connect() as conn:
        assert await conn.run_sync(diff) == []


async def test_a_schema_is_behind_until_upgraded_and_newer_once_a_later_release_ran(
    empty_database: Database,
) -> None:
    never = await schema(empty_database)
    assert (never.state, never.revisions, never.described) == (
        SchemaState.BEHIND,
        frozenset(),
        "no revision",
    )
    await upgrade(empty_database, "0005")
    assert await schema(empty_database) == Schema(SchemaState.BEHIND, frozenset({"0005"}))
    await upgrade(empty_database)
    assert (await schema(empty_database)).state is SchemaState.CURRENT
    async with empty_database.engine.begin() as conn:
        await conn.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    assert await schema(empty_database) == Schema(SchemaState.NEWER, frozenset({"0099"}))


async def test_transaction_rolls_back_on_error(database: Database) -> None:
    async def write_then_fail() -> None:
        async with database.transaction() as session:
            session.add(PersonRow(display_name="half-written"))
            await session.flush()
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        await write_then_fail()
    assert await count(database, PersonRow.id) == 0


async def test_failing_statement_is_storage_unavailable(database: Database) -> None:
    with pytest.raises(StorageUnavailable):
        async with database.transaction() as session:
            await session.execute(text("SELECT * FROM no_such_table"))


async def test_unreachable_database() -> None:
    db = Database(UNREACHABLE_URL)
    try:
        started = time.monotonic()
        with pytest.raises(StorageUnavailable):
            async with db.transaction() as session:
                await session.execute(text("SELECT 1"))
        assert time.monotonic() - started < 3
        with pytest.raises(StorageUnavailable):
            await PeopleRepository(db).resolve(slack())
    finally:
        await db.dispose()


async def test_sqlite_writes_ahead_and_syncs_at_checkpoints(tmp_path: Any) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'pragmas.db'}")
    try:
        async with db.engine.connect() as conn:
            journal = (await conn.execute(text("PRAGMA journal_mode"))).scalar_one()
            synchronous = (await conn.execute(text("PRAGMA synchronous"))).scalar_one()
            foreign_keys = (await conn.execute(text("PRAGMA foreign_keys"))).scalar_one()
    finally:
        await db.dispose()
    assert (journal, synchronous, foreign_keys) == ("wal", 1, 1)  # 1 is NORMAL
