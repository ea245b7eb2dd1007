"""What every sub-command of `breakroom` may share: the one failure it is expected to end with
(`CommandFailed`, printed by `main` as one line), and the runtime on a schema this release can
use, for the sub-commands that act on the database as the chat would."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.settings import Settings

if TYPE_CHECKING:  # the runtime pulls in every skill: imported only by the commands that run it
    from bot.runtime import Runtime


class CommandFailed(Exception):
    """An expected failure of a CLI command; printed as one line, exit status 1."""


async def runtime_for_a_command(settings: Settings) -> Runtime:
    """The runtime, on a schema this release can use. The server may wait for `db upgrade`
    (it stays not ready); a command run by hand says at once what to do instead of failing
    at its first query as if the database were unreachable."""
    from bot.runtime import start_runtime
    from storage.migrate import SchemaState, schema

    runtime = await start_runtime(settings)
    found = await schema(runtime.services.database)
    if found.state is SchemaState.BEHIND:
        await runtime.close()
        raise CommandFailed(
            f"the database schema is behind this release ({found.described}): "
            "run `breakroom db upgrade` first"
        )
    return runtime
