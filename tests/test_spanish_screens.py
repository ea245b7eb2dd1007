"""A Spanish speaker's screens have no English on them: every command the router declares, bare,
with `help` and with words it cannot read, for each role; every button with a value it cannot
use; unknown commands and words, a storage outage and a refusal for lack of a role.

Where English still shows because a skill converted on its own branch is not merged yet, the
case is listed in `NOT_YET_CONVERTED` (expected to fail, strictly: it fails the suite once that
skill speaks Spanish, so that its line is removed then).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bot.context import Context
from bot.events import Action, Command, Event, Message
from bot.i18n import translator
from bot.ownership import TAG_CHARS
from bot.replies import Reply
from bot.roles import Role
from bot.runtime import Runtime, start_runtime
from bot.settings import Settings
from skills.knowledge.articles import load
from skills.knowledge.library import bundled_kb
from storage.db import StorageUnavailable
from storage.people import Profile
from tests.helpers import TENANT, actor, dm
from tests.spanish import english_on_screen, screen_text

ROLES = (Role.EMPLOYEE, Role.LEADER, Role.HR, Role.ADMIN)
# What the router declares, read from a fresh runtime once (the same in every test).
COMMANDS = (
    "announce",
    "ask",
    "ayuda",
    "help",
    "idea",
    "ideas",
    "idioma",
    "language",
    "pulse",
    "spotlight",
)
ACTIONS = (
    "announce.discard",
    "announce.got_it",
    "announce.learn_more",
    "announce.send",
    "announce.submit_form",
    "ideas.announce",
    "ideas.cancel",
    "ideas.confirm",
    "ideas.confirm_anonymous",
    "ideas.credit_no",
    "ideas.credit_yes",
    "ideas.decline",
    "ideas.decline_form",
    "ideas.edit",
    "ideas.implement_form",
    "ideas.new",
    "ideas.set_status",
    "ideas.submit_form",
    "ideas.upvote",
    "knowledge.ask_about",
    "knowledge.ask_form",
    "knowledge.ask_hr",
    "knowledge.ask_submit",
    "knowledge.helpful",
    "knowledge.hr_answer",
    "knowledge.hr_reply",
    "knowledge.not_helpful",
    "knowledge.show",
    "language.choose",
    "pulse.answer",
    "pulse.change",
    "pulse.comment",
    "pulse.comment_submit",
    "pulse.open",
)
# What follows a command word: nothing, a request for help, and words nobody declared.
VARIANTS = ("", "help", "--zzz", "zzz #0 --days 9999")
JUNK = "junk"
FORGED = "~" + "A" * TAG_CHARS + "1"  # a seal nobody made


def _marked(case: str) -> Any:
    return pytest.param(case, id=case)


def _role_cases(names: tuple[str, ...]) -> list[Any]:
    return [_marked(f"{role.value}:{name}") for role in ROLES for name in names]


async def _spanish(runtime: Runtime, user: str) -> None:
    person = await runtime.services.people.resolve(Profile("console", TENANT, user, user))
    await runtime.services.people.set_language(person.id, "es")


def _as(role: Role, user: str) -> Callable[..., Any]:
    """An actor holding `role` for this conversation only (as a terminal chat's `--role`)."""
    return lambda: actor(user, session_roles=frozenset({role.value}))


async def _replies(runtime: Runtime, events: list[Event]) -> list[Reply]:
    replies: list[Reply] = []
    for event in events:
        replies += await runtime.router.dispatch(event)
    return replies


# Shown as written: what the person typed, and the titles of the sample articles (those with
# no Spanish version are English, and the closest articles are listed by title).
WRITTEN = (*VARIANTS, *(article.title for article in load(bundled_kb()).articles))


def _foreign(replies: list[Reply]) -> list[str]:
    return english_on_screen(replies, WRITTEN)


def _english(replies: list[Reply]) -> str:
    """Each reply that shows English, with the words, for the failure message."""
    return "\n---\n".join(f"{_foreign([r])}: {screen_text(r)}" for r in replies if _foreign([r]))


def test_the_walk_covers_what_the_router_declares(runtime: Runtime) -> None:
    """The lists above are the router's: a command or button added later is walked too."""
    assert set(COMMANDS) == runtime.router.command_names
    assert set(ACTIONS) == runtime.router.action_ids


@pytest.mark.parametrize("case", _role_cases(COMMANDS))
async def test_every_command_in_spanish(runtime: Runtime, case: str) -> None:
    role_name, name = case.split(":")
    who = _as(Role(role_name), "U-es")
    await _spanish(runtime, "U-es")
    events: list[Event] = [
        Command(actor=who(), conversation=dm(), name=name, text=text) for text in VARIANTS
    ]
    replies = await _replies(runtime, events)
    assert replies
    assert not _foreign(replies), _english(replies)


@pytest.mark.parametrize("case", _role_cases(("help-lines",)))
async def test_every_line_help_shows_typed_bare_in_spanish(runtime: Runtime, case: str) -> None:
    """Each sub-command `help` lists, typed with nothing after it: usage errors and overviews."""
    role = Role(case.split(":")[0])
    who = _as(role, "U-es")
    await _spanish(runtime, "U-es")
    paths: list[str] = []
    for entry in runtime.router.help_for(frozenset({role, Role.EMPLOYEE}), translator("es")):
        words = entry.usage.split()
        subs = words[1].split("|") if len(words) > 1 and "|" in words[1] else [""]
        paths += [f"{words[0]} {sub}".strip() for sub in subs]
    events: list[Event] = []
    for path in dict.fromkeys(paths):
        name, _, sub = path.partition(" ")
        events.append(Command(actor=who(), conversation=dm(), name=name, text=sub))
    replies = await _replies(runtime, events)
    assert not _foreign(replies), _english(replies)


@pytest.mark.parametrize(
    "case",
    [
        _marked(f"{role.value}:{action_id}")
        for role in (Role.EMPLOYEE, Role.HR)
        for action_id in ACTIONS
    ],
)
async def test_every_button_with_a_value_it_cannot_use_in_spanish(
    runtime: Runtime, case: str
) -> None:
    role_name, action_id = case.split(":")
    who = _as(Role(role_name), "U-es")
    await _spanish(runtime, "U-es")
    events: list[Event] = [
        Action(actor=who(), conversation=dm(), action_id=action_id, value=value)
        for value in (JUNK, FORGED, "")
    ]
    replies = await _replies(runtime, events)
    assert not _foreign(replies), _english(replies)


@pytest.mark.parametrize(
    "case",
    [
        _marked("unknown-command"),
        _marked("unknown-button"),
        _marked("free-text"),
        _marked("refusal"),
    ],
)
async def test_what_the_bot_cannot_do_is_said_in_spanish(runtime: Runtime, case: str) -> None:
    await _spanish(runtime, "U-es")
    who = actor("U-es")
    event: Event = {
        "unknown-command": Command(actor=who, conversation=dm(), name="frobnicar"),
        "unknown-button": Action(actor=who, conversation=dm(), action_id="gone.away", value="1"),
        "free-text": Message(actor=who, conversation=dm(), text="qwxz plonk vrrt"),
        "refusal": Command(actor=who, conversation=dm(), name="pulse", text="list"),
    }[case]
    replies = await runtime.router.dispatch(event)
    assert replies
    assert not _foreign(replies), _english(replies)


async def test_a_refusal_for_lack_of_a_role_names_who_may_in_spanish(runtime: Runtime) -> None:
    await _spanish(runtime, "U-es")
    [refused] = await runtime.router.dispatch(
        Command(actor=actor("U-es"), conversation=dm(), name="pulse")
    )
    assert refused.fallback == "Solo pueden hacer esto: Recursos Humanos."


async def test_a_storage_outage_is_apologized_for_in_spanish(
    make_settings: Callable[..., Settings],
) -> None:
    runtime = await start_runtime(make_settings())
    try:

        async def save(ctx: Context[Any]) -> Reply:
            raise StorageUnavailable("OperationalError")

        runtime.router.command("guardar", save, summary="save")
        await _spanish(runtime, "U-es")
        [apology] = await runtime.router.dispatch(
            Command(actor=actor("U-es"), conversation=dm(), name="guardar")
        )
        assert apology.fallback.startswith("No pude conectarme a mi base de datos")
        assert apology.language == "es"

    finally:
        await runtime.close()


async def test_with_no_database_a_spanish_client_is_apologized_to_in_spanish(
    make_settings: Callable[..., Settings],
) -> None:
    """Before the person can be read at all, their platform's language answers."""
    nowhere = make_settings(DATABASE_URL="postgresql+asyncpg://nobody@127.0.0.1:9/none")
    runtime = await start_runtime(nowhere, migrate=False)
    try:
        stranger = actor("U-new", locale="es-MX")
        [early] = await runtime.router.dispatch(
            Command(actor=stranger, conversation=dm(), name="help")
        )
        assert early.fallback.startswith("No pude conectarme a mi base de datos")
    finally:
        await runtime.close()
