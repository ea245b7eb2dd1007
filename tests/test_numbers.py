"""Numbers people type or press are read as ASCII digits within a bound; anything else gets a
short message saying what to type, never the apology for a failure on our side."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from adapters.console.chat import ConsoleChat
from bot.arguments import MAX_ID
from bot.roles import Role
from bot.runtime import Runtime, start_runtime
from bot.settings import Settings
from storage.people import Profile
from tests.helpers import TENANT, action, command

APOLOGY = "something went wrong on my side"
ARABIC_12 = "\u0661\u0662"
FULL_WIDTH_12 = "\uff11\uff12"
PAST_BIGINT = str(MAX_ID + 1)


@pytest.fixture
async def rt(make_settings: Callable[..., Settings]) -> AsyncIterator[Runtime]:
    runtime = await start_runtime(make_settings())
    person = await runtime.services.people.resolve(Profile("console", TENANT, "U-lead", "Lee"))
    for role in (Role.HR, Role.LEADER):
        await runtime.services.people.grant(person.id, role.value, granted_by="test")
    yield runtime
    await runtime.close()


async def said(rt: Runtime, name: str, text: str) -> str:
    replies = await rt.router.dispatch(command(name, text, user="U-lead"))
    return "\n".join(reply.fallback for reply in replies)


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("pulse", f"run {PAST_BIGINT}", f"There is no survey #{PAST_BIGINT}."),
        ("pulse", f"results {ARABIC_12}", "the survey number with the digits 0 to 9"),
        ("pulse", f"pause {FULL_WIDTH_12}", "the survey number with the digits 0 to 9"),
        ("pulse", "create weekly-pulse --open-days 99999999999999999999 now", "from 1 to 30"),
        ("pulse", f"create weekly-pulse --threshold {ARABIC_12} now", "digits 0 to 9"),
        ("pulse", f"create weekly-pulse every {ARABIC_12} weeks on monday 10:00", "digits 0 to 9"),
        ("pulse", "create weekly-pulse every monday 10:00 starting 9999-12-31", "too far ahead"),
        ("pulse", "create weekly-pulse once 9999-12-31 23:59", "too far ahead"),
        ("pulse", "create weekly-pulse cron 0 10 * * \u00b2", "digits 0 to 9"),
        ("ideas", f"show {'9' * 5000}", "There is no idea #"),
        ("ideas", f"status {ARABIC_12} declined", "the idea number with the digits 0 to 9"),
        ("ideas", "summary --days 99999999999999999999", "from 1 to 730"),
        ("ask", f"reply {FULL_WIDTH_12} Yes", "the ticket number with the digits 0 to 9"),
        ("ask", f"stats --days {ARABIC_12}", "digits 0 to 9"),
    ],
)
async def test_a_typed_number_out_of_bounds_or_script_is_explained(
    rt: Runtime, name: str, text: str, expected: str
) -> None:
    answer = await said(rt, name, text)
    assert expected in answer
    assert APOLOGY not in answer
    assert len(answer) < 400  # a long number is not echoed back whole


async def test_a_button_value_that_is_no_usable_number_is_never_an_apology(rt: Runtime) -> None:
    values = ("", "0", PAST_BIGINT, "9" * 5000, ARABIC_12, "\u00b2")
    shapes = [*values, *(f"{v}|q1|3" for v in values)]  # survey answers carry round|question|value
    for action_id in sorted(rt.router.action_ids):
        for value in shapes:
            replies = await rt.router.dispatch(action(action_id, value, user="U-lead"))
            assert not any(APOLOGY in reply.fallback for reply in replies), (action_id, value)


async def test_the_terminal_chat_picks_by_ascii_digits_only(rt: Runtime) -> None:
    typed = ["How much PTO do I get?", "\u00b2", ARABIC_12, "9" * 5000, "quit"]
    shown: list[str] = []

    async def read(prompt: str) -> str | None:
        return typed.pop(0) if typed else None

    chat = ConsoleChat(rt, "U-lead", read, shown.append)
    await chat.run()
    transcript = "\n".join(shown)
    assert "Please type the number with the digits 0 to 9, like 1." in transcript
    assert APOLOGY not in transcript
    assert transcript.endswith("Bye!")
