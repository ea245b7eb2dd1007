"""The leaders' summary (also the weekly digest): what came in this period against the one
before, where it came from, what staff back most, and the themes that keep coming up."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.i18n import Translator
from bot.replies import Divider, Facts, Reply, Text, plain_text
from skills.grouping import group_similar
from skills.ideas import messages as say
from skills.ideas.common import category_name, idea_text, status_name
from skills.ideas.themes import theme_terms
from skills.phi.tags import readable
from storage.ideas import Idea, IdeaFilter, IdeaRepository

TOP = 5
THEMES = 5


@dataclass(frozen=True)
class Scope:
    days: int = 7
    unit: str | None = None
    category: str | None = None

    def describe(self, t: Translator) -> str:
        parts = [t(say.SCOPE_LAST, days=t.plural("{count} day", "{count} days", self.days))]
        if self.unit:
            parts.append(t(say.SCOPE_UNIT, unit=self.unit))
        if self.category:
            parts.append(category_name(t, self.category))
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
        return Counter(str(getattr(idea, attribute)) for idea in self.current)


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
    groups = group_similar(oldest_first, idea_text, terms=theme_terms)
    themes = [
        Theme(max(g.members, key=lambda idea: (idea.votes, -idea.id)), len(g.members))
        for g in groups
        if len(g.members) > 1
    ][:THEMES]
    return Summary(scope, current, len(previous), top, themes)


def render(summary: Summary, t: Translator, heading: str = say.SUMMARY_HEADING) -> Reply:
    """The summary in the reader's language; ideas are quoted as they were written."""
    count = len(summary.current)
    change = count - summary.previous_count
    intro = t(
        say.SUMMARY_INTRO,
        heading=t(heading),
        scope=summary.scope.describe(t),
        ideas=t.plural("{count} new idea", "{count} new ideas", count),
        change=("+" if change >= 0 else "-") + t.number(abs(change)),
        days=t.plural("{count} day", "{count} days", summary.scope.days),
    )
    if not count:
        return Reply(fallback=plain_text(intro), blocks=(Text(intro),))
    blocks: list[Text | Facts | Divider] = [Text(intro)]
    statuses = summary.counts("status")
    blocks.append(Facts(tuple((status_name(t, s), t.number(n)) for s, n in statuses.most_common())))
    categories = summary.counts("category")
    by_category = ", ".join(
        f"{category_name(t, c)} {t.number(n)}" for c, n in categories.most_common()
    )
    blocks.append(Text(f"{t(say.BY_CATEGORY)} {by_category}"))
    units = summary.counts("unit")
    by_unit = ", ".join(f"{u or t(say.NONE_GIVEN)} {t.number(n)}" for u, n in units.most_common(8))
    blocks.append(Text(f"{t(say.BY_UNIT)} {by_unit}"))
    blocks.append(Divider())
    top_lines = [
        f"{rank}. #{idea.id} {readable(idea.headline, t)} "
        f"({t.plural('{count} vote', '{count} votes', idea.votes)}, "
        f"{status_name(t, idea.status).lower()})"
        for rank, idea in enumerate(summary.top_voted, start=1)
    ]
    blocks.append(Text(t(say.MOST_SUPPORTED) + "\n" + "\n".join(top_lines)))
    if summary.themes:
        theme_lines = [_theme_line(theme, t) for theme in summary.themes]
        blocks.append(Text(t(say.THEMES) + "\n" + "\n".join(theme_lines)))
    blocks.append(Text(t(say.SHOW_HINT), subtle=True))
    fallback = "\n".join(
        plain_text(b.markdown) if isinstance(b, Text) else _facts_text(b)
        for b in blocks
        if not isinstance(b, Divider)
    )
    return Reply(fallback=fallback, blocks=tuple(blocks))


def _theme_line(theme: Theme, t: Translator) -> str:
    # The headline is read outside the message's call: Babel's extractor takes a `t` inside
    # `t.plural(...)` for the `t` keyword and catalogs the plural as a singular message.
    headline = readable(theme.representative.headline, t)
    return t.plural(
        "- {count} idea like #{id} _{headline}_",
        "- {count} ideas like #{id} _{headline}_",
        theme.size,
        id=theme.representative.id,
        headline=headline,
    )


def _facts_text(facts: Facts) -> str:
    return ", ".join(f"{label} {value}" for label, value in facts.items)
