"""Pulse surveys: the skill's registration and HR's `pulse …` commands. Staff answer with
buttons in a DM (`skills.pulse.answering`); the scheduler's rounds are `skills.pulse.engine`'s."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from bot.arguments import BadInput, Flag, Integer, OneOf, Option, Phrase, Words
from bot.context import Context
from bot.errors import SkillError
from bot.events import Command, ConversationKind, Platform, ScheduledTrigger
from bot.i18n import N_, Translator
from bot.replies import Reply, Text, plain_text
from bot.roles import Role
from bot.router import Router
from bot.services import Services
from bot.tokens import quote
from skills.audience import USAGE as AUDIENCE_USAGE
from skills.audience import describe_audience, parse_audience
from skills.pulse import messages as say
from skills.pulse import plan
from skills.pulse.answering import CHANGE, COMMENT, COMMENT_SUBMIT, OPEN, Answering
from skills.pulse.definition_files import check_file, load_template, template_names
from skills.pulse.definitions import QuestionKind, SurveyDefinition
from skills.pulse.engine import (
    ANSWER,
    INVITE,
    REMINDER,
    NotOpened,
    Opened,
    PulseEngine,
)
from skills.pulse.results import DEFAULT_THRESHOLD, MIN_THRESHOLD
from skills.pulse.schedule import Schedule, ScheduleError, next_run
from skills.pulse.schedule_parser import NOW_WORDS, parse_schedule
from skills.pulse.sharing import SHARE as SHARED
from skills.safety.responder import CrisisResponder
from storage.surveys import ACTIVE, ENDED, PAUSED, Survey

# What each kind of question asks for, as HR reads it in `pulse templates`.
KIND_NAMES = {
    QuestionKind.RATING: N_("1-5 scale"),
    QuestionKind.ENPS: N_("0-10 eNPS"),
    QuestionKind.CHOICE: N_("choice"),
}
# A survey's status as HR reads it in `pulse list`.
SURVEY_STATUS = {ACTIVE: N_("active"), PAUSED: N_("paused"), ENDED: N_("ended")}

TICK_JOB = "pulse.tick"
TICK_SECONDS = 30

SURVEY = plan.SURVEY
TEMPLATE_AUDIENCE_SCHEDULE = Words(f"TEMPLATE [{AUDIENCE_USAGE}] [SCHEDULE]")
OPEN_DAYS = Option("--open-days", Integer(N_("days open"), 1, 30), default=5)
REMIND_AFTER = Option("--remind-after", Integer(N_("days before the reminder"), 1, 30), default=2)
THRESHOLD = Option(
    "--threshold",
    Integer(N_("the anonymity threshold"), MIN_THRESHOLD, 50),
    default=DEFAULT_THRESHOLD,
)
# Only the bot's operator may name a file on its machine, so chat users are not shown `--file`.
FILE = Option("--file", Phrase(N_("file"), "PATH"), default=None, in_usage=False)
BY = Option(
    "--by",
    OneOf(N_("breakdown"), {"department": "department", "unit": "unit"}, "department|unit"),
    default=None,
)
GROUP = Option("--group", Phrase(N_("group"), "NAME"), default=None)
SHARE = Flag("--share")


class PulseSkill:
    def __init__(self, router: Router, safety: CrisisResponder) -> None:
        self.router = router
        self.services = router.services
        self.engine = PulseEngine(router.services)
        self.plan = plan.ActionPlan(self.engine)
        self.answering = Answering(router.services, safety)

    def register(self) -> None:
        r = self.router
        r.command(
            "pulse",
            summary=N_("Schedule pulse surveys and read their anonymous results"),
            roles=[Role.HR],
        )
        r.subcommand("pulse templates", self.templates, summary=N_("The bundled surveys"))
        r.subcommand(
            "pulse create",
            self.create,
            summary=N_(
                "Schedule a survey, e.g. "
                '`pulse create weekly-pulse to unit "5 North" every other monday 10:00`'
            ),
            args=[TEMPLATE_AUDIENCE_SCHEDULE],
            options=[OPEN_DAYS, REMIND_AFTER, THRESHOLD, SHARE, FILE],
        )
        r.subcommand(
            "pulse list", self.list_surveys, summary=N_("Surveys, schedules and response rates")
        )
        r.subcommand("pulse run", self.run_now, summary=N_("Start a round now"), args=[SURVEY])
        r.subcommand(
            "pulse pause", self.pause, summary=N_("Stop new rounds for now"), args=[SURVEY]
        )
        r.subcommand("pulse resume", self.resume, summary=N_("Start rounds again"), args=[SURVEY])
        r.subcommand(
            "pulse close",
            self.close_now,
            summary=N_("Close the open round now and send the results"),
            args=[SURVEY],
        )
        r.subcommand(
            "pulse results",
            self.show_results,
            summary=N_("Anonymous results, optionally broken down"),
            args=[SURVEY],
            options=[BY, GROUP],
        )
        r.subcommand(
            "pulse share",
            self.plan.share,
            summary=N_("Send the closed round's results to everyone it was sent to"),
            args=[SURVEY],
        )
        r.subcommand(
            "pulse action",
            self.plan.action,
            summary=N_(
                "Record what will be done about the results; "
                "`pulse action ID started|done ACTION` moves it on"
            ),
            args=[SURVEY, plan.WHAT],
            options=[plan.OWNER],
        )
        r.subcommand(
            "pulse actions", self.plan.actions, summary=N_("A survey's actions"), args=[SURVEY]
        )
        r.action(ANSWER, self.answering.on_answer)
        r.action(CHANGE, self.answering.on_change)
        r.action(OPEN, self.answering.on_change)
        r.action(COMMENT, self.answering.on_comment)
        r.action(COMMENT_SUBMIT, self.answering.on_comment_submit)
        r.job(TICK_JOB, self.tick, every_seconds=TICK_SECONDS)
        for kind in (INVITE, REMINDER):
            self.services.renderers.register(
                kind, self.engine.render, current=self.engine.still_open
            )
        self.services.renderers.register(SHARED, self.engine.sharing.render)

    async def tick(self, trigger: ScheduledTrigger, services: Services) -> None:
        await self.engine.tick(services.clock())

    async def templates(self, ctx: Context[Command]) -> Reply:
        t = ctx.t
        lines = [t(say.TEMPLATES)]
        for name in template_names():
            definition = load_template(name).definition
            if definition is not None:
                kinds = ", ".join(t(KIND_NAMES[q.kind]) for q in definition.questions)
                title = definition.in_language(t.language).title
                lines.append(f"- `{name}`: {title} ({kinds})")
        text = "\n".join(lines)
        return Reply(fallback=plain_text(text), blocks=(Text(text),), ephemeral=True)

    async def create(self, ctx: Context[Command]) -> Reply:
        words = list(ctx.args[TEMPLATE_AUDIENCE_SCHEDULE])
        path = ctx.args[FILE]
        if path is None and not words:
            raise SkillError(say.TEMPLATE_NEEDED, usage=ctx.args.usage)
        definition, warnings = self._definition(ctx, path, "" if path else words.pop(0))
        audience, words = parse_audience(words)
        schedule_text = " ".join(words).strip() or "now"
        now = self.services.clock()
        tz = self.engine.hospital_tz
        starts_now = schedule_text.lower() in NOW_WORDS
        if starts_now:
            local = now.astimezone(tz)
            schedule = Schedule.once(local.date(), local.time().replace(microsecond=0))
            # Opened below, not by the scheduler: `now` is now in every time zone, where a
            # scheduled run is its clock time in each person's own.
            first_run: datetime | None = None
        else:
            try:
                schedule = parse_schedule(schedule_text, now.astimezone(tz).date())
            except ScheduleError as exc:
                why = exc.text(ctx.t)
                raise BadInput(say.SCHEDULE_UNREAD, why=why, usage=ctx.args.usage) from None
            first_run = next_run(schedule, now, tz)
        nobody = not await self.engine.audience(audience)
        if starts_now and nobody:
            raise SkillError(say.NOBODY_NOW, audience=describe_audience(audience, ctx.t))
        survey = await self.services.surveys.create(
            name=definition.title,
            definition=definition.to_json(),
            owner_person_id=ctx.person.id,
            audience=audience,
            schedule=schedule.to_json(),
            next_run_at=first_run,
            open_days=ctx.args[OPEN_DAYS],
            reminder_after_days=ctx.args[REMIND_AFTER],
            threshold=ctx.args[THRESHOLD],
            share_on_close=ctx.args[SHARE],
        )
        await ctx.audit(
            "pulse.create", f"survey:{survey.id}", audience=audience, share=ctx.args[SHARE]
        )
        t = ctx.t
        described = {
            "id": survey.id,
            "title": definition.in_language(t.language).title,
            "audience": describe_audience(audience, t),
        }
        notes = [t(say.CREATED_SHARING)] if ctx.args[SHARE] else []
        notes += _missing_words(t, warnings)
        if not starts_now:
            text = t(
                say.CREATED,
                **described,
                schedule=schedule.describe(t),
                next_run=ctx.when(first_run),
            )
            if nobody:
                notes.insert(0, t(say.NOBODY_YET))
            return Reply.text(" ".join([text, *notes]), ephemeral=True)
        opened = await self.engine.open_round(survey, now, run_at=None)
        if not isinstance(opened, Opened):
            raise SkillError(say.NOBODY_NOW, audience=described["audience"])
        text = t(say.CREATED_NOW, **described, invitations=self._invitations(opened, t))
        return Reply.text(" ".join([text, *notes]), ephemeral=True)

    def _invitations(self, opened: Opened, t: Translator) -> str:
        """Who gets the invitation now, and who waits for the end of their quiet hours."""
        quiet = self.services.settings.quiet_hours
        invited, waiting = opened.round.invited, opened.waiting
        if not waiting:
            return t(say.INVITATIONS_NOW, people=_people(t, invited))
        if waiting == invited:
            return t(
                say.ALL_QUIET,
                people=_people(t, invited),
                quiet=str(quiet),
                end=quiet.end.strftime("%H:%M"),
            )
        waiting_words = t.plural("{count} is", "{count} are", waiting)
        return t(
            say.SOME_QUIET,
            people=_people(t, invited - waiting),
            waiting=waiting_words,
            quiet=str(quiet),
            end=quiet.end.strftime("%H:%M"),
        )

    def _definition(
        self, ctx: Context[Command], path: str | None, template: str
    ) -> tuple[SurveyDefinition, int]:
        """The definition to create a survey from, and how many of its texts lack a language
        (each is read in English by that language's readers)."""
        if path is not None:
            # Only the bot's operator, at the terminal or through the CLI, may name a file on
            # the bot's own machine, never a chat user.
            if ctx.event.actor.platform != Platform.CONSOLE.value:
                raise SkillError(say.FILE_CONSOLE_ONLY)
            checked = check_file(Path(path))
        elif template not in template_names():
            raise SkillError(say.NO_SUCH_TEMPLATE, name=template)
        else:
            checked = load_template(template)
        if checked.definition is None:
            # What is wrong is written in English, as `breakroom survey validate` says it.
            problems = "\n".join(f"- {p}" for p in checked.problems)
            raise SkillError(say.DEFINITION_PROBLEMS, problems=problems)
        return checked.definition, len(checked.warnings)

    async def list_surveys(self, ctx: Context[Command]) -> Reply:
        surveys = await self.services.surveys.all()
        t = ctx.t
        if not surveys:
            return Reply.text(t(say.NO_SURVEYS), ephemeral=True)
        sharing = await self.services.survey_shares.shares_on_close([s.id for s in surveys])
        lines = [t(say.SURVEYS_TITLE)]
        for survey in surveys:
            schedule = Schedule.from_json(survey.schedule).describe(t)
            title = SurveyDefinition.from_json(survey.definition).in_language(t.language).title
            status = (
                t(SURVEY_STATUS[survey.status]) if survey.status in SURVEY_STATUS else survey.status
            )
            line = t(
                say.SURVEY_LINE,
                id=survey.id,
                title=title,
                status=status,
                audience=describe_audience(survey.audience, t),
                schedule=schedule,
                next_run=ctx.when(survey.next_run_at),
            )
            if survey.id in sharing:
                line += t(say.SURVEY_SHARES)
            for round_ in await self.services.surveys.open_rounds(survey.id):
                rate = round_.responded / round_.invited if round_.invited else 0.0
                line += t(
                    say.SURVEY_OPEN_ROUND, rate=t.percent(rate), closes=ctx.when(round_.closes_at)
                )
            lines.append(line)
        text = "\n".join(lines)
        return Reply(fallback=plain_text(text), blocks=(Text(text),), ephemeral=True)

    async def run_now(self, ctx: Context[Command]) -> Reply:
        survey = await self._survey(ctx.args[SURVEY])
        opened = await self.engine.open_round(survey, self.services.clock(), run_at=None)
        if opened is NotOpened.EMPTY_AUDIENCE:
            raise SkillError(
                say.NOBODY_RUN, id=survey.id, audience=describe_audience(survey.audience, ctx.t)
            )
        if not isinstance(opened, Opened):
            rounds = await self.services.surveys.open_rounds(survey.id)
            closes = ctx.when(rounds[0].closes_at) if rounds else ctx.t(say.WHEN_IT_CLOSES)
            raise SkillError(say.ALREADY_OPEN, id=survey.id, closes=closes)
        await ctx.audit("pulse.run", f"survey:{survey.id}")
        text = ctx.t(say.STARTED, id=survey.id, invitations=self._invitations(opened, ctx.t))
        return Reply.text(text, ephemeral=True)

    async def pause(self, ctx: Context[Command]) -> Reply:
        survey = await self._survey(ctx.args[SURVEY])
        if not await self.services.surveys.set_status(survey.id, "paused"):
            return Reply.text(ctx.t(say.ALREADY_PAUSED, id=survey.id), ephemeral=True)
        await ctx.audit("pulse.pause", f"survey:{survey.id}")
        return Reply.text(ctx.t(say.PAUSED, id=survey.id), ephemeral=True)

    async def resume(self, ctx: Context[Command]) -> Reply:
        survey = await self._survey(ctx.args[SURVEY])
        if survey.status == "active":
            return Reply.text(
                ctx.t(say.ALREADY_ACTIVE, id=survey.id, next_run=ctx.when(survey.next_run_at)),
                ephemeral=True,
            )
        now = self.services.clock()
        following = next_run(Schedule.from_json(survey.schedule), now, self.engine.hospital_tz)
        # The next run first: once active, the scheduler may look at once.
        await self.services.surveys.set_next_run(survey.id, following)
        if not await self.services.surveys.set_status(survey.id, "active"):
            return Reply.text(
                ctx.t(say.ALREADY_ACTIVE, id=survey.id, next_run=ctx.when(following)),
                ephemeral=True,
            )
        await ctx.audit("pulse.resume", f"survey:{survey.id}")
        return Reply.text(
            ctx.t(say.RESUMED, id=survey.id, next_run=ctx.when(following)), ephemeral=True
        )

    async def close_now(self, ctx: Context[Command]) -> list[Reply]:
        survey = await self._survey(ctx.args[SURVEY])
        rounds = await self.services.surveys.open_rounds(survey.id)
        if not rounds:
            raise SkillError(say.NOTHING_OPEN, id=survey.id)
        # The owner closing in their own chat gets the results there as replies, after the word
        # that the round closed: sent from here, they would arrive before it. Anywhere else
        # (a channel) they go to the owner's chat, where no one else can read them.
        here = (
            survey.owner_person_id == ctx.person.id
            and ctx.event.conversation.kind is ConversationKind.DIRECT
        )
        # Closing is a conditional write: of two closes at once, one closes the round and sends
        # the results, and the other is told.
        now = self.services.clock()
        closed = [r for r in rounds if await self.engine.close(r, now, send_results=not here)]
        if not closed:
            raise SkillError(say.ALREADY_CLOSED, id=survey.id)
        await ctx.audit("pulse.close", f"survey:{survey.id}")
        t = ctx.t
        if not here:
            text = t(say.CLOSED, id=survey.id, sent=t(say.RESULTS_SENT))
            return [Reply.text(text, ephemeral=True)]
        replies = [Reply.text(t(say.CLOSED, id=survey.id, sent=t(say.RESULTS_FOLLOW)))]
        for round_ in closed:
            replies.append(await self.engine.results(survey, ctx.zone, t, round_id=round_.id))
            await ctx.audit("pulse.results", f"round:{round_.id}", via="close")
        return replies

    async def show_results(self, ctx: Context[Command]) -> Reply:
        survey = await self._survey(ctx.args[SURVEY])
        group_by, group = ctx.args[BY], ctx.args[GROUP]
        if group is not None and group_by is None:
            raise BadInput(say.GROUP_NEEDS_BY, id=survey.id, name=group, group=quote(group))
        await ctx.audit("pulse.results", f"survey:{survey.id}", by=group_by)
        reply = await self.engine.results(survey, ctx.zone, ctx.t, group_by=group_by, group=group)
        return Reply(fallback=reply.fallback, blocks=reply.blocks, ephemeral=True)

    async def _survey(self, survey_id: int) -> Survey:
        survey = await self.services.surveys.get(survey_id)
        if survey is None:
            raise SkillError(say.NO_SUCH_SURVEY, id=survey_id)
        return survey


def setup(router: Router, safety: CrisisResponder) -> PulseSkill:
    skill = PulseSkill(router, safety)
    skill.register()
    return skill


def _people(t: Translator, count: int) -> str:
    return t.plural("{count} person", "{count} people", count)


def _missing_words(t: Translator, missing: int) -> list[str]:
    """A word to HR that some of a survey's texts are in English only, for people who read
    another language (`breakroom survey validate` names them)."""
    if not missing:
        return []
    note = t.plural(
        "Note: {count} of its texts is in English only, so people who read another language "
        "see it in English; `breakroom survey validate` names it.",
        "Note: {count} of its texts are in English only, so people who read another language "
        "see them in English; `breakroom survey validate` names them.",
        missing,
    )
    return [note]
