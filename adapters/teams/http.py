"""`POST /api/messages`: the Bot Framework endpoint, with the refusals botbuilder gets wrong.

botbuilder 4.17.1's `CloudAdapter.process` answers 500 to `Authorization: Bearer <not a JWT>`
(the decode error is not a `PermissionError`), to a body that is not JSON, and to a request
without a Content-Type (it indexes the header). So, when an app id is set, a missing or
malformed bearer token is a 401 here, before any key is fetched; a body that is not a JSON
activity is a 400. Whether a well-formed token is genuine is botbuilder's to check.
"""

from __future__ import annotations

import json
import logging

import jwt
from aiohttp import web
from aiohttp.typedefs import Handler

from adapters.teams.app import TeamsBridge

log = logging.getLogger(__name__)

TEAMS_MESSAGES_PATH = "/api/messages"
TEAMS_KEY = web.AppKey("teams", TeamsBridge)


def messages_handler(*, require_auth: bool) -> Handler:
    async def api_messages(request: web.Request) -> web.StreamResponse:
        if require_auth and not _bearer_jwt(request.headers.get("Authorization", "")):
            log.info("teams: request refused: missing or malformed bearer token")
            return web.json_response({"error": "unauthorized"}, status=401)
        if request.content_type != "application/json":
            return web.json_response({"error": "expected application/json"}, status=415)
        try:
            body = json.loads(await request.read())
        except (ValueError, UnicodeDecodeError):
            body = None
        if not isinstance(body, dict) or not isinstance(body.get("type"), str):
            log.info("teams: request refused: not a JSON activity")
            return web.json_response({"error": "not a JSON activity"}, status=400)
        try:
            response = await request.app[TEAMS_KEY].process(request)
        except jwt.PyJWTError:
            # A token that looked like a JWT but is not one botbuilder can read.
            log.info("teams: request refused: unreadable token")
            return web.json_response({"error": "unauthorized"}, status=401)
        return response if response is not None else web.Response(status=201)

    return api_messages


def _bearer_jwt(header: str) -> bool:
    """`Bearer <header>.<payload>.<signature>` whose header is readable: shape only, offline."""
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or token.count(".") != 2:
        return False
    try:
        jwt.get_unverified_header(token.strip())
    except jwt.PyJWTError:
        return False
    return True
