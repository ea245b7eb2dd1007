"""The people directory: who works here, as each mounted platform lists them (Slack's workspace
members, the rosters of the Teams teams and group chats the bot is in).

An adapter implements `Directory`: it reads its platform's directory as `Listing`s of neutral
profiles and leaves out whoever is not staff (guests, bots). One nightly job, on the leader,
reads every registered directory and stores what it lists: people are created or refreshed,
and the hints a platform needs to open a chat with someone who never wrote to the bot are
renewed. Only a read that went to the end says who has left: an identity of a tenant that a
directory listed before and no longer lists is marked, and leaves "everyone", department and
unit audiences (`PeopleRepository.mark_left`). A read that failed part-way marks nobody, a tenant
whose read listed nobody marks nobody (an empty directory looks like a broken one), and someone
known only from their own messages was never listed, so is never marked.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterable, AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from bot.events import ScheduledTrigger
from storage.people import PeopleRepository, Profile
from storage.roster_hints import RosterHints

if TYPE_CHECKING:  # both reach this module through `Services`
    from bot.router import Router
    from bot.services import Services

log = logging.getLogger(__name__)

SYNC_JOB = "directory.sync"
SYNC_CRON = "30 3 * * *"  # daily at 03:30 hospital time, before day shift and the morning surveys
# A hint a nightly sync no longer renews (the person left every roster the bot reads, or the
# syncs kept failing) is kept this long, then deleted.
HINT_LIFETIME = timedelta(days=14)


class DirectoryUnavailable(Exception):
    """The directory could not be read to the end (a missing scope, a revoked token, an outage);
    the message says what, for a log line or the person running `breakroom slack sync`."""


@dataclass(frozen=True)
class Listing:
    """A batch of a directory read: the people it lists, and what it left out."""

    people: Sequence[Profile]
    # Accounts the platform deactivated: their identities become unreachable.
    departed: Sequence[Profile] = ()
    skipped: int = 0  # members who are not people: guests, bots, deactivated accounts
    # How the platform opens a chat with each listed person (by user id), opaque to the core.
    hints: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


class Directory(Protocol):
    platform: str

    def read(self) -> AsyncIterator[Listing]:
        """The whole directory, batch by batch. Raises `DirectoryUnavailable` when it cannot
        be read to the end, after the batches it could read."""
        ...


@dataclass(frozen=True)
class SyncReport:
    platform: str
    tenants: tuple[str, ...]  # those whose people were listed
    people: int  # listed, stored or refreshed
    skipped: int
    deactivated: int  # known people whose accounts were deactivated, now unreachable
    left: int  # identities no longer listed, marked as left
    batches: int


class Directories:
    """The mounted platforms' directories, and where what they list is stored."""

    def __init__(self, people: PeopleRepository, hints: RosterHints) -> None:
        self._people = people
        self._hints = hints
        self._directories: dict[str, Directory] = {}

    def register(self, directory: Directory) -> None:
        self._directories[directory.platform] = directory

    @property
    def platforms(self) -> tuple[str, ...]:
        return tuple(self._directories)

    async def sync_all(self) -> list[SyncReport]:
        """Sync every registered directory; one that fails does not stop the others."""
        reports: list[SyncReport] = []
        for directory in self._directories.values():
            try:
                reports.append(await self.sync(directory))
            except DirectoryUnavailable as exc:  # expected (a scope, a token): a line
                log.warning(
                    "%s directory sync incomplete, nobody marked as left: %s",
                    directory.platform,
                    exc,
                )
        return reports

    async def sync(self, directory: Directory) -> SyncReport:
        """Store a complete read of `directory`, then mark who it no longer lists as left.
        `DirectoryUnavailable` when the read failed: what was read is stored, nobody marked."""
        started = datetime.now(UTC)
        report = await self._store(directory.platform, directory.read(), started)
        left = 0
        for tenant in report.tenants:
            left += await self._people.mark_left(directory.platform, tenant, listed_before=started)
        report = replace(report, left=left)
        log.info("%s directory sync: %s", directory.platform, report)
        return report

    async def store(self, platform: str, listings: AsyncIterable[Listing]) -> SyncReport:
        """Store part of a directory (a roster read when the bot joins a team): people and
        hints refreshed, nobody marked as left."""
        report = await self._store(platform, listings, datetime.now(UTC))
        log.info("%s directory: %s", platform, report)
        return report

    async def _store(
        self, platform: str, listings: AsyncIterable[Listing], listed_at: datetime
    ) -> SyncReport:
        tenants: set[str] = set()
        people = skipped = deactivated = batches = 0
        expires_at = listed_at + HINT_LIFETIME
        # One transaction or two a batch: a large hospital's directory is tens of thousands.
        async for listing in listings:
            batches += 1
            people += await self._people.refresh(listing.people, listed_at=listed_at)
            await self._hints.save(platform, listing.hints, expires_at=expires_at)
            tenants.update(profile.tenant for profile in listing.people)
            skipped += listing.skipped
            for tenant in {profile.tenant for profile in listing.departed}:
                deactivated += await self._people.mark_deactivated(
                    platform, tenant, [p.user_id for p in listing.departed if p.tenant == tenant]
                )
        return SyncReport(
            platform, tuple(sorted(tenants)), people, skipped, deactivated, 0, batches
        )


def register_sync(router: Router) -> None:
    """Sync the directories nightly, on the leader only (where the router's jobs run)."""

    async def sync(trigger: ScheduledTrigger, services: Services) -> None:
        await services.directories.sync_all()

    router.job(SYNC_JOB, sync, cron=SYNC_CRON)
