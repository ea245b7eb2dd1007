"""Slack's inbound requests as Slack sends them: payload builders shaped like captured ones, and
request signing with the real v0 scheme (HMAC-SHA256 of `v0:{timestamp}:{body}` with the
signing secret, https://docs.slack.dev/authentication/verifying-requests-from-slack)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any
from urllib.parse import urlencode

from tests.fake_slack import BOT_USER, TEAM_ID

Json = dict[str, Any]
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
FORM = "application/x-www-form-urlencoded"


def signed(
    body: str,
    *,
    content_type: str = "application/json",
    secret: str = SIGNING_SECRET,
    timestamp: int | None = None,
) -> dict[str, str]:
    """Headers Slack would send with `body`, signed at `timestamp` (default: now)."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(
        secret.encode("utf-8"), f"v0:{stamp}:{body}".encode(), hashlib.sha256
    ).hexdigest()
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": f"v0={digest}",
    }


def event_callback(event: Json, event_id: str, team: str = TEAM_ID) -> Json:
    return {
        "token": "legacy-verification-token",
        "team_id": team,
        "api_app_id": "A0BREAKROOM",
        "event": event,
        "type": "event_callback",
        "event_id": event_id,
        "event_time": int(time.time()),
        "authorizations": [
            {"team_id": team, "user_id": BOT_USER, "is_bot": True, "is_enterprise_install": False}
        ],
        "is_ext_shared_channel": False,
    }


def dm_event(text: str, user: str, event_id: str, *, ts: str = "1700000000.000100") -> Json:
    """A message.im event: a person wrote to the bot in its DM."""
    return event_callback(
        {
            "type": "message",
            "channel": f"D{user}",
            "user": user,
            "text": text,
            "ts": ts,
            "event_ts": ts,
            "channel_type": "im",
            "team": TEAM_ID,
        },
        event_id,
    )


def slash_command(
    command: str,
    text: str,
    user: str,
    *,
    response_url: str,
    channel: str = "C0GENERAL",
    trigger_id: str = "13345224609.738474920.8088930838d88f008e0",
) -> str:
    """A slash command's form-encoded body."""
    return urlencode(
        {
            "token": "legacy-verification-token",
            "team_id": TEAM_ID,
            "team_domain": "hospital",
            "channel_id": channel,
            "channel_name": "directmessage" if channel.startswith("D") else "general",
            "user_id": user,
            "user_name": user.lower(),
            "command": command,
            "text": text,
            "api_app_id": "A0BREAKROOM",
            "response_url": response_url,
            "trigger_id": trigger_id,
        }
    )


def block_actions(
    action_id: str,
    value: str,
    user: str,
    *,
    channel: str,
    message_ts: str,
    response_url: str,
    ephemeral: bool = False,
    trigger_id: str = "1111.2222.click",
) -> Json:
    """A button click on a message: the payload of a block_actions interaction."""
    return {
        "type": "block_actions",
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM_ID},
        "api_app_id": "A0BREAKROOM",
        "token": "legacy-verification-token",
        "container": {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel,
            "is_ephemeral": ephemeral,
        },
        "trigger_id": trigger_id,
        "team": {"id": TEAM_ID, "domain": "hospital"},
        "channel": {"id": channel, "name": "directmessage"},
        "message": {"type": "message", "ts": message_ts, "user": BOT_USER, "bot_id": "B1"},
        "response_url": response_url,
        "actions": [
            {
                "action_id": action_id,
                "block_id": "b1",
                "text": {"type": "plain_text", "text": "Click", "emoji": True},
                "value": value,
                "type": "button",
                "action_ts": "1700000001.000200",
            }
        ],
    }


def view_submission(view: Json, user: str, values: Json) -> Json:
    """A modal submitted: the view as we opened it, with the inputs' state."""
    return {
        "type": "view_submission",
        "team": {"id": TEAM_ID, "domain": "hospital"},
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM_ID},
        "api_app_id": "A0BREAKROOM",
        "token": "legacy-verification-token",
        "trigger_id": "3333.4444.submit",
        "view": {
            **view,
            "id": "V1",
            "team_id": TEAM_ID,
            "state": {"values": values},
            "hash": "1596530361.3wRYuk3R",
        },
        "response_urls": [],
    }


def interaction(payload: Json) -> str:
    """Interactivity arrives form-encoded, the JSON in a `payload` field."""
    return urlencode({"payload": json.dumps(payload)})
