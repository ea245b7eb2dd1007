"""`help` lists what the asker may do, by role."""

from __future__ import annotations

from typing import Any

from bot.arguments import Arg, Identifier, Integer, Option, Rest
from bot.context import Context
from bot.i18n import translator
from bot.replies import Reply
from bot.roles import Role
from bot.router import Router
from bot.runtime import Runtime
from skills import help as help_skill
from storage.people import Profile
from tests.helpers import TENANT, message


async def noop(ctx: Context[Any]) -> Reply:
    return Reply.text("ok")


async def _help_for(runtime: Runtime, user: str, role: Role | None = None) -> str:
    if role is not None:
        person = await runtime.services.people.resolve(Profile("console", TENANT, user))
        await runtime.services.people.grant(person.id, role.value, granted_by="test")
    [reply] = await runtime.router.dispatch(message("help", user=user))
    return reply.fallback


async def test_help_lists_commands_by_role(runtime: Runtime) -> None:
    runtime.router.command("digest", noop, summary="Read idea summaries", roles=[Role.LEADER])
    runtime.router.command("surveys", noop, summary="Schedule pulse surveys", roles=[Role.HR])

    employee = await _help_for(runtime, "U-emp")
    assert "help" in employee
    assert "idea summaries" not in employee
    assert "pulse surveys" not in employee

    leader = await _help_for(runtime, "U-lead", Role.LEADER)
    assert "idea summaries" in leader
    assert "pulse surveys" not in leader
    assert "leader rights" in leader

    hr = await _help_for(runtime, "U-hr", Role.HR)
    assert "pulse surveys" in hr
    assert "idea summaries" not in hr

    admin = await _help_for(runtime, "U-admin", Role.ADMIN)
    assert "pulse surveys" in admin
    assert "idea summaries" in admin


async def test_help_mentions_questions_only_when_someone_answers_them(runtime: Runtime) -> None:
    bare = Router(runtime.services)
    help_skill.setup(bare)
    [reply] = await bare.dispatch(message("help", user="U-a"))
    assert "own words" not in reply.fallback
    bare.free_text(noop, name="qa")
    [reply] = await bare.dispatch(message("help", user="U-a"))
    assert "own words" in reply.fallback


async def test_help_lines_come_from_the_declarations_for_the_askers_roles(
    runtime: Runtime,
) -> None:
    bare = Router(runtime.services)
    days = Option("--days", Integer("days", 1, 30), default=7)
    bare.command("ask", noop, summary="Ask a question", args=[Rest("<question>")])
    bare.subcommand(
        "ask stats", noop, summary="Unanswered questions", roles=[Role.HR], options=[days]
    )
    bare.command("review", summary="Review ideas", roles=[Role.LEADER])
    bare.subcommand("review show", noop, summary="One idea", args=[Arg(Identifier("idea"))])
    bare.subcommand("review purge", noop, summary="Remove all", roles=[Role.ADMIN])
    help_skill.setup(bare)

    assert _lines(bare, frozenset({Role.EMPLOYEE})) == [
        "- `ask <question>` — Ask a question",
        "- `help` — Show what I can do for you",
    ]
    assert _lines(bare, frozenset({Role.HR})) == [
        "- `ask <question>` — Ask a question",
        "- `ask stats [--days N]` — Unanswered questions",
        "- `help` — Show what I can do for you",
    ]
    assert _lines(bare, frozenset({Role.LEADER})) == [
        "- `ask <question>` — Ask a question",
        "- `review show` — Review ideas",
        "- `help` — Show what I can do for you",
    ]
    assert "- `review show|purge` — Review ideas" in _lines(bare, frozenset({Role.ADMIN}))


def _lines(router: Router, roles: frozenset[Role]) -> list[str]:
    return [
        f"- `{entry.usage}` — {entry.summary}" for entry in router.help_for(roles, translator("en"))
    ]


async def test_a_command_named_in_the_readers_language_is_listed_by_that_name(
    runtime: Runtime,
) -> None:
    """`language` is `idioma` to a Spanish reader: one line each, in the reader's word, and both
    words work typed by anyone."""
    person = await runtime.services.people.resolve(Profile("console", TENANT, "U-es"))
    await runtime.services.people.set_language(person.id, "es")

    english = await _help_for(runtime, "U-en")
    spanish = await _help_for(runtime, "U-es")
    assert "`language [language]`" in english
    assert "idioma" not in english
    assert "`idioma [idioma]`" in spanish
    assert "`language" not in spanish
    assert "`ayuda`" in spanish
    assert "`help`" not in spanish

    [menu] = await runtime.router.dispatch(message("idioma", user="U-en"))
    assert menu.fallback.startswith("I write to you in English.")
    [menu] = await runtime.router.dispatch(message("language", user="U-es"))
    assert menu.fallback.startswith("Le escribo en")
