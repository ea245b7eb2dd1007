"""HR's commands for closing the loop on a survey: `pulse share` sends a closed round's results
to the people it was sent to, and `pulse action` / `pulse actions` keep the survey's action plan
(what will be done, who owns it, how far it got), which those results and the next invitation
list. Each change is audited."""

from __future__ import annotations

from bot.arguments import Arg, BadInput, Identifier, Option, Phrase, Words
from bot.context import Context
from bot.errors import SkillError
from bot.events import Command
from bot.i18n import N_, Translator
from bot.replies import Reply, Text, plain_text
from skills.pulse import messages as say
from skills.pulse.definitions import SurveyDefinition
from skills.pulse.engine import PulseEngine
from skills.pulse.results import Refusal
from skills.pulse.sharing import Shared, status_name
from storage.survey_actions import DONE, IN_PROGRESS, PLANNED, StatusChange
from storage.surveys import OPEN, Survey

SURVEY = Arg(Identifier(N_("survey")))
WHAT = Words("WHAT WE WILL DO")
OWNER = Option("--owner", Phrase(N_("owner"), "NAME"), default=None)
MAX_ACTION = 300
MAX_OWNER = 120
# What may be typed for each status, as in `pulse action 3 done 7`.
STATUS_WORDS = {
    "planned": PLANNED,
    "started": IN_PROGRESS,
    "in-progress": IN_PROGRESS,
    "in progress": IN_PROGRESS,
    "doing": IN_PROGRESS,
    "done": DONE,
}


class ActionPlan:
    def __init__(self, engine: PulseEngine) -> None:
        self.engine = engine
        self.services = engine.services

    async def share(self, ctx: Context[Command]) -> Reply:
        """Share the latest round's results, once it has closed and if any may be shown."""
        survey = await self._survey(ctx.args[SURVEY])
        rounds = await self.services.surveys.rounds(survey.id, limit=1)
        if not rounds:
            raise SkillError(say.NO_ROUND_YET, id=survey.id)
        latest = rounds[0]
        zone, t = ctx.zone, ctx.t
        if latest.status == OPEN:
            raise SkillError(say.SHARE_OPEN, id=survey.id, closes=t.moment(latest.closes_at, zone))
        now = self.services.clock()
        shared_before = await self.services.survey_shares.shared_at(latest.id)
        shared = await self.engine.sharing.share(survey, latest.id, now)
        if isinstance(shared, Refusal):
            raise SkillError(say.NOT_SHARED, id=survey.id, reason=shared.text(t))
        await ctx.audit("pulse.share", f"round:{latest.id}", people=shared.people)
        if shared_before is not None and not shared.added:
            day = t.local_day(shared_before, zone)
            return Reply.text(t(say.ALREADY_SHARED, id=survey.id, day=day), ephemeral=True)
        return Reply.text(_shared(survey, shared, t), ephemeral=True)

    async def action(self, ctx: Context[Command]) -> Reply:
        """`pulse action 3 Float nurse on nights --owner "Ana Ruiz"` records an action;
        `pulse action 3 done 7` moves action 7 on."""
        survey = await self._survey(ctx.args[SURVEY])
        words = list(ctx.args[WHAT])
        if not words:
            raise BadInput(say.SAY_WHAT, usage=ctx.args.usage)
        change = _status_change(words)
        if change is not None:
            if ctx.args[OWNER] is not None:
                raise BadInput(say.OWNER_WITH_NEW, id=survey.id)
            return await self._move(ctx, survey, *change)
        text = " ".join(words)
        owner = (ctx.args[OWNER] or ctx.person.display_name).strip() or ctx.person.display_name
        if len(text) > MAX_ACTION:
            raise BadInput(say.ACTION_TOO_LONG, limit=MAX_ACTION)
        if len(owner) > MAX_OWNER:
            raise BadInput(say.OWNER_TOO_LONG, limit=MAX_OWNER)
        added = await self.services.survey_actions.add(
            survey.id, text, owner=owner, author_person_id=ctx.person.id
        )
        await ctx.audit("pulse.action", f"action:{added.id}", survey=survey.id)
        return Reply.text(
            ctx.t(say.ACTION_ADDED, action=added.id, id=survey.id, text=text, owner=owner),
            ephemeral=True,
        )

    async def _move(self, ctx: Context[Command], survey: Survey, status: str, action: int) -> Reply:
        moved = await self.services.survey_actions.set_status(survey.id, action, status)
        if moved is None:
            raise SkillError(say.NO_SUCH_ACTION, id=survey.id, action=action)
        t = ctx.t
        if not isinstance(moved, StatusChange):
            text = t(
                say.ACTION_ALREADY,
                action=action,
                id=survey.id,
                status=status_name(moved.status, t),
                text=moved.text,
            )
            return Reply.text(text, ephemeral=True)
        await ctx.audit(
            "pulse.action_status",
            f"action:{action}",
            survey=survey.id,
            status=status,
            previous=moved.previous,
        )
        text = t(
            say.ACTION_MOVED,
            action=action,
            id=survey.id,
            status=status_name(status, t),
            previous=status_name(moved.previous, t),
            text=moved.action.text,
        )
        return Reply.text(text, ephemeral=True)

    async def actions(self, ctx: Context[Command]) -> Reply:
        survey = await self._survey(ctx.args[SURVEY])
        actions = await self.services.survey_actions.for_survey(survey.id)
        t = ctx.t
        if not actions:
            return Reply.text(t(say.NO_ACTIONS, id=survey.id), ephemeral=True)
        title = SurveyDefinition.from_json(survey.definition).in_language(t.language).title
        lines = [t(say.ACTIONS_TITLE, id=survey.id, title=title)]
        lines += [
            t(
                say.ACTIONS_LINE,
                action=a.id,
                text=a.text,
                status=status_name(a.status, t),
                owner=a.owner,
            )
            for a in actions
        ]
        text = "\n".join(lines)
        return Reply(fallback=plain_text(text), blocks=(Text(text),), ephemeral=True)

    async def _survey(self, survey_id: int) -> Survey:
        survey = await self.services.surveys.get(survey_id)
        if survey is None:
            raise SkillError(say.NO_SUCH_SURVEY, id=survey_id)
        return survey


def _status_change(words: list[str]) -> tuple[str, int] | None:
    """`done 7`, `started #7`, `in progress 7`: a status and an action's number; None for the
    words of a new action."""
    *status, number = words
    action = Identifier(N_("action")).read(number) if number.lstrip("#").isdigit() else None
    named = STATUS_WORDS.get(" ".join(status).lower())
    if action is None or named is None:
        return None
    return named, action


def _shared(survey: Survey, shared: Shared, t: Translator) -> str:
    people = t.plural("{count} person", "{count} people", shared.people)
    waiting = ""
    if shared.waiting:
        waiting = t(
            say.SHARED_WAITING, waiting=t.plural("{count} is", "{count} are", shared.waiting)
        )
    return t(say.SHARED, id=survey.id, people=people, waiting=waiting).strip()
