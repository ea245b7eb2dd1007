"""Sends, updates and look-ups on the Slack Web API, as the core's `Messenger`.

slack_sdk's retry handlers are switched off: a 429 must reach the outbox sender, which pauses
every send of the process for its Retry-After, and a connection error retried blindly by the SDK
could post a message twice. Each DM carries our dedupe key in message metadata, which
conversations.history returns on request, so a send whose answer was lost can be looked up.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from datetime import datetime
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from adapters.slack.render import render_blocks
from bot.messenger import DeliveryError, RateLimited, RecipientUnreachable, SentMessage
from bot.replies import Reply
from bot.settings import DEFAULT_SLACK_API_URL
from storage.people import Identity

log = logging.getLogger(__name__)

PLATFORM = "slack"
METADATA_EVENT = "breakroom_outbox"

# Errors that mean this person or channel cannot get messages from the bot; retrying won't help.
# https://docs.slack.dev/reference/methods/chat.postMessage (Errors)
UNREACHABLE = frozenset(
    {
        "user_not_found",
        "cannot_dm_bot",
        "user_disabled",
        "account_inactive",
        "channel_not_found",
        "is_archived",
        "not_in_channel",
        "messages_tab_disabled",
    }
)
DEFAULT_RETRY_AFTER = 1.0
HISTORY_PAGE = 200
HISTORY_PAGES = 10  # beyond 2,000 messages in one DM since the send, say "cannot tell"


class SlackMessenger:
    platform = PLATFORM

    def __init__(
        self, token: str, *, base_url: str = DEFAULT_SLACK_API_URL, timeout: int = 30
    ) -> None:
        self._token = token
        self._base_url = base_url
        self._timeout = timeout
        self._client: AsyncWebClient | None = None
        self._session: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
        self._session = self._client = None

    async def send_direct(
        self, identity: Identity, reply: Reply, *, dedupe_key: str | None = None
    ) -> SentMessage:
        # A user id as the channel posts into the app's DM with that user.
        return await self._post(identity.user_id, reply, dedupe_key)

    async def send_to_channel(self, channel_id: str, reply: Reply) -> SentMessage:
        return await self._post(channel_id, reply, None)

    async def update(self, sent: SentMessage, reply: Reply) -> None:
        await self._call(
            self._web().chat_update(
                channel=sent.handle["channel"],
                ts=sent.handle["ts"],
                text=reply.fallback,
                blocks=render_blocks(reply) or None,
            )
        )

    async def find_sent(
        self, identity: Identity, dedupe_key: str, since: datetime
    ) -> SentMessage | None:
        """Look for our metadata key in the DM's history since `since`.

        Needs the im:write and im:history scopes. A person we cannot open a DM with cannot
        have received the message, so that is "not found"."""
        web = self._web()
        try:
            opened = await self._call(web.conversations_open(users=identity.user_id))
        except RecipientUnreachable:
            return None
        channel = opened["channel"]["id"]
        cursor: str | None = None
        for _ in range(HISTORY_PAGES):
            page = await self._call(
                web.conversations_history(
                    channel=channel,
                    oldest=f"{since.timestamp():.6f}",
                    include_all_metadata=True,
                    limit=HISTORY_PAGE,
                    cursor=cursor,
                )
            )
            for message in page.get("messages") or []:
                if _carries(message, dedupe_key):
                    ts = str(message["ts"])
                    return SentMessage(PLATFORM, ts, {"channel": channel, "ts": ts})
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if not page.get("has_more") or cursor is None:
                return None
        log.warning("slack: dedupe look-up gave up after %d pages of history", HISTORY_PAGES)
        return None

    async def _post(self, channel: str, reply: Reply, dedupe_key: str | None) -> SentMessage:
        metadata = (
            None
            if dedupe_key is None
            else {"event_type": METADATA_EVENT, "event_payload": {"key": dedupe_key}}
        )
        response = await self._call(
            self._web().chat_postMessage(
                channel=channel,
                text=reply.fallback,
                blocks=render_blocks(reply) or None,
                metadata=metadata,
            )
        )
        ts = str(response["ts"])
        return SentMessage(PLATFORM, ts, {"channel": response["channel"], "ts": ts})

    def _web(self) -> AsyncWebClient:
        """The client, made on first use inside the event loop with one pooled session:
        without a session slack_sdk opens a new connection for every call."""
        if self._client is None:
            self._session = aiohttp.ClientSession()
            self._client = AsyncWebClient(
                token=self._token,
                base_url=self._base_url,
                timeout=self._timeout,
                session=self._session,
                retry_handlers=[],
            )
        return self._client

    async def _call(self, request: Awaitable[AsyncSlackResponse]) -> AsyncSlackResponse:
        try:
            return await request
        except SlackApiError as exc:
            raise _translate(exc) from exc
        except (SlackClientError, aiohttp.ClientError, TimeoutError) as exc:
            raise DeliveryError(f"slack: {type(exc).__name__}") from exc


def _carries(message: dict[str, Any], dedupe_key: str) -> bool:
    metadata = message.get("metadata") or {}
    payload = metadata.get("event_payload") or {}
    return bool(metadata.get("event_type") == METADATA_EVENT and payload.get("key") == dedupe_key)


def _translate(exc: SlackApiError) -> DeliveryError:
    response = exc.response
    status = getattr(response, "status_code", 0)
    data: Any = getattr(response, "data", None)
    error = str(data.get("error", "")) if isinstance(data, dict) else ""
    if status == 429 or error == "ratelimited":
        return RateLimited(_retry_after(getattr(response, "headers", None) or {}))
    if error in UNREACHABLE:
        return RecipientUnreachable(f"slack: {error}")
    return DeliveryError(f"slack: {error or f'HTTP {status}'}")


def _retry_after(headers: Any) -> float:
    for name in ("Retry-After", "retry-after"):
        raw = headers.get(name)
        if raw is not None:
            try:
                return max(0.0, float(raw))
            except (TypeError, ValueError):
                break
    return DEFAULT_RETRY_AFTER
