"""The app factory: one aiohttp application for every HTTP endpoint, with a lifespan that owns
the database, the skills and (as they are added) the platform adapters."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from aiohttp import web

from bot.runtime import Runtime, start_runtime
from bot.scheduler import Scheduler
from bot.settings import Settings

log = logging.getLogger(__name__)

RUNTIME_KEY = web.AppKey("runtime", Runtime)


def create_app(settings: Settings) -> web.Application:
    app = web.Application()

    async def lifespan(app: web.Application) -> AsyncIterator[None]:
        runtime = await start_runtime(settings)
        app[RUNTIME_KEY] = runtime
        scheduler = Scheduler(runtime.router, settings, runtime.services.database)
        scheduler.add_leader_task(runtime.delivery.run_forever)
        scheduler.start()
        yield
        await scheduler.stop()
        await runtime.close()

    app.cleanup_ctx.append(lifespan)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    return app


async def healthz(_request: web.Request) -> web.Response:
    """The process is up and serving; says nothing about its dependencies."""
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    """Ready to take traffic: the database answers. A load balancer stops routing here on 503."""
    runtime = request.app[RUNTIME_KEY]
    if await runtime.services.database.ping():
        return web.json_response({"status": "ok", "database": "ok"})
    log.warning("readiness check failed: database unreachable")
    return web.json_response({"status": "unavailable", "database": "unreachable"}, status=503)
