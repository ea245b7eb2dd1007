"""`POST /api/messages`: the Bot Framework endpoint, answering what botbuilder gets wrong.

Every request that does not come from the Bot Connector for this bot is a 401, and every body
that is not an activity a 400, each with one log line that names neither the token nor the text.
With an app id set, the token is checked first (`adapters.teams.auth`), so that a forger learns
nothing about bodies; then the body (`adapters.teams.body`); then whether the token speaks for
that activity (its `serviceUrl`, its channel). Only then does botbuilder run the turn.
"""

from __future__ import annotations

import logging

from aiohttp import web
from aiohttp.typedefs import Handler

from adapters.teams.app import TeamsBridge
from adapters.teams.auth import Unauthenticated, Verified
from adapters.teams.body import Malformed, read_activity

log = logging.getLogger(__name__)

TEAMS_MESSAGES_PATH = "/api/messages"
TEAMS_KEY = web.AppKey("teams", TeamsBridge)


def messages_handler() -> Handler:
    async def api_messages(request: web.Request) -> web.StreamResponse:
        bridge = request.app[TEAMS_KEY]
        verified: Verified | None = None
        if bridge.tokens is not None:
            try:
                verified = await bridge.tokens.verify(request.headers.get("Authorization", ""))
            except Unauthenticated as exc:
                return _refused(401, "unauthorized", str(exc))
        if request.content_type != "application/json":
            return _refused(415, "expected application/json", "not application/json")
        try:
            activity = read_activity(await request.read())
        except web.HTTPRequestEntityTooLarge:
            return _refused(400, "not an activity", "the body is too large")
        except Malformed as exc:
            return _refused(400, "not an activity", str(exc))
        if verified is not None:
            try:
                verified.check(activity.service_url, activity.channel_id)
            except Unauthenticated as exc:
                return _refused(401, "unauthorized", str(exc))
        return await bridge.process(activity, None if verified is None else verified.claims)

    return api_messages


def _refused(status: int, error: str, reason: str) -> web.Response:
    log.info("teams: request refused with %d: %s", status, reason)
    return web.json_response({"error": error}, status=status)
