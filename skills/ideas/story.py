"""The "you said, we did" words: what staff said, what was done about it, who helped, and who
had the idea when they agreed to be named. Platform-free, a title and Markdown, so the same
text serves the notices, the leader's preview, an announcement draft and the monthly digest.

Idea text is PHI-screened before it is stored, so what is quoted here is the screened text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from bot.plural import counted
from bot.replies import Reply, Text, plain_text
from skills.ideas.common import quote
from skills.ideas.messages import CATEGORIES
from storage.idea_outcomes import Outcome
from storage.ideas import Idea

MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
COLLEAGUE = "a colleague"
EXCERPT = 280  # characters of the idea quoted: enough to recognise it on a phone
CLOSING = "Thank you to everyone who shared and backed it. Got an idea? Type `idea` to share it."
DIGEST_CLOSING = "Have an idea of your own? Type `idea` to share it."


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


def you_said_we_did(idea: Idea, outcome: Outcome) -> Story:
    """One implemented idea, as an announcement would tell it."""
    lines = [
        f"**You said** ({_source(idea, outcome)}):",
        quote(excerpt(idea)),
        f"**We did:** {outcome.what_changed}",
    ]
    if outcome.helped:
        lines.append(f"**Thanks to:** {outcome.helped}")
    lines.append(CLOSING)
    return Story(f"You said, we did: {idea.headline}", "\n".join(lines))


def monthly_digest(
    month: date, implemented: Sequence[tuple[Idea, Outcome]], *, unit: str | None = None
) -> Story:
    """The ideas put in place in `month`, by category in the order staff pick them from."""
    where = f" on {unit}" if unit else ""
    count = len(implemented)
    lines = [
        f"{counted(count, 'idea')} from staff {'was' if count == 1 else 'were'} put in place"
        f"{where} in {MONTH_NAMES[month.month - 1]}. Thank you to everyone who shared and voted."
    ]
    for category, name in CATEGORIES.items():
        entries = [(i, o) for i, o in implemented if i.category == category]
        if entries:
            lines.append(f"\n**{name}**")
            lines.extend(_entry(idea, outcome) for idea, outcome in entries)
    known = set(CATEGORIES)
    others = [(i, o) for i, o in implemented if i.category not in known]
    if others:
        lines.append("\n**Other**")
        lines.extend(_entry(idea, outcome) for idea, outcome in others)
    lines.append(f"\n{DIGEST_CLOSING}")
    return Story(f"You said, we did: {month_name(month)}{where}", "\n".join(lines))


def month_name(month: date) -> str:
    """`November 2026`, the same whatever the machine's locale."""
    return f"{MONTH_NAMES[month.month - 1]} {month.year}"


def excerpt(idea: Idea) -> str:
    """The screened idea, cut at a word near `EXCERPT` characters."""
    text = " ".join(idea.description.split())
    if len(text) <= EXCERPT:
        return text
    return text[: EXCERPT - 1].rsplit(" ", 1)[0] + "…"


def _source(idea: Idea, outcome: Outcome) -> str:
    who = credited_name(idea, outcome) or COLLEAGUE
    return f"{who}, {idea.unit}" if idea.unit else who


def _entry(idea: Idea, outcome: Outcome) -> str:
    thanks = f"; thanks to {outcome.helped}" if outcome.helped else ""
    return (
        f"- **{idea.headline}**: {outcome.what_changed} "
        f"_(an idea from {_source(idea, outcome)}{thanks})_"
    )
