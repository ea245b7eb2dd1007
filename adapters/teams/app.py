"""The Teams side of the bot: botbuilder's aiohttp `CloudAdapter` runs each activity as a turn;
the turn stores the conversation reference (proactive sends need it), translates the activity
into a neutral event and hands it to the core's answering path with the Teams surface the replies
go out through (`adapters.teams.surface`). Installed in a team or group chat, the bot reads its
roster in the background (see `adapters.teams.roster`), so that the answer to Teams never waits
on it.

Teams waits for the HTTP answer to an activity for about 15 seconds and redelivers on timeouts,
so the turn answers in-line (a knowledge answer takes well under a second) and the router drops
a redelivered activity by its id. Whatever fails while answering, Teams gets its 200: a 500
would bring a redelivery that the router drops as a duplicate, and the answer would be lost.

`invoke` activities (a card's `Action.Execute`, an answer to a file consent card) want their
answer in the HTTP response: see `adapters.teams.invokes`.

Who sent an activity is checked before it gets here (`adapters.teams.http`, with
`adapters.teams.auth`), and botbuilder is handed the outcome: its own check would fetch the
signing keys inside the event loop.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from aiohttp import web
from botbuilder.core import ActivityHandler, TurnContext, serializer_helper
from botbuilder.core.teams import TeamsInfo
from botbuilder.integration.aiohttp import (
    CloudAdapter,
    ConfigurationBotFrameworkAuthentication,
)
from botbuilder.schema import Activity, ActivityTypes, CallerIdConstants
from botframework.connector.auth import AuthenticationConstants, ClaimsIdentity
from botframework.connector.auth.authenticate_request_result import AuthenticateRequestResult

from adapters.teams import inbound
from adapters.teams.auth import BotConnectorTokens
from adapters.teams.files import FileConsents
from adapters.teams.inbound import PLATFORM
from adapters.teams.invokes import Invokes
from adapters.teams.keys import SigningKeys
from adapters.teams.messenger import TeamsMessenger, connector_call
from adapters.teams.roster import TeamsDirectory
from adapters.teams.surface import TEAMS, TeamsSurface
from bot.answering import Answerer
from bot.directory import DirectoryUnavailable
from bot.events import ConversationKind, Event
from bot.messenger import DeliveryError
from bot.patience import patiently
from bot.runtime import Runtime

log = logging.getLogger(__name__)


class _Config:
    """What `ConfigurationBotFrameworkAuthentication` reads, by the names it reads them."""

    def __init__(self, app_id: str, password: str, app_type: str, tenant_id: str) -> None:
        self.APP_ID = app_id
        self.APP_PASSWORD = password
        self.APP_TYPE = app_type
        self.APP_TENANTID = tenant_id


class TeamsBridge(ActivityHandler):  # type: ignore[misc]
    def __init__(
        self, runtime: Runtime, adapter: CloudAdapter, tokens: BotConnectorTokens | None
    ) -> None:
        """`tokens` checks who sent each request; None only in emulator mode."""
        super().__init__()
        self.runtime = runtime
        self.adapter = adapter
        self.tokens = tokens
        app_id = tokens.app_id if tokens is not None else ""
        services = runtime.services
        self.files = FileConsents(
            services.held_files, lambda: services.clock(), reader=runtime.router.reader
        )
        self.messenger = TeamsMessenger(
            adapter, app_id, services.conversations, services.roster_hints, self.files
        )
        self.answering = Answerer(runtime.router, TEAMS)
        self.directory = TeamsDirectory(self.messenger, services.conversations)
        self.invokes = Invokes(runtime, self.answering, self.messenger, self.files)

    @classmethod
    def start(cls, runtime: Runtime) -> TeamsBridge:
        settings = runtime.settings
        app_id = settings.microsoft_app_id or ""
        tokens = None
        if app_id:
            tokens = BotConnectorTokens(app_id, SigningKeys(settings.teams_openid_url))
        else:
            # Emulator mode: no JWT, as the Bot Framework Emulator expects. Only
            # BREAKROOM_TEAMS_EMULATOR=1 gets here.
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
        bridge = cls(runtime, CloudAdapter(auth), tokens)
        runtime.services.outbound.register(bridge.messenger)
        runtime.services.directories.register(bridge.directory)
        return bridge

    async def settle(self) -> None:
        """Wait for the background work started so far (roster reads after an install)."""
        await self.answering.settle()

    async def close(self) -> None:
        """Let background work finish, briefly, before the database it writes to closes."""
        await self.answering.drain()
        if self.tokens is not None:
            await self.tokens.keys.close()

    async def process(self, activity: Activity, claims: Mapping[str, Any] | None) -> web.Response:
        """Run an activity as a turn. `claims` are those of its verified token (None in
        emulator mode), handed to botbuilder as the outcome of its own check would be."""
        auth = self.adapter.bot_framework_authentication
        checked = AuthenticateRequestResult()
        if claims is None:
            anonymous = AuthenticationConstants.ANONYMOUS_AUTH_TYPE
            checked.claims_identity = ClaimsIdentity({}, True, anonymous)
        else:
            checked.claims_identity = ClaimsIdentity(dict(claims), True)
            checked.caller_id = CallerIdConstants.public_azure_channel
        checked.audience = auth.get_originating_audience()
        checked.connector_factory = auth.create_connector_factory(checked.claims_identity)
        invoke = await self.adapter.process_activity(checked, activity, self.on_turn)
        if invoke is None:
            return web.Response(status=201)
        return web.json_response(serializer_helper(invoke.body), status=invoke.status)

    async def on_turn(self, turn_context: TurnContext) -> None:
        activity: dict[str, Any] = turn_context.activity.serialize()
        activity_id = str(activity.get("id") or "-")
        address = ""
        # Teams may post one person's activities at once (installing the app brings a welcome
        # and often a first question): they are handled in order, one at a time.
        async with self.answering.turn(inbound.actor(activity)):
            async with self.answering.guarded(activity_id, "conversation reference"):
                address = await self._remember(turn_context, activity)
            if activity.get("type") == ActivityTypes.invoke:
                await self.invokes.answer(turn_context, activity)
                return
            if inbound.bot_added(activity):
                activity = await self._with_sender_name(turn_context, activity)
            event = inbound.translate(activity)
            if event is not None:
                surface = self._surface(turn_context, event)
                await self.answering.answer_in_turn(event, surface)
        shared = inbound.conversation_kind(activity) is not ConversationKind.DIRECT
        if address and shared and inbound.bot_added(activity):
            # After the answer: the welcome goes first, and the installer is stored already.
            self.answering.in_background(self._read_roster(address), "roster read")

    async def _with_sender_name(
        self, turn_context: TurnContext, activity: dict[str, Any]
    ) -> dict[str, Any]:
        """The activity with its sender's name: Teams sends an installation without one, and
        the welcome greets them by it. Looked up as a member of the conversation; when that
        fails, the activity as it came (the welcome then greets without a name)."""
        sender = activity.get("from") or {}
        if sender.get("name") or not sender.get("id"):
            return activity
        member_id = str(sender["id"])
        try:
            member = await patiently(
                lambda: connector_call(TeamsInfo.get_member(turn_context, member_id)),
                TEAMS.patience,
            )
        except DeliveryError as exc:
            log.info("teams: the name of member %s not read: %s", member_id, exc)
            return activity
        if not member.name:
            return activity
        return {**activity, "from": {**sender, "name": member.name}}

    def _surface(self, turn_context: TurnContext, event: Event) -> TeamsSurface:
        return TeamsSurface(
            turn_context, event, self.messenger, self.runtime.services.conversations
        )

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

    async def _read_roster(self, address: str) -> None:
        directories = self.runtime.services.directories
        try:
            await directories.store(PLATFORM, self.directory.conversation(address))
        except DirectoryUnavailable as exc:
            log.warning("teams roster: %s", exc)
