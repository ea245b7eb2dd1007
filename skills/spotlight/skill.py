"""Program spotlights: HR and leaders set up a campaign with `spotlight …`; staff get one
article every few weeks, with "Ask about this" (handled by the knowledge skill)."""

from __future__ import annotations

import re

from bot.arguments import Arg, BadInput, Identifier, Option, Phrase, Words
from bot.context import Context
from bot.errors import SkillError
from bot.events import Command, ScheduledTrigger
from bot.i18n import N_, Translator
from bot.replies import Reply, Text, plain_text
from bot.roles import Role
from bot.router import Router
from bot.services import Services
from skills.audience import describe_audience, parse_audience
from skills.knowledge.articles import Article
from skills.knowledge.library import KnowledgeLibrary
from skills.pulse.schedule import Kind, Schedule, ScheduleError, next_run
from skills.pulse.schedule_parser import parse_schedule
from skills.spotlight import messages as say
from skills.spotlight.engine import ARTICLE, SpotlightEngine, tagged
from storage.spotlights import Spotlight

TICK_JOB = "spotlight.tick"
TICK_SECONDS = 30

SPOTLIGHT = Arg(Identifier("spotlight"))
AUDIENCE_SCHEDULE = Words("[to everyone|department NAME|unit NAME|channel ID] SCHEDULE")
ARTICLES = Option("--articles", Phrase("articles", "ID,ID,…"), default=None)


