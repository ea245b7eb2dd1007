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

from bot.dates import local_day_label, reader_zone
from bot.quiet import outside_quiet_hours
from bot.replies import Block, Reply, Text, plain_text
from bot.services import Services
from skills.pulse import messages as say
from skills.pulse.definitions import QuestionKind, SurveyDefinition
from skills.pulse.keys import round_key, round_of
from skills.pulse.report import TEXT_LIMIT, percent, signed
from skills.pulse.results import (
    QuestionResult,
    Refusal,
    RefusalReason,
    Results,
    TrendPoint,
)
from storage.outbox import Recipient
from storage.survey_actions import SurveyAction
from storage.surveys import CLOSED, Round, Survey

log = logging.getLogger(__name__)

SHARE = "pulse.share"
# Closed rounds never change, so what may be shown of one is worked out once per process.
_REMEMBERED = 16

Outcome = Callable[..., Awaitable[Results | Refusal | None]]


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
            return Refusal(RefusalReason.TOO_FEW, say.NO_ROUND_YET.format(id=survey.id))
        if isinstance(outcome, Results) and all(q.answered is None for q in outcome.questions):
            outcome = Refusal(
                RefusalReason.TOO_FEW,
                say.EVERY_QUESTION_HIDDEN.format(threshold=outcome.threshold),
            )
        if not (isinstance(outcome, Refusal) and outcome.reason is RefusalReason.ROUND_OPEN):
            self._shown[round_id] = outcome
            while len(self._shown) > _REMEMBERED:
                self._shown.popitem(last=False)
        return outcome

    async def render(
        self, kind: str, payload_key: str, recipients: Sequence[Recipient]
    ) -> dict[int, Reply]:
        """The summary for a batch of the round's audience, one reply per time zone; nobody
        gets one if nothing may be shown."""
        round_ = await self.services.surveys.get_round(round_of(kind, payload_key))
        survey = None if round_ is None else await self.services.surveys.get(round_.survey_id)
        if round_ is None or survey is None or round_.status != CLOSED:
            return {}
        shown = await self.shown(survey, round_.id)
        if isinstance(shown, Refusal):
            return {}
        definition = SurveyDefinition.from_json(survey.definition)
        actions = await self.services.survey_actions.for_survey(survey.id)
        by_zone: dict[ZoneInfo, Reply] = {}
        replies: dict[int, Reply] = {}
        for recipient in recipients:
            zone = reader_zone(recipient.timezone, self.services.settings.timezone)
            if zone not in by_zone:
                by_zone[zone] = summary(definition, shown, actions, zone)
            replies[recipient.person_id] = by_zone[zone]
        return replies

    async def last_time(self, survey: Survey, previous: Round) -> tuple[Block, ...]:
        """What opens a new round's invitation: the round before it (`previous`), if its
        results were shared, in a line, and what was done about it."""
        if previous.status != CLOSED:
            return ()
        if await self.services.survey_shares.shared_at(previous.id) is None:
            return ()
        shown = await self.shown(survey, previous.id)
        if isinstance(shown, Refusal):
            return ()
        told = headline(shown)
        actions = await self.services.survey_actions.for_survey(survey.id)
        blocks: list[Block] = []
        if told:
            blocks.append(Text(say.LAST_TIME.format(told=told)))
        if actions:
            blocks.extend(_action_blocks(say.WHAT_WE_DID, actions))
        return tuple(blocks)


