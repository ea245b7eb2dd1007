"""Proactive sends from the core and skills: to a person on whichever platform reaches them, or to
a channel by its address.

`Outbound` picks the mounted messenger, turns "this person blocked the bot" into a mark in
storage instead of endless retries, and waits out a short rate limit with backoff and jitter, so a
notice a skill sends (an idea's new status, an answer from HR) is not lost to one 429.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.messenger import Messenger, NoRoute, RecipientUnreachable, SentMessage
from bot.patience import PROACTIVE_PATIENCE, Patience, patiently
from bot.replies import Reply
from storage.people import Identity, PeopleRepository


class Outbound:
    """Proactive sends to people (by person id) and channels (by `platform:channel` address)."""

    def __init__(
        self,
        people: PeopleRepository,
        default_platform: str | None = None,
        *,
        patience: Patience = PROACTIVE_PATIENCE,
    ) -> None:
        self._people = people
        self._patience = patience
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
        identity = await self.route(person_id)
        return await patiently(
            lambda: self.send(identity, reply, dedupe_key=dedupe_key), self._patience
        )

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
        messenger = self._messengers[platform]
        return await patiently(lambda: messenger.send_to_channel(channel_id, reply), self._patience)

    async def channel_members(self, address: str) -> list[tuple[str, str]]:
        """(platform, user id) of the members of a channel or team, by its address."""
        platform, channel_id = self._split(address)
        members = await self._messenger(platform).channel_members(channel_id)
        return [(platform, user_id) for user_id in members]

    async def update(self, sent: SentMessage, reply: Reply) -> None:
        messenger = self._messenger(sent.platform)
        await patiently(lambda: messenger.update(sent, reply), self._patience)

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
