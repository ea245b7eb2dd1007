"""Team rosters into storage, so that "everyone" and department audiences in Teams include the
people who never wrote to the bot: read once when the bot is installed in a team or group chat
(see `TeamsBridge`), and daily for every team channel and group chat it has a reference for,
to pick up newcomers. Reading a roster stores its members (see `TeamsMessenger.channel_members`).

A team whose channels the bot was mentioned in is stored once per channel, and each is read: the
same roster more than once, which costs calls but not correctness.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from adapters.teams.inbound import PLATFORM
from adapters.teams.messenger import TeamsMessenger
from bot.events import ScheduledTrigger
from bot.messenger import DeliveryError
from bot.router import Router
from bot.services import Services
from storage.conversations import ConversationStore

log = logging.getLogger(__name__)

SYNC_JOB = "teams.roster_sync"
SYNC_CRON = "45 3 * * *"  # daily at 03:45 hospital time, before day shift and the morning surveys
# Team channels ("19:…@thread.tacv2") and group chats ("19:…@thread.v2"); personal chats are
# stored under user ids and roster members under "member:…".
SHARED_PREFIX = "19:"


@dataclass(frozen=True)
class RosterReport:
    conversations: int  # rosters read
    members: int  # members stored or refreshed, counted once per roster they are in
    failed: int  # rosters the connector refused (bot removed, throttled past patience)


async def sync_rosters(messenger: TeamsMessenger, conversations: ConversationStore) -> RosterReport:
    """Read the roster of every stored team channel and group chat; one refusal does not stop
    the others."""
    read = members = failed = 0
    for address in await conversations.addresses(PLATFORM, SHARED_PREFIX):
        try:
            members += len(await messenger.channel_members(address))
            read += 1
        except DeliveryError as exc:
            failed += 1
            log.warning("teams roster: conversation=%s not read: %s", address, exc)
    report = RosterReport(read, members, failed)
    log.info("teams roster sync: %s", report)
    return report


def register_sync(router: Router, messenger: TeamsMessenger) -> None:
    """Read the rosters daily, on the leader only (where the router's jobs run)."""

    async def sync(trigger: ScheduledTrigger, services: Services) -> None:
        await sync_rosters(messenger, services.conversations)

    router.job(SYNC_JOB, sync, cron=SYNC_CRON)
