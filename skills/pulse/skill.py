"""Pulse surveys: HR schedules them with `pulse …`; staff answer with buttons in a DM."""

from __future__ import annotations

import logging
import shlex
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.context import Context
from bot.errors import SkillError
from bot.events import Action, Command, Platform, ScheduledTrigger
from bot.replies import Button, Buttons, Form, Input, InputKind, Reply, Text, plain_text
from bot.roles import Role
from bot.router import Router
from bot.services import Services
from skills.phi import redact
from skills.pulse import messages as say
from skills.pulse.definitions import (
    SurveyDefinition,
    check_file,
    load_template,
    template_names,
)
from skills.pulse.engine import ANSWER, PulseEngine, survey_message
from skills.pulse.results import DEFAULT_THRESHOLD, MIN_THRESHOLD
from skills.pulse.schedule import Schedule, ScheduleError, next_run
from skills.pulse.schedule_parser import parse_schedule
from skills.references import parse_id
from storage.surveys import Survey

log = logging.getLogger(__name__)

CHANGE = "pulse.change"
OPEN = "pulse.open"
COMMENT = "pulse.comment"
COMMENT_SUBMIT = "pulse.comment_submit"
TICK_JOB = "pulse.tick"
TICK_SECONDS = 30


class PulseSkill:
    def __init__(self, router: Router) -> None:
        self.router = router
        self.services = router.services
        self.engine = PulseEngine(router.services)

    def register(self) -> None:
        r = self.router
        r.command(
            "pulse",
            self.on_pulse,
            summary="Schedule pulse surveys and read their anonymous results",
            usage="pulse create|list|run|pause|resume|close|results",
            roles=[Role.HR],
        )
        r.action(ANSWER, self.on_answer)
        r.action(CHANGE, self.on_change)
        r.action(OPEN, self.on_change)
        r.action(COMMENT, self.on_comment)
        r.action(COMMENT_SUBMIT, self.on_comment_submit)
        r.job(TICK_JOB, self.tick, every_seconds=TICK_SECONDS)

    async def tick(self, trigger: ScheduledTrigger, services: Services) -> None:
        await self.engine.tick(services.clock())

    # -- answering ------------------------------------------------------------------------

    async def on_answer(self, ctx: Context[Action]) -> Reply:
        round_id, question_id, value = _answer_value(ctx.event.value)
        round_, survey, definition = await self._open(round_id)
        question = definition.question(question_id)
        if question is None or value not in question.values:
            raise SkillError("That answer doesn't match this survey any more.")
        try:
            answers, complete = await self.services.survey_answers.record_answer(
                round_id,
                ctx.person.id,
                question_id,
                value,
                department=ctx.person.department or "",
                unit=ctx.person.unit or "",
                required=[q.id for q in definition.questions],
            )
        except LookupError:
            raise SkillError(say.NOT_INVITED) from None
        if not complete:
            reply = survey_message(definition, round_, survey, answers)
            return Reply(fallback=reply.fallback, blocks=reply.blocks, replace_original=True)
        text = say.THANKS.format(title=definition.title, closes=f"{round_.closes_at:%A %b %d}")
        buttons = [Button("Change my answers", CHANGE, str(round_id))]
        if definition.comment:
            buttons.append(Button("Add a comment", COMMENT, str(round_id)))
        return Reply(
            fallback=plain_text(text),
            blocks=(Text(text), Buttons(tuple(buttons))),
            replace_original=True,
        )

    async def on_change(self, ctx: Context[Action]) -> Reply:
        """The survey with what the person picked so far. "Change my answers" redraws the
        thank-you in place; "Answer now" on the home surface has no message to replace."""
        round_, survey, definition = await self._open(parse_id(ctx.event.value))
        answers = await self.services.survey_answers.own_answers(round_.id, ctx.person.id)
        reply = survey_message(definition, round_, survey, answers)
        return Reply(
            fallback=reply.fallback,
            blocks=reply.blocks,
            replace_original=ctx.event.action_id == CHANGE,
        )

    async def on_comment(self, ctx: Context[Action]) -> Reply:
        round_, _, definition = await self._open(parse_id(ctx.event.value))
        form = Form(
            title=say.COMMENT_PROMPT_TITLE,
            inputs=(
                Input(
                    "comment",
                    definition.comment or "Your comment",
                    InputKind.MULTILINE,
                    required=True,
                    max_length=say.MAX_COMMENT,
                    placeholder="Please leave out patient names and details.",
                ),
            ),
            submit_action_id=COMMENT_SUBMIT,
            submit_label="Save comment",
            value=str(round_.id),
        )
        return Reply(fallback=form.title, blocks=(form,), ephemeral=True)

    async def on_comment_submit(self, ctx: Context[Action]) -> Reply:
        round_, _, _ = await self._open(parse_id(ctx.event.value))
        comment = ctx.event.values.get("comment", "").strip()
        if not comment or len(comment) > say.MAX_COMMENT:
            raise SkillError(f"Please write a comment of up to {say.MAX_COMMENT:,} characters.")
        screened = redact(comment)
        try:
            await self.services.survey_answers.record_comment(
                round_.id,
                ctx.person.id,
                screened.text,
                department=ctx.person.department or "",
                unit=ctx.person.unit or "",
            )
        except LookupError:
            raise SkillError(say.NOT_INVITED) from None
        lines = [say.COMMENT_SAVED]
        if screened.found:
            lines.append(say.COMMENT_PHI.format(tags=", ".join(sorted(screened.types))))
        return Reply.text("\n".join(lines), ephemeral=True)

    async def _open(self, round_id: int | None) -> tuple[Any, Survey, SurveyDefinition]:
        round_ = await self.services.surveys.get_round(round_id) if round_id else None
        if round_ is None:
            raise SkillError("I can't find that survey any more.")
        if round_.status != "open":
            raise SkillError(say.ROUND_CLOSED)
        survey = await self.services.surveys.get(round_.survey_id)
        assert survey is not None
        return round_, survey, SurveyDefinition.from_json(survey.definition)

    # -- HR commands ----------------------------------------------------------------------

    async def on_pulse(self, ctx: Context[Command]) -> Reply:
        try:
            words = shlex.split(ctx.event.text)
        except ValueError:
            raise SkillError(say.USAGE) from None
        verb, args = (words[0].lower(), words[1:]) if words else ("help", [])
        handlers = {
            "templates": self.templates,
            "create": self.create,
            "list": self.list_surveys,
            "run": self.run_now,
            "pause": self.pause,
            "resume": self.resume,
            "close": self.close_now,
            "results": self.show_results,
        }
        handler = handlers.get(verb)
        if handler is None:
            return Reply.text(say.USAGE, ephemeral=True)
        return await handler(ctx, args)

    async def templates(self, ctx: Context[Command], args: list[str]) -> Reply:
        lines = ["**Bundled surveys** (use with `pulse create NAME …`):"]
        for name in template_names():
            definition = load_template(name).definition
            if definition is not None:
                kinds = ", ".join(q.kind.value for q in definition.questions)
                lines.append(f"- `{name}`: {definition.title} ({kinds})")
        text = "\n".join(lines)
        return Reply(fallback=plain_text(text), blocks=(Text(text),), ephemeral=True)

    async def create(self, ctx: Context[Command], args: list[str]) -> Reply:
        options, rest = _split_options(
            args, {"--open-days", "--remind-after", "--threshold", "--file"}
        )
        definition = self._definition(ctx, rest, options)
        if definition is None:
            raise SkillError(say.USAGE)
        if "--file" not in options:
            rest = rest[1:]
        audience, rest = _audience(rest)
        schedule_text = " ".join(rest).strip() or "now"
        now = self.services.clock()
        tz = self.engine.hospital_tz
        if schedule_text.lower() == "now":
            local = now.astimezone(tz)
            schedule = Schedule.once(local.date(), local.time().replace(microsecond=0))
            first_run: datetime | None = now
        else:
            try:
                schedule = parse_schedule(schedule_text, now.astimezone(tz).date())
            except ScheduleError as exc:
                raise SkillError(f"{exc}\n\n{say.USAGE}") from None
            first_run = next_run(schedule, now, tz)
        open_days = _number(options, "--open-days", 5, 1, 30)
        remind_after = _number(options, "--remind-after", 2, 1, 30)
        threshold = _number(options, "--threshold", DEFAULT_THRESHOLD, MIN_THRESHOLD, 50)
        survey = await self.services.surveys.create(
            name=definition.title,
            definition=definition.to_json(),
            owner_person_id=ctx.person.id,
            audience=audience,
            schedule=schedule.to_json(),
            next_run_at=first_run,
            open_days=open_days,
            reminder_after_days=remind_after,
            threshold=threshold,
        )
        await ctx.audit("pulse.create", f"survey:{survey.id}", audience=audience)
        starts_now = first_run is not None and first_run <= now
        if starts_now:
            await self.engine.tick(now)
        return Reply.text(
            (say.CREATED + (" " + say.QUIET_NOTE if starts_now else "")).format(
                id=survey.id,
                title=definition.title,
                audience=_describe_audience(audience),
                schedule=schedule.describe(),
                next_run=self._when(first_run),
                quiet=str(self.services.settings.quiet_hours),
            ),
            ephemeral=True,
        )

    def _definition(
        self, ctx: Context[Command], rest: list[str], options: dict[str, str]
    ) -> SurveyDefinition | None:
        if "--file" in options:
            # A path names a file on the bot's own machine: only its operator, at the terminal
            # or through the CLI, may use it, never a chat user.
            if ctx.event.actor.platform != Platform.CONSOLE.value:
                raise SkillError("`--file` works only from the `breakroom` command line.")
            checked = check_file(Path(options["--file"]))
        elif rest:
            checked = load_template(rest[0])
        else:
            return None
        if checked.definition is None:
            problems = "\n".join(f"- {p}" for p in checked.problems)
            raise SkillError(f"That survey has problems:\n{problems}")
        return checked.definition

    async def list_surveys(self, ctx: Context[Command], args: list[str]) -> Reply:
        surveys = await self.services.surveys.all()
        if not surveys:
            return Reply.text("No surveys yet. " + say.USAGE, ephemeral=True)
        lines = ["**Pulse surveys:**"]
        for survey in surveys:
            schedule = Schedule.from_json(survey.schedule).describe()
            line = (
                f"- #{survey.id} **{survey.name}** ({survey.status}) for "
                f"{_describe_audience(survey.audience)}, {schedule}; next round "
                f"{self._when(survey.next_run_at)}"
            )
            for round_ in await self.services.surveys.open_rounds(survey.id):
                rate = round_.responded / round_.invited if round_.invited else 0.0
                line += (
                    f"; open round: {rate:.0%} answered so far, closes "
                    f"{self._when(round_.closes_at)}"
                )
            lines.append(line)
        text = "\n".join(lines)
        return Reply(fallback=plain_text(text), blocks=(Text(text),), ephemeral=True)

    async def run_now(self, ctx: Context[Command], args: list[str]) -> Reply:
        survey = await self._survey(args)
        now = self.services.clock()
        round_ = await self.engine.open_round(survey, now, run_at=now)
        await ctx.audit("pulse.run", f"survey:{survey.id}")
        if round_ is None:
            return Reply.text(say.EMPTY_AUDIENCE, ephemeral=True)
        return Reply.text(say.STARTED.format(id=survey.id, count=round_.invited), ephemeral=True)

    async def pause(self, ctx: Context[Command], args: list[str]) -> Reply:
        survey = await self._survey(args)
        await self.services.surveys.set_status(survey.id, "paused")
        await ctx.audit("pulse.pause", f"survey:{survey.id}")
        return Reply.text(say.PAUSED.format(id=survey.id), ephemeral=True)

    async def resume(self, ctx: Context[Command], args: list[str]) -> Reply:
        survey = await self._survey(args)
        now = self.services.clock()
        following = next_run(Schedule.from_json(survey.schedule), now, self.engine.hospital_tz)
        await self.services.surveys.set_next_run(survey.id, following)
        await self.services.surveys.set_status(survey.id, "active")
        await ctx.audit("pulse.resume", f"survey:{survey.id}")
        return Reply.text(
            say.RESUMED.format(id=survey.id, next_run=self._when(following)), ephemeral=True
        )

    async def close_now(self, ctx: Context[Command], args: list[str]) -> Reply:
        survey = await self._survey(args)
        rounds = await self.services.surveys.open_rounds(survey.id)
        if not rounds:
            raise SkillError(say.NOTHING_OPEN.format(id=survey.id))
        for round_ in rounds:
            await self.engine.close(round_, self.services.clock())
        await ctx.audit("pulse.close", f"survey:{survey.id}")
        return Reply.text(say.CLOSED.format(id=survey.id, sent=say.RESULTS_SENT), ephemeral=True)

    async def show_results(self, ctx: Context[Command], args: list[str]) -> Reply:
        options, rest = _split_options(args, {"--by", "--group"})
        survey = await self._survey(rest)
        group_by = options.get("--by")
        if group_by not in (None, "department", "unit"):
            raise SkillError("Break results down `--by department` or `--by unit`.")
        await ctx.audit("pulse.results", f"survey:{survey.id}", by=group_by)
        reply = await self.engine.results(survey, group_by=group_by, group=options.get("--group"))
        return Reply(fallback=reply.fallback, blocks=reply.blocks, ephemeral=True)

    async def _survey(self, args: list[str]) -> Survey:
        survey_id = parse_id(args[0]) if args else None
        survey = await self.services.surveys.get(survey_id) if survey_id else None
        if survey is None:
            raise SkillError(say.NO_SUCH_SURVEY.format(id=args[0] if args else "?"))
        return survey

    def _when(self, moment: datetime | None) -> str:
        if moment is None:
            return "none scheduled"
        local = moment.astimezone(self.engine.hospital_tz)
        return f"{local:%a %b %d, %H:%M} ({self.engine.hospital_tz.key})"


