"""Results shared back with a survey's audience, with the survey's action plan, and the "Last
time you told us" that opens the next round's invitation.

Sharing queues one `pulse.share` outbox message about `round:<id>` per person invited to the
closed round: the outbox's unique key (kind, payload, person) makes sharing twice, or on two
replicas at once, send nothing twice, and the sender paces, retries and resumes it after a
crash. The summary shows a part of what the owner's report shows, decided by `results` under
the same threshold and subtraction rules: the whole round's figures, each question hidden below
the threshold just as it is there, and never comments or breakdowns (a comment or a small
group read by everyone says more than a report read by HR). Actions are read when each message
is written, so a late batch shows their status then.

The next round's invitation opens with the previous round's headline and actions only when
that round's results were shared: HR decides what staff are told, once.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.dates import reader_zone
from bot.i18n import N_, Translator, translator_for
from bot.quiet import outside_quiet_hours
from bot.replies import Block, Reply, Text, plain_text
from bot.services import Services
from skills.pulse import messages as say
from skills.pulse.definitions import Question, QuestionKind, SurveyDefinition
from skills.pulse.keys import round_key, round_of
from skills.pulse.report import TEXT_LIMIT, decimal, percent, signed
from skills.pulse.results import (
    QuestionResult,
    Refusal,
    RefusalReason,
    Results,
    TrendPoint,
)
from storage.outbox_items import Recipient
from storage.survey_actions import DONE, IN_PROGRESS, PLANNED, SurveyAction
from storage.surveys import CLOSED, Round, Survey

log = logging.getLogger(__name__)

SHARE = "pulse.share"
# Closed rounds never change, so what may be shown of one is worked out once per process.
_REMEMBERED = 16

Outcome = Callable[..., Awaitable[Results | Refusal | None]]

# An action's status as staff read it.
STATUS_NAMES = {PLANNED: N_("planned"), IN_PROGRESS: N_("in progress"), DONE: N_("done")}


def status_name(status: str, t: Translator) -> str:
    name = STATUS_NAMES.get(status)
    return t(name) if name else status


@dataclass(frozen=True)
class LastTime:
    """What staff were told of the round before, and the survey's actions: read once for a
    batch of invitations, worded for each language in it."""

    results: Results
    actions: Sequence[SurveyAction]

    def blocks(self, definition: SurveyDefinition, t: Translator) -> tuple[Block, ...]:
        """The previous round's headline and what was done, in `t`'s language."""
        told = headline(self.results, definition, t)
        blocks: list[Block] = []
        if told:
            blocks.append(Text(t(say.LAST_TIME, told=told)))
        if self.actions:
            blocks.extend(_action_blocks(t(say.WHAT_WE_DID), self.actions, t))
        return tuple(blocks)


@dataclass(frozen=True)
class Shared:
    """A round's results queued for its audience: `added` messages now (0 when they had
    been queued already), of which `waiting` wait for the end of their reader's quiet hours."""

    round_id: int
    people: int
    added: int
    waiting: int


