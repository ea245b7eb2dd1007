"""Pulse results: the anonymity rules (thresholds, subtraction, complementary suppression,
comments, trends), the arithmetic, and the neutral reply with its charts."""

from __future__ import annotations

import dataclasses
import io
import types
import typing
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from PIL import Image as PILImage

from bot.i18n import translator
from bot.replies import Divider, Facts, Image, Text
from skills.pulse.definitions import Question, QuestionKind, SurveyDefinition
from skills.pulse.report import render_refusal, render_results
from skills.pulse.results import (
    OTHER_GROUPS,
    Enps,
    Refusal,
    RefusalReason,
    ResponseData,
    Results,
    RoundData,
    compute,
    effective_threshold,
    release_plan,
)

WORKLOAD = Question(
    "workload", QuestionKind.RATING, "My workload was manageable.", low="Disagree", high="Agree"
)
RECOMMEND = Question("recommend", QuestionKind.ENPS, "Would you recommend working here?")
BREAKS = Question("breaks", QuestionKind.CHOICE, "Did you get your breaks?", ("Always", "Rarely"))
SURVEY = SurveyDefinition(
    "pulse", "Weekly pulse", (WORKLOAD, RECOMMEND, BREAKS), comment="Anything else?"
)
START = datetime(2026, 3, 2, 9, tzinfo=UTC)
NEW_YORK = ZoneInfo("America/New_York")
ENGLISH = translator("en")


def answers(
    count: int,
    department: str = "ICU",
    unit: str | None = None,
    *,
    workload: str = "4",
    recommend: str = "9",
    breaks: str = "Always",
    comment: str | None = None,
) -> list[ResponseData]:
    values = {"workload": workload, "recommend": recommend, "breaks": breaks}
    return [
        ResponseData(department, unit or f"{department}-unit", dict(values), comment)
        for _ in range(count)
    ]


def round_of(
    responses: Sequence[ResponseData],
    *,
    round_id: int = 10,
    invited: int = 40,
    weeks_ago: int = 0,
    closed: bool = True,
) -> RoundData:
    opened = START - timedelta(weeks=weeks_ago)
    return RoundData(
        round_id=round_id,
        opened_at=opened,
        closed_at=opened + timedelta(days=5) if closed else None,
        invited=invited,
        responses=list(responses),
    )


def shown(outcome: Results | Refusal) -> Results:
    assert isinstance(outcome, Results), outcome
    return outcome


def refused(outcome: Results | Refusal, reason: RefusalReason) -> Refusal:
    assert isinstance(outcome, Refusal), outcome
    assert outcome.reason is reason
    return outcome


def test_threshold_is_never_below_three() -> None:
    assert [effective_threshold(n) for n in (0, 2, 3, 5, 8)] == [3, 3, 3, 5, 8]
    assert isinstance(compute(SURVEY, round_of(answers(2)), threshold=2), Refusal)
    assert shown(compute(SURVEY, round_of(answers(3)), threshold=2)).threshold == 3


def test_a_round_of_four_is_refused_and_five_is_shown() -> None:
    refusal = refused(compute(SURVEY, round_of(answers(4)), threshold=5), RefusalReason.TOO_FEW)
    assert "4" not in refusal.message
    results = shown(compute(SURVEY, round_of(answers(5), invited=10), threshold=5))
    assert results.responses == 5
    assert results.response_rate == 0.5


def test_an_open_round_shows_nothing() -> None:
    outcome = compute(SURVEY, round_of(answers(30), closed=False), threshold=5)
    refused(outcome, RefusalReason.ROUND_OPEN)


def test_a_group_of_four_is_refused_and_a_group_of_five_is_shown() -> None:
    small = round_of(answers(4, "ICU") + answers(8, "ER") + answers(6, "Lab"))
    outcome = compute(SURVEY, small, threshold=5, group_by="department", group="ICU")
    assert "4" not in refused(outcome, RefusalReason.TOO_FEW).message

    enough = round_of(answers(5, "ICU") + answers(5, "ER"))
    results = shown(compute(SURVEY, enough, threshold=5, group_by="department", group="ICU"))
    assert (results.responses, results.group, results.response_rate) == (5, "ICU", None)


