"""The router through its public door: events in, replies out, on a real SQLite database."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from bot.arguments import Arg, Identifier, Integer, Option, Rest
from bot.context import Context
from bot.errors import SkillError
from bot.events import Command, MemberJoined, Message, ScheduledTrigger
from bot.fallbacks import CONFLICT_APOLOGY, STORAGE_APOLOGY
from bot.replies import Reply
from bot.roles import Role
from bot.router import Router
from bot.runtime import Runtime
from bot.services import Services
from skills import help as help_skill
from storage.db import Conflict, StorageUnavailable
from tests.helpers import action, actor, command, dm, message


@pytest.fixture
def router(runtime: Runtime) -> Router:
    """A router with only `help`, so tests register whatever commands they need."""
    bare = Router(runtime.services)
    help_skill.setup(bare)
    return bare


def texts(replies: list[Reply]) -> str:
    return "\n".join(r.fallback for r in replies)


async def echo(ctx: Context[Any]) -> Reply:
    event = ctx.event
    if isinstance(event, Command):
        return Reply.text(f"{event.name}:{event.text}")
    if isinstance(event, Message):
        return Reply.text(f"free:{event.text}")
    return Reply.text(f"action:{event.action_id}={event.value}")


async def test_slash_command_and_typed_command_reach_the_same_handler(router: Router) -> None:
    router.command("demo", echo, summary="demo")
    assert texts(await router.dispatch(command("demo", "pto days"))) == "demo:pto days"
    assert texts(await router.dispatch(message("demo pto days"))) == "demo:pto days"
    assert texts(await router.dispatch(message("/DEMO pto days"))) == "demo:pto days"


async def test_free_text_goes_to_the_free_text_handler(router: Router) -> None:
    router.free_text(echo, name="qa")
    assert texts(await router.dispatch(message("how many days off do i get"))) == (
        "free:how many days off do i get"
    )


async def test_bare_only_command_leaves_sentences_alone(router: Router) -> None:
    router.free_text(echo, name="qa")
    assert "What you can type" in texts(await router.dispatch(message("help")))
    assert texts(await router.dispatch(message("help me with my 403b"))) == (
        "free:help me with my 403b"
    )


async def test_text_trigger_wins_over_free_text(router: Router) -> None:
    router.free_text(echo, name="qa")

    async def start_idea(ctx: Context[Any]) -> Reply:
        return Reply.text("idea form")

    router.text_trigger(r"i have an idea[.!]*", start_idea, name="ideas.start")
    assert texts(await router.dispatch(message("I have an idea!"))) == "idea form"
    assert texts(await router.dispatch(message("I have an idea about parking"))).startswith("free:")


async def test_actions_are_routed_by_id(router: Router) -> None:
    router.action("demo.vote", echo)
    assert texts(await router.dispatch(action("demo.vote", "3"))) == "action:demo.vote=3"
    assert "no longer works" in texts(await router.dispatch(action("demo.unknown")))


async def test_unknown_commands_are_named(router: Router) -> None:
    assert "`nope`" in texts(await router.dispatch(command("nope")))
    assert "`frobnicate`" in texts(await router.dispatch(message("/frobnicate now")))


async def test_roles_are_checked_in_the_core_and_refusals_audited(
    runtime: Runtime, router: Router
) -> None:
    router.command("ideas", echo, summary="ideas", roles=[Role.LEADER])
    refused = await router.dispatch(command("ideas", "summary", user="U-employee"))
    assert "Only leaders can do that." in texts(refused)
    assert refused[0].ephemeral
    denied = await runtime.services.audit.recent(action="access.denied")
    assert [entry.subject for entry in denied] == ["command:ideas"]

    person = await runtime.services.people.resolve(_profile("U-leader"))
    await runtime.services.people.grant(person.id, Role.LEADER.value, granted_by="test")
    assert texts(await router.dispatch(command("ideas", "summary", user="U-leader"))) == (
        "ideas:summary"
    )


async def test_admins_pass_every_role_check(runtime: Runtime, router: Router) -> None:
    router.command("pulse", echo, summary="pulse", roles=[Role.HR])
    person = await runtime.services.people.resolve(_profile("U-admin"))
    await runtime.services.people.grant(person.id, Role.ADMIN.value, granted_by="test")
    assert texts(await router.dispatch(command("pulse", "list", user="U-admin"))) == ("pulse:list")


async def test_configured_hr_users_are_seeded_with_the_role(make_settings: Any) -> None:
    from bot.runtime import start_runtime

    rt = await start_runtime(make_settings(BREAKROOM_HR_USERS="U-hr1, U-hr2"))
    try:
        router = Router(rt.services)
        router.command("pulse", echo, summary="pulse", roles=[Role.HR])
        assert texts(await router.dispatch(command("pulse", "list", user="U-hr2"))) == (
            "pulse:list"
        )
        assert "Only HR can do that." in texts(await router.dispatch(command("pulse", user="U-x")))
    finally:
        await rt.close()


SURVEY = Arg(Identifier("survey"))
DAYS = Option("--days", Integer("days", 1, 30), default=5)
QUESTION = Rest("<question>", required=False)
ANSWER = Rest("ANSWER")


async def run_survey(ctx: Context[Any]) -> Reply:
    return Reply.text(f"run:{ctx.args[SURVEY]}:{ctx.args[DAYS]}")


def survey_commands(router: Router) -> list[str]:
    """`survey` as a group of sub-commands for HR, one of them for admins only."""
    calls: list[str] = []

    async def purge(ctx: Context[Any]) -> Reply:
        calls.append("purge")
        return Reply.text("purged")

    router.command("survey", summary="Surveys", roles=[Role.HR])
    router.subcommand("survey run", run_survey, summary="Run one", args=[SURVEY], options=[DAYS])
    router.subcommand("survey purge", purge, summary="Purge all", roles=[Role.ADMIN])
    router.subcommand("survey list", echo, summary="List them", default=True)
    return calls


async def test_sub_commands_reach_their_handler_with_typed_values(
    runtime: Runtime, router: Router
) -> None:
    survey_commands(router)
    await _grant(runtime, "U-hr", Role.HR)
    slash = await router.dispatch(command("survey", "RUN #4 --days 12", user="U-hr"))
    typed = await router.dispatch(message("/survey run 4 \N{EM DASH}days 12", user="U-hr"))
    assert texts(slash) == texts(typed) == "run:4:12"
    assert texts(await router.dispatch(command("survey", user="U-hr"))) == "survey:"


async def test_a_bad_value_for_a_sub_command_is_explained_privately(
    runtime: Runtime, router: Router, caplog: pytest.LogCaptureFixture
) -> None:
    survey_commands(router)
    await _grant(runtime, "U-hr", Role.HR)
    with caplog.at_level(logging.INFO):
        [reply] = await router.dispatch(command("survey", "run 4 --days 99", user="U-hr"))
    assert reply.fallback == (
        "Days must be a number from 1 to 30.\nUsage: `survey run ID [--days N]`"
    )
    assert reply.ephemeral
    assert "refused: BadInput" in caplog.text
    assert "--days 99" not in caplog.text


async def test_a_refused_sub_command_is_audited_and_its_handler_never_runs(
    runtime: Runtime, router: Router
) -> None:
    calls = survey_commands(router)
    await _grant(runtime, "U-hr", Role.HR)
    [refused] = await router.dispatch(command("survey", "purge now", user="U-hr"))
    assert refused.fallback == "Only admins can do that."
    assert refused.ephemeral
    assert calls == []
    denied = await runtime.services.audit.recent(action="access.denied")
    assert [entry.subject for entry in denied] == ["command:survey purge"]
    [outsider] = await router.dispatch(command("survey", "purge", user="U-nurse"))
    assert outsider.fallback == "Only HR can do that."
    denied = await runtime.services.audit.recent(action="access.denied")
    assert [entry.subject for entry in denied] == ["command:survey", "command:survey purge"]


async def test_a_group_answers_unknown_words_with_the_sub_commands_the_person_may_use(
    runtime: Runtime, router: Router
) -> None:
    survey_commands(router)
    await _grant(runtime, "U-hr", Role.HR)
    [overview] = await router.dispatch(command("survey", "frobnicate", user="U-hr"))
    assert overview.fallback == (
        "Here's what `survey` can do:\n"
        "- `survey run ID [--days N]` — Run one\n"
        "- `survey list` — List them"
    )
    await _grant(runtime, "U-admin", Role.ADMIN)
    [overview] = await router.dispatch(command("survey", "'run' 4", user="U-admin"))
    assert "- `survey purge` — Purge all" in overview.fallback, "a quoted word is no sub-command"


async def test_a_sub_command_can_leave_others_to_the_command_itself(
    runtime: Runtime, router: Router
) -> None:
    async def answer(ctx: Context[Any]) -> Reply:
        return Reply.text(f"question:{ctx.args[QUESTION]}")

    async def reply(ctx: Context[Any]) -> Reply:
        return Reply.text(f"reply:{ctx.args[SURVEY]}:{ctx.args[ANSWER]}")

    router.command("ask", answer, summary="Ask", args=[QUESTION])
    router.subcommand(
        "ask reply",
        reply,
        summary="Answer",
        roles=[Role.HR],
        args=[SURVEY, ANSWER],
        refuse_others=False,
    )
    asked = await router.dispatch(command("ask", "reply to my manager about pto"))
    assert texts(asked) == "question:reply to my manager about pto"
    assert not await runtime.services.audit.recent(action="access.denied")
    await _grant(runtime, "U-hr", Role.HR)
    answered = await router.dispatch(command("ask", "reply #3 Your manager can't, HR can", "U-hr"))
    assert texts(answered) == "reply:3:Your manager can't, HR can"


def test_sub_command_declaration_mistakes_fail_at_start_up(router: Router) -> None:
    with pytest.raises(ValueError, match="register its command first"):
        router.subcommand("nowhere run", echo, summary="x")
    router.command("demo", summary="demo")
    router.subcommand("demo run", echo, summary="x", default=True)
    with pytest.raises(ValueError, match="twice"):
        router.subcommand("demo RUN", echo, summary="again")
    with pytest.raises(ValueError, match="second default"):
        router.subcommand("demo stop", echo, summary="x", default=True)
    with pytest.raises(ValueError, match="need a handler"):
        router.command("bare", summary="x", args=[SURVEY])


async def test_skill_error_becomes_a_kind_private_reply(router: Router) -> None:
    async def refuse(ctx: Context[Any]) -> Reply:
        raise SkillError("That idea is too long: please keep it under 2,000 characters.")

    router.command("idea", refuse, summary="idea")
    [reply] = await router.dispatch(command("idea", "x"))
    assert reply.fallback.startswith("That idea is too long")
    assert reply.ephemeral


async def test_a_crash_is_logged_with_the_event_id_and_no_trace_reaches_chat(
    router: Router, caplog: pytest.LogCaptureFixture
) -> None:
    async def crash(ctx: Context[Any]) -> Reply:
        raise ZeroDivisionError("secret internals")

    router.command("boom", crash, summary="boom")
    event = command("boom")
    with caplog.at_level(logging.INFO):
        [reply] = await router.dispatch(event)
    assert "went wrong" in reply.fallback
    assert event.id[:12] in reply.fallback
    assert "Traceback" not in reply.fallback
    assert "secret internals" not in reply.fallback
    failure = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert failure
    assert event.id in failure[0].getMessage()


async def test_storage_outage_tells_the_user_to_retry(router: Router) -> None:
    async def save(ctx: Context[Any]) -> Reply:
        raise StorageUnavailable("OperationalError")

    router.command("idea", save, summary="idea")
    [reply] = await router.dispatch(command("idea", "more blankets"))
    assert reply.fallback == STORAGE_APOLOGY


async def test_a_conflict_is_not_told_as_an_outage(router: Router) -> None:
    async def save(ctx: Context[Any]) -> Reply:
        raise Conflict("IntegrityError")

    router.command("idea", save, summary="idea")
    [reply] = await router.dispatch(command("idea", "more blankets"))
    assert reply.fallback == CONFLICT_APOLOGY
    assert "database" not in reply.fallback


async def test_redelivered_event_has_its_effect_once(router: Router) -> None:
    calls: list[str] = []

    async def count(ctx: Context[Any]) -> Reply:
        calls.append(ctx.event.id)
        return Reply.text("done")

    router.free_text(count, name="qa")
    event = message("what is the EAP number", id="Ev123", redelivered_possible=True)
    results = [await router.dispatch(event) for _ in range(4)]
    assert calls == ["Ev123"]
    assert [len(r) for r in results] == [1, 0, 0, 0]


async def test_message_text_is_never_logged_above_debug(
    router: Router, caplog: pytest.LogCaptureFixture
) -> None:
    router.free_text(echo, name="qa")
    secret = "my patient John Q Sample in bed 4"
    with caplog.at_level(logging.INFO):
        await router.dispatch(message(secret))
        await router.dispatch(command("nope", secret))
    assert caplog.records, "the router should log the event it handled"
    assert all(secret not in r.getMessage() for r in caplog.records)
    with caplog.at_level(logging.DEBUG):
        await router.dispatch(message(secret))
    assert any(secret in r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG)


async def test_member_joined_gets_the_welcome(router: Router) -> None:
    replies = await router.dispatch(MemberJoined(actor=actor("U-new"), conversation=dm()))
    assert "Breakroom" in texts(replies)


async def test_jobs_run_with_the_services(router: Router) -> None:
    seen: list[str] = []

    async def job(trigger: ScheduledTrigger, services: Services) -> None:
        seen.append(f"{trigger.job}:{trigger.payload['n']}")

    router.job("digest", job)
    from bot.events import SYSTEM_ACTOR, SYSTEM_CONVERSATION

    trigger = ScheduledTrigger(
        actor=SYSTEM_ACTOR, conversation=SYSTEM_CONVERSATION, job="digest", payload={"n": 1}
    )
    assert await router.dispatch(trigger) == []
    assert seen == ["digest:1"]


def test_duplicate_registration_is_a_programming_error(router: Router) -> None:
    router.command("demo", echo, summary="demo")
    with pytest.raises(ValueError, match="twice"):
        router.command("DEMO", echo, summary="again")


def _profile(user: str) -> Any:
    from storage.people import Profile
    from tests.helpers import TENANT

    return Profile(platform="console", tenant=TENANT, user_id=user, display_name=user)


async def _grant(runtime: Runtime, user: str, role: Role) -> None:
    person = await runtime.services.people.resolve(_profile(user))
    await runtime.services.people.grant(person.id, role.value, granted_by="test")
