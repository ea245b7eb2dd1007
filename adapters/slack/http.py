"""`POST /slack/events`: Events API, slash commands and interactivity share one endpoint.

The signature is checked here, before bolt sees anything, with the signing secret and Slack's
v0 scheme (https://docs.slack.dev/authentication/verifying-requests-from-slack). Bolt 1.30 would
parse the body before checking the signature, so an unsigned body that is not JSON raised inside
it, and it logs the whole body at INFO when it refuses a signature. Its own check is therefore
off (see `SlackBridge.start`); this is the only way into it over HTTP. A request signed but
unreadable is a 400.
"""

from __future__ import annotations

import logging
from urllib.parse import parse_qsl

from aiohttp import web
from aiohttp.typedefs import Handler
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier

from adapters.slack.app import SlackBridge

log = logging.getLogger(__name__)

SLACK_EVENTS_PATH = "/slack/events"
SLACK_KEY = web.AppKey("slack", SlackBridge)
FORM = "application/x-www-form-urlencoded"


def events_handler(signing_secret: str) -> Handler:
    verifier = SignatureVerifier(signing_secret)

    async def slack_events(request: web.Request) -> web.StreamResponse:
        raw = await request.read()
        if not _signed(verifier, raw, request):
            # Forged, unsigned, or older than five minutes (a replay).
            log.info("slack: request refused: invalid or stale signature")
            return web.json_response({"error": "invalid request"}, status=401)
        try:
            bolt_request = AsyncBoltRequest(
                body=_readable_by_bolt(raw.decode("utf-8"), request.content_type),
                query=request.query_string,
                headers={name: request.headers.getall(name) for name in request.headers},
            )
        except (ValueError, AttributeError):
            # Not UTF-8, not JSON where JSON belongs, or JSON that is not an object (bolt
            # 1.30 then fails reading it as one).
            log.info("slack: request refused: unreadable body")
            return web.json_response({"error": "unreadable body"}, status=400)
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


def _readable_by_bolt(body: str, content_type: str) -> str:
    """Bolt 1.30 takes a form body for an interaction (JSON in a `payload` field) whenever the
    word "payload" appears anywhere in it, so a slash command whose text says "payload" would
    arrive empty. In a form without that field the word is percent-encoded: it reads the same."""
    if (
        content_type == FORM
        and "payload" in body
        and "payload" not in dict(parse_qsl(body, keep_blank_values=True))
    ):
        return body.replace("payload", "%70ayload")
    return body
