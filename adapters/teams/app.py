"""The Teams side of the bot: botbuilder's aiohttp `CloudAdapter` runs each activity as a turn;
the turn stores the conversation reference (proactive sends need it), translates the activity
into a neutral event, lets the router handle it and sends the replies as Adaptive Cards.
Installed in a team or group chat, the bot reads its roster in the background (see
`adapters.teams.roster`), so that the answer to Teams never waits on it.

Teams waits for the HTTP answer to an activity for about 15 seconds and redelivers on timeouts,
so the turn answers in-line (a knowledge answer takes well under a second) and the router drops
a redelivered activity by its id. Sends are guarded: a 403 from the connector (bot blocked)
inside a turn would otherwise surface as a 500 to Teams, which then retries.

`invoke` activities (a card's `Action.Execute`, an answer to a file consent card) want their
answer in the HTTP response: the turn puts an `invokeResponse` activity into the turn state
itself. `ActivityHandler.on_adaptive_card_invoke` is not used: in botbuilder 4.17.1 its body is
serialized once there and again by the aiohttp CloudAdapter, which fails into a 500.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from functools import partial
from typing import Any

from aiohttp import web
from botbuilder.core import ActivityHandler, InvokeResponse, TurnContext
from botbuilder.integration.aiohttp import (
    CloudAdapter,
    ConfigurationBotFrameworkAuthentication,
)
from botbuilder.schema import Activity, ActivityTypes
from msrest.serialization import Model

from adapters.teams import inbound
from adapters.teams.files import PERSONAL_ONLY, FileConsents, message
from adapters.teams.inbound import PLATFORM
from adapters.teams.messenger import TeamsMessenger, activity_of, connector_call
from adapters.teams.render import card_response, error_response, files_of, message_response
from adapters.teams.roster import register_sync
from bot.events import Action, ConversationKind, Event
from bot.messenger import DeliveryError, RateLimited
from bot.pacing import IN_TURN_PATIENCE, patiently
from bot.replies import Reply
from bot.runtime import Runtime
from bot.turns import Turns
from storage.db import StorageUnavailable

log = logging.getLogger(__name__)


class _Config:
    """What `ConfigurationBotFrameworkAuthentication` reads, by the names it reads them."""

    def __init__(self, app_id: str, password: str, app_type: str, tenant_id: str) -> None:
        self.APP_ID = app_id
        self.APP_PASSWORD = password
        self.APP_TYPE = app_type
        self.APP_TENANTID = tenant_id


class _InvokeBody(Model):
    """An invoke response body as the aiohttp CloudAdapter wants it: it passes the body through
    msrest's serializer, which takes models only (a dict fails there, into a 500)."""

    _attribute_map: dict[str, dict[str, str]] = {  # noqa: RUF012 (msrest reads the class's)
        "status_code": {"key": "statusCode", "type": "int"},
        "type": {"key": "type", "type": "str"},
        "value": {"key": "value", "type": "object"},
    }

    def __init__(self, body: dict[str, Any]) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.status_code = body["statusCode"]
        self.type = body["type"]
        self.value = body["value"]


