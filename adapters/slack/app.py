"""The Slack side of the bot: a bolt `AsyncApp` whose listeners acknowledge at once, translate
the payload into a neutral event, and hand it to the core's answering path in a task of its own
with the Slack surface the replies go out through (`adapters.slack.surface`).

Slack wants every request acknowledged within 3 seconds
(https://docs.slack.dev/interactivity/handling-user-interaction#acknowledgment_response), and
retries an event it thinks was not (https://docs.slack.dev/apis/events-api#retries). So bolt
acknowledges before any of our work (`process_before_response=False`), and the router drops a
retried event by its stored id. Nothing slow happens before the acknowledgement: the workspace
identity bolt needs for each request is read once at start-up (see `WorkspaceIdentity`).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from dataclasses import replace
from typing import Any

from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import inbound
from adapters.slack.directory import SlackDirectory
from adapters.slack.identity import WorkspaceIdentity, quiet_token_notice
from adapters.slack.messenger import PLATFORM, SlackMessenger
from adapters.slack.render import FORM_CALLBACK
from adapters.slack.surface import SLACK, SlackSurface
from bot.answering import Answerer, keeper
from bot.events import Event, HomeOpened
from bot.runtime import Runtime
from storage.db import StorageUnavailable
from storage.people import Profile


class SlackBridge:
    """Bolt, the messenger and the answering path, from start-up to shutdown."""

    def __init__(
        self,
        runtime: Runtime,
        messenger: SlackMessenger,
        bolt: AsyncApp,
        identity: WorkspaceIdentity,
    ) -> None:
        self.runtime = runtime
        self.messenger = messenger
        self.bolt = bolt
        self.answering = Answerer(runtime.router, SLACK)
        self._identity = identity
        self._socket: AsyncSocketModeHandler | None = None
        self._socket_task: asyncio.Task[None] | None = None
        # The look-up of each person's Slack locale this process made (see `_with_locale`).
        self._locales: dict[str, asyncio.Task[str | None]] = {}

    @classmethod
    async def start(cls, runtime: Runtime, *, socket_mode: bool = False) -> SlackBridge:
        """Build the bolt app inside the running loop (its HTTP session belongs to it), make
        Slack reachable for proactive sends, and prepare Socket Mode when asked (`connect`)."""
        settings = runtime.settings
        assert settings.slack_bot_token is not None
        messenger = SlackMessenger(
            settings.slack_bot_token,
            base_url=settings.slack_api_url,
            keep_forms=keeper(runtime.services, PLATFORM),
        )
        identity = WorkspaceIdentity(messenger.web)
        identity.prefetch()
        quiet_token_notice()
        bolt = AsyncApp(
            # Bolt names each request's logger after the app and resets its level: a name under
            # "slack_bolt" keeps it off our own loggers and inside the log filter (bot.logs).
            name="slack_bolt.breakroom",
            # The client has no token: bolt takes the bot token from `authorize`, which answers
            # from what auth.test said at start-up instead of calling it in the first request.
            client=AsyncWebClient(
                base_url=settings.slack_api_url,
                session=messenger.web.session,
                retry_handlers=[],
            ),
            authorize=identity.authorize,
            # `POST /slack/events` checks every signature before bolt sees the request (see
            # adapters.slack.http); Socket Mode requests come over an authenticated WebSocket.
            request_verification_enabled=False,
            process_before_response=False,
        )
        bridge = cls(runtime, messenger, bolt, identity)
        bridge._listen()
        runtime.services.outbound.register(messenger)
        runtime.services.directories.register(SlackDirectory(messenger.web))
        if socket_mode:
            assert settings.slack_app_token is not None
            bridge._socket = AsyncSocketModeHandler(bolt, settings.slack_app_token)
        return bridge

    def connect(self) -> None:
        """Open the Socket Mode connection, if there is one: called once the replica is ready,
        so that events arrive only when they can be handled. slack_sdk keeps retrying a
        connection that fails, logging each failure, so the server runs (and answers health
        checks) while it does."""
        if self._socket is not None and self._socket_task is None:
            self._socket_task = asyncio.create_task(
                self._socket.connect_async()  # type: ignore[no-untyped-call]
            )

    async def dispatch(self, request: AsyncBoltRequest) -> BoltResponse:
        return await self.bolt.async_dispatch(request)

    async def idle(self) -> None:
        """Wait until every reply being worked on has been sent (or has failed)."""
        await self.answering.settle()

    async def close(self) -> None:
        if self._socket is not None:
            await self._socket.close_async()  # type: ignore[no-untyped-call]
        if self._socket_task is not None:
            self._socket_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._socket_task
        await self.answering.drain()
        await self._identity.close()
        await self.messenger.close()

    # -- listeners ----------------------------------------------------------------------------

    def _listen(self) -> None:
        app = self.bolt
        everything = re.compile(".*")
        for kind in inbound.EVENT_TYPES:
            app.event(kind)(self._on_event)  # bolt acknowledges events before listeners run
        app.command(everything)(self._on_interaction)
        app.block_action(everything)(self._on_interaction)
        app.view(FORM_CALLBACK)(self._on_interaction)
        app.shortcut(everything)(self._on_interaction)

    async def _on_event(self, body: dict[str, Any], context: AsyncBoltContext) -> None:
        self._handle(body, context)

    async def _on_interaction(
        self, ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        await ack()  # an empty acknowledgement: closes a modal, shows nothing for a command
        self._handle(body, context)

    def _handle(self, body: dict[str, Any], context: AsyncBoltContext) -> None:
        event = inbound.translate(body, bot_user_id=context.bot_user_id)
        if event is not None:
            from_home = (body.get("view") or {}).get("type") == "home"
            self.answering.in_background(self._answer(event, from_home), f"answer {event.id}")

    async def _answer(self, event: Event, from_home: bool) -> None:
        """Answer the event; a button pressed on the Home tab then redraws the tab, so that
        what it changed (the language it is written in) shows there at once."""
        event = await self._with_locale(event)
        await self.answering.answer(event, SlackSurface(self.messenger, event))
        if from_home:
            home = HomeOpened(actor=event.actor, conversation=event.conversation)
            await self.answering.answer(home, SlackSurface(self.messenger, home))

    async def _with_locale(self, event: Event) -> Event:
        """The event with its person's Slack locale when none is stored for them yet: Slack's
        events do not carry it, and the directory sync may not have run since they joined. So
        someone whose Slack is in Spanish is answered in Spanish from their first message.
        Looked up once per person per process, and every event of theirs waits for that one
        look-up, so they are still answered in the order they came; the router stores the
        locale with the person."""
        actor = event.actor
        if actor.locale or not actor.user_id:
            return event
        lookup = self._locales.get(actor.user_id)
        if lookup is None:
            lookup = self._locales[actor.user_id] = asyncio.create_task(self._locale_of(event))
        locale = await lookup
        return replace(event, actor=replace(actor, locale=locale)) if locale else event

    async def _locale_of(self, event: Event) -> str | None:
        """The person's Slack locale when none is stored for them, else None."""
        actor = event.actor
        try:
            known = await self.runtime.services.people.known(
                Profile(actor.platform, actor.tenant, actor.user_id)
            )
        except StorageUnavailable:
            return None
        if known.person.locale:
            return None
        return await self.messenger.user_locale(actor.user_id)