def test_a_group_that_exposes_the_rest_by_subtraction_is_refused() -> None:
    # The round (9) is shown; ICU (7) next to it would give away the other 2.
    data = round_of(answers(7, "ICU") + answers(2, "ER"))
    assert shown(compute(SURVEY, data, threshold=5)).responses == 9
    outcome = compute(SURVEY, data, threshold=5, group_by="department", group="ICU")
    message = refused(outcome, RefusalReason.SUBTRACTION).message
    assert "2" not in message
    assert "ER" not in message


def test_two_filters_cannot_be_combined_to_expose_a_third_group() -> None:
    # ICU 5 and ER 5 each leave 7 when subtracted alone, but both together leave Lab's 2.
    data = round_of(answers(5, "ICU") + answers(5, "ER") + answers(2, "Lab"))
    visible = [
        name
        for name in ("ICU", "ER", "Lab")
        if isinstance(
            compute(SURVEY, data, threshold=5, group_by="department", group=name), Results
        )
    ]
    assert len(visible) == 1


def test_breakdown_hides_one_more_group_when_the_hidden_rest_is_too_small() -> None:
    data = round_of(answers(7, "ICU") + answers(6, "ER") + answers(2, "Lab"))
    results = shown(compute(SURVEY, data, threshold=5, group_by="department"))
    rows = [(row.label, row.responses) for row in results.breakdown]
    assert rows == [("ICU", 7), (OTHER_GROUPS, 8)]
    assert results.responses == 15
    text = render_results(
        SURVEY, results, "Weekly pulse", zone=NEW_YORK, t=ENGLISH, charts=False
    ).fallback
    assert "Other groups (hidden to protect anonymity): 8 responses" in text
    assert "ER" not in text
    assert "Lab" not in text
    # A filter agrees with the breakdown: ER is not shown on its own either.
    outcome = compute(SURVEY, data, threshold=5, group_by="department", group="ER")
    refused(outcome, RefusalReason.SUBTRACTION)


def test_breakdown_is_refused_when_no_group_can_stand_alone() -> None:
    data = round_of(answers(6, "ICU") + answers(2, "ER"))
    refused(compute(SURVEY, data, threshold=5, group_by="department"), RefusalReason.NO_GROUP)


def test_a_unit_cannot_be_subtracted_from_its_department() -> None:
    # Nursing (10) shown; its unit 4W (8) shown too would give away 5E's 2.
    data = round_of(
        answers(8, "Nursing", "4W") + answers(2, "Nursing", "5E") + answers(6, "Pharmacy", "Rx")
    )
    assert ("department", "Nursing") in release_plan(data.responses, 5)
    outcome = compute(SURVEY, data, threshold=5, group_by="unit", group="4W")
    refused(outcome, RefusalReason.SUBTRACTION)


def test_a_unit_cannot_stand_in_for_a_hidden_department() -> None:
    # Departments alone: Lab (6) is hidden to protect Pharmacy (3). Unit LAB is the same
    # people as Lab, so showing it would give away Pharmacy as total - Nursing - LAB.
    data = round_of(
        answers(8, "Nursing", "4W")
        + answers(2, "Nursing", "5E")
        + answers(3, "Pharmacy", "Rx")
        + answers(6, "Lab", "LAB")
    )
    plan = release_plan(data.responses, 5)
    assert plan == {("department", "Nursing")}
    outcome = compute(SURVEY, data, threshold=5, group_by="unit", group="LAB")
    refused(outcome, RefusalReason.SUBTRACTION)


def test_comments_need_ten_responses() -> None:
    nine = compute(SURVEY, round_of(answers(9, comment="More staff")), threshold=5)
    assert shown(nine).comments is None
    ten = answers(9, comment="More  staff\nplease") + answers(1, comment="Zebra crossing")
    assert shown(compute(SURVEY, round_of(ten), threshold=5)).comments == (
        *["More staff please"] * 9,
        "Zebra crossing",
    )
    blank = compute(SURVEY, round_of(answers(12, comment="  ")), threshold=5)
    assert shown(blank).comments == ()


