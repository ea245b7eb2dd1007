"""Help lists the commands the asker's roles allow, straight from the router's registry, so it
can never advertise a command that does not exist or hide one that does."""

from __future__ import annotations

from typing import Any

from bot.context import Context
from bot.replies import Divider, Reply, Text, plain_text
from bot.roles import Role
from bot.router import Router

ROLE_NAMES = {Role.LEADER: "leader", Role.HR: "HR", Role.ADMIN: "admin"}

INTRO = "Hi {name}! I'm **Breakroom**, your hospital's help desk for benefits, programs and ideas."
FREE_TEXT_HINT = (
    "Ask me a question in your own words, for example _how many PTO days do I get?_ "
    "I'll answer from the HR knowledge base with a link to the source."
)
FOOTER = "Your messages to me are private. Type `help` any time to see this again."


def setup(router: Router) -> None:
    async def show_help(ctx: Context[Any]) -> Reply:
        return _help(router, ctx)

    async def welcome(ctx: Context[Any]) -> Reply:
        return _help(router, ctx)

    router.command("help", show_help, summary="Show what I can do for you", bare_only=True)
    router.member_joined(welcome)


def _help(router: Router, ctx: Context[Any]) -> Reply:
    name = ctx.person.display_name.split(" ")[0] if ctx.person.display_name else "there"
    extra = sorted(ROLE_NAMES[r] for r in ctx.roles if r in ROLE_NAMES)
    lines = [INTRO.format(name=name)]
    if extra:
        lines.append(f"You have {' and '.join(extra)} rights here.")
    if router.answers_free_text:
        lines.append(FREE_TEXT_HINT)
    commands = [f"- `{entry.usage}` — {entry.summary}" for entry in router.help_for(ctx.roles)]
    body = "**What you can type:**\n" + "\n".join(commands)
    markdown = "\n\n".join(lines)
    return Reply(
        fallback=plain_text(f"{markdown}\n\n{body}\n\n{FOOTER}"),
        blocks=(Text(markdown), Divider(), Text(body), Text(FOOTER, subtle=True)),
    )
