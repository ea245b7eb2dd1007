"""Anonymous pulse results: what may be shown about a round (the reply that shows it is in
`report`).

Everything here works on answer sets that carry no person (department, unit, answers, comment),
so no function can tell who answered what. The rules that keep a group anonymous:

- The whole round is shown only with at least `threshold` responses (default 5, never below 3),
  and only once the round is closed: comparing live results before and after someone answers
  would show that person's answers.
- Which departments and units may be shown is decided once per round, whatever was asked (a
  "release plan"), so that asking for one group and then another cannot be combined to learn
  more than a breakdown shows. A group is in the plan when it has at least `threshold`
  responses and nothing a reader can subtract exposes fewer than `threshold` people:
    * the total minus the shown groups of one dimension (the hidden remainder) is 0 or at
      least `threshold`;
    * every shown set (the total or a group) minus the shown groups lying wholly inside it is
      0 or at least `threshold` (e.g. a department minus its one shown unit is its other
      units). With units nested in departments these checks cover every subtraction; for
      units that span departments they are a careful approximation.
  When a check fails we hide the smallest shown group it involves and check again
  (complementary suppression, as Culture Amp and Viva Glint do), rather than refusing the
  whole breakdown: a breakdown keeps the groups that are safe, and a filter for a hidden group
  is refused. So groups of 7, 6 and 2 show only the 7, with "other groups" holding 8.
- Within a shown group, a question answered by fewer than `threshold` people shows no numbers.
- Comments are shown only for the total, or a filtered group, that is in the release plan
  computed with the comment threshold (max(10, threshold)); breakdown rows carry no comments.
- A trend point for an earlier round is shown only when that round's group was in its plan.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from fractions import Fraction
from typing import Literal

from bot.i18n import N_, Translator
from skills.pulse.definitions import Question, QuestionKind, SurveyDefinition

MIN_THRESHOLD = 3
DEFAULT_THRESHOLD = 5
COMMENT_THRESHOLD = 10
OTHER_GROUPS = N_("other groups (hidden to protect anonymity)")
NOT_SET = N_("(not set)")

Dimension = Literal["department", "unit"]
DIMENSIONS: tuple[Dimension, ...] = ("department", "unit")

# Why a breakdown or a group cannot be shown, one message per dimension (each language words
# a department and a unit in its own way).
NO_GROUP: dict[Dimension, str] = {
    "department": N_(
        "No department can be shown on its own: each has fewer than {threshold} responses, or "
        "showing it would let someone work out the answers of a smaller group by subtraction."
    ),
    "unit": N_(
        "No unit can be shown on its own: each has fewer than {threshold} responses, or "
        "showing it would let someone work out the answers of a smaller group by subtraction."
    ),
}
GROUP_TOO_FEW: dict[Dimension, str] = {
    "department": N_(
        "Results for this department are hidden: fewer than {threshold} people in it "
        "answered. This protects everyone's anonymity."
    ),
    "unit": N_(
        "Results for this unit are hidden: fewer than {threshold} people in it answered. "
        "This protects everyone's anonymity."
    ),
}
GROUP_SUBTRACTION: dict[Dimension, str] = {
    "department": N_(
        "Results for this department are hidden: next to the other results they would let "
        "someone work out the answers of a group of fewer than {threshold} people."
    ),
    "unit": N_(
        "Results for this unit are hidden: next to the other results they would let someone "
        "work out the answers of a group of fewer than {threshold} people."
    ),
}


def effective_threshold(configured: int) -> int:
    """The threshold in force: a survey may ask for more anonymity, never for less than 3."""
    return max(MIN_THRESHOLD, configured)


# -- inputs ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResponseData:
    """One anonymous answer set; answers by question id, values as stored."""

    department: str
    unit: str
    answers: Mapping[str, str]
    comment: str | None = None


@dataclass(frozen=True)
class RoundData:
    """A round and its answer sets; `closed_at` is None while the round is open."""

    round_id: int
    opened_at: datetime
    closed_at: datetime | None
    invited: int
    responses: Sequence[ResponseData]


# -- outputs -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Enps:
    promoters: int  # 9-10
    passives: int  # 7-8
    detractors: int  # 0-6

    @property
    def score(self) -> int:
        """% promoters - % detractors, rounded half away from zero."""
        total = self.promoters + self.passives + self.detractors
        return round_half_away(Fraction(100 * (self.promoters - self.detractors), total))


@dataclass(frozen=True)
class QuestionResult:
    """One question within one shown group. `answered` is None (and nothing else is filled)
    when fewer than the threshold answered it; skipped answers are never counted."""

    question: Question
    answered: int | None
    counts: tuple[tuple[str, int], ...] = ()  # every possible value, in the question's order
    mean: float | None = None  # rating and eNPS questions
    enps: Enps | None = None  # eNPS questions


@dataclass(frozen=True)
class GroupResult:
    """A breakdown row: one shown group, or the hidden groups together (`label` OTHER_GROUPS)."""

    label: str
    responses: int
    questions: tuple[QuestionResult, ...]


@dataclass(frozen=True)
class TrendPoint:
    round_id: int
    closed_at: datetime
    means: Mapping[str, float]  # question id -> mean, for questions shown in that round
    enps: Mapping[str, int]  # question id -> eNPS score


@dataclass(frozen=True)
class Results:
    round_id: int
    opened_at: datetime
    closed_at: datetime
    threshold: int
    group_by: Dimension | None
    group: str | None  # the filtered group, or None for the whole round (or a breakdown)
    responses: int
    invited: int
    response_rate: float | None  # with the whole round only: invitations are not per group
    questions: tuple[QuestionResult, ...]
    breakdown: tuple[GroupResult, ...]  # rows when group_by is set without a group
    comments: tuple[str, ...] | None  # None when the group is too small for comments
    trend: tuple[TrendPoint, ...]  # oldest first, ending with this round


class RefusalReason(StrEnum):
    ROUND_OPEN = "round_open"
    TOO_FEW = "too_few"
    SUBTRACTION = "subtraction"
    NO_GROUP = "no_group"


@dataclass(frozen=True)
class Refusal:
    """Why nothing is shown, as an English catalog message and the values of its
    placeholders; it never states a count below the threshold."""

    reason: RefusalReason
    message: str
    values: Mapping[str, object] = field(default_factory=dict)

    def text(self, t: Translator) -> str:
        return t(self.message, **self.values)


# -- computing ---------------------------------------------------------------------------------


def compute(
    definition: SurveyDefinition,
    round: RoundData,
    *,
    threshold: int,
    group_by: Dimension | None = None,
    group: str | None = None,
    history: Sequence[RoundData] = (),
) -> Results | Refusal:
    """Results for the whole round, one group (`group_by` and `group`), or a breakdown
    (`group_by` alone), or the reason they cannot be shown."""
    if group_by is not None and group_by not in DIMENSIONS:
        raise ValueError(f"group_by must be one of {DIMENSIONS}, not {group_by!r}")
    if group is not None and group_by is None:
        raise ValueError("a group needs group_by")
    threshold = effective_threshold(threshold)
    if round.closed_at is None:
        return Refusal(
            RefusalReason.ROUND_OPEN,
            N_(
                "This round is still open. Results appear when it closes, so that no one can "
                "compare results before and after a person answers."
            ),
        )
    everyone = round.responses
    if len(everyone) < threshold:
        return Refusal(
            RefusalReason.TOO_FEW,
            N_(
                "Results are hidden: fewer than {threshold} people answered this round. "
                "This protects everyone's anonymity."
            ),
            {"threshold": threshold},
        )
    plan = release_plan(everyone, threshold)
    scope: Sequence[ResponseData] = everyone
    breakdown: tuple[GroupResult, ...] = ()
    if group_by is not None and group is not None:
        if (group_by, group) not in plan:
            return _group_refusal(group_by, _members(everyone, group_by, group), threshold)
        scope = _members(everyone, group_by, group)
    elif group_by is not None:
        if not any(dimension == group_by for dimension, _ in plan):
            return Refusal(RefusalReason.NO_GROUP, NO_GROUP[group_by], {"threshold": threshold})
        breakdown = _breakdown(definition, everyone, group_by, plan, threshold)
    filtered = group_by is not None and group is not None
    return Results(
        round_id=round.round_id,
        opened_at=round.opened_at,
        closed_at=round.closed_at,
        threshold=threshold,
        group_by=group_by,
        group=group,
        responses=len(scope),
        invited=round.invited,
        response_rate=None if filtered or not round.invited else len(scope) / round.invited,
        questions=_questions(definition, scope, threshold),
        breakdown=breakdown,
        comments=_comments(everyone, scope, group_by if filtered else None, group, threshold),
        trend=_trend(
            definition, [*history, round], group_by if filtered else None, group, threshold
        ),
    )


def release_plan(
    responses: Sequence[ResponseData], threshold: int
) -> frozenset[tuple[Dimension, str]]:
    """The (dimension, group) pairs that may be shown for a round; see the module docstring.

    Groups are sets of (department, unit) cells, so the checks cost the number of groups, not
    the number of responses."""
    if len(responses) < threshold:
        return frozenset()
    weights = Counter((r.department, r.unit) for r in responses)
    everything = frozenset(weights)
    groups: dict[tuple[Dimension, str], frozenset[tuple[str, str]]] = {}
    for index, dimension in enumerate(DIMENSIONS):
        for cell in weights:
            key = (dimension, cell[index])
            groups[key] = groups.get(key, frozenset()) | {cell}

    def size(cells: Iterable[tuple[str, str]]) -> int:
        return sum(weights[cell] for cell in cells)

    def exposes(remainder: frozenset[tuple[str, str]]) -> bool:
        return 0 < size(remainder) < threshold

    def smallest(keys: Iterable[tuple[Dimension, str]]) -> tuple[Dimension, str]:
        return min(keys, key=lambda key: (size(groups[key]), key))

    def next_to_hide(shown: set[tuple[Dimension, str]]) -> tuple[Dimension, str] | None:
        for dimension in DIMENSIONS:
            same = [key for key in shown if key[0] == dimension]
            if exposes(everything.difference(*(groups[key] for key in same))):
                return smallest(same)
        for outer in [everything, *(groups[key] for key in sorted(shown))]:
            inside = [key for key in shown if groups[key] < outer]
            if inside and exposes(outer.difference(*(groups[key] for key in inside))):
                outermost = [k for k in inside if not any(groups[k] < groups[j] for j in inside)]
                return smallest(outermost)
        return None

    shown = {key for key, cells in groups.items() if size(cells) >= threshold}
    while (hide := next_to_hide(shown)) is not None:
        shown.remove(hide)
    return frozenset(shown)


def _members(
    responses: Sequence[ResponseData], group_by: Dimension, group: str
) -> list[ResponseData]:
    return [r for r in responses if _group_of(r, group_by) == group]


def _group_of(response: ResponseData, group_by: Dimension) -> str:
    return response.department if group_by == "department" else response.unit


def _group_refusal(group_by: Dimension, members: Sequence[ResponseData], threshold: int) -> Refusal:
    if len(members) < threshold:
        return Refusal(RefusalReason.TOO_FEW, GROUP_TOO_FEW[group_by], {"threshold": threshold})
    return Refusal(RefusalReason.SUBTRACTION, GROUP_SUBTRACTION[group_by], {"threshold": threshold})


def _breakdown(
    definition: SurveyDefinition,
    responses: Sequence[ResponseData],
    group_by: Dimension,
    plan: frozenset[tuple[Dimension, str]],
    threshold: int,
) -> tuple[GroupResult, ...]:
    """Shown groups, largest first, then the hidden ones together (the plan keeps them at 0 or
    at least the threshold, and they are the total minus the rows anyway)."""
    rows: dict[str, list[ResponseData]] = {}
    hidden: list[ResponseData] = []
    for response in responses:
        name = _group_of(response, group_by)
        if (group_by, name) in plan:
            rows.setdefault(name, []).append(response)
        else:
            hidden.append(response)
    ordered = sorted(rows.items(), key=lambda row: (-len(row[1]), row[0]))
    if hidden:
        ordered.append((OTHER_GROUPS, hidden))
    return tuple(
        GroupResult(name or NOT_SET, len(members), _questions(definition, members, threshold))
        for name, members in ordered
    )


def _questions(
    definition: SurveyDefinition, responses: Sequence[ResponseData], threshold: int
) -> tuple[QuestionResult, ...]:
    return tuple(_question(q, responses, threshold) for q in definition.questions)


def _question(
    question: Question, responses: Sequence[ResponseData], threshold: int
) -> QuestionResult:
    possible = question.values
    given = [r.answers[question.id] for r in responses if r.answers.get(question.id) in possible]
    if len(given) < threshold:
        return QuestionResult(question, None)
    tally = Counter(given)
    counts = tuple((value, tally[value]) for value in possible)
    if question.kind is QuestionKind.CHOICE:
        return QuestionResult(question, len(given), counts)
    numbers = [int(value) for value in given]
    mean = sum(numbers) / len(numbers)
    if question.kind is QuestionKind.RATING:
        return QuestionResult(question, len(given), counts, mean)
    enps = Enps(
        promoters=sum(n >= 9 for n in numbers),
        passives=sum(7 <= n <= 8 for n in numbers),
        detractors=sum(n <= 6 for n in numbers),
    )
    return QuestionResult(question, len(given), counts, mean, enps)


def _comments(
    everyone: Sequence[ResponseData],
    scope: Sequence[ResponseData],
    group_by: Dimension | None,
    group: str | None,
    threshold: int,
) -> tuple[str, ...] | None:
    """Sorted, so their order says nothing about when (or by whom) they were written."""
    needed = max(COMMENT_THRESHOLD, threshold)
    if group_by is None or group is None:
        allowed = len(everyone) >= needed
    else:
        allowed = (group_by, group) in release_plan(everyone, needed)
    if not allowed:
        return None
    return tuple(
        sorted(" ".join(r.comment.split()) for r in scope if r.comment and r.comment.strip())
    )


def _trend(
    definition: SurveyDefinition,
    rounds: Sequence[RoundData],
    group_by: Dimension | None,
    group: str | None,
    threshold: int,
) -> tuple[TrendPoint, ...]:
    points: dict[int, TrendPoint] = {}
    for past in rounds:
        if past.closed_at is None or len(past.responses) < threshold:
            continue
        scope: Sequence[ResponseData] = past.responses
        if group_by is not None and group is not None:
            if (group_by, group) not in release_plan(past.responses, threshold):
                continue
            scope = _members(past.responses, group_by, group)
        questions = _questions(definition, scope, threshold)
        points[past.round_id] = TrendPoint(
            round_id=past.round_id,
            closed_at=past.closed_at,
            means={q.question.id: q.mean for q in questions if q.mean is not None},
            enps={q.question.id: q.enps.score for q in questions if q.enps is not None},
        )
    return tuple(sorted(points.values(), key=lambda p: (p.closed_at, p.round_id)))


def round_half_away(value: Fraction) -> int:
    """Half away from zero, as people round (Python's round() goes to even)."""
    magnitude = math.floor(abs(value) + Fraction(1, 2))
    return magnitude if value >= 0 else -magnitude