def summary(
    definition: SurveyDefinition,
    results: Results,
    actions: Sequence[SurveyAction],
    zone: ZoneInfo,
) -> Reply:
    """The results staff are shown: how many answered, each question's figure (or that it is
    hidden), the actions, and the anonymity rule, dates on the reader's clock."""
    opened, closed = (local_day_label(at, zone) for at in (results.opened_at, results.closed_at))
    dates = opened if opened == closed else f"{opened} to {closed}"
    answered = say.SHARED_TALLY.format(
        responses=results.responses,
        invited=results.invited,
        rate=percent(results.responses, results.invited),
        dates=dates,
    )
    previous = results.trend[-2] if len(results.trend) >= 2 else None
    lines = [_question_line(q, results.threshold, previous) for q in results.questions]
    blocks: list[Block] = [
        Text(say.SHARED_TITLE.format(title=definition.title) + "\n" + answered),
        Text("\n".join(lines)),
    ]
    if actions:
        blocks.extend(_action_blocks(say.WHAT_WE_ARE_DOING, actions))
    blocks.append(Text(say.SHARED_NOTE.format(threshold=results.threshold), subtle=True))
    fallback = "\n".join(plain_text(b.markdown) for b in blocks if isinstance(b, Text))
    return Reply(fallback=fallback, blocks=tuple(blocks))


def headline(results: Results) -> str:
    """The shown results in a line: the eNPS, the lowest and highest rated statements, or the
    most common answer to the first choice question; empty when no figure is shown."""
    parts: list[str] = []
    for result in results.questions:
        if result.enps is not None and result.answered:
            would = percent(result.enps.promoters, result.answered)
            parts.append(say.LAST_ENPS.format(would=would, score=signed(result.enps.score)))
    rated = sorted(
        (q for q in results.questions if q.mean is not None and q.enps is None),
        key=lambda q: q.mean or 0.0,
    )
    if len(rated) == 1:
        parts.append(f"“{_statement(rated[0])}” {_mean(rated[0])}")
    elif rated and _mean(rated[0]) == _mean(rated[-1]):
        parts.append(f"each statement scored {_mean(rated[0])}")
    elif rated:
        low, high = rated[0], rated[-1]
        parts.append(f"“{_statement(low)}” scored lowest, {_mean(low)}")
        parts.append(f"“{_statement(high)}” highest, {_mean(high)}")
    if not parts:
        chosen = [q for q in results.questions if q.answered and q.enps is None]
        if chosen:
            value, count = _most_common(chosen[0])
            assert chosen[0].answered is not None
            parts.append(
                f"“{_statement(chosen[0])}”: most said {value} "
                f"({percent(count, chosen[0].answered)})"
            )
    return "; ".join(parts)


def _question_line(result: QuestionResult, threshold: int, previous: TrendPoint | None) -> str:
    statement = f"- “{_statement(result)}”:"
    if result.answered is None:
        return f"{statement} {say.QUESTION_HIDDEN.format(threshold=threshold)}"
    question_id = result.question.id
    if result.enps is not None:
        enps = result.enps
        line = say.ENPS_LINE.format(
            score=signed(enps.score),
            promoters=percent(enps.promoters, result.answered),
            detractors=percent(enps.detractors, result.answered),
        )
        if previous is not None and question_id in previous.enps:
            line += say.LAST_ROUND.format(figure=signed(previous.enps[question_id]))
        return f"{statement} {line}"
    if result.mean is not None:
        line = _mean(result)
        if previous is not None and question_id in previous.means:
            line += say.LAST_ROUND.format(figure=f"{previous.means[question_id]:.1f}")
        return f"{statement} {line}"
    value, count = _most_common(result)
    return f"{statement} most said {value} ({percent(count, result.answered)})"


def _action_blocks(heading: str, actions: Sequence[SurveyAction]) -> list[Block]:
    """The actions under `heading`, split so that no block passes the platforms' limit."""
    chunks: list[list[str]] = [[heading]]
    for action in actions:
        line = say.ACTION_LINE.format(text=action.text, status=action.status, owner=action.owner)
        if sum(len(text) + 1 for text in chunks[-1]) + len(line) > TEXT_LIMIT:
            chunks.append([])
        chunks[-1].append(line)
    return [Text("\n".join(chunk)) for chunk in chunks]


def _statement(result: QuestionResult) -> str:
    return result.question.text.rstrip(".")


def _mean(result: QuestionResult) -> str:
    assert result.mean is not None
    top = 5 if result.question.kind is QuestionKind.RATING else 10
    return f"{result.mean:.1f} of {top}"


def _most_common(result: QuestionResult) -> tuple[str, int]:
    return max(result.counts, key=lambda item: item[1])
