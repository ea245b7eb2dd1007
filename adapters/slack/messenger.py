"""Sends, updates, uploads and look-ups on the Slack Web API: the core's `Messenger`, and the
calls the adapter answers events with (ephemeral posts, `response_url`, modals, the Home tab).

slack_sdk's retry handlers are switched off: a 429 must reach the outbox sender, which pauses
every send of the process for its Retry-After, and a connection error retried blindly by the SDK
could post a message twice. Each DM carries our dedupe key in message metadata, which
conversations.history returns on request, so a send whose answer was lost can be looked up.

Pictures given as PNG bytes and files are uploaded with files_upload_v2 after the message: into
the same conversation for a message everyone there sees, and into the person's DM for an answer
only they may see (an upload into a channel is visible to the whole channel).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Mapping
from datetime import datetime
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse
from slack_sdk.webhook.async_client import AsyncWebhookClient

from adapters.slack.render import escaped, offered_forms, render_blocks
from bot.answering import KeepForms
from bot.messenger import DeliveryError, RateLimited, RecipientUnreachable, SentMessage
from bot.patience import retry_after
from bot.replies import File, Image, Reply
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
HISTORY_PAGE = 200
HISTORY_PAGES = 10  # beyond 2,000 messages in one DM since the send, say "cannot tell"
MEMBERS_PAGE = 200  # conversations.members: "no more than 1,000"; 200 is Slack's advice
ALT_TEXT = 1000  # files.getUploadURLExternal alt_txt limit


class SlackMessenger:
    platform = PLATFORM

    def __init__(
        self,
        token: str,
        *,
        base_url: str = DEFAULT_SLACK_API_URL,
        timeout: int = 30,
        keep_forms: KeepForms | None = None,
    ) -> None:
        """`keep_forms` keeps the modals behind a message's "Open form" buttons, by the key each
        button carries (see `bot.answering.forms`); without it, such a button cannot open its
        form."""
        self._token = token
        self._base_url = base_url
        self._timeout = timeout
        self._keep_forms = keep_forms
        self._client: AsyncWebClient | None = None
        self._session: aiohttp.ClientSession | None = None
        self._dm_channels: dict[str, str] = {}

    @property
    def web(self) -> AsyncWebClient:
        """The Web API client every call of the adapter shares (bolt's too)."""
        return self._web()

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
        self._session = self._client = None

    async def send_direct(
        self, identity: Identity, reply: Reply, *, dedupe_key: str | None = None
    ) -> SentMessage:
        # A user id as the channel posts into the app's DM with that user.
        return await self.post(identity.user_id, reply, dedupe_key=dedupe_key)

    async def send_to_channel(self, channel_id: str, reply: Reply) -> SentMessage:
        return await self.post(channel_id, reply)

    async def update(self, sent: SentMessage, reply: Reply) -> None:
        channel = sent.handle["channel"]
        await self._call(
            self._web().chat_update(
                channel=channel,
                ts=sent.handle["ts"],
                text=escaped(reply.fallback),
                blocks=await self._blocks(reply) or None,
            )
        )
        await self._upload_all(channel, reply, thread_ts=None)

    async def post(
        self,
        channel: str,
        reply: Reply,
        *,
        thread_ts: str | None = None,
        dedupe_key: str | None = None,
    ) -> SentMessage:
        """A message everyone in `channel` sees (a user id: the app's DM with them)."""
        metadata = (
            None
            if dedupe_key is None
            else {"event_type": METADATA_EVENT, "event_payload": {"key": dedupe_key}}
        )
        response = await self._call(
            self._web().chat_postMessage(
                channel=channel,
                text=escaped(reply.fallback),
                blocks=await self._blocks(reply) or None,
                metadata=metadata,
                thread_ts=thread_ts,
            )
        )
        ts = str(response["ts"])
        posted_in = str(response["channel"])
        await self._upload_all(posted_in, reply, thread_ts=thread_ts)
        return SentMessage(PLATFORM, ts, {"channel": posted_in, "ts": ts})

    async def post_ephemeral(
        self, channel: str, user_id: str, reply: Reply, *, thread_ts: str | None = None
    ) -> None:
        """A message in `channel` that only `user_id` sees (and loses when they reload)."""
        await self._call(
            self._web().chat_postEphemeral(
                channel=channel,
                user=user_id,
                text=escaped(reply.fallback),
                blocks=await self._blocks(reply) or None,
                thread_ts=thread_ts,
            )
        )
        await self._upload_to_dm(user_id, reply)

    async def respond(
        self,
        response_url: str,
        reply: Reply,
        *,
        user_id: str,
        ephemeral: bool,
        replace_original: bool = False,
    ) -> None:
        """Answer an interaction through its `response_url`, which works wherever it came from,
        channels the bot is not in included, and is the only way to replace an ephemeral
        message (https://docs.slack.dev/interactivity/handling-user-interaction)."""
        body: dict[str, Any] = {
            "text": escaped(reply.fallback),
            "response_type": "ephemeral" if ephemeral else "in_channel",
            "replace_original": replace_original,
        }
        blocks = await self._blocks(reply)
        if blocks:
            body["blocks"] = blocks
        hook = AsyncWebhookClient(
            response_url, timeout=self._timeout, session=self._http(), retry_handlers=[]
        )
        try:
            answer = await hook.send_dict(body)
        except (SlackClientError, aiohttp.ClientError, TimeoutError) as exc:
            raise DeliveryError(f"slack: response_url {type(exc).__name__}") from exc
        if answer.status_code == 429:
            raise RateLimited(retry_after(answer.headers))
        if answer.status_code != 200:
            # The body names the problem: expired_url, used_url, invalid_blocks…
            raise DeliveryError(f"slack: response_url {answer.status_code} {answer.body[:60]}")
        await self._upload_to_dm(user_id, reply)

    async def open_view(self, trigger_id: str, view: Mapping[str, Any]) -> None:
        """Open a modal. A trigger id works once, within 3 seconds of the click or command
        (https://docs.slack.dev/surfaces/modals): a late one fails with expired_trigger_id."""
        await self._call(self._web().views_open(trigger_id=trigger_id, view=dict(view)))

    async def publish_home(self, user_id: str, view: Mapping[str, Any]) -> None:
        """Replace a person's App Home tab with `view` (views.publish needs no extra scope)."""
        await self._call(self._web().views_publish(user_id=user_id, view=dict(view)))

    async def user_locale(self, user_id: str) -> str | None:
        """The locale a person set in Slack ("es-LA"), from users.info (Tier 4, the scope the
        directory sync has): None when Slack does not say or cannot be asked."""
        try:
            info = await self._call(self._web().users_info(user=user_id, include_locale=True))
        except DeliveryError as exc:
            log.info("slack: the locale of a person not read: %s", exc)
            return None
        locale = (info.get("user") or {}).get("locale")
        return str(locale) if locale else None

    async def dm_channel(self, user_id: str) -> str:
        """The id of the app's DM with a person (uploads need a channel id, not a user id)."""
        if user_id not in self._dm_channels:
            opened = await self._call(self._web().conversations_open(users=user_id))
            self._dm_channels[user_id] = str(opened["channel"]["id"])
        return self._dm_channels[user_id]

    async def channel_members(self, channel_id: str) -> list[str]:
        """The user ids in a channel, bots included (they match no person in storage)."""
        members: list[str] = []
        cursor: str | None = None
        while True:
            page = await self._call(
                self._web().conversations_members(
                    channel=channel_id, limit=MEMBERS_PAGE, cursor=cursor
                )
            )
            members += [str(m) for m in page.get("members") or []]
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if cursor is None:
                return members

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

    async def _blocks(self, reply: Reply) -> list[dict[str, Any]]:
        """The reply's blocks, its forms kept first so that their buttons can open them."""
        forms = offered_forms(reply)
        if forms and self._keep_forms is not None:
            await self._keep_forms(forms)
        return render_blocks(reply)

    async def _upload_to_dm(self, user_id: str, reply: Reply) -> None:
        """The files of an answer only one person may see go to their DM with the app."""
        if not _uploads(reply):
            return
        try:
            channel = await self.dm_channel(user_id)
        except DeliveryError as exc:
            log.warning("slack: no DM for the files of an answer: %s", exc)
            return
        await self._upload_all(channel, reply, thread_ts=None)

    async def _upload_all(self, channel: str, reply: Reply, *, thread_ts: str | None) -> None:
        for block in _uploads(reply):
            if isinstance(block, Image):
                assert block.png is not None
                alt = block.alt_text[:ALT_TEXT]
                await self._upload(
                    channel,
                    thread_ts,
                    filename=block.filename or f"{_slug(block.title or 'chart')}.png",
                    content=block.png,
                    title=block.title or alt,
                    alt_txt=alt,
                )
            else:
                await self._upload(
                    channel,
                    thread_ts,
                    filename=block.filename,
                    content=block.data,
                    title=block.title or block.filename,
                )

    async def _upload(self, channel: str, thread_ts: str | None, **file: Any) -> None:
        """Upload after the message went out. A failure is logged, not raised: raising would
        have the caller send the message again, twice over for everyone who got it."""
        try:
            await self._call(
                self._web().files_upload_v2(channel=channel, thread_ts=thread_ts, **file)
            )
        except DeliveryError as exc:
            log.warning("slack: upload of %s to %s failed: %s", file["filename"], channel, exc)

    def _web(self) -> AsyncWebClient:
        """The client, made on first use inside the event loop with one pooled session:
        without a session slack_sdk opens a new connection for every call."""
        if self._client is None:
            self._client = AsyncWebClient(
                token=self._token,
                base_url=self._base_url,
                timeout=self._timeout,
                session=self._http(),
                retry_handlers=[],
            )
        return self._client

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        return self._session

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
        return RateLimited(retry_after(getattr(response, "headers", None)))
    if error in UNREACHABLE:
        return RecipientUnreachable(f"slack: {error}")
    return DeliveryError(f"slack: {error or f'HTTP {status}'}")


def _uploads(reply: Reply) -> list[Image | File]:
    """What goes as an upload: files, and pictures given as bytes rather than by URL."""
    return [
        b
        for b in reply.blocks
        if isinstance(b, File) or (isinstance(b, Image) and b.png is not None and b.url is None)
    ]


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60] or "file"
