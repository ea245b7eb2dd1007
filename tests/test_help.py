"""`help` lists what the asker may do, by role."""

from __future__ import annotations

from typing import Any

from bot.context import Context
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