def test_group_comments_need_ten_on_both_sides_of_the_subtraction() -> None:
    # ICU's numbers are safe (the other 5 meet the threshold), but its comments taken away
    # from the round's comments would show the other 5's comments.
    data = round_of(answers(10, "ICU", comment="Good") + answers(5, "ER", comment="Bad"))
    assert shown(compute(SURVEY, data, threshold=5)).comments is not None
    group = shown(compute(SURVEY, data, threshold=5, group_by="department", group="ICU"))
    assert group.comments is None


def test_enps_and_means() -> None:
    data = (
        answers(5, recommend="10", workload="5")
        + answers(3, recommend="7", workload="3")
        + answers(2, recommend="0", workload="1")
    )
    results = shown(compute(SURVEY, round_of(data), threshold=5))
    workload, recommend, breaks = results.questions
    assert recommend.enps == Enps(promoters=5, passives=3, detractors=2)
    assert recommend.enps.score == 30
    assert recommend.mean == pytest.approx(7.1)
    assert workload.mean == pytest.approx(3.6)
    assert workload.enps is None
    assert workload.counts == (("1", 2), ("2", 0), ("3", 3), ("4", 0), ("5", 5))
    assert breaks.counts == (("Always", 10), ("Rarely", 0))
    assert breaks.mean is None


def test_enps_rounds_half_away_from_zero() -> None:
    assert Enps(promoters=1, passives=7, detractors=0).score == 13  # 12.5
    assert Enps(promoters=0, passives=7, detractors=1).score == -13
    assert Enps(promoters=1, passives=1, detractors=1).score == 0


def test_skipped_and_unknown_answers_are_not_counted() -> None:
    data = [
        *answers(5, workload="2"),
        ResponseData("ICU", "ICU-unit", {"recommend": "9"}, None),  # skipped workload
        ResponseData("ICU", "ICU-unit", {"workload": "", "recommend": "9"}, None),
        ResponseData("ICU", "ICU-unit", {"workload": "11", "recommend": "9"}, None),
    ]
    workload, recommend, _ = shown(compute(SURVEY, round_of(data), threshold=5)).questions
    assert workload.answered == 5
    assert sum(count for _, count in workload.counts) == 5
    assert workload.mean == 2
    assert recommend.answered == 8
    few = answers(3) + [ResponseData("ICU", "ICU-unit", {}, None)] * 3
    workload, *_ = shown(compute(SURVEY, round_of(few), threshold=5)).questions
    assert (workload.answered, workload.counts, workload.mean) == (None, (), None)


def test_trend_keeps_only_rounds_whose_group_met_the_threshold() -> None:
    history = [
        round_of(answers(6, recommend="10"), round_id=1, weeks_ago=4),
        round_of(answers(4, recommend="10"), round_id=2, weeks_ago=3),  # too few
        round_of(answers(7, "ICU") + answers(2, "ER"), round_id=3, weeks_ago=2),
        round_of(answers(20), round_id=4, weeks_ago=1, closed=False),  # not closed
    ]
    current = round_of(answers(5, recommend="0") + answers(5, "ER"), round_id=5)
    whole = shown(compute(SURVEY, current, threshold=5, history=history))
    assert [p.round_id for p in whole.trend] == [1, 3, 5]
    assert whole.trend[0].enps == {"recommend": 100}
    assert whole.trend[-1].enps == {"recommend": 0}
    assert whole.trend[-1].means["workload"] == 4
    # ICU in round 3 would be exposed by subtraction (the other 2), so that point goes too.
    icu = compute(SURVEY, current, threshold=5, group_by="department", group="ICU", history=history)
    assert [p.round_id for p in shown(icu).trend] == [1, 5]


