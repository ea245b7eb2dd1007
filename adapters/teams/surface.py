"""What Teams can do with an activity's replies, and the connector calls that do it: the core
decides where each reply goes (`bot.answering`), this module only says how.

Replies are sent inside the turn, as answers to the activity. Teams has no message that only one
person in a channel sees: what only the actor may see goes to their personal chat, when the bot
has one with them. Files can be offered only there too, with a file consent card
(https://learn.microsoft.com/microsoftteams/platform/bots/how-to/bots-filesv4). A card's
`Action.Execute` (an `adaptiveCard/action` invoke) wants its answer in the HTTP response
(https://learn.microsoft.com/adaptive-cards/authoring-cards/universal-action-model#response-format):
the first reply goes there, as a card in place of the original or a message under it, and
nowhere else.
"""

from __future__ import annotations

from typing import Any

from botbuilder.core import InvokeResponse, TurnContext
from botbuilder.schema import Activity, ActivityTypes
from msrest.serialization import Model

from adapters.teams.inbound import PLATFORM
from adapters.teams.messenger import TeamsMessenger, activity_of, connector_call
from adapters.teams.render import card_response, message_response
from bot.answering import Capabilities, Openings, Source, Surface
from bot.events import Action, ConversationKind, Event, MemberJoined
from bot.messenger import DeliveryError
from bot.patience import IN_TURN_PATIENCE
from bot.replies import Reply, Text
from storage.conversations import ConversationStore

TEAMS = Capabilities(
    platform=PLATFORM,
    # Teams waits for the HTTP answer to an activity (about 15 seconds): never wait long.
    patience=IN_TURN_PATIENCE,
    files_need_direct=True,  # file consent cards, in a personal chat only
    invoke_responses=True,  # `adaptiveCard/action` answers in the HTTP body
)


class TeamsSurface(Surface):
    def __init__(
        self,
        turn: TurnContext,
        event: Event,
        messenger: TeamsMessenger,
        conversations: ConversationStore,
        *,
        invoke: bool = False,
    ) -> None:
        self._turn = turn
        self._event = event
        self._messenger = messenger
        self._conversations = conversations
        self._invoke = invoke
        self._user = event.actor.user_id
        self._direct = event.conversation.kind is ConversationKind.DIRECT
        source = event.source if isinstance(event, Action) else {}
        self._card_id: str | None = source.get("activity_id")
        # The body of the HTTP answer to an invoke, once a reply took that place.
        self.response: dict[str, Any] | None = None

    def openings(self) -> Openings:
        return Openings(
            source=Source.SHARED if self._card_id else Source.NONE,
            awaits_response=self._invoke and self.response is None,
        )

    async def post(self, reply: Reply) -> None:
        # Files are offered to the actor in their personal chat only; elsewhere, only named.
        owner = self._user if self._direct else None
        async with self._messenger.activity_for(reply, owner) as activity:
            await connector_call(self._turn.send_activity(activity))

    async def update(self, reply: Reply) -> None:
        if not self._card_id:
            raise DeliveryError("teams: no card to update")
        activity = activity_of(reply)
        activity.id = self._card_id
        await connector_call(self._turn.update_activity(activity))

    async def respond(self, reply: Reply) -> None:
        """The answer to a card's `Action.Execute`: text alone is a message Teams shows under
        the card, seen by the actor only; anything richer, or a reply meant to replace the
        card, is the card shown in its place."""
        if not self._invoke:
            raise DeliveryError("teams: no HTTP answer awaited")
        text_only = all(isinstance(b, Text) for b in reply.blocks)
        if text_only and not reply.replace_original:
            self.response = message_response(reply.fallback)
        else:
            self.response = card_response(reply)

    async def direct(self, reply: Reply) -> None:
        """A new message in the actor's personal chat, whose reference a message from them
        stored. Without one, only the welcome of someone who installed the bot in a team or
        group chat opens the chat, as the bot may with anyone there (the app's
        `messageTeamMembers` permission): they have often never written to it, and their help
        must not go to the channel instead. Other replies fall back as placement says."""
        reference = await self._conversations.load(PLATFORM, self._user)
        if reference is None and isinstance(self._event, MemberJoined):
            reference = await self._messenger.open_personal_chat(self._user, self._member())
        if reference is None:
            raise DeliveryError("teams: no personal chat with this person yet")
        await self._messenger.send(reference, reply, owner=self._user)

    def _member(self) -> dict[str, Any]:
        """Where to reach the actor, as a roster hint has it (see `adapters.teams.roster`)."""
        activity = self._turn.activity
        if not activity.from_property or not activity.from_property.id:
            raise DeliveryError("teams: the activity names no sender to write to")
        return {
            "teams_id": activity.from_property.id,
            "service_url": activity.service_url,
            "tenant": self._event.actor.tenant,
            "bot": {"id": activity.recipient.id if activity.recipient else None},
        }


def invoke_response(body: dict[str, Any] | None) -> Activity:
    """The activity that carries an invoke's HTTP answer: always a 200, the outcome is in the
    body (None: an empty 200)."""
    response = InvokeResponse(status=200, body=None if body is None else _InvokeBody(body))
    return Activity(type=ActivityTypes.invoke_response, value=response)


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
