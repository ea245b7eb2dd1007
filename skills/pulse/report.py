"""The reply that shows pulse results: text first (every number is in the text, for screen
readers and plain clients), facts, and PNG charts after the text they illustrate; or the kind
refusal when results cannot be shown.

What may be shown is decided in `results`; this only words it.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from zoneinfo import ZoneInfo

from bot.dates import local_day_label, moment_label
from bot.exports import export_name
from bot.plural import counted
from bot.replies import Block, Divider, Facts, Image, Reply, Text, plain_text
from skills.pulse.definitions import Question, QuestionKind, SurveyDefinition
from skills.pulse.results import (
    COMMENT_THRESHOLD,
    GroupResult,
    QuestionResult,
    Refusal,
    Results,
    TrendPoint,
    round_half_away,
)

TEXT_LIMIT = 2800  # Slack refuses section text over 3000 characters
_COUNT_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def render_results(
    definition: SurveyDefinition,
    results: Results,
    title: str,
    *,
    zone: ZoneInfo,
    charts: bool = True,
    file_stem: str = "pulse-results",
) -> Reply:
    """The results as text first (every number is in the text, for screen readers and plain
    clients), with PNG charts after the text they illustrate; dates on the reader's clock
    (`zone`). Drawing charts takes CPU for a moment: call this from a worker thread in async
    code. `charts=False` leaves them out. A chart saved as a file is named from `file_stem`,
    the chart and the round's closing day."""
    blocks: list[Block] = [Text(_headline(results, title, zone))]
    day = results.closed_at.astimezone(zone).date()
    for number, question in enumerate(results.questions, start=1):
        blocks.append(Divider())
        chart_name = export_name(f"{file_stem}-q{number}", day, "png") if charts else None
        blocks.extend(_question_blocks(number, question, results.threshold, chart_name))
    trend_name = export_name(f"{file_stem}-enps-trend", day, "png")
    blocks.extend(_trend_blocks(definition, results.trend, trend_name if charts else None, zone))
    if results.breakdown:
        blocks.append(Divider())
        blocks.append(Text(f"**By {results.group_by}**"))
        blocks.append(Facts(tuple(_row(row) for row in results.breakdown)))
    if definition.comment is not None:
        blocks.append(Divider())
        blocks.extend(_comment_blocks(results))
    blocks.append(
        Text(
            f"Only groups with at least {results.threshold} responses are shown, and comments "
            f"only for at least {max(COMMENT_THRESHOLD, results.threshold)}. No one, admins "
            "included, can see who answered what.",
            subtle=True,
        )
    )
    return Reply(fallback=_fallback(blocks), blocks=tuple(blocks))


def render_refusal(refusal: Refusal) -> Reply:
    return Reply.text(refusal.message, ephemeral=True)


def _headline(results: Results, title: str, zone: ZoneInfo) -> str:
    if results.group_by is not None and results.group is not None:
        scope = f"{results.group_by.capitalize()}: {results.group}"
    elif results.group_by is not None:
        scope = f"Everyone, and by {results.group_by}"
    else:
        scope = "Everyone"
    tally = f"**{counted(results.responses, 'response')}**"
    if results.response_rate is not None:
        tally += f" of {results.invited:,} invited ({percent(results.responses, results.invited)})"
    dates = f"{moment_label(results.opened_at, zone)} to {moment_label(results.closed_at, zone)}"
    return f"**{title}**\nRound of {dates} · {scope}\n{tally}"


def _question_blocks(
    number: int, result: QuestionResult, threshold: int, chart_name: str | None
) -> list[Block]:
    question = result.question
    blocks: list[Block] = [Text(f"**{number}. {question.text}**")]
    if result.answered is None:
        blocks.append(Text(f"Fewer than {threshold} people answered this question.", subtle=True))
        return blocks
    facts = [("Answers", str(result.answered))]
    if result.enps is not None:
        enps = result.enps
        facts.append(("eNPS", signed(enps.score)))
        for label, count in (
            ("Promoters (9-10)", enps.promoters),
            ("Passives (7-8)", enps.passives),
            ("Detractors (0-6)", enps.detractors),
        ):
            facts.append((label, f"{count} ({percent(count, result.answered)})"))
    if result.mean is not None:
        top = 5 if question.kind is QuestionKind.RATING else 10
        facts.append(("Average", f"{result.mean:.1f} of {top}"))
    blocks.append(Facts(tuple(facts)))
    blocks.append(Text(_distribution_text(result)))
    if chart_name is not None:
        from skills.pulse.charts import distribution_png

        spoken = ", ".join(f"{_value_label(question, v)}: {n}" for v, n in result.counts)
        blocks.append(
            Image(
                alt_text=f"Bar chart of {counted(result.answered, 'answer')} "
                f"to “{question.text}”: {spoken}.",
                title=question.text,
                png=distribution_png(question, result.counts),
                filename=chart_name,
            )
        )
    return blocks


