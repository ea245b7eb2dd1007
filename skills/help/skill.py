"""Help lists the commands the asker's roles allow, straight from the router's registry, so it
can never advertise a command that does not exist or hide one that does."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bot.context import Context
from bot.events import ConversationKind, MemberJoined
from bot.i18n import N_
from bot.replies import Divider, Reply, Text, plain_text
from bot.roles import Role
from bot.router import Router

ROLE_NAMES = {Role.LEADER: N_("leader"), Role.HR: N_("HR"), Role.ADMIN: N_("admin")}

SUMMARY = N_("Show what I can do for you")
INTRO = N_(
    "Hi {name}! I'm **Breakroom**, your hospital's help desk for benefits, programs and ideas."
)
# Greeting someone whose name is not known yet.
INTRO_UNNAMED = N_(
    "Hi there! I'm **Breakroom**, your hospital's help desk for benefits, programs and ideas."
)
RIGHTS = N_("You have {roles} rights here.")
COMMANDS = N_("**What you can type:**")
FREE_TEXT_HINT = N_(
    "Ask me a question in your own words, for example _how many PTO days do I get?_ "
    "I'll answer from the HR knowledge base with a link to the source."
)
FOOTER = N_("Your messages to me are private. Type `help` any time to see this again.")
# Installed in a team or group chat, the bot introduces itself to everyone there; what the
# installer may do, roles included, goes to them alone.
SHARED_INTRO = N_(
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
        shared = Reply.text(ctx.t(SHARED_INTRO))
        return [shared, replace(_help(router, ctx), ephemeral=True)]

    router.command("help", show_help, summary=SUMMARY, bare_only=True, names_in={"es": "ayuda"})
    router.member_joined(welcome)


def _first_name(ctx: Context[Any]) -> str:
    """The first word of the person's name; "" when the only name known is an id (a person
    first met by an activity without a name is stored under their id)."""
    name = ctx.person.display_name.strip()
    if not name or name == ctx.event.actor.user_id:
        return ""
    return name.split(" ")[0]


def _help(router: Router, ctx: Context[Any]) -> Reply:
    t = ctx.t
    name = _first_name(ctx)
    extra = sorted(t(ROLE_NAMES[r]) for r in ctx.roles if r in ROLE_NAMES)
    lines = [t(INTRO, name=name) if name else t(INTRO_UNNAMED)]
    if extra:
        lines.append(t(RIGHTS, roles=t.list(extra)))
    if router.answers_free_text:
        lines.append(t(FREE_TEXT_HINT))
    entries = router.help_for(ctx.roles, t)
    commands = [f"- `{entry.usage}` — {entry.summary}" for entry in entries]
    body = t(COMMANDS) + "\n" + "\n".join(commands)
    markdown = "\n\n".join(lines)
    footer = t(FOOTER)
    return Reply(
        fallback=plain_text(f"{markdown}\n\n{body}\n\n{footer}"),
        blocks=(Text(markdown), Divider(), Text(body), Text(footer, subtle=True)),
    )
