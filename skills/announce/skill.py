"""Announcements: HR and leaders tell staff what is new (a program, a change, a reminder) with
`announce`, see a preview exactly as staff will, send it now or schedule it, and read how it
went. The work is in `announcer` (also the API other skills call); this module reads what was
typed or filled in, and declares the commands, buttons and outbox renderer."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.arguments import Arg, BadInput, Identifier, Option, Phrase, Words
from bot.context import Context
from bot.errors import SkillError
from bot.events import Action, Command
from bot.i18n import N_, Translator
from bot.ownership import NotYours
from bot.quiet import local_time_utc
from bot.replies import Form, Input, InputKind, Reply, Text, plain_text
from bot.replies import Option as Choice
from bot.roles import Role
from bot.router import Router
from skills.announce import cards
from skills.announce import messages as say
from skills.announce.announcer import AnnouncementDraft, Announcer
from skills.audience import USAGE as AUDIENCE_USAGE
from skills.audience import audience_of, describe_audience, parse_audience
from skills.knowledge.cards import article_blocks
from skills.knowledge.library import KnowledgeLibrary
from skills.pulse.schedule import Kind, ScheduleError
from skills.pulse.schedule_parser import NOW_WORDS, parse_schedule
from skills.references import parse_id
from storage.announcements import MESSAGE_KIND, Announcement, AnnouncementStatus, Press

SUBMIT_FORM = "announce.submit_form"
AUTHORS = (Role.HR, Role.LEADER)

WORDS = Words(f'"TITLE" "TEXT" [{AUDIENCE_USAGE}] [now|WHEN]')
LINK = Option("--link", Phrase("link", "URL"), default=None)
ARTICLE = Option("--article", Phrase("knowledge-base article", "ARTICLE"), default=None)
ANNOUNCEMENT = Arg(Identifier("announcement"))


class AnnounceSkill:
    def __init__(self, router: Router, library: KnowledgeLibrary) -> None:
        self.router = router
        self.services = router.services
        self.library = library
        self.announcer = Announcer(router.services, library)

    def register(self) -> None:
        r = self.router
        r.command(
            "announce",
            self.create,
            summary=N_("Tell staff something, now or later; `announce` alone opens a form"),
            roles=AUTHORS,
            args=[WORDS],
            options=[LINK, ARTICLE],
        )
        r.subcommand("announce list", self.list_recent, summary=N_("Recent announcements"))
        r.subcommand(
            "announce send", self.send_typed, summary=N_("Send your draft"), args=[ANNOUNCEMENT]
        )
        r.subcommand(
            "announce report",
            self.report,
            summary=N_("Sent, failed, unreachable and opened, in counts"),
            args=[ANNOUNCEMENT],
        )
        r.subcommand(
            "announce resend",
            self.resend,
            summary=N_("Try again for the people it failed for, and only them"),
            args=[ANNOUNCEMENT],
        )
        r.subcommand(
            "announce cancel",
            self.cancel,
            summary=N_("Stop an announcement before it has gone out"),
            args=[ANNOUNCEMENT],
        )
        r.action(SUBMIT_FORM, self.on_form, roles=AUTHORS)
        # The preview's buttons are its author's own: sealed for them.
        r.action(cards.SEND, self.on_send, roles=AUTHORS, sealed=True)
        r.action(cards.DISCARD, self.on_discard, roles=AUTHORS, sealed=True)
        r.action(cards.GOT_IT, self.on_got_it)
        r.action(cards.LEARN_MORE, self.on_learn_more)
        self.services.renderers.register(
            MESSAGE_KIND, self.announcer.render, current=self.announcer.current
        )

    # -- writing one -----------------------------------------------------------------------

    async def create(self, ctx: Context[Command]) -> Reply:
        words = list(ctx.args[WORDS])
        link, article = ctx.args[LINK], ctx.args[ARTICLE]
        if not words and link is None and article is None:
            return _form(ctx.t)
        if len(words) < 2:
            raise BadInput(say.NEEDS_WORDS)
        title, text = words[0], words[1]
        audience, rest = parse_audience(words[2:])
        draft = AnnouncementDraft(
            title,
            text,
            audience=audience,
            send_at=self._moment(" ".join(rest), ctx),
            link=link,
            article_id=article,
        )
        return (await self.announcer.draft(ctx.person, draft)).preview

    async def on_form(self, ctx: Context[Action]) -> Reply:
        """The form's answers become a draft and its preview, in place of a form shown in a
        message (Teams), so that the form is not submitted twice from there."""
        values = ctx.event.values
        draft = AnnouncementDraft(
            values.get("title", ""),
            values.get("text", ""),
            audience=audience_of(values.get("audience", ""), values.get("audience_name", "")),
            send_at=self._moment(values.get("when", ""), ctx),
            link=values.get("link") or None,
            article_id=values.get("article") or None,
        )
        drafted = await self.announcer.draft(ctx.person, draft)
        return replace(drafted.preview, replace_original=True)

    def _moment(self, words: str, ctx: Context[Any]) -> datetime | None:
        """`now` (or nothing): None. Otherwise the `pulse` schedule words for one moment, read
        on the author's clock."""
        text = words.strip()
        if not text or text.lower() in NOW_WORDS:
            return None
        zone: ZoneInfo = self.announcer.zone(ctx.person)
        now = self.services.clock()
        try:
            schedule = parse_schedule(text, now.astimezone(zone).date())
        except ScheduleError as exc:
            raise BadInput(
                say.ONE_MOMENT_AFTER, problem=exc.text(ctx.t), examples=ctx.t(say.WHEN_EXAMPLES)
            ) from None
        if schedule.kind is not Kind.ONCE or schedule.on is None or schedule.at is None:
            raise BadInput(say.ONE_MOMENT, examples=ctx.t(say.WHEN_EXAMPLES))
        moment = local_time_utc(schedule.on, schedule.at, zone)
        if moment <= now:
            raise BadInput(say.PAST, when=ctx.t.moment(moment, zone))
        return moment

    # -- the author's buttons, and `announce send` -------------------------------------------

    async def on_send(self, ctx: Context[Action]) -> Reply:
        return _retired(await self._send(ctx, parse_id(ctx.event.value)))

    async def send_typed(self, ctx: Context[Command]) -> Reply:
        return Reply.text(await self._send(ctx, ctx.args[ANNOUNCEMENT]), ephemeral=True)

    async def _send(self, ctx: Context[Any], announcement_id: int | None) -> str:
        if announcement_id is None:
            raise SkillError(say.NO_SUCH, id="?")
        queued = await self.announcer.send(announcement_id, ctx.person)
        t = ctx.t
        announcement = queued.announcement
        people = t.plural("{count} person", "{count} people", queued.people)
        if announcement.send_at is None or announcement.send_at <= self.services.clock():
            return t(say.SENT_NOW, id=announcement.id, people=people)
        when = t.moment(announcement.send_at, self.announcer.zone(ctx.person))
        return t(say.SCHEDULED, id=announcement.id, when=when, people=people)

    async def on_discard(self, ctx: Context[Action]) -> Reply:
        announcement_id = parse_id(ctx.event.value)
        if announcement_id is None:
            raise SkillError(say.NO_SUCH, id="?")
        announcement = await self.announcer.discard(announcement_id, ctx.person)
        t = ctx.t
        if announcement.status is AnnouncementStatus.QUEUED:
            return _retired(
                f"{t(say.ALREADY_QUEUED, id=announcement.id)} "
                f"{t(say.CANCEL_TYPED, id=announcement.id)}"
            )
        return _retired(t(say.DRAFT_CANCELLED, id=announcement.id))

    # -- HR and leaders' commands ------------------------------------------------------------

    async def list_recent(self, ctx: Context[Command]) -> Reply:
        recent = await self.services.announcements.recent()
        t = ctx.t
        if not recent:
            return Reply.text(t(say.NONE_YET), ephemeral=True)
        await ctx.audit("announce.list")
        lines = [t(say.LIST_HEADING)]
        for announcement in recent:
            lines.append(
                t(
                    say.LIST_LINE,
                    id=announcement.id,
                    title=announcement.title,
                    audience=describe_audience(announcement.audience, t),
                    when=self.announcer.moment(announcement, ctx.person),
                    people=t.plural("{count} person", "{count} people", announcement.recipients),
                )
            )
        return Reply.text("\n".join(lines), ephemeral=True)

    async def report(self, ctx: Context[Command]) -> Reply:
        return await self.announcer.report(ctx.args[ANNOUNCEMENT], ctx.person)

    async def resend(self, ctx: Context[Command]) -> Reply:
        return Reply.text(
            await self.announcer.resend(ctx.args[ANNOUNCEMENT], ctx.person), ephemeral=True
        )

    async def cancel(self, ctx: Context[Command]) -> Reply:
        return Reply.text(
            await self.announcer.cancel(ctx.args[ANNOUNCEMENT], ctx.person), ephemeral=True
        )

    # -- staff's buttons ---------------------------------------------------------------------

    async def on_got_it(self, ctx: Context[Action]) -> Reply:
        await self._count(ctx, Press.GOT_IT)
        return Reply.text(ctx.t(say.THANKS), ephemeral=True)

    async def on_learn_more(self, ctx: Context[Action]) -> Reply:
        announcement = await self._count(ctx, Press.LEARN_MORE)
        if announcement.article_id:
            article = await self.library.article(announcement.article_id)
            if article is not None:
                retriever = await self.library.retriever()
                section = retriever.section_for(article, article.title)
                version = retriever.version(article, ctx.language)
                shown = article_blocks(article, article.title, section, t=ctx.t, version=version)
                return Reply.of(*shown, ephemeral=True)
        if announcement.link:
            text = ctx.t(say.MORE_LINK, title=announcement.title, link=announcement.link)
            return Reply.text(text, ephemeral=True)
        return Reply.text(ctx.t(say.NO_MORE), ephemeral=True)

    async def _count(self, ctx: Context[Action], press: Press) -> Announcement:
        """The announcement a staff button names, with the press counted once for this person.
        Storage knows who it was sent to: anyone else is refused (and audited), except its
        author trying the buttons on the preview, whose presses are not counted."""
        announcement_id = parse_id(ctx.event.value)
        announcement = (
            await self.services.announcements.get(announcement_id) if announcement_id else None
        )
        if announcement is None:
            raise SkillError(say.NO_SUCH, id=announcement_id or "?")
        if await self.announcer.addressed(announcement.id, ctx.person.id):
            await self.services.announcements.record_press(announcement.id, ctx.person.id, press)
        elif announcement.author_person_id != ctx.person.id:
            raise NotYours(f"announcement:{announcement.id}", say.NOT_FOR_YOU)
        return announcement


