"""Messages waiting for a person's own terminal chat, on SQLite and (with
BREAKROOM_TEST_DATABASE_URL) PostgreSQL."""

from __future__ import annotations

import asyncio

from storage.console_messages import ConsoleMessages
from storage.db import Database
from storage.people import PeopleRepository, Profile


async def person(database: Database, user_id: str) -> int:
    return (await PeopleRepository(database).resolve(Profile("console", "local", user_id))).id


async def test_a_resend_with_the_same_key_stores_nothing_new(database: Database) -> None:
    messages = ConsoleMessages(database)
    sam = await person(database, "sam")
    first = await messages.put(sam, "Survey", [("pulse.answer", "1")], dedupe_key="outbox:7")
    again = await messages.put(sam, "Survey", [("pulse.answer", "1")], dedupe_key="outbox:7")
    assert first == again == await messages.find("outbox:7")
    assert await messages.find("outbox:8") is None
    assert await messages.recipient(first) == sam
    waiting = await messages.take_waiting(sam)
    assert [(m.text, m.picks) for m in waiting] == [("Survey", (("pulse.answer", "1"),))]


async def test_each_message_is_shown_once_and_only_to_its_person(database: Database) -> None:
    messages = ConsoleMessages(database)
    sam, lee = await person(database, "sam"), await person(database, "lee")
    for n in range(20):
        await messages.put(sam, f"for sam {n}", [])
    await messages.put(lee, "for lee", [])

    # Sam in three terminals at once: each message shows in one of them.
    taken = await asyncio.gather(*(messages.take_waiting(sam) for _ in range(3)))

    shown = [m.text for batch in taken for m in batch]
    assert sorted(shown) == sorted(f"for sam {n}" for n in range(20))
    assert await messages.take_waiting(sam) == []
    assert [m.text for m in await messages.take_waiting(lee)] == ["for lee"]
