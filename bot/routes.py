"""Routes: what the router runs for an event, apart from how it runs it (`bot.router`).

A route is a handler with the roles it needs; for a typed command, also the declaration its
words chose and the words left for that declaration to read. The routes the router does not
keep in a table are built here: a command's from the words typed, a chat message's reading as
a command, and the one that runs every welcome handler for a newcomer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.commands import CommandSpec, CommandTable, Declaration
from bot.context import Context, Handler, HandlerResult
from bot.events import Command, Message
from bot.replies import Outcome, Reply
from bot.roles import Role, allows
from bot.tokens import Token, tokenize


@dataclass(frozen=True)
class Route:
    handler: Handler
    roles: frozenset[Role]
    name: str
    # For a command: what was declared for the words typed, and the tokens left to parse.
    declared: Declaration | None = None
    tokens: Sequence[Token] = ()
    # For an action: its value names the presser's record, sealed for them (`Context.seal`).
    sealed: bool = False
    # For free text: the handler records the event itself (see `Router.free_text`).
    records_event: bool = False


def command_route(spec: CommandSpec, event: Command, roles: frozenset[Role]) -> Route:
    """The declaration the typed words mean, gated by the command's roles first (so a refusal
    names the command) and then by the sub-command's."""

    tokens = tokenize(event.text)

    async def overview(ctx: Context[Any]) -> Reply:
        """The command's sub-commands: what was asked for with no words after the command,
        and a usage error after words that name none of them."""
        outcome = Outcome.BAD_INPUT if tokens else Outcome.DONE
        return Reply.text(spec.overview(ctx.roles, ctx.t), ephemeral=True, outcome=outcome)

    group = Route(overview, spec.roles, f"command:{spec.name}")
    if not allows(roles, spec.roles):
        return group
    chosen = spec.choose(tokens, roles)
    if chosen is None:
        return group
    declared, rest = chosen
    return Route(declared.handler, declared.roles, f"command:{declared.path}", declared, rest)


def as_command(message: Message, commands: CommandTable) -> Command | None:
    """`ask …`, `/ideas list` or `help` typed in a chat is the command of that name."""
    words = message.text.strip().split(maxsplit=1)
    if not words:
        return None
    first = words[0].lower()
    spec = commands.get(first)
    rest = words[1].strip() if len(words) > 1 else ""
    if spec is None and first.startswith("/") and len(first) > 1:
        name = first[1:]  # an unknown slash command: say so rather than treat it as a question
    elif spec is None or (spec.bare_only and rest):
        return None
    else:
        name = spec.name
    return Command(
        id=message.id,
        actor=message.actor,
        conversation=message.conversation,
        received_at=message.received_at,
        name=name,
        text=rest,
    )


def welcome_route(handlers: Sequence[Handler]) -> Route:
    """Every handler registered for a newcomer, in order, their replies together."""
    every = tuple(handlers)

    async def welcome(ctx: Context[Any]) -> HandlerResult:
        replies: list[Reply] = []
        for handler in every:
            replies.extend(as_list(await handler(ctx)))
        return replies

    return Route(welcome, frozenset(), "member_joined")


def as_list(result: HandlerResult) -> list[Reply]:
    """A handler's result as the list of its replies."""
    if result is None:
        return []
    if isinstance(result, Reply):
        return [result]
    return list(result)
