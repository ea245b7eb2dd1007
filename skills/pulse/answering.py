"""The person answering a survey: the answer buttons of the invitation card, "Change my answers"
and "Answer now" (which draw the survey again), and the optional comment form. Only someone
invited to an open round may use them; HR's side of a survey is in `skills.pulse.skill`."""

from __future__ import annotations

from typing import Any

from bot.context import Context
from bot.errors import SkillError
from bot.events import Action
from bot.ownership import NotYours
from bot.replies import Button, Buttons, Form, Input, InputKind, Reply, Text, plain_text
from bot.services import Services
from skills.phi import redact
from skills.phi.tags import tag_list
from skills.pulse import messages as say
from skills.pulse.definitions import SurveyDefinition
from skills.pulse.engine import survey_message
from skills.references import parse_id
from skills.safety.responder import CrisisResponder
from storage.surveys import Survey

CHANGE = "pulse.change"
OPEN = "pulse.open"
COMMENT = "pulse.comment"
COMMENT_SUBMIT = "pulse.comment_submit"


class Answering:
    def __init__(self, services: Services, safety: CrisisResponder) -> None:
        self.services = services
        self.safety = safety

    async def on_answer(self, ctx: Context[Action]) -> Reply:
        round_id, question_id, value = _answer_value(ctx.event.value)
        try:
            round_, survey, definition = await self._open(ctx, round_id)
        except RoundClosed:
            return _retired(ctx.t(say.ROUND_CLOSED))
        question = definition.question(question_id)
        if question is None or value not in question.values:
            raise SkillError(say.ANSWER_MISMATCH)
        try:
            recorded = await self.services.survey_answers.record_answer(
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
        t = ctx.t
        if not recorded.complete:
            reply = survey_message(definition, round_, survey, recorded.answers, ctx.zone, t)
            return Reply(fallback=reply.fallback, blocks=reply.blocks, replace_original=True)
        closes = t.moment(round_.closes_at, ctx.zone)
        text = t(say.THANKS, title=definition.in_language(t.language).title, closes=closes)
        if not recorded.changed:
            # The same answer again: a double click (on one replica or two), or a button on
            # another card of this survey (the invitation, answered on the reminder). Nothing
            # changed; that card too becomes the thank-you, so it is not pressed again.
            text = f"{t(say.ALREADY_ANSWERED)} {text}"
        buttons = [Button(t(say.CHANGE_ANSWERS), CHANGE, str(round_id))]
        if definition.comment:
            buttons.append(Button(t(say.COMMENT_PROMPT_TITLE), COMMENT, str(round_id)))
        return Reply(
            fallback=plain_text(text),
            blocks=(Text(text), Buttons(tuple(buttons))),
            replace_original=True,
        )

    async def on_change(self, ctx: Context[Action]) -> Reply:
        """The survey with what the person picked so far. "Change my answers" redraws the
        thank-you in place; "Answer now" on the home surface has no message to replace."""
        try:
            round_, survey, definition = await self._open(ctx, parse_id(ctx.event.value))
        except RoundClosed:
            if ctx.event.action_id == CHANGE:
                return _retired(ctx.t(say.ROUND_CLOSED))
            raise
        answers = await self.services.survey_answers.own_answers(round_.id, ctx.person.id)
        reply = survey_message(definition, round_, survey, answers, ctx.zone, ctx.t)
        return Reply(
            fallback=reply.fallback,
            blocks=reply.blocks,
            replace_original=ctx.event.action_id == CHANGE,
        )

    async def on_comment(self, ctx: Context[Action]) -> Reply:
        round_, _, definition = await self._open(ctx, parse_id(ctx.event.value))
        t = ctx.t
        form = Form(
            title=t(say.COMMENT_PROMPT_TITLE),
            inputs=(
                Input(
                    "comment",
                    definition.in_language(t.language).comment or t(say.YOUR_COMMENT),
                    InputKind.MULTILINE,
                    # The question says it is optional; a form that insists would contradict it.
                    max_length=say.MAX_COMMENT,
                    placeholder=t(say.COMMENT_PLACEHOLDER),
                ),
            ),
            submit_action_id=COMMENT_SUBMIT,
            submit_label=t(say.SAVE_COMMENT),
            value=str(round_.id),
        )
        return Reply(fallback=form.title, blocks=(form,), ephemeral=True)

    async def on_comment_submit(self, ctx: Context[Action]) -> Reply:
        """Save the comment; a form shown in a message (Teams) becomes what came of it."""
        try:
            round_, _, _ = await self._open(ctx, parse_id(ctx.event.value))
        except RoundClosed:
            return _retired(ctx.t(say.ROUND_CLOSED))
        t = ctx.t
        comment = ctx.event.values.get("comment", "").strip()
        if not comment:
            return _retired(t(say.COMMENT_EMPTY))
        if len(comment) > say.MAX_COMMENT:
            raise SkillError(say.COMMENT_TOO_LONG, limit=t.number(say.MAX_COMMENT))
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
        lines = [t(say.COMMENT_SAVED)]
        if screened.found:
            lines.append(t(say.COMMENT_PHI, tags=tag_list(screened.types, t)))
        # An anonymous comment is kept for the survey as written; someone in crisis also
        # gets the resources at once.
        return await self.safety.ahead_of(ctx, _retired("\n".join(lines)), comment)

    async def _open(
        self, ctx: Context[Action], round_id: int | None
    ) -> tuple[Any, Survey, SurveyDefinition]:
        """The open round a survey button names, if the presser was invited to it. Invitations
        are how storage knows whose a round is: any other round is refused (and audited), and
        nothing is read from it for them."""
        surveys = self.services.surveys
        round_ = await surveys.invited_round(round_id, ctx.person.id) if round_id else None
        if round_ is None:
            if round_id and await surveys.get_round(round_id) is not None:
                raise NotYours(f"round:{round_id}", say.NOT_INVITED)
            raise SkillError(say.SURVEY_GONE)
        if round_.status != "open":
            raise RoundClosed(say.ROUND_CLOSED)
        survey = await self.services.surveys.get(round_.survey_id)
        assert survey is not None
        return round_, survey, SurveyDefinition.from_json(survey.definition)


class RoundClosed(SkillError):
    """The survey round a button names has closed."""


def _retired(text: str) -> Reply:
    """`text` in place of the card whose control was used, so that it is not used again."""
    return Reply(fallback=plain_text(text), blocks=(Text(text),), replace_original=True)


def _answer_value(value: str) -> tuple[int, str, str]:
    parts = value.split("|")
    round_id = parse_id(parts[0]) if len(parts) == 3 else None
    if round_id is None:
        raise SkillError(say.ANSWER_MISMATCH)
    return round_id, parts[1], parts[2]
