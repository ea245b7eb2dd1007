"""The leaders' summary (also the weekly digest): what came in this period against the one
before, where it came from, what staff back most, and the themes that keep coming up."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.plural import counted
from bot.replies import Divider, Facts, Reply, Text, plain_text
from skills.grouping import group_similar
from skills.ideas.messages import CATEGORIES, STATUSES
from storage.ideas import Idea, IdeaFilter, IdeaRepository

TOP = 5
THEMES = 5


@dataclass(frozen=True)
class Scope:
    days: int = 7
    unit: str | None = None
    category: str | None = None

    def describe(self) -> str:
        parts = [f"last {counted(self.days, 'day')}"]
        if self.unit:
            parts.append(f"unit {self.unit}")
        if self.category:
            parts.append(CATEGORIES.get(self.category, self.category))
        return ", ".join(parts)


@dataclass(frozen=True)
class Theme:
    representative: Idea
    size: int


@dataclass(frozen=True)
class Summary:
    scope: Scope
    current: Sequence[Idea]
    previous_count: int
    top_voted: Sequence[Idea]
    themes: Sequence[Theme]

    def counts(self, attribute: str) -> Counter[str]:
        return Counter(str(getattr(idea, attribute)) or "(none)" for idea in self.current)


async def summarize(ideas: IdeaRepository, scope: Scope, now: datetime) -> Summary:
    start = now - timedelta(days=scope.days)
    before = start - timedelta(days=scope.days)
    current = await ideas.find(
        IdeaFilter(since=start, until=now, unit=scope.unit, category=scope.category)
    )
    previous = await ideas.find(
        IdeaFilter(since=before, until=start, unit=scope.unit, category=scope.category)
    )
    live = [idea for idea in current if idea.status != "merged"]
    top = sorted(live, key=lambda idea: (-idea.votes, idea.id))[:TOP]
    oldest_first = sorted(live, key=lambda idea: idea.created_at)
    groups = group_similar(oldest_first, lambda idea: f"{idea.title} {idea.description}")
    themes = [
        Theme(max(g.members, key=lambda idea: (idea.votes, -idea.id)), len(g.members))
        for g in groups
        if len(g.members) > 1
    ][:THEMES]
    return Summary(scope, current, len(previous), top, themes)


def render(summary: Summary, heading: str = "Ideas summary") -> Reply:
    count = len(summary.current)
    change = count - summary.previous_count
    before = counted(summary.scope.days, "day")
    trend = f"{'+' if change >= 0 else ''}{change} against the {before} before"
    intro = (
        f"**{heading}** ({summary.scope.describe()}): **{counted(count, 'new idea')}**, {trend}."
    )
    if not count:
        return Reply(fallback=plain_text(intro), blocks=(Text(intro),))
    blocks: list[Text | Facts | Divider] = [Text(intro)]
    statuses = summary.counts("status")
    blocks.append(Facts(tuple((STATUSES.get(s, s), str(n)) for s, n in statuses.most_common())))
    categories = summary.counts("category")
    blocks.append(
        Text(
            "**By category:** "
            + ", ".join(f"{CATEGORIES.get(c, c)} {n}" for c, n in categories.most_common())
        )
    )
    units = summary.counts("unit")
    blocks.append(Text("**By unit:** " + ", ".join(f"{u} {n}" for u, n in units.most_common(8))))
    blocks.append(Divider())
    top_lines = [
        f"{rank}. #{idea.id} {idea.headline} ({counted(idea.votes, 'vote')}, "
        f"{STATUSES.get(idea.status, idea.status).lower()})"
        for rank, idea in enumerate(summary.top_voted, start=1)
    ]
    blocks.append(Text("**Most supported:**\n" + "\n".join(top_lines)))
    if summary.themes:
        theme_lines = [
            f"- {theme.size} ideas like #{theme.representative.id} "
            f"_{theme.representative.headline}_"
            for theme in summary.themes
        ]
        blocks.append(Text("**Themes:**\n" + "\n".join(theme_lines)))
    blocks.append(Text("Type `ideas show ID` for the details of an idea.", subtle=True))
    fallback = "\n".join(
        plain_text(b.markdown) if isinstance(b, Text) else _facts_text(b)
        for b in blocks
        if not isinstance(b, Divider)
    )
    return Reply(fallback=fallback, blocks=tuple(blocks))


def _facts_text(facts: Facts) -> str:
    return ", ".join(f"{label} {value}" for label, value in facts.items)
