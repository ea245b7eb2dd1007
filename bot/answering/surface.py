"""The port an adapter implements to answer one event: the platform's primitives, nothing else.

An adapter makes one `Surface` per event (it reads the payload data it put in the event) and
overrides the primitives its platform has; the others refuse, and the placement never picks
them where the adapter's `Capabilities` say the platform cannot. Primitives report failures as
the core's `DeliveryError`s; the core waits out rate limits around each call, logs, and tries the
next place. No primitive decides where a reply goes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.answering.placement import Openings
from bot.messenger import DeliveryError
from bot.replies import Reply


class Surface:
    def openings(self) -> Openings:
        """What this event allows now (asked again before each reply: a trigger works once)."""
        return Openings()

    async def post(self, reply: Reply) -> None:
        """Into the event's conversation (its thread, where it has one), for everyone there."""
        raise DeliveryError("posting is not possible here")

    async def post_private(self, reply: Reply) -> None:
        """Into the event's conversation, for the actor alone."""
        raise DeliveryError("no private replies on this platform")

    async def update(self, reply: Reply) -> None:
        """Replace the message the pressed control sat on."""
        raise DeliveryError("no message to update")

    async def respond(self, reply: Reply) -> None:
        """Make the reply the HTTP answer to the event."""
        raise DeliveryError("no HTTP answer awaited")

    async def open_form(self, reply: Reply) -> None:
        """Open the reply's first form as a modal."""
        raise DeliveryError("no modal forms on this platform")

    async def open_offered_form(self, view: Mapping[str, Any]) -> None:
        """Open a form offered earlier behind a button, as it was rendered then."""
        raise DeliveryError("no modal forms on this platform")

    async def direct(self, reply: Reply) -> None:
        """Into the actor's direct chat with the bot."""
        raise DeliveryError("no direct chat on this platform")

    async def publish_home(self, reply: Reply) -> None:
        """Draw the actor's home surface anew."""
        raise DeliveryError("no home surface on this platform")