def _distribution_text(result: QuestionResult) -> str:
    """One line per answer, highest first for scales; eNPS leaves out values nobody gave."""
    assert result.answered is not None
    question = result.question
    counts = result.counts
    if question.kind is not QuestionKind.CHOICE:
        counts = counts[::-1]
    if question.kind is QuestionKind.ENPS:
        given = [f"{value}: {count}" for value, count in counts if count]
        return "Scores given: " + " · ".join(given)
    return "\n".join(
        f"- {_value_label(question, value)}: {count} ({percent(count, result.answered)})"
        for value, count in counts
    )


def _value_label(question: Question, value: str) -> str:
    if question.kind is QuestionKind.RATING and value == "1" and question.low:
        return f"1 ({question.low})"
    if question.kind is QuestionKind.RATING and value == "5" and question.high:
        return f"5 ({question.high})"
    return value


def _trend_blocks(
    definition: SurveyDefinition,
    trend: Sequence[TrendPoint],
    chart_name: str | None,
    zone: ZoneInfo,
) -> list[Block]:
    if len(trend) < 2:
        return []
    lines: list[str] = []
    images: list[Block] = []
    for question in definition.questions:
        enps_points = [
            (local_day_label(p.closed_at, zone), p.enps[question.id])
            for p in trend
            if question.id in p.enps
        ]
        means = [
            (local_day_label(p.closed_at, zone), p.means[question.id])
            for p in trend
            if question.id in p.means
        ]
        if len(means) >= 2:
            series = ", ".join(f"{day}: {mean:.1f}" for day, mean in means)
            lines.append(f"- {question.text} (average): {series}")
        if len(enps_points) >= 2:
            lines.append("- eNPS: " + ", ".join(f"{day}: {signed(s)}" for day, s in enps_points))
            if chart_name is not None:
                from skills.pulse.charts import enps_trend_png

                scores = ", ".join(signed(score) for _, score in enps_points)
                images.append(
                    Image(
                        alt_text=f"eNPS trend: {scores} over the last "
                        f"{_count_word(len(enps_points))} rounds.",
                        title="eNPS trend",
                        png=enps_trend_png(enps_points),
                        filename=chart_name,
                    )
                )
    if not lines:
        return []
    heading = f"**Trend over the last {_count_word(len(trend))} rounds** (oldest first)"
    return [Divider(), Text(heading + "\n" + "\n".join(lines)), *images]


def _row(row: GroupResult) -> tuple[str, str]:
    parts = [counted(row.responses, "response")]
    for number, result in enumerate(row.questions, start=1):
        if result.enps is not None:
            parts.append(f"Q{number} eNPS {signed(result.enps.score)}")
        elif result.mean is not None:
            parts.append(f"Q{number} average {result.mean:.1f}")
        elif result.answered:
            value, count = max(result.counts, key=lambda item: item[1])
            parts.append(f"Q{number} top answer {value} ({percent(count, result.answered)})")
    label = row.label[:1].upper() + row.label[1:]
    return label, " · ".join(parts)


def _comment_blocks(results: Results) -> list[Block]:
    if results.comments is None:
        needed = max(COMMENT_THRESHOLD, results.threshold)
        return [Text(f"Comments are shown only for groups of at least {needed}.", subtle=True)]
    if not results.comments:
        return [Text("**Comments**\nNo comments this round.")]
    chunks: list[list[str]] = [[f"**Comments** ({len(results.comments)})"]]
    for comment in results.comments:
        line = f"- “{comment}”"
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


def percent(count: int, total: int) -> str:
    return f"{round_half_away(Fraction(100 * count, total))}%"


def _count_word(count: int) -> str:
    return _COUNT_WORDS[count] if count < len(_COUNT_WORDS) else str(count)