class ShareBack:
    def __init__(self, services: Services, outcome: Outcome) -> None:
        self.services = services
        self._outcome = outcome
        self._shown: OrderedDict[int, Results | Refusal] = OrderedDict()

    async def share(self, survey: Survey, round_id: int, now: datetime) -> Shared | Refusal:
        """Queue the closed round's results for everyone invited to it, or say why not."""
        shown = await self.shown(survey, round_id)
        if isinstance(shown, Refusal):
            return shown
        invitees = await self.services.surveys.invitees(round_id)
        quiet = self.services.settings.quiet_hours
        hospital = self.services.settings.timezone
        due = {
            person.person_id: outside_quiet_hours(
                now, reader_zone(person.timezone, hospital), quiet
            )
            for person in invitees
        }
        added = await self.services.outbox.enqueue(SHARE, round_key(round_id), due)
        await self.services.survey_shares.mark_shared(round_id, now)
        waiting = sum(1 for at in due.values() if at > now)
        log.info("round=%s results shared: %d queued for %d people", round_id, added, len(due))
        return Shared(round_id, people=len(due), added=added, waiting=waiting)

    async def shown(self, survey: Survey, round_id: int) -> Results | Refusal:
        """What may be shared of a closed round: its results for everyone, or why nothing."""
        if round_id in self._shown:
            return self._shown[round_id]
        outcome = await self._outcome(survey, round_id=round_id)
        if outcome is None or (isinstance(outcome, Results) and outcome.round_id != round_id):
            return Refusal(RefusalReason.TOO_FEW, say.NO_ROUND_YET, {"id": survey.id})
        if isinstance(outcome, Results) and all(q.answered is None for q in outcome.questions):
            outcome = Refusal(
                RefusalReason.TOO_FEW,
                say.EVERY_QUESTION_HIDDEN,
                {"threshold": outcome.threshold},
            )
        if not (isinstance(outcome, Refusal) and outcome.reason is RefusalReason.ROUND_OPEN):
            self._shown[round_id] = outcome
            while len(self._shown) > _REMEMBERED:
                self._shown.popitem(last=False)
        return outcome

    async def render(
        self, kind: str, payload_key: str, recipients: Sequence[Recipient]
    ) -> dict[int, Reply]:
        """The summary for a batch of the round's audience, one reply per language and time
        zone; nobody gets one if nothing may be shown."""
        round_ = await self.services.surveys.get_round(round_of(kind, payload_key))
        survey = None if round_ is None else await self.services.surveys.get(round_.survey_id)
        if round_ is None or survey is None or round_.status != CLOSED:
            return {}
        shown = await self.shown(survey, round_.id)
        if isinstance(shown, Refusal):
            return {}
        definition = SurveyDefinition.from_json(survey.definition)
        actions = await self.services.survey_actions.for_survey(survey.id)
        settings = self.services.settings
        variants: dict[tuple[Translator, ZoneInfo], Reply] = {}
        replies: dict[int, Reply] = {}
        for recipient in recipients:
            t = translator_for(recipient, settings.language)
            zone = reader_zone(recipient.timezone, settings.timezone)
            if (t, zone) not in variants:
                variants[t, zone] = summary(definition, shown, actions, zone, t)
            replies[recipient.person_id] = variants[t, zone]
        return replies

    async def last_time(self, survey: Survey, previous: Round) -> LastTime | None:
        """What opens a new round's invitation: the round before it (`previous`), if its
        results were shared, and what was done about it."""
        if previous.status != CLOSED:
            return None
        if await self.services.survey_shares.shared_at(previous.id) is None:
            return None
        shown = await self.shown(survey, previous.id)
        if isinstance(shown, Refusal):
            return None
        return LastTime(shown, await self.services.survey_actions.for_survey(survey.id))


def summary(
    definition: SurveyDefinition,
    results: Results,
    actions: Sequence[SurveyAction],
    zone: ZoneInfo,
    t: Translator,
) -> Reply:
    """The results staff are shown: how many answered, each question's figure (or that it is
    hidden), the actions, and the anonymity rule, in the reader's language (`t`; the survey's
    own texts in English where it has none in it), dates on the reader's clock."""
    shown = definition.in_language(t.language)
    opened, closed = (t.local_day(at, zone) for at in (results.opened_at, results.closed_at))
    dates = opened if opened == closed else t(say.FROM_TO, start=opened, end=closed)
    answered = t(
        say.SHARED_TALLY,
        responses=t.number(results.responses),
        invited=t.number(results.invited),
        rate=percent(results.responses, results.invited, t),
        dates=dates,
    )
    previous = results.trend[-2] if len(results.trend) >= 2 else None
    lines = [
        _question_line(q, _question(shown, q), results.threshold, previous, t)
        for q in results.questions
    ]
    blocks: list[Block] = [
        Text(t(say.SHARED_TITLE, title=shown.title) + "\n" + answered),
        Text("\n".join(lines)),
    ]
    if actions:
        blocks.extend(_action_blocks(t(say.WHAT_WE_ARE_DOING), actions, t))
    note = t(say.SHARED_NOTE, threshold=t.number(results.threshold))
    blocks.append(Text(note, subtle=True))
    fallback = "\n".join(plain_text(b.markdown) for b in blocks if isinstance(b, Text))
    return Reply(fallback=fallback, blocks=tuple(blocks))


