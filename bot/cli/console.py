"""`breakroom chat`, `pulse` and `announce`: the bot's chat at this terminal
(`adapters.console`), to talk with, or to run HR's chat commands from a shell with an exit
status."""

from __future__ import annotations

import argparse
import asyncio

from bot.cli.command import runtime_for_a_command
from bot.roles import Role
from bot.settings import Settings


def chat(args: argparse.Namespace, settings: Settings) -> int:
    from adapters.console.chat import ConsoleChat, read_stdin, write_stdout

    async def run() -> int:
        runtime = await runtime_for_a_command(settings)
        try:
            console = ConsoleChat(
                runtime, args.user, read_stdin, write_stdout, role=Role(args.role)
            )
            await console.run()
        finally:
            await runtime.close()
        return 0

    return asyncio.run(run())


def pulse(args: argparse.Namespace, settings: Settings) -> int:
    """Exit status: 0 done, 2 the words were not understood (usage), 1 refused (no such
    survey, a round already open, nobody in the audience) or failed."""
    return _chat_command("pulse", args, settings, deliver_word="send")


def announce(args: argparse.Namespace, settings: Settings) -> int:
    """As `pulse`, for `announce …`; the outbox is sent by the server (or `pulse send`)."""
    return _chat_command("announce", args, settings)


def _chat_command(
    name: str, args: argparse.Namespace, settings: Settings, *, deliver_word: str | None = None
) -> int:
    """The chat command `name` with the words given, as an HR user at the terminal. Exit
    status from what the replies say of the outcome: 0 done, 2 not understood, 1 refused or
    failed. `deliver_word` alone sends what is due in the outbox instead."""
    from adapters.console.chat import ConsoleChat, write_stdout
    from bot.replies import Outcome
    from bot.tokens import quote

    statuses = {Outcome.DONE: 0, Outcome.BAD_INPUT: 2, Outcome.REFUSED: 1, Outcome.FAILED: 1}

    async def run() -> int:
        runtime = await runtime_for_a_command(settings)
        try:
            console = ConsoleChat(runtime, args.as_user, _no_input, write_stdout, role=Role.HR)
            if deliver_word is not None and args.words[:1] == [deliver_word]:
                return await console.deliver(progress=True)
            # The shell has already split the words; quote them so the chat reads them back
            # the same, apostrophes and spaces included.
            replies = await console.say(name + " " + " ".join(quote(w) for w in args.words))
            return max((statuses[reply.outcome] for reply in replies), default=0)
        finally:
            await runtime.close()

    return asyncio.run(run())


async def _no_input(prompt: str) -> str | None:
    return None