def _form(t: Translator) -> Reply:
    form = Form(
        title=t(say.FORM_TITLE),
        inputs=(
            Input("title", t(say.TITLE_LABEL), required=True, max_length=say.MAX_TITLE),
            Input(
                "text",
                t(say.TEXT_LABEL),
                InputKind.MULTILINE,
                required=True,
                max_length=say.MAX_BODY,
            ),
            Input(
                "audience",
                t(say.AUDIENCE_LABEL),
                InputKind.SELECT,
                required=True,
                options=(
                    Choice(t(say.EVERYONE), "everyone"),
                    Choice(t(say.A_UNIT), "unit"),
                    Choice(t(say.A_DEPARTMENT), "department"),
                    Choice(t(say.A_CHANNEL), "channel"),
                ),
                initial="everyone",
            ),
            Input(
                "audience_name",
                t(say.AUDIENCE_NAME_LABEL),
                placeholder="5 North",
                max_length=120,
            ),
            # The words for one moment are read in English and Spanish alike.
            Input(
                "when",
                t(say.WHEN_LABEL),
                placeholder=t(say.WHEN_EXAMPLES),
                initial=t(say.NOW),
                max_length=80,
            ),
            Input("link", t(say.LINK_LABEL), max_length=say.MAX_LINK),
            Input("article", t(say.ARTICLE_LABEL), max_length=120),
        ),
        submit_action_id=SUBMIT_FORM,
        submit_label=t(say.PREVIEW_BUTTON),
    )
    return Reply(fallback=form.title, blocks=(form,))


def _retired(text: str) -> Reply:
    """`text` in place of the preview whose button was pressed, so it is not pressed again."""
    return Reply(
        fallback=plain_text(text), blocks=(Text(text),), ephemeral=True, replace_original=True
    )


def setup(router: Router, library: KnowledgeLibrary) -> Announcer:
    skill = AnnounceSkill(router, library)
    skill.register()
    return skill.announcer
