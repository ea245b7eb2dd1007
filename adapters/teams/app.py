"""The Teams side of the bot: botbuilder's aiohttp `CloudAdapter` runs each activity as a turn;
the turn stores the conversation reference (proactive sends need it), translates the activity
into a neutral event, lets the router handle it and sends the replies as Adaptive Cards.

Teams waits for the HTTP answer to an activity for about 15 seconds and redelivers on timeouts,
so the turn answers in-line (a knowledge answer takes well under a second) and the router drops
a redelivered activity by its id. Sends are guarded: a 403 from the connector (bot blocked)
inside a turn would otherwise surface as a 500 to Teams, which then retries.
"""

from __future__ import annotations

import logging
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
        self.messenger = TeamsMessenger(adapter, app_id, runtime.services.conversations)

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
        return bridge

    async def process(self, request: web.Request) -> web.Response | None:
        response: web.Response | None = await self.adapter.process(request, self)
        return response

    async def on_turn(self, turn_context: TurnContext) -> None:
        activity: dict[str, Any] = turn_context.activity.serialize()
        await self._remember(turn_context, activity)
        event = inbound.translate(activity)
        if event is None:
            return
        try:
            for reply in await self.runtime.router.dispatch(event):
                await self._deliver(turn_context, event, reply)
        except DeliveryError as exc:
            # Blocked, removed, throttled past patience: Teams must still get its 200.
            log.warning("event=%s teams: reply not delivered: %s", event.id, exc)

    async def _remember(self, turn_context: TurnContext, activity: dict[str, Any]) -> None:
        """Keep where to reach this person (personal chat) or conversation (channel, group)."""
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