def setup(router: Router) -> PulseSkill:
    skill = PulseSkill(router)
    skill.register()
    return skill


def _answer_value(value: str) -> tuple[int, str, str]:
    parts = value.split("|")
    if len(parts) != 3 or not parts[0].isdigit():
        raise SkillError("That answer doesn't match this survey any more.")
    return int(parts[0]), parts[1], parts[2]


def _split_options(args: list[str], known: set[str]) -> tuple[dict[str, str], list[str]]:
    options: dict[str, str] = {}
    rest: list[str] = []
    words = iter(args)
    for word in words:
        if word.startswith("--"):
            if word not in known:
                raise SkillError(f"I don't know the option `{word}`.\n\n{say.USAGE}")
            value = next(words, None)
            if value is None:
                raise SkillError(f"`{word}` needs a value.")
            options[word] = value
        else:
            rest.append(word)
    return options, rest


def _number(options: dict[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = options.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise SkillError(f"`{name}` must be a number from {low} to {high}.")
    return int(raw)


def _audience(words: list[str]) -> tuple[dict[str, Any], list[str]]:
    """`to everyone`, `to department NAME`, `to unit NAME`, `to channel ID`; default everyone."""
    if not words or words[0].lower() != "to":
        return {"kind": "everyone"}, words
    if len(words) >= 2 and words[1].lower() == "everyone":
        return {"kind": "everyone"}, words[2:]
    if len(words) >= 3 and words[1].lower() in ("department", "unit", "channel", "team"):
        kind = "channel" if words[1].lower() == "team" else words[1].lower()
        return {"kind": kind, "value": words[2]}, words[3:]
    raise SkillError(
        "Say who gets it: `to everyone`, `to department NAME`, `to unit NAME` or "
        '`to channel ID` (quote names with spaces, e.g. `to unit "5 North"`).'
    )


def _describe_audience(audience: dict[str, Any]) -> str:
    kind = audience.get("kind", "everyone")
    return "everyone" if kind == "everyone" else f"{kind} {audience.get('value')}"