class SpotlightSkill:
    def __init__(self, router: Router, library: KnowledgeLibrary) -> None:
        self.router = router
        self.services = router.services
        self.library = library
        self.engine = SpotlightEngine(router.services, library)

    def register(self) -> None:
        r = self.router
        r.command(
            "spotlight",
            summary=N_("Put a program in the spotlight every few weeks"),
            roles=[Role.HR, Role.LEADER],
        )
        r.subcommand(
            "spotlight create",
            self.create,
            summary=N_(
                "Start a campaign, e.g. "
                '`spotlight create to unit "5 North" every other tuesday 10:00`'
            ),
            args=[AUDIENCE_SCHEDULE],
            options=[ARTICLES],
        )
        r.subcommand(
            "spotlight list", self.list_spotlights, summary=N_("Campaigns and what's next")
        )
        r.subcommand(
            "spotlight next",
            self.what_next,
            summary=N_("The next article and when"),
            args=[SPOTLIGHT],
        )
        r.subcommand(
            "spotlight pause", self.pause, summary=N_("Send nothing for now"), args=[SPOTLIGHT]
        )
        r.subcommand("spotlight resume", self.resume, summary=N_("Send again"), args=[SPOTLIGHT])
        r.job(TICK_JOB, self.tick, every_seconds=TICK_SECONDS)
        self.services.renderers.register(ARTICLE, self.engine.render, current=self.engine.still_on)

    async def tick(self, trigger: ScheduledTrigger, services: Services) -> None:
        await self.engine.tick(services.clock())

    async def create(self, ctx: Context[Command]) -> Reply:
        audience, words = parse_audience(list(ctx.args[AUDIENCE_SCHEDULE]))
        now = self.services.clock()
        tz = self.engine.hospital_tz
        t = ctx.t
        usage = t(say.USAGE, usage=ctx.args.usage)
        if not words:
            raise BadInput(say.WHEN_THEN_USAGE, when=t(say.WHEN_NEEDED), usage=usage)
        try:
            schedule = parse_schedule(" ".join(words), now.astimezone(tz).date())
        except ScheduleError as exc:
            raise BadInput(say.WHEN_THEN_USAGE, when=str(exc), usage=usage) from None
        if not _recurring_at_most_weekly(schedule):
            raise BadInput(say.ONCE_A_WEEK_AT_MOST)
        article_ids, first = await self._articles(t, ctx.args[ARTICLES])
        first_run = next_run(schedule, now, tz)
        spotlight = await self.services.spotlights.create(
            owner_person_id=ctx.person.id,
            article_ids=article_ids,
            audience=audience,
            schedule=schedule.to_json(),
            next_run_at=first_run,
        )
        await ctx.audit(
            "spotlight.create",
            f"spotlight:{spotlight.id}",
            audience=audience,
            articles=article_ids or "tagged",
        )
        text = t(
            say.CREATED,
            id=spotlight.id,
            audience=describe_audience(audience, t),
            schedule=schedule.describe(),
            articles=_articles_described(t, spotlight),
            first=first.title,
            next_run=ctx.when(first_run),
        )
        if not await self.engine.audience_size(spotlight):
            text += " " + t(say.NOBODY_YET)
        return Reply.text(text, ephemeral=True)

    async def _articles(self, t: Translator, given: str | None) -> tuple[list[str] | None, Article]:
        """HR's list of article ids, checked against the knowledge base (None for the tagged
        ones), and the article that goes first. Either way at least two, or there is nothing
        to rotate."""
        articles = {a.id: a for a in await self.library.articles()}
        if given is None:
            found = tagged(list(articles.values()))
            if len(found) < 2:
                count = t.plural("{count} article", "{count} articles", len(found))
                raise SkillError(say.TOO_FEW_TAGGED, count=count)
            return None, articles[found[0]]
        ids = list(dict.fromkeys(i for i in re.split(r"[\s,]+", given) if i))
        unknown = [i for i in ids if i not in articles]
        if unknown:
            raise SkillError(say.UNKNOWN_ARTICLES, ids=t.list(f"`{i}`" for i in unknown))
        if len(ids) < 2:
            raise SkillError(say.TOO_FEW_LISTED)
        return ids, articles[ids[0]]

    async def list_spotlights(self, ctx: Context[Command]) -> Reply:
        spotlights = await self.services.spotlights.all()
        t = ctx.t
        if not spotlights:
            return Reply.text(t(say.NO_SPOTLIGHTS), ephemeral=True)
        lines = [t(say.LIST_HEADING)]
        for spotlight in spotlights:
            line = t(
                say.LIST_LINE,
                id=spotlight.id,
                status=_status(t, spotlight),
                audience=describe_audience(spotlight.audience, t),
                schedule=Schedule.from_json(spotlight.schedule).describe(),
                articles=_articles_described(t, spotlight),
                sent=t.plural("{count} article", "{count} articles", spotlight.turns),
            )
            upcoming = await self.engine.upcoming(spotlight)
            if spotlight.status == "active" and upcoming is not None:
                when = ctx.when(spotlight.next_run_at)
                line += t(say.LIST_NEXT, title=upcoming.title, when=when)
            lines.append(line)
        text = "\n".join(lines)
        return Reply(fallback=plain_text(text), blocks=(Text(text),), ephemeral=True)

    async def what_next(self, ctx: Context[Command]) -> Reply:
        spotlight = await self._spotlight(ctx.args[SPOTLIGHT])
        upcoming = await self.engine.upcoming(spotlight)
        t = ctx.t
        if upcoming is None:
            articles = _articles_described(t, spotlight)
            text = t(say.NOTHING_NEXT, id=spotlight.id, articles=articles)
            return Reply.text(text, ephemeral=True)
        if spotlight.status != "active":
            return Reply.text(
                t(say.NEXT_PAUSED, id=spotlight.id, title=upcoming.title), ephemeral=True
            )
        people = await self.engine.audience_size(spotlight)
        text = t(
            say.NEXT,
            id=spotlight.id,
            title=upcoming.title,
            when=ctx.when(spotlight.next_run_at),
            audience=describe_audience(spotlight.audience, t),
            people=t.plural("{count} person", "{count} people", people),
        )
        return Reply.text(text, ephemeral=True)

    async def pause(self, ctx: Context[Command]) -> Reply:
        spotlight = await self._spotlight(ctx.args[SPOTLIGHT])
        if not await self.services.spotlights.set_status(spotlight.id, "paused"):
            return Reply.text(ctx.t(say.ALREADY_PAUSED, id=spotlight.id), ephemeral=True)
        await ctx.audit("spotlight.pause", f"spotlight:{spotlight.id}")
        return Reply.text(ctx.t(say.PAUSED, id=spotlight.id), ephemeral=True)

    async def resume(self, ctx: Context[Command]) -> Reply:
        spotlight = await self._spotlight(ctx.args[SPOTLIGHT])
        if spotlight.status == "active":
            when = ctx.when(spotlight.next_run_at)
            return Reply.text(
                ctx.t(say.ALREADY_ACTIVE, id=spotlight.id, next_run=when), ephemeral=True
            )
        schedule = Schedule.from_json(spotlight.schedule)
        following = next_run(schedule, self.services.clock(), self.engine.hospital_tz)
        # The next run first: once active, the scheduler may look at once, and must not find
        # the runs missed while it was paused.
        await self.services.spotlights.set_next_run(spotlight.id, following)
        when = ctx.when(following)
        if not await self.services.spotlights.set_status(spotlight.id, "active"):
            return Reply.text(
                ctx.t(say.ALREADY_ACTIVE, id=spotlight.id, next_run=when), ephemeral=True
            )
        await ctx.audit("spotlight.resume", f"spotlight:{spotlight.id}")
        return Reply.text(ctx.t(say.RESUMED, id=spotlight.id, next_run=when), ephemeral=True)

    async def _spotlight(self, spotlight_id: int) -> Spotlight:
        spotlight = await self.services.spotlights.get(spotlight_id)
        if spotlight is None:
            raise SkillError(say.NO_SUCH_SPOTLIGHT, id=spotlight_id)
        return spotlight


def _articles_described(t: Translator, spotlight: Spotlight) -> str:
    if spotlight.article_ids is None:
        return t(say.TAGGED)
    return t.plural("{count} article", "{count} articles", len(spotlight.article_ids))


def _recurring_at_most_weekly(schedule: Schedule) -> bool:
    """One day every week or few weeks, or a day a month: a spotlight that came daily, or
    several days a week, would be noise people learn to ignore."""
    if schedule.kind is Kind.WEEKLY:
        return len(schedule.weekdays) == 1
    return schedule.kind is Kind.MONTHLY


def _status(t: Translator, spotlight: Spotlight) -> str:
    return t(say.ON) if spotlight.status == "active" else t(say.PAUSED_STATUS)


def setup(router: Router, library: KnowledgeLibrary) -> SpotlightSkill:
    skill = SpotlightSkill(router, library)
    skill.register()
    return skill
