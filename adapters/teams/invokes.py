"""Teams' `invoke` activities: a card's `Action.Execute` and an answer to a file consent card.

An invoke wants its answer in the HTTP response, so the answer is put into the turn state as an
`invokeResponse` activity here. `ActivityHandler.on_adaptive_card_invoke` is not used: in
botbuilder 4.17.1 its body is serialized once there and again by the aiohttp CloudAdapter, which
fails into a 500.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.schema import Activity

from adapters.teams import inbound
from adapters.teams.files import FileConsents
from adapters.teams.inbound import PLATFORM
from adapters.teams.messenger import TeamsMessenger, connector_call
from adapters.teams.render import error_response, message_response
from adapters.teams.surface import TEAMS, TeamsSurface, invoke_response
from bot.answering import Answerer
from bot.events import Action
from bot.i18n import N_
from bot.patience import patiently
from bot.runtime import Runtime

log = logging.getLogger(__name__)

UNREADABLE_CARD = N_("This card action could not be read.")


class Invokes:
    """Answers the invokes of a turn (`TeamsBridge.on_turn` hands them over in the actor's
    turn, after it kept the conversation reference)."""

    def __init__(
        self,
        runtime: Runtime,
        answering: Answerer,
        messenger: TeamsMessenger,
        files: FileConsents,
    ) -> None:
        self.runtime = runtime
        self.answering = answering
        self.messenger = messenger
        self.files = files

    async def answer(self, turn_context: TurnContext, activity: dict[str, Any]) -> None:
        """Handle an invoke and put its answer into the turn, an empty 200 when it failed."""
        name = activity.get("name")
        body: dict[str, Any] | None = None
        async with self.answering.guarded(str(activity.get("id") or "-"), f"invoke {name}"):
            body = await self._invoke(turn_context, activity)
        await turn_context.send_activity(invoke_response(body))

    async def _invoke(
        self, turn_context: TurnContext, activity: dict[str, Any]
    ) -> dict[str, Any] | None:
        """Handle an invoke; the body of its answer (None: an empty 200, for names we do not
        handle too, so that Teams does not retry or show an error for them)."""
        name = activity.get("name")
        if name == inbound.CARD_ACTION:
            return await self._card_action(turn_context, activity)
        if name == inbound.FILE_CONSENT:
            await self._file_consent(turn_context, activity)
            return None
        log.info("teams: invoke %s not handled", name)
        return None

    async def _card_action(
        self, turn_context: TurnContext, activity: dict[str, Any]
    ) -> dict[str, Any]:
        """`Action.Execute`: the first reply is the answer, once (see `TeamsSurface.respond`);
        without one (no reply, or a file offered in the personal chat) an empty message."""
        event = inbound.translate(activity)
        if not isinstance(event, Action):
            t = await self.runtime.router.reader(inbound.actor(activity))
            return error_response(400, "BadRequest", t(UNREADABLE_CARD))
        surface = TeamsSurface(
            turn_context,
            event,
            self.messenger,
            self.runtime.services.conversations,
            invoke=True,
        )
        await self.answering.answer_in_turn(event, surface)
        return surface.response or message_response("")

    async def _file_consent(self, turn_context: TurnContext, activity: dict[str, Any]) -> None:
        activity_id = activity.get("id")
        if activity_id and not await self.runtime.services.processed.first_time(
            PLATFORM, str(activity_id)
        ):
            return  # a redelivery: the answer was acted on already
        for answer in await self.files.answer(activity):
            await patiently(partial(_send_in_turn, turn_context, answer), TEAMS.patience)


async def _send_in_turn(turn_context: TurnContext, activity: dict[str, Any]) -> None:
    await connector_call(turn_context.send_activity(Activity().deserialize(activity)))
