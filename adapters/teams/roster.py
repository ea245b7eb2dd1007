"""The rosters of the teams and group chats the bot is in, as the core's people directory
(`bot.directory.Directory`), so that "everyone" and department audiences in Teams include the
people who never wrote to the bot. The nightly sync reads the roster of every team channel and
group chat the bot has a reference for; a roster is also read, and stored, when the bot is
installed in a team or group chat (see `TeamsBridge`), to know its members from the start.

A team whose channels the bot was mentioned in is stored once per channel, and each is read: the
same roster more than once, which costs calls but not correctness; each person is listed once.
A roster the connector refuses with 403 or 404 is of a team or chat the bot was removed from:
its members are not listed by it, and the read goes on. Any other failure (throttled past
patience, an outage) leaves the read incomplete, so nobody is marked as left.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from adapters.teams.inbound import PLATFORM
from adapters.teams.messenger import RosterPage, TeamsMessenger
from bot.directory import DirectoryUnavailable, Listing
from bot.messenger import DeliveryError, RecipientUnreachable
from storage.conversations import ConversationStore

log = logging.getLogger(__name__)

# Team channels ("19:…@thread.tacv2") and group chats ("19:…@thread.v2"); personal chats are
# stored under user ids.
SHARED_PREFIX = "19:"


class TeamsDirectory:
    platform = PLATFORM

    def __init__(self, messenger: TeamsMessenger, conversations: ConversationStore) -> None:
        self._messenger = messenger
        self._conversations = conversations

    async def read(self) -> AsyncIterator[Listing]:
        """Every stored team channel's and group chat's roster; one that cannot be read does
        not stop the others, but makes the read incomplete once they are done."""
        listed: set[str] = set()
        unread = 0
        for address in await self._conversations.addresses(PLATFORM, SHARED_PREFIX):
            try:
                pages = await self._messenger.roster(address)
            except RecipientUnreachable as exc:
                log.info("teams roster: conversation=%s no longer has the bot: %s", address, exc)
                continue
            except DeliveryError as exc:
                unread += 1
                log.warning("teams roster: conversation=%s not read: %s", address, exc)
                continue
            for page in pages:
                yield _listing(page, listed)
        if unread:
            raise DirectoryUnavailable(f"{unread} roster(s) not read")

    async def conversation(self, address: str) -> AsyncIterator[Listing]:
        """The roster of one team channel or group chat (the bot was just added to it)."""
        try:
            pages = await self._messenger.roster(address)
        except DeliveryError as exc:
            raise DirectoryUnavailable(f"conversation={address} not read: {exc}") from exc
        listed: set[str] = set()
        for page in pages:
            yield _listing(page, listed)


def _listing(page: RosterPage, listed: set[str]) -> Listing:
    """A roster page as a listing, leaving out who an earlier page listed (`listed` grows)."""
    fresh = [(p, hint) for p, hint in page.members if p.user_id not in listed]
    listed.update(profile.user_id for profile, _ in fresh)
    return Listing(
        people=[profile for profile, _ in fresh],
        skipped=page.bots,
        hints={profile.user_id: hint for profile, hint in fresh},
    )
