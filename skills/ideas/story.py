"""The "you said, we did" words: what staff said, what was done about it, who helped, and who
had the idea when they agreed to be named. Platform-free, a title and Markdown, so the same
text serves the notices, the leader's preview, an announcement draft and the monthly digest.

Idea text is PHI-screened before it is stored, so what is quoted here is the screened text, its
tags in the reader's language (`skills.phi.tags`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from babel.dates import format_date, format_skeleton

from bot.i18n import Translator
from bot.replies import Reply, Text, plain_text
from skills.grouping import group_similar
from skills.ideas import messages as say
from skills.ideas.common import idea_text, quote
from skills.ideas.messages import CATEGORIES
from skills.ideas.themes import theme_terms
from skills.phi.tags import readable
from storage.idea_outcomes import Outcome
from storage.ideas import Idea

EXCERPT = 280  # characters of the idea quoted: enough to recognise it on a phone


@dataclass(frozen=True)
class Story:
    title: str
    markdown: str

    def reply(self) -> Reply:
        blocks = (Text(f"**{self.title}**"), Text(self.markdown))
        return Reply(fallback=f"{self.title}\n{plain_text(self.markdown)}", blocks=blocks)


def credited_name(idea: Idea, outcome: Outcome) -> str | None:
    """The submitter's name, only for an idea that is not anonymous and whose submitter agreed
    to be named; anyone else is "a colleague"."""
    if idea.anonymous or outcome.credit_agreed is not True:
        return None
    return idea.submitter_name or None


def you_said_we_did(idea: Idea, outcome: Outcome, t: Translator) -> Story:
    """One implemented idea, as an announcement would tell it, in the words of `t`'s
    language around the idea and what was done, which are quoted as written."""
    lines = [
        t(say.YOU_SAID, source=_source(idea, outcome, t)),
        quote(readable(excerpt(idea), t)),
        t(say.WE_DID, text=readable(outcome.what_changed, t)),
    ]
    if outcome.helped:
        lines.append(t(say.THANKS_TO, text=readable(outcome.helped, t)))
    lines.append(t(say.STORY_CLOSING))
    return Story(t(say.STORY_TITLE, headline=readable(idea.headline, t)), "\n".join(lines))


def monthly_digest(
    month: date,
    implemented: Sequence[tuple[Idea, Outcome]],
    t: Translator,
    *,
    unit: str | None = None,
) -> Story:
    """The ideas put in place in `month`, by category in the order staff pick them from, and
    within a category those on one theme next to each other: an idea in Spanish and one in
    English about the same thing sit together."""
    count = len(implemented)
    named = format_date(month, "LLLL", locale=t.locale)
    if unit:
        intro = t.plural(
            "{count} idea from staff was put in place on {unit} in {month}. Thank you to "
            "everyone who shared and voted.",
            "{count} ideas from staff were put in place on {unit} in {month}. Thank you to "
            "everyone who shared and voted.",
            count,
            unit=unit,
            month=named,
        )
    else:
        intro = t.plural(
            "{count} idea from staff was put in place in {month}. Thank you to everyone who "
            "shared and voted.",
            "{count} ideas from staff were put in place in {month}. Thank you to everyone who "
            "shared and voted.",
            count,
            month=named,
        )
    lines = [intro]
    for category, name in CATEGORIES.items():
        entries = _by_theme([(i, o) for i, o in implemented if i.category == category])
        if entries:
            lines.append(f"\n**{t(name)}**")
            lines.extend(_entry(idea, outcome, t) for idea, outcome in entries)
    known = set(CATEGORIES)
    others = _by_theme([(i, o) for i, o in implemented if i.category not in known])
    if others:
        lines.append(f"\n**{t(CATEGORIES['other'])}**")
        lines.extend(_entry(idea, outcome, t) for idea, outcome in others)
    lines.append(f"\n{t(say.DIGEST_CLOSING)}")
    period = month_name(month, t)
    title = (
        t(say.DIGEST_TITLE_UNIT, month=period, unit=unit)
        if unit
        else t(say.DIGEST_TITLE, month=period)
    )
    return Story(title, "\n".join(lines))


def month_name(month: date, t: Translator) -> str:
    """`November 2026`, `noviembre de 2026`: the reader's way, whatever the machine's locale."""
    return format_skeleton("yMMMM", month, locale=t.locale)


def excerpt(idea: Idea) -> str:
    """The screened idea, cut at a word near `EXCERPT` characters."""
    text = " ".join(idea.description.split())
    if len(text) <= EXCERPT:
        return text
    return text[: EXCERPT - 1].rsplit(" ", 1)[0] + "…"


def _by_theme(entries: list[tuple[Idea, Outcome]]) -> list[tuple[Idea, Outcome]]:
    """The entries with those on one theme together, the largest theme first."""
    groups = group_similar(entries, lambda entry: idea_text(entry[0]), terms=theme_terms)
    return [entry for group in groups for entry in group.members]


def _source(idea: Idea, outcome: Outcome, t: Translator) -> str:
    who = credited_name(idea, outcome) or t(say.COLLEAGUE)
    return t(say.SOURCE_UNIT, who=who, unit=idea.unit) if idea.unit else who


def _entry(idea: Idea, outcome: Outcome, t: Translator) -> str:
    source = _source(idea, outcome, t)
    headline, what_changed = readable(idea.headline, t), readable(outcome.what_changed, t)
    if outcome.helped:
        return t(
            say.ENTRY_HELPED,
            headline=headline,
            what_changed=what_changed,
            source=source,
            helped=readable(outcome.helped, t),
        )
    return t(say.ENTRY, headline=headline, what_changed=what_changed, source=source)
