"""The reply that shows pulse results: text first (every number is in the text, for screen
readers and plain clients), facts, and PNG charts after the text they illustrate; or the kind
refusal when results cannot be shown.

What may be shown is decided in `results`; this only words it.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from zoneinfo import ZoneInfo

from babel.numbers import format_decimal

from bot.exports import export_name
from bot.i18n import N_, Translator
from bot.replies import Block, Divider, Facts, Image, Reply, Text, plain_text
from skills.phi.tags import readable
from skills.pulse.definitions import Question, QuestionKind, SurveyDefinition
from skills.pulse.results import (
    COMMENT_THRESHOLD,
    NOT_SET,
    OTHER_GROUPS,
    GroupResult,
    QuestionResult,
    Refusal,
    Results,
    TrendPoint,
    round_half_away,
)

TEXT_LIMIT = 2800  # Slack refuses section text over 3000 characters
# A dimension of a breakdown, as a reader names it.
DIMENSION_NAMES = {"department": N_("department"), "unit": N_("unit")}
SCOPE_GROUP = {"department": N_("Department: {group}"), "unit": N_("Unit: {group}")}
SCOPE_BREAKDOWN = {
    "department": N_("Everyone, and by department"),
    "unit": N_("Everyone, and by unit"),
}
BY_DIMENSION = {"department": N_("**By department**"), "unit": N_("**By unit**")}


def render_results(
    definition: SurveyDefinition,
    results: Results,
    title: str,
    *,
    zone: ZoneInfo,
    t: Translator,
    charts: bool = True,
    file_stem: str = "pulse-results",
) -> Reply:
    """The results as text first (every number is in the text, for screen readers and plain
    clients), with PNG charts after the text they illustrate; in the reader's language (`t`;
    the survey's own texts in English where it has none in it; comments as written, their PHI
    tags in the reader's language), dates on the reader's clock (`zone`). Drawing charts takes
    CPU for a moment: call this from a worker thread in async code. `charts=False` leaves them
    out. A chart saved as a file is named from `file_stem`, the chart and the round's closing
    day."""
    shown = definition.in_language(t.language)
    blocks: list[Block] = [Text(_headline(results, title, zone, t))]
    day = results.closed_at.astimezone(zone).date()
    for number, result in enumerate(results.questions, start=1):
        blocks.append(Divider())
        chart_name = export_name(f"{file_stem}-q{number}", day, "png") if charts else None
        question = shown.question(result.question.id) or result.question
        blocks.extend(_question_blocks(number, result, question, results.threshold, chart_name, t))
    trend_name = export_name(f"{file_stem}-enps-trend", day, "png")
    blocks.extend(_trend_blocks(shown, results.trend, trend_name if charts else None, zone, t))
    if results.breakdown and results.group_by is not None:
        blocks.append(Divider())
        blocks.append(Text(t(BY_DIMENSION[results.group_by])))
        blocks.append(Facts(tuple(_row(row, shown, t) for row in results.breakdown)))
    if definition.comment is not None:
        blocks.append(Divider())
        blocks.extend(_comment_blocks(results, t))
    needed = max(COMMENT_THRESHOLD, results.threshold)
    note = t(
        "Only groups with at least {threshold} responses are shown, and comments only for at "
        "least {needed}. No one, admins included, can see who answered what.",
        threshold=t.number(results.threshold),
        needed=t.number(needed),
    )
    blocks.append(Text(note, subtle=True))
    return Reply(fallback=_fallback(blocks), blocks=tuple(blocks))


def render_refusal(refusal: Refusal, t: Translator) -> Reply:
    return Reply.text(refusal.text(t), ephemeral=True)


def _headline(results: Results, title: str, zone: ZoneInfo, t: Translator) -> str:
    if results.group_by is not None and results.group is not None:
        scope = t(SCOPE_GROUP[results.group_by], group=results.group)
    elif results.group_by is not None:
        scope = t(SCOPE_BREAKDOWN[results.group_by])
    else:
        scope = t("Everyone")
    responses = t.plural("{count} response", "{count} responses", results.responses)
    tally = f"**{responses}**"
    if results.response_rate is not None:
        tally = t(
            "**{responses}** of {invited} invited ({rate})",
            responses=responses,
            invited=t.number(results.invited),
            rate=percent(results.responses, results.invited, t),
        )
    dates = t(
        "Round of {start} to {end}",
        start=t.moment(results.opened_at, zone),
        end=t.moment(results.closed_at, zone),
    )
    return f"**{title}**\n{dates} · {scope}\n{tally}"


def _question_blocks(
    number: int,
    result: QuestionResult,
    question: Question,
    threshold: int,
    chart_name: str | None,
    t: Translator,
) -> list[Block]:
    blocks: list[Block] = [Text(f"**{number}. {question.text}**")]
    if result.answered is None:
        hidden = t(
            "Fewer than {threshold} people answered this question.", threshold=t.number(threshold)
        )
        blocks.append(Text(hidden, subtle=True))
        return blocks
    facts = [(t("Answers"), t.number(result.answered))]
    if result.enps is not None:
        enps = result.enps
        facts.append(("eNPS", signed(enps.score)))
        for label, count in (
            (t("Promoters (9-10)"), enps.promoters),
            (t("Passives (7-8)"), enps.passives),
            (t("Detractors (0-6)"), enps.detractors),
        ):
            facts.append((label, f"{t.number(count)} ({percent(count, result.answered, t)})"))
    if result.mean is not None:
        top = 5 if question.kind is QuestionKind.RATING else 10
        facts.append((t("Average"), t("{mean} of {top}", mean=decimal(result.mean, t), top=top)))
    blocks.append(Facts(tuple(facts)))
    blocks.append(Text(_distribution_text(result, question, t)))
    if chart_name is not None:
        from skills.pulse.charts import distribution_png

        spoken = ", ".join(f"{_value_label(question, v)}: {t.number(n)}" for v, n in result.counts)
        answers = t.plural("{count} answer", "{count} answers", result.answered)
        blocks.append(
            Image(
                alt_text=t(
                    "Bar chart of {answers} to “{question}”: {counts}.",
                    answers=answers,
                    question=question.text,
                    counts=spoken,
                ),
                title=question.text,
                png=distribution_png(question, result.counts, t),
                filename=chart_name,
            )
        )
    return blocks


def _distribution_text(result: QuestionResult, question: Question, t: Translator) -> str:
    """One line per answer, highest first for scales; eNPS leaves out values nobody gave."""
    assert result.answered is not None
    counts = result.counts
    if question.kind is not QuestionKind.CHOICE:
        counts = counts[::-1]
    if question.kind is QuestionKind.ENPS:
        given = " · ".join(f"{value}: {t.number(count)}" for value, count in counts if count)
        return t("Scores given: {scores}", scores=given)
    return "\n".join(
        f"- {_value_label(question, value)}: {t.number(count)} "
        f"({percent(count, result.answered, t)})"
        for value, count in counts
    )


def _value_label(question: Question, value: str) -> str:
    """A stored answer as the reader sees it: a choice's label in their language; a rating's
    ends with their words."""
    if question.kind is QuestionKind.RATING and value == "1" and question.low:
        return f"1 ({question.low})"
    if question.kind is QuestionKind.RATING and value == "5" and question.high:
        return f"5 ({question.high})"
    return question.label(value)


def _trend_blocks(
    shown: SurveyDefinition,
    trend: Sequence[TrendPoint],
    chart_name: str | None,
    zone: ZoneInfo,
    t: Translator,
) -> list[Block]:
    if len(trend) < 2:
        return []
    lines: list[str] = []
    images: list[Block] = []
    for question in shown.questions:
        enps_points = [
            (t.local_day(p.closed_at, zone), p.enps[question.id])
            for p in trend
            if question.id in p.enps
        ]
        means = [
            (t.local_day(p.closed_at, zone), p.means[question.id])
            for p in trend
            if question.id in p.means
        ]
        if len(means) >= 2:
            series = ", ".join(f"{day}: {decimal(mean, t)}" for day, mean in means)
            lines.append(
                t("- {question} (average): {series}", question=question.text, series=series)
            )
        if len(enps_points) >= 2:
            lines.append("- eNPS: " + ", ".join(f"{day}: {signed(s)}" for day, s in enps_points))
            if chart_name is not None:
                from skills.pulse.charts import enps_trend_png

                scores = ", ".join(signed(score) for _, score in enps_points)
                alt = t.plural(
                    "eNPS trend: {scores} over the last round.",
                    "eNPS trend: {scores} over the last {count} rounds.",
                    len(enps_points),
                    scores=scores,
                )
                images.append(
                    Image(
                        alt_text=alt,
                        title=t("eNPS trend"),
                        png=enps_trend_png(enps_points, t),
                        filename=chart_name,
                    )
                )
    if not lines:
        return []
    heading = t.plural(
        "**Trend over the last round** (oldest first)",
        "**Trend over the last {count} rounds** (oldest first)",
        len(trend),
    )
    return [Divider(), Text(heading + "\n" + "\n".join(lines)), *images]


def _row(row: GroupResult, shown: SurveyDefinition, t: Translator) -> tuple[str, str]:
    parts = [t.plural("{count} response", "{count} responses", row.responses)]
    for number, result in enumerate(row.questions, start=1):
        question = shown.question(result.question.id) or result.question
        if result.enps is not None:
            parts.append(
                t("Q{number} eNPS {score}", number=number, score=signed(result.enps.score))
            )
        elif result.mean is not None:
            parts.append(t("Q{number} average {mean}", number=number, mean=decimal(result.mean, t)))
        elif result.answered:
            value, count = max(result.counts, key=lambda item: item[1])
            parts.append(
                t(
                    "Q{number} top answer {answer} ({share})",
                    number=number,
                    answer=question.label(value),
                    share=percent(count, result.answered, t),
                )
            )
    # A group's name is the hospital's own; only the rows the bot names are translated.
    label = t(row.label) if row.label in (OTHER_GROUPS, NOT_SET) else row.label
    label = label[:1].upper() + label[1:]
    return label, " · ".join(parts)


def _comment_blocks(results: Results, t: Translator) -> list[Block]:
    """The comments as their writers wrote them, in whatever language: never translated; only
    the tags the PHI screen put in them are in the reader's language."""
    if results.comments is None:
        needed = max(COMMENT_THRESHOLD, results.threshold)
        text = t("Comments are shown only for groups of at least {needed}.", needed=needed)
        return [Text(text, subtle=True)]
    if not results.comments:
        return [Text(t("**Comments**\nNo comments this round."))]
    heading = t("**Comments** ({count})", count=t.number(len(results.comments)))
    chunks: list[list[str]] = [[heading]]
    for comment in results.comments:
        line = f"- “{readable(comment, t)}”"
        if sum(len(text) + 1 for text in chunks[-1]) + len(line) > TEXT_LIMIT:
            chunks.append([])
        chunks[-1].append(line)
    return [Text("\n".join(chunk)) for chunk in chunks]


def _fallback(blocks: Sequence[Block]) -> str:
    lines: list[str] = []
    for block in blocks:
        if isinstance(block, Text):
            lines.append(plain_text(block.markdown))
        elif isinstance(block, Facts):
            lines.extend(f"{label}: {value}" for label, value in block.items)
    return "\n".join(lines)


def signed(score: int) -> str:
    return f"{score:+d}" if score else "0"


def percent(count: int, total: int, t: Translator) -> str:
    """A share as a whole percentage, rounded as people round, written for the reader."""
    return t.percent(round_half_away(Fraction(100 * count, total)) / 100)


def decimal(value: float, t: Translator) -> str:
    """An average to one decimal, written for the reader's locale."""
    return format_decimal(value, "0.0", locale=t.locale)
