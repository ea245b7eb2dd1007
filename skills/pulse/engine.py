"""The life of a survey round: open it for an audience, invite through the outbox, remind the
people who have not answered once, close it (erasing the link between people and answers),
send the results to the HR person who owns the survey, and share them with its audience when
the survey says so (see `sharing`).

Invitations and reminders are outbox rows of kinds `pulse.invite` and `pulse.reminder` about
`round:<id>`; `PulseEngine.render` writes them when their batch is claimed, and
`PulseEngine.still_open` is asked right before each one leaves: nothing goes out for a round
that has closed by then. Closing a round also marks its messages still waiting as skipped."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Any
from zoneinfo import ZoneInfo

from bot.dates import reader_zone
from bot.i18n import N_, Translator, translator, translator_for
from bot.messenger import DeliveryError
from bot.quiet import delivery_time, outside_quiet_hours
from bot.replies import Block, Choice, Option, Reply, Text, plain_text
from bot.services import Services
from skills.audience import reach
from skills.pulse import messages as say
from skills.pulse.definitions import Question, QuestionKind, SurveyDefinition
from skills.pulse.keys import round_key, round_of
from skills.pulse.report import render_refusal, render_results
from skills.pulse.results import (
    Refusal,
    ResponseData,
    Results,
    RoundData,
    compute,
    effective_threshold,
)
from skills.pulse.schedule import Schedule, next_run, within_window
from skills.pulse.sharing import ShareBack
from storage.outbox_items import Recipient
from storage.surveys import Recipient as Invitee
from storage.surveys import Round, Survey

log = logging.getLogger(__name__)

ANSWER = "pulse.answer"
INVITE = "pulse.invite"
REMINDER = "pulse.reminder"

# The ends of a scale whose definition names none.
DEFAULT_LOW = {
    QuestionKind.RATING: N_("Strongly disagree"),
    QuestionKind.ENPS: N_("Not at all likely"),
}
DEFAULT_HIGH = {
    QuestionKind.RATING: N_("Strongly agree"),
    QuestionKind.ENPS: N_("Extremely likely"),
}


class NotOpened(Enum):
    """Why no round was opened."""

    EMPTY_AUDIENCE = "empty_audience"
    ALREADY_OPEN = "already_open"


@dataclass(frozen=True)
class Opened:
    """A round just opened; `waiting` of its invitees are in their quiet hours, and get their
    invitation when those end."""

    round: Round
    waiting: int


class PulseEngine:
    def __init__(self, services: Services) -> None:
        self.services = services
        self.sharing = ShareBack(services, self.outcome)

    @property
    def hospital_tz(self) -> ZoneInfo:
        return ZoneInfo(self.services.settings.timezone)

    # -- the tick (leader only) ---------------------------------------------------------

    async def tick(self, now: datetime) -> None:
        """Open due rounds, send the one reminder, close rounds whose time is up."""
        for survey in await self.services.surveys.due(now):
            await self._run_due(survey, now)
        for round_ in await self.services.surveys.rounds_to_remind(now):
            await self.remind(round_, now)
        for round_ in await self.services.surveys.rounds_to_close(now):
            await self.close(round_, now)

    async def _run_due(self, survey: Survey, now: datetime) -> None:
        """Run a due survey once. A run missed while the bot was down still runs if its round
        would not have closed yet; older misses are skipped, never run in a burst."""
        due = survey.next_run_at
        assert due is not None
        following = next_run(Schedule.from_json(survey.schedule), now, self.hospital_tz)
        if not await self.services.surveys.claim_run(survey.id, due, following):
            return
        if not within_window(due, now, timedelta(days=survey.open_days)):
            log.warning("survey=%s run due %s missed its window; skipped", survey.id, due)
            return
        # A survey has one round open at a time: a round still open when the next is due
        # (open longer than the schedule's interval, or started by hand) ends as it begins.
        for previous in await self.services.surveys.open_rounds(survey.id):
            await self.close(previous, now)
        opened = await self.open_round(survey, now, run_at=due)
        if opened is NotOpened.ALREADY_OPEN:
            log.warning(
                "survey=%s run due %s found a round opened meanwhile; skipped", survey.id, due
            )

    async def open_round(
        self, survey: Survey, now: datetime, *, run_at: datetime | None
    ) -> Opened | NotOpened:
        """Open a round and invite its audience. A scheduled run (`run_at`) reaches each person
        at its wall-clock time in their own zone; a round HR starts now (`run_at` None) reaches
        everyone now, except people in their quiet hours, who get theirs when those end."""
        recipients = await self.audience(survey.audience)
        if not recipients:
            log.warning("survey=%s audience is empty; no round opened", survey.id)
            return NotOpened.EMPTY_AUDIENCE
        closes_at = now + timedelta(days=survey.open_days)
        remind_at = (
            now + timedelta(days=survey.reminder_after_days)
            if survey.reminder_after_days < survey.open_days
            else None
        )
        round_ = await self.services.surveys.open_round(
            survey.id,
            opened_at=now,
            remind_at=remind_at,
            closes_at=closes_at,
            person_ids=[r.person_id for r in recipients],
        )
        if round_ is None:
            return NotOpened.ALREADY_OPEN
        quiet = self.services.settings.quiet_hours
        due = {
            r.person_id: (
                outside_quiet_hours(now, _zone(r.timezone) or self.hospital_tz, quiet)
                if run_at is None
                else delivery_time(run_at, _zone(r.timezone), self.hospital_tz, quiet, now)
            )
            for r in recipients
        }
        await self.services.outbox.enqueue(INVITE, round_key(round_.id), due)
        log.info("survey=%s round=%s opened for %d people", survey.id, round_.id, len(due))
        return Opened(round_, waiting=sum(1 for at in due.values() if at > now))

    async def audience(self, audience: dict[str, Any]) -> list[Invitee]:
        """Who a survey for `audience` (`{"kind": "unit", "value": "5 North"}`) reaches now."""
        return await reach(self.services, audience)

    async def remind(self, round_: Round, now: datetime) -> None:
        people = await self.services.surveys.take_reminder(round_.id)
        if people:
            tz = self.hospital_tz
            quiet = self.services.settings.quiet_hours
            recipients = await self.services.people.timezones(people)
            due = {p: delivery_time(now, _zone(recipients.get(p)), tz, quiet, now) for p in people}
            await self.services.outbox.enqueue(REMINDER, round_key(round_.id), due)
        log.info("round=%s reminder for %d people", round_.id, len(people))

    async def close(self, round_: Round, now: datetime, *, send_results: bool = True) -> bool:
        """Close the round, once (a conditional write: of two closes at once, one gets True).
        The results go to the survey's owner, unless `send_results` is False: the owner is
        closing it in their own chat and gets them there, after the word that it closed."""
        if not await self.services.surveys.close_round(round_.id, now):
            return False
        withdrawn = await self.services.outbox.withdraw(round_key(round_.id))
        log.info(
            "round=%s closed: %d of %d answered; %d invitation(s) or reminder(s) withdrawn",
            round_.id,
            round_.responded,
            round_.invited,
            withdrawn,
        )
        survey = await self.services.surveys.get(round_.survey_id)
        if survey is None or survey.owner_person_id is None:
            return True
        if survey.schedule.get("kind") == "once":
            await self.services.surveys.set_status(survey.id, "ended")
        if send_results:
            await self._send_results(survey, survey.owner_person_id, round_.id)
        if await self.services.survey_shares.shares_on_close([survey.id]):
            shared = await self.sharing.share(survey, round_.id, now)
            if isinstance(shared, Refusal):
                log.info("round=%s results not shared on close: %s", round_.id, shared.reason)
            else:
                await self.services.audit.record(
                    None, "pulse.share", f"round:{round_.id}", via="close", people=shared.people
                )
        return True

    async def _send_results(self, survey: Survey, owner_id: int, round_id: int) -> None:
        owner = await self.services.people.get(owner_id)
        settings = self.services.settings
        zone = reader_zone(owner.timezone if owner else None, settings.timezone)
        t = translator_for(owner, settings.language) if owner else translator(settings.language)
        reply = await self.results(survey, zone, t, round_id=round_id)
        try:
            await self.services.outbound.to_person(owner_id, reply)
        except DeliveryError as exc:
            log.warning("round=%s results not delivered to owner: %s", round_id, exc)
        await self.services.audit.record(None, "pulse.results", f"round:{round_id}", via="close")

    # -- results ------------------------------------------------------------------------

    async def results(
        self,
        survey: Survey,
        zone: ZoneInfo,
        t: Translator,
        *,
        round_id: int | None = None,
        group_by: str | None = None,
        group: str | None = None,
    ) -> Reply:
        """The results for a reader of `t`'s language on `zone`'s clock."""
        definition = SurveyDefinition.from_json(survey.definition)
        outcome = await self.outcome(survey, round_id=round_id, group_by=group_by, group=group)
        if outcome is None:
            return Reply.text(t(say.NO_ROUND_YET, id=survey.id), ephemeral=True)
        if isinstance(outcome, Refusal):
            return render_refusal(outcome, t)
        shown = definition.in_language(t.language)
        return render_results(
            definition,
            outcome,
            title=t(say.RESULTS_TITLE, title=shown.title, id=survey.id),
            zone=zone,
            t=t,
            file_stem=f"pulse-{survey.id}-results",
        )

    async def outcome(
        self,
        survey: Survey,
        *,
        round_id: int | None = None,
        group_by: str | None = None,
        group: str | None = None,
    ) -> Results | Refusal | None:
        """What may be shown of the survey's latest round (or of `round_id`), by the rules in
        `results`, with earlier rounds for the trend; None before its first round."""
        rounds = await self.services.surveys.rounds(survey.id, limit=8)
        if round_id is not None:
            rounds = [r for r in rounds if r.id <= round_id]
        if not rounds:
            return None
        current, *older = rounds
        data = [await self._round_data(r) for r in reversed(older)]
        return compute(
            SurveyDefinition.from_json(survey.definition),
            await self._round_data(current),
            threshold=effective_threshold(survey.threshold),
            group_by=group_by,  # type: ignore[arg-type]
            group=group,
            history=data,
        )

    async def _round_data(self, round_: Round) -> RoundData:
        stored = await self.services.survey_answers.responses(round_.id)
        return RoundData(
            round_id=round_.id,
            opened_at=round_.opened_at,
            closed_at=round_.closed_at,
            invited=round_.invited,
            responses=[
                ResponseData(r.department, r.unit, dict(r.answers), r.comment) for r in stored
            ],
        )

    # -- messages -----------------------------------------------------------------------

    async def still_open(self, kind: str, payload_key: str) -> bool:
        """Whether the round an invitation or reminder is about is still open: asked by the
        sender at the moment each one leaves, after its wait for the rate limit."""
        return await self.services.surveys.round_status(round_of(kind, payload_key)) == "open"

    async def render(
        self, kind: str, payload_key: str, recipients: Sequence[Recipient]
    ) -> dict[int, Reply]:
        """The invitation or reminder for a batch of a round's recipients: the round and the
        survey are read once, and the message built once per language and time zone found in
        the batch, not per person. Nobody gets one when the round has closed."""
        round_, previous = await self.services.surveys.with_previous(round_of(kind, payload_key))
        if round_ is None or round_.status != "open":
            return {}
        survey = await self.services.surveys.get(round_.survey_id)
        if survey is None:
            return {}
        definition = SurveyDefinition.from_json(survey.definition)
        told = (
            await self.sharing.last_time(survey, previous)
            if kind == INVITE and previous is not None
            else None
        )
        settings = self.services.settings
        variants: dict[tuple[Translator, ZoneInfo], Reply] = {}
        replies: dict[int, Reply] = {}
        for recipient in recipients:
            t = translator_for(recipient, settings.language)
            zone = reader_zone(recipient.timezone, settings.timezone)
            if (t, zone) not in variants:
                reply = self._invitation(kind, definition, round_, survey, zone, t)
                last_time = told.blocks(definition, t) if told is not None else ()
                variants[t, zone] = _opened_with(last_time, reply) if last_time else reply
            replies[recipient.person_id] = variants[t, zone]
        return replies

    def _invitation(
        self,
        kind: str,
        definition: SurveyDefinition,
        round_: Round,
        survey: Survey,
        zone: ZoneInfo,
        t: Translator,
    ) -> Reply:
        reply = survey_message(definition, round_, survey, {}, zone, t)
        if kind != REMINDER:
            return reply
        reminder = t(say.REMINDER)
        blocks = (Text(reminder), *reply.blocks)
        return Reply(fallback=f"{plain_text(reminder)}\n{reply.fallback}", blocks=blocks)


def _opened_with(blocks: tuple[Block, ...], reply: Reply) -> Reply:
    """`reply` with `blocks` (what was done since last time) before it."""
    said = [plain_text(b.markdown) for b in blocks if isinstance(b, Text)]
    return Reply(fallback="\n".join([*said, reply.fallback]), blocks=(*blocks, *reply.blocks))


def survey_message(
    definition: SurveyDefinition,
    round_: Round,
    survey: Survey,
    answers: dict[str, str],
    zone: ZoneInfo,
    t: Translator,
) -> Reply:
    """The survey as a DM in the reader's language (`t`; English where the survey has no text
    in it): one scale or choice per question, with what was already picked; its closing time
    on the reader's clock (`zone`)."""
    shown = definition.in_language(t.language)
    blocks: list[Any] = [Text(f"**{shown.title}**")]
    if shown.intro:
        blocks.append(Text(shown.intro))
    for question in shown.questions:
        blocks.append(_choice(question, round_.id, answers.get(question.id), t))
    if answers:
        done, total = t.number(len(answers)), t.number(len(shown.questions))
        blocks.append(Text(t(say.PROGRESS, done=done, total=total)))
    closes = t.moment(round_.closes_at, zone)
    threshold = t.number(effective_threshold(survey.threshold))
    blocks.append(Text(t(say.ANONYMITY_NOTE, threshold=threshold, closes=closes), subtle=True))
    fallback = t.plural(
        "{title}: {count} quick question, anonymous.",
        "{title}: {count} quick questions, anonymous.",
        len(shown.questions),
        title=shown.title,
    )
    return Reply(fallback=fallback, blocks=tuple(blocks))


def _choice(question: Question, round_id: int, selected: str | None, t: Translator) -> Choice:
    """A question as buttons: each shows its label in the reader's language and sends back
    the value stored, the same in every language."""
    return Choice(
        action_id=ANSWER,
        label=question.text,
        options=tuple(
            Option(question.label(value), f"{round_id}|{question.id}|{value}")
            for value in question.values
        ),
        low_label=question.low or scale_end(DEFAULT_LOW, question, t),
        high_label=question.high or scale_end(DEFAULT_HIGH, question, t),
        selected=f"{round_id}|{question.id}|{selected}" if selected is not None else None,
    )


def scale_end(defaults: dict[QuestionKind, str], question: Question, t: Translator) -> str:
    """The default words for one end of a question's scale, in the reader's language."""
    default = defaults.get(question.kind)
    return t(default) if default else ""


def _zone(name: str | None) -> ZoneInfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ValueError, KeyError, OSError):
        return None
