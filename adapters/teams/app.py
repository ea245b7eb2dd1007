"""The Teams side of the bot: botbuilder's aiohttp `CloudAdapter` runs each activity as a turn;
the turn stores the conversation reference (proactive sends need it), translates the activity
into a neutral event, lets the router handle it and sends the replies as Adaptive Cards.
Installed in a team or group chat, the bot reads its roster in the background (see
`adapters.teams.roster`), so that the answer to Teams never waits on it.

Teams waits for the HTTP answer to an activity for about 15 seconds and redelivers on timeouts,
so the turn answers in-line (a knowledge answer takes well under a second) and the router drops
a redelivered activity by its id. Sends are guarded: a 403 from the connector (bot blocked)
inside a turn would otherwise surface as a 500 to Teams, which then retries.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

from aiohttp import web
from botbuilder.core import ActivityHandler, TurnContext
from botbuilder.integration.aiohttp import (
    CloudAdapter,
    ConfigurationBotFrameworkAuthentication,
)

from adapters.teams import inbound
from adapters.teams.inbound import PLATFORM
from adapters.teams.messenger import TeamsMessenger, activity_of, connector_call
from adapters.teams.roster import register_sync
from bot.events import Action, ConversationKind, Event
from bot.messenger import DeliveryError, RateLimited
from bot.replies import Reply
from bot.retry import Patience, patiently
from bot.runtime import Runtime

log = logging.getLogger(__name__)

# Inside a turn Teams is waiting for our HTTP answer (about 15 seconds): never wait long.
IN_TURN = Patience(attempts=3, first=0.5, longest_wait=5.0)


class _Config:
    """What `ConfigurationBotFrameworkAuthentication` reads, by the names it reads them."""

    def __init__(self, app_id: str, password: str, app_type: str, tenant_id: str) -> None:
        self.APP_ID = app_id
        self.APP_PASSWORD = password
        self.APP_TYPE = app_type
        self.APP_TENANTID = tenant_id


class TeamsBridge(ActivityHandler):  # type: ignore[misc]
    def __init__(self, runtime: Runtime, adapter: CloudAdapter, app_id: str) -> None:
        super().__init__()
        self.runtime = runtime
        self.adapter = adapter
        self.app_id = app_id
        services = runtime.services
        self.messenger = TeamsMessenger(adapter, app_id, services.conversations, services.people)
        self._background: set[asyncio.Task[None]] = set()  # kept so they are not collected

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
        address = await self._remember(turn_context, activity)
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
        if reply.replace_original and isinstance(event, Action):
            card_id = event.source.get("activity_id")
            if card_id:
                activity = activity_of(reply)
                activity.id = card_id
                try:
                    await patiently(
                        lambda: connector_call(turn_context.update_activity(activity)), IN_TURN
                    )
                    return
                except RateLimited:
                    raise
                except DeliveryError as exc:
                    log.info("event=%s teams: card not updated (%s); posting anew", event.id, exc)
        if reply.ephemeral and event.conversation.kind is not ConversationKind.DIRECT:
            # Teams has no ephemeral messages: what only the actor may see goes to their
            # personal chat when we can reach it, and into the conversation otherwise.
            private = await self.runtime.services.conversations.load(PLATFORM, event.actor.user_id)
            if private is not None:
                await self.messenger.send(private, reply)
                return
        await patiently(
            lambda: connector_call(turn_context.send_activity(activity_of(reply))), IN_TURN
        )
