"""Proactive sends and updates through the Bot Framework connector: the core's `Messenger`.

Teams lets a bot message someone only in a conversation it has a reference for (service URL,
conversation id, tenant), which it learns from an activity that person or channel sent. The
adapter stores one for every inbound activity (see `TeamsBridge`): a person's personal chat under
their user id, a channel or group chat under its conversation id. Without one there is nobody to
send to: that is `RecipientUnreachable`, the core marks the person, and their next message to the
bot clears the mark and stores the reference (installing the app sends one too).

Teams has no cheap way to search a chat's history for a message we sent, so `find_sent` always
says "cannot tell" and the outbox delivers at least once, not exactly once.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any, TypeVar

from botbuilder.core import CloudAdapterBase, TurnContext
from botbuilder.schema import Activity, ConversationReference
from msrest.exceptions import ClientException, HttpOperationError

from adapters.teams.inbound import PLATFORM
from adapters.teams.render import render_activity
from bot.messenger import DeliveryError, RateLimited, RecipientUnreachable, SentMessage
from bot.replies import Reply
from storage.conversations import ConversationStore
from storage.people import Identity

log = logging.getLogger(__name__)

T = TypeVar("T")
DEFAULT_RETRY_AFTER = 1.0
# The connector answers 403 when the bot was removed or blocked, 404 when the conversation or
# user is gone (https://learn.microsoft.com/microsoftteams/platform/bots/build-conversational-capability#status-codes-from-bot-conversational-apis).
UNREACHABLE = frozenset({403, 404})


def activity_of(reply: Reply) -> Activity:
    return Activity().deserialize(render_activity(reply))


async def connector_call(call: Awaitable[T]) -> T:
    """Await a connector call, its failures as the core's delivery errors."""
    try:
        return await call
    except HttpOperationError as exc:
        raise translate(exc) from exc
    except (ClientException, OSError, TimeoutError) as exc:
        raise DeliveryError(f"teams: {type(exc).__name__}") from exc


def translate(exc: HttpOperationError) -> DeliveryError:
    response = getattr(exc, "response", None)
    status = int(getattr(response, "status_code", 0) or 0)
    if status == 429:
        return RateLimited(retry_after(getattr(response, "headers", None) or {}))
    if status in UNREACHABLE:
        return RecipientUnreachable(f"teams: HTTP {status}")
    return DeliveryError(f"teams: HTTP {status or 'error'}")


def retry_after(headers: Mapping[str, Any]) -> float:
    for name in ("Retry-After", "retry-after"):
        raw = headers.get(name)
        if raw is not None:
            try:
                return max(0.0, float(raw))
            except (TypeError, ValueError):
                break
    return DEFAULT_RETRY_AFTER


class TeamsMessenger:
    platform = PLATFORM

    def __init__(
        self, adapter: CloudAdapterBase, app_id: str, conversations: ConversationStore
    ) -> None:
        self._adapter = adapter
        self._app_id = app_id
        self._conversations = conversations

    async def send_direct(
        self, identity: Identity, reply: Reply, *, dedupe_key: str | None = None
    ) -> SentMessage:
        # `dedupe_key` cannot travel with a Teams message in a way we could search for later.
        reference = await self._conversations.load(PLATFORM, identity.user_id)
        if reference is None:
            raise RecipientUnreachable("teams: no personal conversation with this person yet")
        return await self.send(reference, reply)

    async def find_sent(
        self, identity: Identity, dedupe_key: str, since: datetime
    ) -> SentMessage | None:
        return None  # cannot tell: at least once (see the module docstring)

    async def send_to_channel(self, channel_id: str, reply: Reply) -> SentMessage:
        reference = await self._conversations.load(PLATFORM, channel_id)
        if reference is None:
            raise DeliveryError("teams: the bot has not been added to that channel or chat")
        return await self.send(reference, reply)

    async def update(self, sent: SentMessage, reply: Reply) -> None:
        activity = activity_of(reply)
        activity.id = sent.message_id

        async def edit(turn: TurnContext) -> None:
            await connector_call(turn.update_activity(activity))

        await self._continue(sent.handle["reference"], edit)

    async def channel_members(self, channel_id: str) -> list[str]:
        # TeamsInfo.get_paged_team_members in a continued turn; not built yet.
        raise DeliveryError("teams: listing a team's members is not supported yet")

    async def send(self, reference: Mapping[str, Any], reply: Reply) -> SentMessage:
        """A new message in the referenced conversation (not a reply to any activity)."""
        sent: list[str] = []

        async def post(turn: TurnContext) -> None:
            # botbuilder gives the continuation activity a fresh uuid as its id and makes every
            # send a reply to it (POST …/activities/{uuid}): without the id it is a plain post.
            turn.activity.id = None
            response = await connector_call(turn.send_activity(activity_of(reply)))
            sent.append(str(getattr(response, "id", "") or ""))

        await self._continue(reference, post)
        return SentMessage(
            PLATFORM, sent[0], {"reference": dict(reference), "activity_id": sent[0]}
        )

    async def _continue(
        self, reference: Mapping[str, Any], logic: Callable[[TurnContext], Awaitable[None]]
    ) -> None:
        conversation = ConversationReference().deserialize(dict(reference))
        # With no on_turn_error set, the adapter re-raises what `logic` raised.
        await connector_call(self._adapter.continue_conversation(conversation, logic, self._app_id))
