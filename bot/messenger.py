"""The messenger port: how the core and skills send proactively, whatever the platform.

Adapters implement `Messenger`; the core's `Outbound` picks the right one for a person or channel
and turns "this person blocked the bot" into a mark in storage instead of endless retries.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
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

    async def send_direct(
        self, identity: Identity, reply: Reply, *, dedupe_key: str | None = None
    ) -> SentMessage:
        """Send a DM. A `dedupe_key` is stored with the message where the platform allows, so
        that `find_sent` can tell later whether a send whose outcome was lost went out."""
        ...

    async def find_sent(
        self, identity: Identity, dedupe_key: str, since: datetime
    ) -> SentMessage | None:
        """The DM sent with `dedupe_key` no earlier than `since`; None when there is none or the
        platform cannot tell (the caller then sends again: at least once, not exactly once)."""
        ...

    async def send_to_channel(self, channel_id: str, reply: Reply) -> SentMessage: ...

    async def update(self, sent: SentMessage, reply: Reply) -> None: ...

    async def channel_members(self, channel_id: str) -> list[str]:
        """User ids of a channel's (Slack) or team's (Teams) members, for survey audiences."""
        ...


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

    async def to_person(
        self, person_id: int, reply: Reply, *, dedupe_key: str | None = None
    ) -> SentMessage:
        return await self.send(await self.route(person_id), reply, dedupe_key=dedupe_key)

    async def route(self, person_id: int) -> Identity:
        return self.choose(person_id, await self._people.identities(person_id))

    def choose(self, person_id: int, identities: Sequence[Identity]) -> Identity:
        """Which of a person's identities a DM goes to: the first reachable one on a mounted
        platform.

        `RecipientUnreachable` when every identity they have is marked unreachable (or they have
        none): retrying will not help. `NoRoute` when they are reachable, but only on a platform
        this process has not mounted: another process may still reach them."""
        reachable = [i for i in identities if i.reachable]
        if not reachable:
            raise RecipientUnreachable(f"person {person_id} has no reachable identity")
        for identity in reachable:
            if identity.platform in self._messengers:
                return identity
        raise NoRoute(f"person {person_id} is reachable only on platforms not mounted here")

    async def send(
        self, identity: Identity, reply: Reply, *, dedupe_key: str | None = None
    ) -> SentMessage:
        """A DM to a resolved identity; a refusal by the recipient marks it unreachable."""
        try:
            return await self._messenger(identity.platform).send_direct(
                identity, reply, dedupe_key=dedupe_key
            )
        except RecipientUnreachable:
            await self._people.mark_unreachable(identity.id)
            raise

    async def find_sent(
        self, identity: Identity, dedupe_key: str, since: datetime
    ) -> SentMessage | None:
        return await self._messenger(identity.platform).find_sent(identity, dedupe_key, since)

    async def to_channel(self, address: str, reply: Reply) -> SentMessage:
        platform, channel_id = self._split(address)
        return await self._messengers[platform].send_to_channel(channel_id, reply)

    async def channel_members(self, address: str) -> list[tuple[str, str]]:
        """(platform, user id) of the members of a channel or team, by its address."""
        platform, channel_id = self._split(address)
        members = await self._messenger(platform).channel_members(channel_id)
        return [(platform, user_id) for user_id in members]

    async def update(self, sent: SentMessage, reply: Reply) -> None:
        await self._messenger(sent.platform).update(sent, reply)

    def _messenger(self, platform: str) -> Messenger:
        messenger = self._messengers.get(platform)
        if messenger is None:
            raise NoRoute(f"platform {platform} is not mounted")
        return messenger

    def _split(self, address: str) -> tuple[str, str]:
        platform, sep, channel_id = address.partition(":")
        if sep and platform in self._messengers:
            return platform, channel_id
        if self._default_platform is None or self._default_platform not in self._messengers:
            raise NoRoute(f"no platform is mounted to reach channel {address}")
        return self._default_platform, address
