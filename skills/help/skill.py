"""Help lists the commands the asker's roles allow, straight from the router's registry, so it
can never advertise a command that does not exist or hide one that does."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bot.context import Context
from bot.events import ConversationKind, MemberJoined
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
# Installed in a team or group chat, the bot introduces itself to everyone there; what the
# installer may do, roles included, goes to them alone.
SHARED_INTRO = (
    "Hi everyone! I'm **Breakroom**, your hospital's help desk for benefits, programs and ideas. "
    "Mention me here with a question, or send me a direct message: what you write to me there "
    "stays between us. Type `help` in a direct message to see what I can do for you."
)


def setup(router: Router) -> None:
    async def show_help(ctx: Context[Any]) -> Reply:
        # The help names the person's rights: in a channel only they see it.
        shared = ctx.event.conversation.kind is not ConversationKind.DIRECT
        return replace(_help(router, ctx), ephemeral=True) if shared else _help(router, ctx)

    async def welcome(ctx: Context[Any]) -> list[Reply]:
        event = ctx.event
        installed_here = (
            isinstance(event, MemberJoined)
            and event.installed
            and event.conversation.kind is not ConversationKind.DIRECT
        )
        if not installed_here:
            return [_help(router, ctx)]
        return [Reply.text(SHARED_INTRO), replace(_help(router, ctx), ephemeral=True)]

    router.command("help", show_help, summary="Show what I can do for you", bare_only=True)
    router.member_joined(welcome)


def _first_name(ctx: Context[Any]) -> str:
    """The first word of the person's name; "" when the only name known is an id (a person
    first met by an activity without a name is stored under their id)."""
    name = ctx.person.display_name.strip()
    if not name or name == ctx.event.actor.user_id:
        return ""
    return name.split(" ")[0]


def _help(router: Router, ctx: Context[Any]) -> Reply:
    name = _first_name(ctx) or "there"
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