def headline(results: Results, definition: SurveyDefinition, t: Translator) -> str:
    """The shown results in a line: the eNPS, the lowest and highest rated statements, or the
    most common answer to the first choice question; empty when no figure is shown."""
    shown = definition.in_language(t.language)
    parts: list[str] = []
    for result in results.questions:
        if result.enps is not None and result.answered:
            would = percent(result.enps.promoters, result.answered, t)
            parts.append(t(say.LAST_ENPS, would=would, score=signed(result.enps.score)))
    rated = sorted(
        (q for q in results.questions if q.mean is not None and q.enps is None),
        key=lambda q: q.mean or 0.0,
    )
    if len(rated) == 1:
        statement = _statement(_question(shown, rated[0]))
        parts.append(t(say.STATEMENT_MEAN, statement=statement, mean=_mean(rated[0], t)))
    elif rated and _mean(rated[0], t) == _mean(rated[-1], t):
        parts.append(t(say.EACH_STATEMENT, mean=_mean(rated[0], t)))
    elif rated:
        low, high = rated[0], rated[-1]
        low_text, high_text = (_statement(_question(shown, q)) for q in (low, high))
        parts.append(t(say.LOWEST, statement=low_text, mean=_mean(low, t)))
        parts.append(t(say.HIGHEST, statement=high_text, mean=_mean(high, t)))
    if not parts:
        chosen = [q for q in results.questions if q.answered and q.enps is None]
        if chosen:
            question = _question(shown, chosen[0])
            parts.append(
                t(
                    say.STATEMENT_MOST_SAID,
                    statement=_statement(question),
                    most=_most_said(chosen[0], question, t),
                )
            )
    return "; ".join(parts)


def _question_line(
    result: QuestionResult,
    question: Question,
    threshold: int,
    previous: TrendPoint | None,
    t: Translator,
) -> str:
    statement = f"- “{_statement(question)}”:"
    if result.answered is None:
        return f"{statement} {t(say.QUESTION_HIDDEN, threshold=t.number(threshold))}"
    question_id = question.id
    if result.enps is not None:
        enps = result.enps
        line = t(
            say.ENPS_LINE,
            score=signed(enps.score),
            promoters=percent(enps.promoters, result.answered, t),
            detractors=percent(enps.detractors, result.answered, t),
        )
        if previous is not None and question_id in previous.enps:
            line += " " + t(say.LAST_ROUND, figure=signed(previous.enps[question_id]))
        return f"{statement} {line}"
    if result.mean is not None:
        line = _mean(result, t)
        if previous is not None and question_id in previous.means:
            line += " " + t(say.LAST_ROUND, figure=decimal(previous.means[question_id], t))
        return f"{statement} {line}"
    return f"{statement} {_most_said(result, question, t)}"


def _action_blocks(heading: str, actions: Sequence[SurveyAction], t: Translator) -> list[Block]:
    """The actions under `heading`, split so that no block passes the platforms' limit. An
    action's text and owner are shown as HR wrote them."""
    chunks: list[list[str]] = [[heading]]
    for action in actions:
        line = t(
            say.ACTION_LINE,
            text=action.text,
            status=status_name(action.status, t),
            owner=action.owner,
        )
        if sum(len(text) + 1 for text in chunks[-1]) + len(line) > TEXT_LIMIT:
            chunks.append([])
        chunks[-1].append(line)
    return [Text("\n".join(chunk)) for chunk in chunks]


def _question(shown: SurveyDefinition, result: QuestionResult) -> Question:
    """A result's question as the reader sees it."""
    return shown.question(result.question.id) or result.question


def _statement(question: Question) -> str:
    return question.text.rstrip(".")


def _mean(result: QuestionResult, t: Translator) -> str:
    assert result.mean is not None
    top = 5 if result.question.kind is QuestionKind.RATING else 10
    return t(say.MEAN_OF, mean=decimal(result.mean, t), top=t.number(top))


def _most_said(result: QuestionResult, question: Question, t: Translator) -> str:
    assert result.answered is not None
    value, count = max(result.counts, key=lambda item: item[1])
    share = percent(count, result.answered, t)
    return t(say.MOST_SAID, answer=question.label(value), share=share)
