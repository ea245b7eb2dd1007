"""Announcements as an API: what `announce` does, callable by other skills without a chat.

    announcer = Announcer(services, library)
    drafted = await announcer.draft(author, AnnouncementDraft("Flu shots", "Free in the lobby",
                                    audience={"kind": "unit", "value": "5 North"}))
    # drafted.id, and drafted.preview: the reply to show the author, with Send and Cancel
    # buttons sealed for them. `send(id, author)` does what Send does.

Nothing here knows a platform. A draft goes out only when its author sends it: then its audience
is read (who is in it now), and one outbox message per person is queued in the same transaction
that marks it queued, due now or at its time on each person's own clock, never in their quiet
hours. The outbox sender renders the message once per batch and language (`render`) and asks
`current` right before each send, so nothing leaves once it is cancelled."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.dates import reader_zone
from bot.errors import SkillError
from bot.i18n import Translator, translator_for
from bot.ownership import seal_value
from bot.quiet import delivery_time, outside_quiet_hours
from bot.replies import Reply
from bot.services import Services
from skills.announce import cards
from skills.announce import messages as say
from skills.audience import EVERYONE, describe_audience, reach
from skills.knowledge.library import KnowledgeLibrary
from storage.announcements import (
    KEY_PREFIX,
    MESSAGE_KIND,
    Announcement,
    AnnouncementStatus,
    announcement_key,
)
from storage.outbox_items import OutboxStatus, Recipient
from storage.people import Person

_LINK = re.compile(r"https?://[^\s<>\"]+", re.IGNORECASE)


@dataclass(frozen=True)
class AnnouncementDraft:
    """What an announcement says and to whom. `send_at` None means now; a `link` or an
    `article_id` (of the knowledge base) adds a "Learn more" button."""

    title: str
    text: str
    audience: Mapping[str, Any] = field(default_factory=lambda: dict(EVERYONE))
    send_at: datetime | None = None
    link: str | None = None
    article_id: str | None = None


@dataclass(frozen=True)
class Drafted:
    id: int
    preview: Reply


@dataclass(frozen=True)
class Queued:
    """An announcement its author just sent: to how many people, now or at `send_at`."""

    announcement: Announcement
    people: int


class Announcer:
    def __init__(self, services: Services, library: KnowledgeLibrary) -> None:
        self.services = services
        self.library = library

    # -- the author's side -------------------------------------------------------------------

    async def draft(self, author: Person, draft: AnnouncementDraft) -> Drafted:
        """Check and store a draft; its preview for `author`. `SkillError` says kindly what
        is wrong (an empty title, an unknown article, an audience with nobody in it)."""
        title, text = " ".join(draft.title.split()), draft.text.strip()
        link = (draft.link or "").strip() or None
        article_id = (draft.article_id or "").strip() or None
        t = self.translator(author)
        if not title:
            raise SkillError(say.TITLE_NEEDED)
        if len(title) > say.MAX_TITLE:
            raise SkillError(say.TITLE_TOO_LONG, max=say.MAX_TITLE)
        if not text:
            raise SkillError(say.BODY_NEEDED)
        if len(text) > say.MAX_BODY:
            raise SkillError(say.BODY_TOO_LONG, max=t.number(say.MAX_BODY))
        if link is not None and (len(link) > say.MAX_LINK or not _LINK.fullmatch(link)):
            raise SkillError(say.BAD_LINK, max=say.MAX_LINK)
        if article_id is not None and await self.library.article(article_id) is None:
            raise SkillError(say.NO_ARTICLE, id=article_id.replace("`", "'")[:60])
        now = self.services.clock()
        if draft.send_at is not None and draft.send_at <= now:
            raise SkillError(say.PAST, when=t.moment(draft.send_at, self.zone(author)))
        people = len(await reach(self.services, draft.audience))
        if not people:
            raise SkillError(say.NOBODY, audience=describe_audience(draft.audience, t))
        announcement = await self.services.announcements.create(
            author_person_id=author.id,
            title=title,
            body=text,
            link=link,
            article_id=article_id,
            audience=draft.audience,
            send_at=draft.send_at,
            zone=self.zone(author).key,
        )
        await self.services.audit.record(
            author.id, "announce.draft", f"announcement:{announcement.id}"
        )
        key = await self.services.sealer.button_key()
        return Drafted(
            announcement.id,
            cards.preview(
                announcement,
                author.display_name,
                t,
                people=people,
                audience=describe_audience(announcement.audience, t),
                when=self._when(announcement, author),
                sealed_send=seal_value(key, cards.SEND, author.id, str(announcement.id)),
                sealed_discard=seal_value(key, cards.DISCARD, author.id, str(announcement.id)),
            ),
        )

    async def send(self, announcement_id: int, author: Person) -> Queued:
        """Send (or schedule) the author's draft: its audience is read now, and its messages
        are queued with it in one conditional write, so a second press sends nothing."""
        announcement = await self.find(announcement_id)
        if announcement.author_person_id != author.id:
            raise SkillError(say.NOT_YOURS)
        if announcement.status is AnnouncementStatus.CANCELLED:
            raise SkillError(say.ALREADY_CANCELLED, id=announcement.id)
        if announcement.status is AnnouncementStatus.QUEUED:
            raise SkillError(say.ALREADY_QUEUED, id=announcement.id)
        recipients = await reach(self.services, announcement.audience)
        if not recipients:
            audience = describe_audience(announcement.audience, self.translator(author))
            raise SkillError(say.NOBODY, audience=audience)
        now = self.services.clock()
        due = {r.person_id: self._due(announcement, r.timezone, now) for r in recipients}
        if not await self.services.announcements.queue(announcement.id, author.id, now, due):
            raise SkillError(say.ALREADY_QUEUED, id=announcement.id)
        await self.services.audit.record(
            author.id, "announce.send", f"announcement:{announcement.id}", people=len(due)
        )
        return Queued(await self.find(announcement.id), len(due))

    async def discard(self, announcement_id: int, author: Person) -> Announcement:
        """The preview's Cancel: the author's draft is cancelled, unless it was sent."""
        announcement = await self.find(announcement_id)
        if announcement.author_person_id != author.id:
            raise SkillError(say.NOT_YOURS)
        if announcement.status is not AnnouncementStatus.DRAFT:
            return announcement
        cancelled = await self.services.announcements.cancel(
            announcement.id, self.services.clock(), drafts_only=True
        )
        await self.services.audit.record(
            author.id, "announce.discard", f"announcement:{announcement.id}"
        )
        return announcement if cancelled is None else cancelled.announcement

    async def cancel(self, announcement_id: int, by: Person) -> str:
        """Stop an announcement that has not gone out to everyone yet; what to tell `by`."""
        announcement = await self.find(announcement_id)
        progress = await self.services.outbox.progress(announcement_key(announcement.id))
        if announcement.status is AnnouncementStatus.CANCELLED:
            raise SkillError(say.ALREADY_CANCELLED, id=announcement.id)
        if announcement.status is AnnouncementStatus.QUEUED and not progress.pending:
            raise SkillError(say.ALL_OUT, id=announcement.id)
        cancelled = await self.services.announcements.cancel(announcement.id, self.services.clock())
        if cancelled is None:
            raise SkillError(say.ALREADY_CANCELLED, id=announcement.id)
        await self.services.audit.record(
            by.id,
            "announce.cancel",
            f"announcement:{announcement.id}",
            withdrawn=cancelled.withdrawn,
        )
        t = self.translator(by)
        withdrawn = t.plural("{count} person", "{count} people", cancelled.withdrawn)
        text = t(say.CANCELLED, id=announcement.id, withdrawn=withdrawn)
        if progress.sent:
            sent = t.plural("{count} person", "{count} people", progress.sent)
            text += " " + t(say.CANCELLED_LATE, sent=sent)
        return text

    async def resend(self, announcement_id: int, by: Person) -> str:
        """Queue the messages that failed again, and only those: a conditional write, so a
        message goes back once however many resends meet."""
        announcement = await self.find(announcement_id)
        if announcement.status is AnnouncementStatus.CANCELLED:
            raise SkillError(say.RESEND_CANCELLED, id=announcement.id)
        if announcement.status is AnnouncementStatus.DRAFT:
            raise SkillError(say.RESEND_DRAFT, id=announcement.id)
        key = announcement_key(announcement.id)
        failed = await self.services.outbox.people_with(key, MESSAGE_KIND, OutboxStatus.FAILED)
        now = self.services.clock()
        zones = await self.services.people.timezones(failed)
        due = {person: self.due_again(zones.get(person), now) for person in failed}
        back = await self.services.outbox.requeue_failed(key, MESSAGE_KIND, due)
        if not back:
            raise SkillError(say.NOTHING_FAILED, id=announcement.id)
        await self.services.audit.record(
            by.id, "announce.resend", f"announcement:{announcement.id}", people=back
        )
        t = self.translator(by)
        people = t.plural("{count} person", "{count} people", back)
        return t(say.RESENT, id=announcement.id, people=people)

    async def report(self, announcement_id: int, reader: Person) -> Reply:
        """Counts of how it went, on the reader's clock; audited, as every view of it is."""
        announcement = await self.find(announcement_id)
        if announcement.status is AnnouncementStatus.DRAFT:
            raise SkillError(say.STILL_DRAFT, id=announcement.id)
        key = announcement_key(announcement.id)
        await self.services.audit.record(reader.id, "announce.report", key)
        t = self.translator(reader)
        return cards.report(
            announcement,
            await self.services.outbox.progress(key),
            await self.services.announcements.presses(announcement.id),
            t,
            audience=describe_audience(announcement.audience, t),
            when=self.moment(announcement, reader),
        )

    def moment(self, announcement: Announcement, reader: Person) -> str:
        """When it went or goes out, or when it was cancelled, on the reader's clock."""
        zone, t = self.zone(reader), self.translator(reader)
        if announcement.status is AnnouncementStatus.CANCELLED:
            assert announcement.cancelled_at is not None
            return t(say.STATE_CANCELLED, when=t.moment(announcement.cancelled_at, zone))
        if announcement.status is AnnouncementStatus.DRAFT:
            return t(say.STATE_DRAFT)
        start = announcement.send_at or announcement.queued_at
        assert start is not None
        if announcement.send_at is not None and announcement.send_at > self.services.clock():
            return t(say.STATE_SCHEDULED, when=t.moment(start, zone))
        return t(say.STATE_SENT, when=t.moment(start, zone))

    async def find(self, announcement_id: int) -> Announcement:
        announcement = await self.services.announcements.get(announcement_id)
        if announcement is None:
            raise SkillError(say.NO_SUCH, id=announcement_id)
        return announcement

    def zone(self, person: Person) -> ZoneInfo:
        return reader_zone(person.timezone, self.services.settings.timezone)

    def translator(self, person: Person) -> Translator:
        """The person's language: their own, else their platform's, else the hospital's."""
        return translator_for(person, self.services.settings.language)

    def _when(self, announcement: Announcement, reader: Person) -> str:
        """When it goes out, on the reader's clock."""
        t = self.translator(reader)
        if announcement.send_at is None:
            quiet = self.services.settings.quiet_hours
            if quiet.start == quiet.end:
                return t(say.NO_QUIET_NOW)
            end = f"{quiet.end:%H:%M}"
            return t(say.WHEN_NOW, end=end)
        return t(say.WHEN_LATER, when=t.moment(announcement.send_at, self.zone(reader)))

    def _due(self, announcement: Announcement, timezone: str | None, now: datetime) -> datetime:
        """When one person gets it: now, or the moment's wall-clock time (in the author's
        zone) on the person's own clock, never before now; never in their quiet hours."""
        settings = self.services.settings
        zone = reader_zone(timezone, settings.timezone)
        if announcement.send_at is None or announcement.send_at <= now:
            return outside_quiet_hours(now, zone, settings.quiet_hours)
        author_zone = reader_zone(announcement.zone, settings.timezone)
        return delivery_time(announcement.send_at, zone, author_zone, settings.quiet_hours, now)

    def due_again(self, timezone: str | None, now: datetime) -> datetime:
        """When a resent message goes: now, or when the person's quiet hours end."""
        settings = self.services.settings
        zone = reader_zone(timezone, settings.timezone)
        return outside_quiet_hours(now, zone, settings.quiet_hours)

    # -- the outbox's side ---------------------------------------------------------------------

    async def render(
        self, kind: str, payload_key: str, recipients: Sequence[Recipient]
    ) -> dict[int, Reply]:
        """The message for a batch of recipients: read once, built once per language (it
        names no time, so time zones do not vary it). Nobody gets it once it is cancelled."""
        announcement = await self.services.announcements.get(_announcement_id(payload_key))
        if announcement is None or announcement.status is not AnnouncementStatus.QUEUED:
            return {}
        author = (
            await self.services.people.get(announcement.author_person_id)
            if announcement.author_person_id is not None
            else None
        )
        author_name = author.display_name if author else ""
        default = self.services.settings.language
        written: dict[str, Reply] = {}

        def message_in(t: Translator) -> Reply:
            if t.language not in written:
                written[t.language] = cards.announcement_message(announcement, author_name, t)
            return written[t.language]

        return {r.person_id: message_in(translator_for(r, default)) for r in recipients}

    async def current(self, kind: str, payload_key: str) -> bool:
        """Whether its messages may still go out: asked right before each leaves."""
        status = await self.services.announcements.status(_announcement_id(payload_key))
        return status is AnnouncementStatus.QUEUED

    async def addressed(self, announcement_id: int, person_id: int) -> bool:
        """Whether the announcement was sent (or is going) to this person."""
        key = announcement_key(announcement_id)
        return await self.services.outbox.addressed(key, MESSAGE_KIND, person_id)


def _announcement_id(payload_key: str) -> int:
    prefix, _, number = payload_key.partition(":")
    if f"{prefix}:" != KEY_PREFIX or not number.isdigit():
        raise ValueError(f"an announcement message is about an announcement, not {payload_key!r}")
    return int(number)
