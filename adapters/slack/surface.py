"""What Slack can do with an event's replies, and the Web API calls that do it: the core decides
where each reply goes (`bot.answering`), this module only says how.

An interaction (a slash command, a button, a submitted modal) lends a `response_url`, which
reaches the conversation it came from even when the bot is not a member, and is the only way to
replace an ephemeral message (https://docs.slack.dev/interactivity/handling-user-interaction);
replies to it go that way. It also brings a `trigger_id`, which opens one modal within 3 seconds
(https://docs.slack.dev/surfaces/modals). Events API deliveries have neither: they are answered
with chat.postMessage and chat.postEphemeral.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from adapters.slack.home import home_view
from adapters.slack.messenger import PLATFORM, SlackMessenger
from adapters.slack.render import modal_view, with_origin
from bot.answering import Capabilities, Openings, Source, Surface
from bot.events import Action, ConversationKind, Event
from bot.messenger import DeliveryError, SentMessage
from bot.patience import REPLY_PATIENCE
from bot.replies import Reply

SLACK = Capabilities(
    platform=PLATFORM,
    private_replies=True,  # ephemeral messages
    modal_forms=True,  # with a trigger id
    update_private=True,  # through the response_url
    home_surface=True,  # the App Home tab
    patience=REPLY_PATIENCE,  # replies go out after the 3-second acknowledgement
)


class SlackSurface(Surface):
    def __init__(self, messenger: SlackMessenger, event: Event) -> None:
        self._messenger = messenger
        self._event = event
        data = event.conversation.data
        self._user: str = event.actor.user_id
        self._channel: str | None = data.get("channel")
        self._thread: str | None = data.get("thread_ts")
        self._response_url: str | None = data.get("response_url")
        self._trigger: str | None = data.get("trigger_id")  # works once
        self._shared = event.conversation.kind is not ConversationKind.DIRECT

    def openings(self) -> Openings:
        return Openings(
            source=self._source(),
            form_now=bool(self._trigger),
            route_expires=bool(self._response_url),
        )

    async def post(self, reply: Reply) -> None:
        if self._response_url:
            await self._respond(reply, ephemeral=False)
        else:
            # Events come from conversations the bot is in; a user id names the app's DM.
            await self._messenger.post(self._channel or self._user, reply, thread_ts=self._thread)

    async def post_private(self, reply: Reply) -> None:
        if self._response_url:
            await self._respond(reply, ephemeral=True)
        elif self._channel and self._shared:
            await self._messenger.post_ephemeral(
                self._channel, self._user, reply, thread_ts=self._thread
            )
        else:
            # In the bot's own DM a plain message is private and, unlike an ephemeral one,
            # stays in the history.
            await self._messenger.post(self._channel or self._user, reply, thread_ts=self._thread)

    async def update(self, reply: Reply) -> None:
        source = self._action_source()
        if self._source() is Source.SHARED:
            handle = {"channel": source["channel"], "ts": source["ts"]}
            await self._messenger.update(SentMessage(PLATFORM, source["ts"], handle), reply)
        elif self._source() is Source.PRIVATE:
            await self._respond(
                reply, ephemeral=True, replace_original=True, url=source["response_url"]
            )
        else:
            raise DeliveryError("slack: no message to update")

    async def open_form(self, reply: Reply) -> None:
        forms = reply.forms()
        if not forms:
            raise DeliveryError("slack: no form in the reply")
        await self.open_offered_form(modal_view(forms[0], reply))

    async def open_offered_form(self, view: Mapping[str, Any]) -> None:
        trigger, self._trigger = self._trigger, None
        if not trigger:
            raise DeliveryError("slack: no trigger id left to open a modal with")
        await self._messenger.open_view(trigger, with_origin(dict(view), self._origin()))

    async def direct(self, reply: Reply) -> None:
        await self._messenger.post(self._user, reply)

    async def publish_home(self, reply: Reply) -> None:
        await self._messenger.publish_home(self._user, home_view(reply))

    async def _respond(
        self,
        reply: Reply,
        *,
        ephemeral: bool,
        replace_original: bool = False,
        url: str | None = None,
    ) -> None:
        target = url or self._response_url
        assert target is not None
        await self._messenger.respond(
            target,
            reply,
            user_id=self._user,
            ephemeral=ephemeral,
            replace_original=replace_original,
        )

    def _action_source(self) -> Mapping[str, Any]:
        return self._event.source if isinstance(self._event, Action) else {}

    def _source(self) -> Source:
        """Ephemeral messages have no ts that chat.update takes: only their response_url
        replaces them."""
        source = self._action_source()
        if source.get("ts") and not source.get("ephemeral"):
            return Source.SHARED
        if source.get("response_url"):
            return Source.PRIVATE
        return Source.NONE

    def _origin(self) -> dict[str, str]:
        """Where a modal was opened from, for its submission's replies: a view_submission
        payload names no channel."""
        data = self._event.conversation.data
        origin = {k: str(data[k]) for k in ("channel", "thread_ts", "response_url") if data.get(k)}
        origin["kind"] = self._event.conversation.kind.value
        return origin
