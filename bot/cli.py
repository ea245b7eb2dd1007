"""The `breakroom` command. This module and `bot.app` are the composition root: the only parts
of `bot` allowed to import adapters."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import logging
import sys
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.logs import configure_logging
from bot.plural import counted
from bot.roles import Role
from bot.settings import Settings, SettingsError, load_settings
from storage.db import Conflict, StorageUnavailable

if TYPE_CHECKING:  # the runtime pulls in every skill: imported only by the commands that run it
    from bot.runtime import Runtime

log = logging.getLogger("breakroom")


class CommandFailed(Exception):
    """An expected failure of a CLI command; printed as one line, exit status 1."""


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
    serve.set_defaults(run=_serve)

    chat = sub.add_parser("chat", help="chat with the bot in this terminal")
    chat.add_argument("--user", default="local.user", help="who you are (default local.user)")
    chat.add_argument(
        "--role",
        choices=[role.value for role in Role],
        default=Role.EMPLOYEE.value,
        help="act with this role while this chat runs; nothing is stored (default employee)",
    )
    chat.set_defaults(run=_chat)

    ask = sub.add_parser("ask", help="answer questions read one per line from standard input")
    ask.add_argument("--kb", type=Path, help="knowledge base folder (default: the configured one)")
    ask.add_argument("--json", action="store_true", help="write one JSON object per line")
    ask.set_defaults(run=_ask)

    kb = sub.add_parser("kb", help="knowledge base tools")
    kb_sub = kb.add_subparsers(dest="kb_command", required=True, metavar="ACTION")
    check = kb_sub.add_parser("check", help="report every problem in a knowledge base")
    check.add_argument("source", type=Path, metavar="DIR", help="folder of articles, or a CSV")
    check.set_defaults(run=_kb_check)

    redact = sub.add_parser(
        "redact",
        help="screen text read from standard input for PHI",
        epilog='With --json, a line that cannot be read gets {"error": ...} and the exit '
        "status is 1.",
    )
    redact.add_argument(
        "--json", action="store_true", help='read and write JSON Lines ({"text": ...})'
    )
    redact.set_defaults(run=_redact)

    survey = sub.add_parser("survey", help="pulse survey definitions")
    survey_sub = survey.add_subparsers(dest="survey_command", required=True, metavar="ACTION")
    validate = survey_sub.add_parser("validate", help="check a survey definition (YAML)")
    validate.add_argument("file", type=Path, metavar="FILE")
    validate.set_defaults(run=_survey_validate)

    pulse = sub.add_parser(
        "pulse",
        help="HR's pulse commands from the terminal (as `pulse …` in chat), or `pulse send`",
        epilog="Exit status: 0 done; 1 refused (no such survey, a round already open, nobody "
        "in the audience) or failed; 2 not understood (unknown words, a missing argument).",
    )
    pulse.add_argument("--as", dest="as_user", default="cli", help="HR user to act as")
    pulse.add_argument("words", nargs=argparse.REMAINDER, help="e.g. create weekly-pulse now")
    pulse.set_defaults(run=_pulse)

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
    announce.set_defaults(run=_announce)

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
    slack_manifest.set_defaults(run=_manifest_slack)
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
    teams_manifest.set_defaults(run=_manifest_teams)

    slack = sub.add_parser("slack", help="Slack workspace tools")
    slack_sub = slack.add_subparsers(dest="slack_command", required=True, metavar="ACTION")
    slack_sub.add_parser(
        "sync", help="copy the workspace directory (names, e-mail, time zones) into storage"
    ).set_defaults(run=_slack_sync)

    catalog = sub.add_parser("catalog", help="the message catalogs of other languages")
    catalog_sub = catalog.add_subparsers(dest="catalog_command", required=True, metavar="ACTION")
    catalog_sub.add_parser(
        "update", help="add the code's new messages to every catalog, drop unused ones"
    ).set_defaults(run=_catalog_update)
    catalog_sub.add_parser(
        "check", help="list messages a catalog lacks or translates with other placeholders"
    ).set_defaults(run=_catalog_check)

    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_sub.add_parser("upgrade", help="apply database migrations").set_defaults(run=_db_upgrade)
    return parser


def _run(factory: Callable[[], Coroutine[Any, Any, int]]) -> int:
    return asyncio.run(factory())


async def _runtime_for_a_command(settings: Settings) -> Runtime:
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


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    from aiohttp import web

    from bot.app import create_app

    if args.socket_mode and not (settings.slack_bot_token and settings.slack_app_token):
        raise CommandFailed(
            "--socket-mode needs SLACK_BOT_TOKEN and SLACK_APP_TOKEN (an xapp- app-level token)"
        )
    log.info("starting on http://%s:%s", settings.host, settings.port)
    try:
        web.run_app(
            create_app(settings, socket_mode=args.socket_mode, whole_process=True),
            host=settings.host,
            port=settings.port,
            print=None,
            access_log=None,
        )
    except OSError as exc:
        raise CommandFailed(
            f"cannot listen on {settings.host}:{settings.port}: {exc.strerror}"
        ) from None
    return 0


def _chat(args: argparse.Namespace, settings: Settings) -> int:
    from adapters.console.chat import ConsoleChat, read_stdin, write_stdout

    async def chat() -> int:
        runtime = await _runtime_for_a_command(settings)
        try:
            console = ConsoleChat(
                runtime, args.user, read_stdin, write_stdout, role=Role(args.role)
            )
            await console.run()
        finally:
            await runtime.close()
        return 0

    return _run(chat)


def _db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from storage.db import Database
    from storage.migrate import upgrade

    async def run() -> int:
        database = Database(settings.database_url)
        try:
            await upgrade(database)
        except (SQLAlchemyError, OSError) as exc:
            # One line (repr keeps it on one), enough to name the cause: refused, timed out,
            # no permission.
            raise CommandFailed(f"database upgrade failed: {exc!r:.300}") from None
        finally:
            await database.dispose()
        print("database is up to date")
        return 0

    return _run(run)


def _manifest_slack(args: argparse.Namespace, settings: Settings) -> int:
    from adapters.slack.manifest import ManifestError, slack_manifest

    try:
        print(slack_manifest(None if args.socket_mode else args.url), end="")
    except ManifestError as exc:
        raise CommandFailed(str(exc)) from None
    return 0


def _manifest_teams(args: argparse.Namespace, settings: Settings) -> int:
    from adapters.teams.manifest import PackageError, build_package

    try:
        out = build_package(args.app_id, args.public_host, args.out)
    except PackageError as exc:
        raise CommandFailed(str(exc)) from None
    print(f"wrote {out}: upload it in Teams (Apps → Manage your apps → Upload an app)")
    return 0


def _slack_sync(args: argparse.Namespace, settings: Settings) -> int:
    from adapters.slack.directory import sync_workspace
    from bot.directory import DirectoryUnavailable

    token = settings.slack_bot_token
    if token is None:
        raise CommandFailed("SLACK_BOT_TOKEN is not set (see Slack set-up in the README)")

    async def run() -> int:
        runtime = await _runtime_for_a_command(settings)
        try:
            report = await sync_workspace(
                token, runtime.services.directories, base_url=settings.slack_api_url
            )
        except DirectoryUnavailable as exc:
            raise CommandFailed(f"directory sync failed: {exc}") from None
        finally:
            await runtime.close()
        print(
            f"synced {report.people} people from Slack workspace {', '.join(report.tenants)} "
            f"({report.skipped} guests, bots and deactivated accounts skipped, "
            f"{report.deactivated} newly marked unreachable, {report.left} marked as left)"
        )
        return 0

    return _run(run)


def _ask(args: argparse.Namespace, settings: Settings) -> int:
    import json

    from bot.i18n import translator
    from skills.knowledge.library import KnowledgeLibrary, bundled_kb
    from skills.knowledge.smalltalk import small_talk
    from skills.safety.detector import detect

    source = args.kb or settings.kb_dir or bundled_kb()
    library = KnowledgeLibrary(source, cache_dir=settings.kb_cache_dir)
    retriever = asyncio.run(library.retriever())
    if not library.article_count:
        raise CommandFailed(f"no usable articles in {source} (try `breakroom kb check {source}`)")
    for line in sys.stdin:
        question = line.strip()
        if not question:
            continue
        # What a person in the chat gets: crisis resources or a friendly word are never searched.
        crisis = detect(question)
        chat = None if crisis is not None else small_talk(question)
        if not args.json and crisis is not None:
            print(f"crisis ({crisis.kind.value.replace('_', ' ')})", flush=True)
            continue
        if not args.json and chat is not None:
            print(
                f"small talk ({chat.kind.value}): {chat.answer(translator(settings.language))}",
                flush=True,
            )
            continue
        searched = crisis is None and chat is None
        answer = retriever.answer(question) if searched else None
        best = answer.best if answer is not None else None
        if args.json:
            record: dict[str, object] = {
                "question": question,
                "answered": answer is not None and answer.answered,
                "article_id": best.article.id if best else None,
                "title": best.article.title if best else None,
                "section": best.section.heading if best else None,
                "score": round(answer.confidence, 4) if answer is not None else 0.0,
                "alternatives": [hit.article.id for hit in answer.hits[1:]] if answer else [],
                "small_talk": chat.kind.value if chat is not None else None,
                "crisis": crisis is not None,
            }
            print(json.dumps(record, ensure_ascii=False), flush=True)
        elif answer is not None:
            verdict = "answer" if answer.answered else "not sure"
            title = best.article.title if best else "-"
            print(f"{verdict} ({answer.confidence:.2f}): {title}", flush=True)
    return 0


def _kb_check(args: argparse.Namespace, settings: Settings) -> int:
    from skills.knowledge.articles import load

    loaded = load(args.source)
    for problem in loaded.problems:
        print(problem)
    count = len(loaded.problems)
    summary = f"{counted(len(loaded.articles), 'article')} loaded"
    if loaded.versions:
        summary += f" ({len(loaded.versions)} also in Spanish)"
    summary += f", {counted(count, 'problem')}"
    print(summary, file=sys.stderr if count else sys.stdout)
    return 1 if count else 0


def _catalog_update(args: argparse.Namespace, settings: Settings) -> int:
    from bot import catalog

    for language, missing in catalog.update().items():
        print(f"{language}: {counted(missing, 'message')} to translate")
    return 0


def _catalog_check(args: argparse.Namespace, settings: Settings) -> int:
    from bot import catalog

    problems = catalog.check()
    for problem in problems:
        print(problem)
    return 1 if problems else 0


def _redact(args: argparse.Namespace, settings: Settings) -> int:
    from skills.phi import redact
    from skills.phi.jsonl import redact_stream

    if args.json:
        # Every line is answered, bad ones with {"error": ...}; the status tells a script that
        # reads only the status that some were not screened.
        errors = redact_stream(sys.stdin, sys.stdout)
        if errors:
            print(f"breakroom: {errors} line(s) could not be screened", file=sys.stderr)
        return 1 if errors else 0
    for line in sys.stdin:
        print(redact(line.rstrip("\n")).text, flush=True)
    return 0


def _survey_validate(args: argparse.Namespace, settings: Settings) -> int:
    from skills.pulse.definitions import check_file

    checked = check_file(args.file)
    for problem in checked.problems:
        print(problem)
    # Warnings (a text missing in a language, read in English there) leave it valid.
    for warning in checked.warnings:
        print(f"{warning} (warning)")
    if checked.definition is None:
        return 1
    count = len(checked.definition.questions)
    print(f"{args.file}: {checked.definition.title!r} is valid ({counted(count, 'question')})")
    return 0


def _pulse(args: argparse.Namespace, settings: Settings) -> int:
    """Exit status: 0 done, 2 the words were not understood (usage), 1 refused (no such
    survey, a round already open, nobody in the audience) or failed."""
    return _chat_command("pulse", args, settings, deliver_word="send")


def _announce(args: argparse.Namespace, settings: Settings) -> int:
    """As `_pulse`, for `announce …`; the outbox is sent by the server (or `pulse send`)."""
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
        runtime = await _runtime_for_a_command(settings)
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

    return _run(run)


async def _no_input(prompt: str) -> str | None:
    return None