class TeamsBridge(ActivityHandler):  # type: ignore[misc]
    def __init__(self, runtime: Runtime, adapter: CloudAdapter, app_id: str) -> None:
        super().__init__()
        self.runtime = runtime
        self.adapter = adapter
        self.app_id = app_id
        services = runtime.services
        self.files = FileConsents(services.held_files, lambda: services.clock())
        self.messenger = TeamsMessenger(
            adapter, app_id, services.conversations, services.people, self.files
        )
        self._background: set[asyncio.Task[None]] = set()  # kept so they are not collected
        self._turns = Turns()

    @classmethod
    def start(cls, runtime: Runtime) -> TeamsBridge:
        settings = runtime.settings
        app_id = settings.microsoft_app_id or ""
        if not app_id:
            # Emulator mode: botbuilder skips JWT validation when there is no app id, as the Bot
            # Framework Emulator expects. Only BREAKROOM_TEAMS_EMULATOR=1 gets here.
            log.warning(
                "teams: emulator mode, no MICROSOFT_APP_ID: requests to /api/messages are "
                "NOT authenticated; never expose this server"
            )
        auth = ConfigurationBotFrameworkAuthentication(
            _Config(
                app_id,
                settings.microsoft_app_password or "",
                settings.microsoft_app_type,
                settings.microsoft_app_tenant_id or "",
            )
        )
        bridge = cls(runtime, CloudAdapter(auth), app_id)
        runtime.services.outbound.register(bridge.messenger)
        register_sync(runtime.router, bridge.messenger)
        return bridge

    async def settle(self) -> None:
        """Wait for the background work started so far (roster reads after an install)."""
        while self._background:
            await asyncio.wait(set(self._background))

    async def close(self) -> None:
        """Stop background work before the database it writes to closes."""
        for task in self._background:
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)

    async def process(self, request: web.Request) -> web.Response | None:
        response: web.Response | None = await self.adapter.process(request, self)
        return response

    async def on_turn(self, turn_context: TurnContext) -> None:
        activity: dict[str, Any] = turn_context.activity.serialize()
        who = inbound.actor(activity)
        # Teams may post one person's activities at once (installing the app brings a welcome
        # and often a first question): they are handled in order, one at a time.
        async with self._turns.of(f"{who.tenant}:{who.user_id}"):
            address = await self._remember(turn_context, activity)
            if activity.get("type") == ActivityTypes.invoke:
                await self._answer_invoke(turn_context, activity)
                return
            await self._answer(turn_context, activity)
        shared = inbound.conversation_kind(activity) is not ConversationKind.DIRECT
        if address and shared and inbound.bot_added(activity):
            # After the answer: the welcome goes first, and the installer is stored already.
            self._in_background(self._read_roster(address))

    async def _answer(self, turn_context: TurnContext, activity: dict[str, Any]) -> None:
        event = inbound.translate(activity)
        if event is None:
            return
        try:
            for reply in await self.runtime.router.dispatch(event):
                await self._deliver(turn_context, event, reply)
        except DeliveryError as exc:
            # Blocked, removed, throttled past patience: Teams must still get its 200.
            log.warning("event=%s teams: reply not delivered: %s", event.id, exc)

    async def _answer_invoke(self, turn_context: TurnContext, activity: dict[str, Any]) -> None:
        body = await self._invoke(turn_context, activity)
        # What the adapter returns as the HTTP answer; always a 200, the outcome is in the
        # body (https://learn.microsoft.com/adaptive-cards/authoring-cards/universal-action-model#response-format).
        response = InvokeResponse(status=200, body=None if body is None else _InvokeBody(body))
        await turn_context.send_activity(
            Activity(type=ActivityTypes.invoke_response, value=response)
        )

    async def _invoke(
        self, turn_context: TurnContext, activity: dict[str, Any]
    ) -> dict[str, Any] | None:
        """Handle an invoke; the body of its answer (None: an empty 200, for names we do not
        handle too, so that Teams does not retry or show an error for them)."""
        name = activity.get("name")
        try:
            if name == inbound.CARD_ACTION:
                return await self._card_action(turn_context, activity)
            if name == inbound.FILE_CONSENT:
                await self._file_consent(turn_context, activity)
                return None
        except (DeliveryError, StorageUnavailable) as exc:
            log.warning("teams: invoke %s not completed: %s", name, type(exc).__name__)
            return None
        log.info("teams: invoke %s not handled", name)
        return None

    async def _card_action(
        self, turn_context: TurnContext, activity: dict[str, Any]
    ) -> dict[str, Any]:
        """`Action.Execute`: a reply that replaces the original is the card shown in its place;
        the other replies are sent as messages, and the first one's text is the answer."""
        event = inbound.translate(activity)
        if not isinstance(event, Action):
            return error_response(400, "BadRequest", "This card action could not be read.")
        replies = await self.runtime.router.dispatch(event)
        in_place = next((r for r in replies if r.replace_original and not files_of(r)), None)
        try:
            for reply in replies:
                if reply is not in_place:
                    await self._deliver(turn_context, event, reply)
        except DeliveryError as exc:
            log.warning("event=%s teams: reply not delivered: %s", event.id, exc)
        if in_place is not None:
            return card_response(in_place)
        return message_response(replies[0].fallback if replies else "")

    async def _file_consent(self, turn_context: TurnContext, activity: dict[str, Any]) -> None:
        activity_id = activity.get("id")
        if activity_id and not await self.runtime.services.processed.first_time(
            PLATFORM, str(activity_id)
        ):
            return  # a redelivery: the answer was acted on already
        for answer in await self.files.answer(activity):
            sent = Activity().deserialize(answer)
            await _in_turn(partial(turn_context.send_activity, sent))

    async def _remember(self, turn_context: TurnContext, activity: dict[str, Any]) -> str:
        """Keep where to reach this person (personal chat) or conversation (channel, group);
        returns the address it is kept under ("" when there is none)."""
        reference: dict[str, Any] = TurnContext.get_conversation_reference(
            turn_context.activity
        ).serialize()
        # Proactive messages are new posts, not replies to the activity that brought this.
        reference.pop("activityId", None)
        conversation = dict(reference.get("conversation") or {})
        if inbound.conversation_kind(activity) is ConversationKind.DIRECT:
            address = inbound.actor(activity).user_id
        else:
            # A channel thread's id is "19:…@thread.tacv2;messageid=…": keep the channel.
            address = str(conversation.get("id") or "").split(";")[0]
            conversation["id"] = address
            reference["conversation"] = conversation
        if address:
            await self.runtime.services.conversations.save(PLATFORM, address, reference)
        return address

    def _in_background(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._background.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._background.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("teams: background work failed", exc_info=task.exception())

    async def _read_roster(self, address: str) -> None:
        try:
            await self.messenger.channel_members(address)
        except DeliveryError as exc:
            log.warning("teams roster: conversation=%s not read: %s", address, exc)

    async def _deliver(self, turn_context: TurnContext, event: Event, reply: Reply) -> None:
        files = files_of(reply)
        if reply.replace_original and isinstance(event, Action) and not files:
            card_id = event.source.get("activity_id")
            if card_id:
                activity = activity_of(reply)
                activity.id = card_id
                try:
                    await _in_turn(lambda: turn_context.update_activity(activity))
                    return
                except RateLimited:
                    raise
                except DeliveryError as exc:
                    log.info("event=%s teams: card not updated (%s); posting anew", event.id, exc)
        direct = event.conversation.kind is ConversationKind.DIRECT
        if (reply.ephemeral or files) and not direct:
            # Teams has no ephemeral messages: what only the actor may see goes to their
            # personal chat when we can reach it, and into the conversation otherwise. Files
            # can be offered only in a personal chat.
            private = await self.runtime.services.conversations.load(PLATFORM, event.actor.user_id)
            if private is not None:
                await self.messenger.send(private, reply, owner=event.actor.user_id)
                return
            if files:
                note = Activity().deserialize(message(PERSONAL_ONLY))
                await _in_turn(lambda: turn_context.send_activity(note))
                return
        async with self.messenger.activity_for(
            reply, event.actor.user_id if direct else None
        ) as activity:
            await _in_turn(lambda: turn_context.send_activity(activity))


async def _in_turn(call: Callable[[], Awaitable[Any]]) -> Any:
    """A connector call inside a turn: its failures in the core's terms, a short 429 waited out."""
    return await patiently(lambda: connector_call(call()), IN_TURN_PATIENCE)
