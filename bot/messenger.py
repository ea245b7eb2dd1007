"""The messenger port: how the core and skills send proactively, whatever the platform.

Adapters implement `Messenger`; the core's `Outbound` picks the right one for a person or channel
and turns "this person blocked the bot" into a mark in storage instead of endless retries.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.replies import Reply
from storage.people import Identity, PeopleRepository


@dataclass(frozen=True)
class SentMessage:
    """A message the platform accepted; `handle` is opaque and lets the adapter update it."""

    platform: str
    message_id: str
    handle: Mapping[str, Any] = field(default_factory=dict, compare=False)


class DeliveryError(Exception):
    """The platform refused or failed a send."""


class RecipientUnreachable(DeliveryError):
    """The person blocked or uninstalled the bot, or no longer exists: do not retry."""


class RateLimited(DeliveryError):
    """The platform asked us to slow down; retry after `retry_after` seconds."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"rate limited, retry after {retry_after:.1f}s")
        self.retry_after = retry_after


class Messenger(Protocol):
    platform: str

    async def send_direct(self, identity: Identity, reply: Reply) -> SentMessage: ...

    async def send_to_channel(self, channel_id: str, reply: Reply) -> SentMessage: ...

    async def update(self, sent: SentMessage, reply: Reply) -> None: ...


class NoRoute(DeliveryError):
    """No mounted platform can reach this person or channel."""


class Outbound:
    """Proactive sends to people (by person id) and channels (by `platform:channel` address)."""

    def __init__(self, people: PeopleRepository, default_platform: str | None = None) -> None:
        self._people = people
        self._messengers: dict[str, Messenger] = {}
        self._default_platform = default_platform

    def register(self, messenger: Messenger) -> None:
        self._messengers[messenger.platform] = messenger
        if self._default_platform is None:
            self._default_platform = messenger.platform

    @property
    def platforms(self) -> tuple[str, ...]:
        return tuple(self._messengers)

    async def to_person(self, person_id: int, reply: Reply) -> SentMessage:
        identities = await self._people.identities(person_id)
        reachable = [i for i in identities if i.reachable and i.platform in self._messengers]
        if not reachable:
            raise NoRoute(f"person {person_id} has no reachable identity")
        identity = reachable[0]
        try:
            return await self._messengers[identity.platform].send_direct(identity, reply)
        except RecipientUnreachable:
            await self._people.mark_unreachable(identity.id)
            raise

    async def to_channel(self, address: str, reply: Reply) -> SentMessage:
        platform, channel_id = self._split(address)
        return await self._messengers[platform].send_to_channel(channel_id, reply)

    async def update(self, sent: SentMessage, reply: Reply) -> None:
        messenger = self._messengers.get(sent.platform)
        if messenger is None:
            raise NoRoute(f"platform {sent.platform} is not mounted")
        await messenger.update(sent, reply)

    def _split(self, address: str) -> tuple[str, str]:
        platform, sep, channel_id = address.partition(":")
        if sep and platform in self._messengers:
            return platform, channel_id
        if self._default_platform is None or self._default_platform not in self._messengers:
            raise NoRoute(f"no platform is mounted to reach channel {address}")
        return self._default_platform, address
