"""The `breakroom` command: its sub-commands, their options, and how a run ends (exit status,
one line on standard error). What each sub-command does is in the module named for its kind of
work. This package and `bot.app` are the composition root: the only parts of `bot` allowed to
import adapters."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.cli import checks, console, knowledge, maintenance, platforms
from bot.cli.command import CommandFailed
from bot.logs import configure_logging
from bot.roles import Role
from bot.settings import SettingsError, load_settings
from storage.db import Conflict, StorageUnavailable


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
        overrides = {k: v for k, v in (("host", args.host), ("port", args.port)) if v is not None}
        settings = dataclasses.replace(settings, **overrides)
        if args.command == "serve":
            configure_logging(settings.log_level)
        else:
            # Warnings and errors only, one line each on standard error: the person reads
            # standard output (the chat, a command's result).
            configure_logging("WARNING", terminal=True)
        result: int = args.run(args, settings)
        return result
    except SettingsError as exc:
        print(f"breakroom: configuration error: {exc}", file=sys.stderr)
        return 2
    except (CommandFailed, StorageUnavailable, Conflict) as exc:
        print(f"breakroom: {_describe(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _describe(exc: Exception) -> str:
    if isinstance(exc, StorageUnavailable):
        return f"the database is unreachable or refused the request ({exc})"
    if isinstance(exc, Conflict):
        return f"that was being changed elsewhere at the same moment; please run it again ({exc})"
    return str(exc)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="breakroom", description="Employee-engagement chatbot for hospitals."
    )
    parser.set_defaults(host=None, port=None)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = sub.add_parser("serve", help="run the HTTP server for Slack and Teams")
    serve.add_argument("--host", help="interface to listen on (default HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to listen on (default PORT or 3978)")
    serve.add_argument(
        "--socket-mode",
        action="store_true",
        help="receive Slack events over Socket Mode (needs SLACK_APP_TOKEN), no public URL",
    )
    serve.set_defaults(run=platforms.serve)

    chat = sub.add_parser("chat", help="chat with the bot in this terminal")
    chat.add_argument("--user", default="local.user", help="who you are (default local.user)")
    chat.add_argument(
        "--role",
        choices=[role.value for role in Role],
        default=Role.EMPLOYEE.value,
        help="act with this role while this chat runs; nothing is stored (default employee)",
    )
    chat.set_defaults(run=console.chat)

    ask = sub.add_parser("ask", help="answer questions read one per line from standard input")
    ask.add_argument("--kb", type=Path, help="knowledge base folder (default: the configured one)")
    ask.add_argument("--json", action="store_true", help="write one JSON object per line")
    ask.set_defaults(run=knowledge.ask)

    kb = sub.add_parser("kb", help="knowledge base tools")
    kb_sub = kb.add_subparsers(dest="kb_command", required=True, metavar="ACTION")
    check = kb_sub.add_parser("check", help="report every problem in a knowledge base")
    check.add_argument("source", type=Path, metavar="DIR", help="folder of articles, or a CSV")
    check.set_defaults(run=knowledge.kb_check)

    redact = sub.add_parser(
        "redact",
        help="screen text read from standard input for PHI",
        epilog='With --json, a line that cannot be read gets {"error": ...} and the exit '
        "status is 1.",
    )
    redact.add_argument(
        "--json", action="store_true", help='read and write JSON Lines ({"text": ...})'
    )
    redact.set_defaults(run=checks.redact)

    survey = sub.add_parser("survey", help="pulse survey definitions")
    survey_sub = survey.add_subparsers(dest="survey_command", required=True, metavar="ACTION")
    validate = survey_sub.add_parser("validate", help="check a survey definition (YAML)")
    validate.add_argument("file", type=Path, metavar="FILE")
    validate.set_defaults(run=checks.survey_validate)

    pulse = sub.add_parser(
        "pulse",
        help="HR's pulse commands from the terminal (as `pulse …` in chat), or `pulse send`",
        epilog="Exit status: 0 done; 1 refused (no such survey, a round already open, nobody "
        "in the audience) or failed; 2 not understood (unknown words, a missing argument).",
    )
    pulse.add_argument("--as", dest="as_user", default="cli", help="HR user to act as")
    pulse.add_argument("words", nargs=argparse.REMAINDER, help="e.g. create weekly-pulse now")
    pulse.set_defaults(run=console.pulse)

    announce = sub.add_parser(
        "announce",
        help="HR's announcements from the terminal (as `announce …` in chat)",
        epilog="Exit status: 0 done; 1 refused (no such announcement, nobody in the audience, "
        "sent already) or failed; 2 not understood (unknown words, a missing argument). "
        "A new announcement is a draft: `announce send ID` sends it.",
    )
    announce.add_argument("--as", dest="as_user", default="cli", help="HR user to act as")
    announce.add_argument(
        "words", nargs=argparse.REMAINDER, help='e.g. "Flu shots" "Free in the lobby" now'
    )
    announce.set_defaults(run=console.announce)

    manifest = sub.add_parser("manifest", help="print a chat platform's app manifest")
    manifest_sub = manifest.add_subparsers(
        dest="manifest_platform", required=True, metavar="PLATFORM"
    )
    slack_manifest = manifest_sub.add_parser(
        "slack", help="the Slack app manifest, with this server's request URLs filled in"
    )
    where = slack_manifest.add_mutually_exclusive_group(required=True)
    where.add_argument("--url", help="public HTTPS address of `breakroom serve`, e.g. https://host")
    where.add_argument(
        "--socket-mode", action="store_true", help="for Socket Mode, which needs no public URL"
    )
    slack_manifest.set_defaults(run=platforms.manifest_slack)
    teams_manifest = manifest_sub.add_parser(
        "teams", help="build the Teams app package (manifest.json and icons in a zip)"
    )
    teams_manifest.add_argument("--app-id", required=True, help="the Azure Bot's Microsoft App ID")
    teams_manifest.add_argument(
        "--host", dest="public_host", help="public host name of `breakroom serve`, e.g. bot.org"
    )
    teams_manifest.add_argument(
        "--out", type=Path, default=Path("breakroom-teams.zip"), help="zip file to write"
    )
    teams_manifest.set_defaults(run=platforms.manifest_teams)

    slack = sub.add_parser("slack", help="Slack workspace tools")
    slack_sub = slack.add_subparsers(dest="slack_command", required=True, metavar="ACTION")
    slack_sub.add_parser(
        "sync", help="copy the workspace directory (names, e-mail, time zones) into storage"
    ).set_defaults(run=platforms.slack_sync)

    catalog = sub.add_parser("catalog", help="the message catalogs of other languages")
    catalog_sub = catalog.add_subparsers(dest="catalog_command", required=True, metavar="ACTION")
    catalog_sub.add_parser(
        "update", help="add the code's new messages to every catalog, drop unused ones"
    ).set_defaults(run=maintenance.catalog_update)
    catalog_sub.add_parser(
        "check", help="list messages a catalog lacks or translates with other placeholders"
    ).set_defaults(run=maintenance.catalog_check)

    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_sub.add_parser("upgrade", help="apply database migrations").set_defaults(
        run=maintenance.db_upgrade
    )
    return parser
