"""`POST /slack/events`: Events API, slash commands and interactivity share one endpoint.

The signature is checked here, before bolt sees anything, with the signing secret and Slack's
v0 scheme (https://docs.slack.dev/authentication/verifying-requests-from-slack). Bolt 1.30 would
parse the body before checking the signature, so an unsigned body that is not JSON raised inside
it, and it logs the whole body at INFO when it refuses a signature. Its own check is therefore
off (see `SlackBridge.start`); this is the only way into it over HTTP. A request signed but
unreadable, or not shaped like anything Slack sends (`adapters.slack.shape`), is a 400.
"""

from __future__ import annotations

import logging

from aiohttp import web
from aiohttp.typedefs import Handler
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier

from adapters.slack.app import SlackBridge
from adapters.slack.shape import Malformed, readable_body

log = logging.getLogger(__name__)

SLACK_EVENTS_PATH = "/slack/events"
SLACK_KEY = web.AppKey("slack", SlackBridge)


def events_handler(signing_secret: str) -> Handler:
    verifier = SignatureVerifier(signing_secret)

    async def slack_events(request: web.Request) -> web.StreamResponse:
        raw = await request.read()
        if not _signed(verifier, raw, request):
            # Forged, unsigned, or older than five minutes (a replay).
            log.info("slack: request refused: invalid or stale signature")
            return web.json_response({"error": "invalid request"}, status=401)
        try:
            body = readable_body(raw, request.content_type)
        except Malformed as exc:
            log.info(
                "slack: request refused: malformed body (%s: expected %s)", exc.where, exc.expected
            )
            return web.json_response({"error": "malformed body"}, status=400)
        bolt_request = AsyncBoltRequest(
            body=body,
            query=request.query_string,
            headers={name: request.headers.getall(name) for name in request.headers},
        )
        response = await request.app[SLACK_KEY].dispatch(bolt_request)
        return await to_aiohttp_response(response)

    return slack_events


def _signed(verifier: SignatureVerifier, raw: bytes, request: web.Request) -> bool:
    try:
        return verifier.is_valid(
            body=raw,
            timestamp=request.headers.get("X-Slack-Request-Timestamp"),
            signature=request.headers.get("X-Slack-Signature"),
        )
    except ValueError:  # a timestamp that is not a number
        return False
