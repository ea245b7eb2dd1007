"""`ask stats`: the questions the knowledge base failed, grouped by likeness, so HR can see
what to write next instead of reading a raw log."""

from __future__ import annotations

from collections.abc import Sequence

from skills.grouping import group_similar
from storage.questions import LoggedQuestion

MAX_GROUPS = 10
EXAMPLES = 2


def content_gaps(questions: Sequence[LoggedQuestion], *, total: int, days: int) -> str:
    if not questions:
        return (
            f"In the last {days} days I was asked {total} question(s), and every one was answered "
            'with no "Not helpful" feedback.'
        )
    oldest_first = sorted(questions, key=lambda q: q.asked_at)
    groups = group_similar(oldest_first, lambda q: q.text)
    unanswered = sum(1 for q in questions if not q.answered)
    unhelpful = sum(1 for q in questions if q.answered and q.helpful is False)
    lines = [
        f"**Knowledge gaps, last {days} days**: {total} questions asked, {unanswered} not "
        f"answered, {unhelpful} answered but marked not helpful.",
        "",
        "Grouped by topic, largest first:",
    ]
    for number, group in enumerate(groups[:MAX_GROUPS], start=1):
        members = group.members
        open_count = sum(1 for q in members if not q.answered)
        examples = "; ".join(f"_{q.text}_" for q in members[:EXAMPLES])
        lines.append(
            f"{number}. **{len(members)}** question(s) ({open_count} unanswered, "
            f"{len(members) - open_count} not helpful), e.g. {examples}"
        )
    if len(groups) > MAX_GROUPS:
        rest = sum(len(g.members) for g in groups[MAX_GROUPS:])
        lines.append(f"…and {rest} more in {len(groups) - MAX_GROUPS} smaller groups.")
    return "\n".join(lines)
