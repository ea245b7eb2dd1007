"""The Slack side of the bot: a bolt `AsyncApp` whose listeners acknowledge at once, translate
the payload into a neutral event and let the router handle it in a task of its own, then send
the replies back the way Slack allows for that kind of event.

Slack wants every request acknowledged within 3 seconds
(https://docs.slack.dev/interactivity/handling-user-interaction#acknowledgment_response), and
retries an event it thinks was not (https://docs.slack.dev/apis/events-api#retries). So bolt
acknowledges before any of our work (`process_before_response=False`), and the router drops a
retried event by its stored id. Nothing slow happens before the acknowledgement: the workspace
identity bolt needs for each request is read once at start-up (see `_Identity`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

import aiohttp
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import inbound
from adapters.slack.directory import register_sync
from adapters.slack.home import publish_home
from adapters.slack.messenger import PLATFORM, SlackMessenger
from adapters.slack.render import (
    FORM_CALLBACK,
    OPEN_FORM_ACTION,
    modal_view,
    with_origin,
)
from bot.events import Action, ConversationKind, Event, HomeOpened, MemberJoined
from bot.messenger import DeliveryError, RateLimited, SentMessage
from bot.pacing import REPLY_PATIENCE, patiently
from bot.replies import Reply
from bot.runtime import Runtime
from bot.turns import Turns

log = logging.getLogger(__name__)

T = TypeVar("T")

FORM_GONE = "That form is no longer available. Please start again."
# How long the workspace identity may take at start-up before requests go on without it.
IDENTITY_WAIT = 1.5
# How long replies still being worked on get to finish when the server stops.
DRAIN_SECONDS = 10.0
_FORMS = "form:"  # conversation-store address prefix of forms offered behind a button


class SlackBridge:
    def __init__(
        self, runtime: Runtime, messenger: SlackMessenger, bolt: AsyncApp, identity: _Identity
    ) -> None:
        self.runtime = runtime
        self.messenger = messenger
        self.bolt = bolt
        self._identity = identity
        self._work: set[asyncio.Task[None]] = set()
        self._turns = Turns()
        self._socket: AsyncSocketModeHandler | None = None
        self._socket_task: asyncio.Task[None] | None = None

    @classmethod
    async def start(cls, runtime: Runtime, *, socket_mode: bool = False) -> SlackBridge:
        """Build the bolt app inside the running loop (its HTTP session belongs to it), make
        Slack reachable for proactive sends, and connect Socket Mode when asked."""
        settings = runtime.settings
        assert settings.slack_bot_token is not None
        conversations = runtime.services.conversations

        async def keep_forms(views: dict[str, dict[str, Any]]) -> None:
            for key, view in views.items():
                await conversations.save(PLATFORM, _FORMS + key, view)

        messenger = SlackMessenger(
            settings.slack_bot_token, base_url=settings.slack_api_url, keep_forms=keep_forms
        )
        identity = _Identity(messenger.web)
        identity.prefetch()
        _quiet_token_notice()
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
        register_sync(runtime.router, messenger.web)
        if socket_mode:
            assert settings.slack_app_token is not None
            bridge._socket = AsyncSocketModeHandler(bolt, settings.slack_app_token)
            # slack_sdk keeps retrying a connection that fails, logging each failure, so the
            # server starts (and answers health checks) while it does.
            bridge._socket_task = asyncio.create_task(
                bridge._socket.connect_async()  # type: ignore[no-untyped-call]
            )
        return bridge

    async def dispatch(self, request: AsyncBoltRequest) -> BoltResponse:
        return await self.bolt.async_dispatch(request)

    async def idle(self) -> None:
        """Wait until every reply being worked on has been sent (or has failed)."""
        while self._work:
            await asyncio.wait(set(self._work))

    async def close(self) -> None:
        if self._socket is not None:
            await self._socket.close_async()  # type: ignore[no-untyped-call]
        if self._socket_task is not None:
            self._socket_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._socket_task
        try:
            async with asyncio.timeout(DRAIN_SECONDS):
                await self.idle()
        except TimeoutError:
            late = set(self._work)
            for task in late:
                task.cancel()
            await asyncio.wait(late)
            log.warning("slack: %d replies were cut short by the shutdown", len(late))
        await self._identity.close()
        await self.messenger.close()

    # -- listeners ----------------------------------------------------------------------------

    def _listen(self) -> None:
        app = self.bolt
        everything = re.compile(".*")
        for kind in ("message", "app_mention", "app_home_opened", "member_joined_channel"):
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
            self._spawn(self._answer(event))

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        # Kept until done, so the task is not garbage-collected midway and shutdown can wait.
        task = asyncio.create_task(work)
        self._work.add(task)
        task.add_done_callback(self._work.discard)

    # -- answering ----------------------------------------------------------------------------

    async def _answer(self, event: Event) -> None:
        async with self._turns.of(f"{event.actor.tenant}:{event.actor.user_id}"):
            await self._answer_now(event)

    async def _answer_now(self, event: Event) -> None:
        try:
            if isinstance(event, Action) and event.action_id == OPEN_FORM_ACTION:
                await self._open_offered_form(event)
                return
            replies = await self.runtime.router.dispatch(event)
            if isinstance(event, HomeOpened):
                for reply in replies:
                    await publish_home(self.messenger.web, event.actor.user_id, reply)
                return
            trigger_id: str | None = event.conversation.data.get("trigger_id")
            for reply in replies:
                trigger_id = await self._deliver(event, reply, trigger_id)
        except (DeliveryError, SlackApiError, SlackClientError) as exc:
            log.warning("event=%s slack: reply not delivered: %s", event.id, _reason(exc))
        except Exception:
            log.exception("event=%s slack: reply failed", event.id)

    async def _deliver(self, event: Event, reply: Reply, trigger_id: str | None) -> str | None:
        """Send one reply; returns the trigger id if it is still unused (it works once)."""
        forms = reply.forms()
        if forms and trigger_id:
            view = with_origin(modal_view(forms[0], reply), _origin(event))
            try:
                await self.messenger.open_view(trigger_id, view)
                return None
            except DeliveryError as exc:
                # Typically expired_trigger_id, when the answer took over 3 seconds: the
                # "Open form" button below brings a fresh one.
                log.info("event=%s slack: modal not opened (%s)", event.id, exc)
                trigger_id = None
        if (
            reply.replace_original
            and isinstance(event, Action)
            and await self._replace(event, reply)
        ):
            return trigger_id
        try:
            await self._send(event, reply)
        except RateLimited:
            raise
        except DeliveryError as exc:
            if not _elsewhere_than_dm(event):
                raise
            # Not in that channel, an expired response_url…: the person still gets the answer.
            log.info("event=%s slack: answering by DM instead (%s)", event.id, exc)
            await _patiently(lambda: self.messenger.post(event.actor.user_id, reply))
        return trigger_id

    async def _send(self, event: Event, reply: Reply) -> None:
        data = event.conversation.data
        user = event.actor.user_id
        channel = data.get("channel")
        thread = data.get("thread_ts")
        response_url = data.get("response_url")
        private = reply.ephemeral or isinstance(event, MemberJoined)
        if response_url:
            await _patiently(
                lambda: self.messenger.respond(response_url, reply, user_id=user, ephemeral=private)
            )
        elif channel and private and event.conversation.kind is not ConversationKind.DIRECT:
            await _patiently(
                lambda: self.messenger.post_ephemeral(channel, user, reply, thread_ts=thread)
            )
        else:
            # Events come from conversations the bot is in; a DM there is the bot's own, where
            # a plain message is private and, unlike an ephemeral one, stays in the history.
            await _patiently(lambda: self.messenger.post(channel or user, reply, thread_ts=thread))

    async def _replace(self, event: Action, reply: Reply) -> bool:
        """Update the message the control sat on; False when it cannot be, so it is posted."""
        source = event.source
        try:
            if source.get("ts") and not source.get("ephemeral"):
                sent = SentMessage(
                    PLATFORM, source["ts"], {k: source[k] for k in ("channel", "ts")}
                )
                await _patiently(lambda: self.messenger.update(sent, reply))
                return True
            if source.get("response_url"):
                # Ephemeral messages have no ts to update: only their response_url replaces them.
                await _patiently(
                    lambda: self.messenger.respond(
                        source["response_url"],
                        reply,
                        user_id=event.actor.user_id,
                        ephemeral=True,
                        replace_original=True,
                    )
                )
                return True
        except RateLimited:
            raise
        except DeliveryError as exc:
            log.info("event=%s slack: message not updated (%s); posting anew", event.id, exc)
        return False

    async def _open_offered_form(self, event: Action) -> None:
        trigger_id = event.conversation.data.get("trigger_id")
        view = await self.runtime.services.conversations.load(PLATFORM, _FORMS + event.value)
        if view is None or not trigger_id:
            await self._send(event, Reply.text(FORM_GONE, ephemeral=True))
            return
        await self.messenger.open_view(trigger_id, with_origin(view, _origin(event)))


async def _patiently(send: Callable[[], Awaitable[T]]) -> T:
    """A reply, waiting out a 429 a few times: someone is waiting for it."""
    return await patiently(send, REPLY_PATIENCE)


def _quiet_token_notice() -> None:
    """Bolt takes SLACK_BOT_TOKEN from the environment even when given a client, then warns at
    every start that the token "will be unused": our client is tokenless on purpose (the token
    comes from `_Identity`), so that one warning is dropped."""
    framework = logging.getLogger("slack_bolt.AsyncApp")
    if not any(isinstance(f, _TokenNotice) for f in framework.filters):
        framework.addFilter(_TokenNotice())


class _TokenNotice(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != warning_client_prioritized_and_token_skipped()


class _Identity:
    """Who the bot is in its workspace, from auth.test, asked once at start-up.

    Bolt needs it for every request before the listener acknowledges; its single-workspace
    authorization would call auth.test inside the first request, so a slow Slack there would
    cost the acknowledgement. Until the answer is in (briefly at start, or while Slack is
    unreachable), requests go on with the token alone: bolt then cannot drop the bot's own
    events, but the inbound translation ignores every bot message anyway.
    """

    def __init__(self, client: AsyncWebClient) -> None:
        self._client = client
        self._known: AuthorizeResult | None = None
        self._asking: asyncio.Task[None] | None = None

    async def close(self) -> None:
        if self._asking is not None:
            self._asking.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._asking

    def prefetch(self) -> None:
        if self._asking is None or self._asking.done():
            self._asking = asyncio.create_task(self._ask())

    async def _ask(self) -> None:
        try:
            response = await self._client.auth_test()
        except (SlackApiError, SlackClientError, aiohttp.ClientError, OSError, TimeoutError) as exc:
            log.warning("slack: auth.test failed (%s); will ask again", _reason(exc))
            return
        self._known = AuthorizeResult.from_auth_test_response(
            auth_test_response=response, bot_token=self._client.token, user_token=None
        )
        log.info(
            "slack: connected to workspace %s as %s",
            response.get("team_id"),
            response.get("user_id"),
        )

    async def _result(self, team_id: str | None) -> AuthorizeResult:
        if self._known is None:
            self.prefetch()
            assert self._asking is not None
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(self._asking), IDENTITY_WAIT)
        if self._known is not None:
            return self._known
        return AuthorizeResult(enterprise_id=None, team_id=team_id, bot_token=self._client.token)

    @property
    def authorize(self) -> Callable[..., Awaitable[AuthorizeResult]]:
        # Bolt passes the arguments a function names, and would take a method's `self` for one.
        async def authorize(team_id: str | None) -> AuthorizeResult:
            return await self._result(team_id)

        return authorize


def _origin(event: Event) -> dict[str, str]:
    """Where a modal was opened from, for its submission's replies."""
    data = event.conversation.data
    origin = {k: str(data[k]) for k in ("channel", "thread_ts", "response_url") if data.get(k)}
    origin["kind"] = event.conversation.kind.value
    return origin


def _elsewhere_than_dm(event: Event) -> bool:
    data = event.conversation.data
    return bool(data.get("response_url")) or event.conversation.kind is not ConversationKind.DIRECT


def _reason(exc: BaseException) -> str:
    if isinstance(exc, SlackApiError):
        return str(exc.response.get("error", "error"))
    return str(exc) if isinstance(exc, DeliveryError) else type(exc).__name__
