"""The app factory: one aiohttp application for every HTTP endpoint, with a lifespan that owns
the database, the skills and the platform adapters whose credentials are set."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator

from aiohttp import web

from adapters.slack.app import SlackBridge
from adapters.slack.http import SLACK_EVENTS_PATH, SLACK_KEY, events_handler
from adapters.teams.app import TeamsBridge
from adapters.teams.http import TEAMS_KEY, TEAMS_MESSAGES_PATH, messages_handler
from bot.readiness import Readiness
from bot.runtime import Runtime, start_runtime
from bot.scheduler import Scheduler
from bot.settings import Settings, SettingsError

log = logging.getLogger(__name__)

RUNTIME_KEY = web.AppKey("runtime", Runtime)
READINESS_KEY = web.AppKey("readiness", Readiness)


def create_app(
    settings: Settings, *, socket_mode: bool = False, whole_process: bool = False
) -> web.Application:
    """`socket_mode` receives Slack's events over a WebSocket (SLACK_APP_TOKEN) instead of, or
    besides, `POST /slack/events`, which is mounted whenever the signing secret is set.

    `whole_process` says the app is what this process is for (`breakroom serve`). The
    knowledge base is read at start-up, in the background, rather than at the first question
    (a large one takes a while). And what is alive once the app has started (modules, the app,
    the runtime) lives as long as the process: it is left out of the garbage collector's full
    passes (`gc.freeze`), which would otherwise scan all of it, for 100 ms and more, whenever
    loading a large knowledge base sets one off; so is each knowledge-base edition put in
    service. Not for tests: a process running many apps one after another would keep every
    one of them, and read every knowledge base."""
    if socket_mode and not (settings.slack_enabled and settings.slack_app_token):
        raise SettingsError("Socket Mode needs SLACK_BOT_TOKEN and SLACK_APP_TOKEN (xapp-…)")
    app = web.Application()

    async def lifespan(app: web.Application) -> AsyncIterator[None]:
        runtime = await start_runtime(settings)
        app[RUNTIME_KEY] = runtime
        if whole_process:
            # Read back (or trained) now, while no request waits, not at the first message.
            from skills.safety.learned import reader as crisis_reader

            crisis_reader()
            gc.freeze()
            runtime.knowledge.start(freeze_editions=True)
        readiness = Readiness(runtime.services.database)
        app[READINESS_KEY] = readiness
        slack = None
        teams = None
        try:
            if settings.slack_enabled:
                slack = await SlackBridge.start(runtime, socket_mode=socket_mode)
                app[SLACK_KEY] = slack
                if not socket_mode and settings.slack_signing_secret is None:
                    log.warning(
                        "slack: no SLACK_SIGNING_SECRET and no --socket-mode: "
                        "the bot can send but receives nothing from Slack"
                    )
            if settings.teams_enabled:
                teams = TeamsBridge.start(runtime)
                app[TEAMS_KEY] = teams
            scheduler = Scheduler(runtime.router, settings, runtime.services.database)
            scheduler.add_leader_task(runtime.delivery.run_forever)
            if teams is not None:
                scheduler.add_leader_task(teams.files.sweep_forever)
            # Work that reaches out by itself waits for a usable database (see bot.readiness).
            starts = [scheduler.start] + ([slack.connect] if slack is not None else [])
            stopping = asyncio.Event()
            starting = asyncio.create_task(readiness.start_when_ready(stopping, *starts))
            yield
            stopping.set()
            await starting
            await scheduler.stop()
        finally:
            if slack is not None:
                await slack.close()
            if teams is not None:
                await teams.close()
            await readiness.close()
            await runtime.close()

    app.cleanup_ctx.append(lifespan)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    if settings.slack_enabled and settings.slack_signing_secret is not None:
        # Without the secret nothing could be verified, so nothing is mounted.
        app.router.add_post(SLACK_EVENTS_PATH, events_handler(settings.slack_signing_secret))
    if settings.teams_enabled:
        # With an app id every request needs a Bot Framework JWT; without one only the
        # emulator mode (BREAKROOM_TEAMS_EMULATOR=1) gets here.
        app.router.add_post(TEAMS_MESSAGES_PATH, messages_handler())
    return app


async def healthz(_request: web.Request) -> web.Response:
    """The process is up and serving; says nothing about its dependencies."""
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    """Ready to take traffic: the database answers within a second and its schema is one this
    release runs on (see bot.readiness). A load balancer stops routing here on 503."""
    verdict = await request.app[READINESS_KEY].check()
    return web.json_response(verdict.answer, status=200 if verdict.ready else 503)
