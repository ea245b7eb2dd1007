"""`breakroom serve`, `manifest` and `slack sync`: the chat platforms from the command line, that
is serving Slack and Teams, building their app manifests, and copying Slack's workspace directory
into storage."""

from __future__ import annotations

import argparse
import asyncio
import logging

from bot.cli.command import CommandFailed, runtime_for_a_command
from bot.settings import Settings

log = logging.getLogger("breakroom")


def serve(args: argparse.Namespace, settings: Settings) -> int:
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


def manifest_slack(args: argparse.Namespace, settings: Settings) -> int:
    from adapters.slack.manifest import ManifestError, slack_manifest

    try:
        print(slack_manifest(None if args.socket_mode else args.url), end="")
    except ManifestError as exc:
        raise CommandFailed(str(exc)) from None
    return 0


def manifest_teams(args: argparse.Namespace, settings: Settings) -> int:
    from adapters.teams.manifest import PackageError, build_package

    try:
        out = build_package(args.app_id, args.public_host, args.out)
    except PackageError as exc:
        raise CommandFailed(str(exc)) from None
    print(f"wrote {out}: upload it in Teams (Apps → Manage your apps → Upload an app)")
    return 0


def slack_sync(args: argparse.Namespace, settings: Settings) -> int:
    from adapters.slack.directory import sync_workspace
    from bot.directory import DirectoryUnavailable

    token = settings.slack_bot_token
    if token is None:
        raise CommandFailed("SLACK_BOT_TOKEN is not set (see Slack set-up in the README)")

    async def run() -> int:
        runtime = await runtime_for_a_command(settings)
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

    return asyncio.run(run())