def test_rendered_text_carries_every_number() -> None:
    data = (
        answers(5, recommend="10", workload="5", comment="Thanks")
        + answers(3, recommend="8", breaks="Rarely")
        + answers(2, recommend="3")
    )
    results = shown(compute(SURVEY, round_of(data, invited=20), threshold=5))
    reply = render_results(
        SURVEY, results, "Weekly pulse (survey #3)", zone=NEW_YORK, t=ENGLISH, charts=False
    )
    text = reply.fallback
    assert "Weekly pulse (survey #3)" in text
    # On the reader's clock, in the one form every date takes.
    assert "Round of Mon 2 Mar, 04:00 to Sat 7 Mar, 04:00" in text
    assert "10 responses of 20 invited (50%)" in text
    assert "eNPS: +30" in text
    assert "Promoters (9-10): 5 (50%)" in text
    assert "Average: 4.5 of 5" in text
    assert "- 5 (Agree): 5 (50%)" in text
    assert "- Rarely: 3 (30%)" in text
    assert "Scores given: 10: 5 · 8: 3 · 3: 2" in text
    assert "“Thanks”" in text
    assert not any(isinstance(block, Image) for block in reply.blocks)


def test_results_come_with_charts_for_phones_and_screen_readers() -> None:
    history = [
        round_of(
            answers(3, recommend="10") + answers(5, recommend="8") + answers(2, recommend="1"),
            round_id=1,
            weeks_ago=2,
        ),
        round_of(
            answers(1, recommend="10") + answers(6, recommend="8") + answers(3, recommend="1"),
            round_id=2,
            weeks_ago=1,
        ),
    ]
    current = round_of(
        answers(5, recommend="9") + answers(3, recommend="7") + answers(2, "ER", recommend="6")
    )
    results = shown(compute(SURVEY, current, threshold=5, history=history))
    reply = render_results(
        SURVEY, results, "Weekly pulse", zone=NEW_YORK, t=ENGLISH, file_stem="pulse-3-results"
    )
    images = [block for block in reply.blocks if isinstance(block, Image)]
    assert len(images) == 4  # three distributions and the eNPS trend
    day = f"{results.closed_at:%Y-%m-%d}"
    assert [image.filename for image in images] == [
        *(f"pulse-3-results-q{n}-{day}.png" for n in (1, 2, 3)),
        f"pulse-3-results-enps-trend-{day}.png",
    ]
    for image in images:
        assert image.png is not None
        assert image.png.startswith(b"\x89PNG\r\n\x1a\n")
        assert PILImage.open(io.BytesIO(image.png)).size == (800, 450)
        assert image.alt_text
    alts = [image.alt_text for image in images]
    assert "eNPS trend: +10, -20, +30 over the last 3 rounds." in alts
    assert "Bar chart of 10 answers to “Did you get your breaks?”: Always: 10, Rarely: 0." in alts
    assert "eNPS: Sat 21 Feb: +10, Sat 28 Feb: -20, Sat 7 Mar: +30" in reply.fallback


def test_refusal_reply_is_private() -> None:
    refusal = refused(compute(SURVEY, round_of(answers(1)), threshold=5), RefusalReason.TOO_FEW)
    reply = render_refusal(refusal, ENGLISH)
    assert reply.ephemeral
    assert reply.fallback == refusal.text(ENGLISH)


PERSONAL = {"person", "person_id", "user", "user_id", "name", "display_name", "email", "actor"}
PERSONAL |= {"answer_key", "respondent", "platform"}


def field_names(kind: object, seen: set[object]) -> set[str]:
    """Every dataclass field name reachable from a type, through unions and containers."""
    if kind in seen:
        return set()
    seen.add(kind)
    if dataclasses.is_dataclass(kind) and isinstance(kind, type):
        hints = typing.get_type_hints(kind)
        names = {f.name for f in dataclasses.fields(kind)}
        return names.union(*(field_names(hints[name], seen) for name in names))
    if isinstance(kind, types.UnionType) or typing.get_origin(kind) is not None:
        return set().union(*(field_names(arg, seen) for arg in typing.get_args(kind)))
    return set()


def test_no_input_or_output_type_can_carry_a_person() -> None:
    reachable = field_names(Results | Refusal | RoundData, set())
    assert {"department", "unit", "answers", "comment", "breakdown"} <= reachable
    assert not reachable & PERSONAL
    results = shown(compute(SURVEY, round_of(answers(10)), threshold=5))
    reply = render_results(SURVEY, results, "Weekly pulse", zone=NEW_YORK, t=ENGLISH, charts=False)
    assert {type(block) for block in reply.blocks} <= {Text, Facts, Divider}
    assert "ICU" not in reply.fallback  # not asked for by department or unit
