"""The neutral reply: a small, closed UI model that every adapter renders in its own idiom.

Text uses a Markdown subset (`**bold**`, `_italic_`, `[label](url)`, `- ` bullets) that Slack
renders as mrkdwn, Teams as Adaptive Card Markdown and the console as plain text. A reply always
carries a plain-text `fallback` for notifications, screen readers and clients that show no cards.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum


class Outcome(StrEnum):
    """How the request a reply answers went. Chat shows only the words; the command line turns
    this into its exit status, so a script can tell a refusal from a success."""

    DONE = "done"
    BAD_INPUT = "bad_input"  # the request was not understood: wrong words, a missing argument
    REFUSED = "refused"  # understood, but not done: no such record, not allowed, nothing to do
    FAILED = "failed"  # something broke on the bot's side


class ButtonStyle(StrEnum):
    DEFAULT = "default"
    PRIMARY = "primary"
    DANGER = "danger"


@dataclass(frozen=True)
class Text:
    markdown: str
    subtle: bool = False


@dataclass(frozen=True)
class Facts:
    """Label/value pairs, e.g. an idea's status and category."""

    items: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Button:
    label: str
    action_id: str = ""
    value: str = ""
    style: ButtonStyle = ButtonStyle.DEFAULT
    url: str | None = None  # a link button opens the URL and sends no action

    def __post_init__(self) -> None:
        if not self.url and not _ACTION_ID.fullmatch(self.action_id):
            raise ValueError(f"action id {self.action_id!r} must look like 'skill.verb'")


@dataclass(frozen=True)
class Buttons:
    buttons: tuple[Button, ...]


@dataclass(frozen=True)
class Option:
    label: str
    value: str


@dataclass(frozen=True)
class Choice:
    """A single choice or rating scale; picking an option sends `action_id` with its value.

    `low_label`/`high_label` name the ends of a scale ("Not at all likely" … "Extremely likely").
    """

    action_id: str
    label: str
    options: tuple[Option, ...]
    low_label: str = ""
    high_label: str = ""
    selected: str | None = None

    def __post_init__(self) -> None:
        if not _ACTION_ID.fullmatch(self.action_id):
            raise ValueError(f"action id {self.action_id!r} must look like 'skill.verb'")


class InputKind(StrEnum):
    TEXT = "text"
    MULTILINE = "multiline"
    SELECT = "select"
    TOGGLE = "toggle"


@dataclass(frozen=True)
class Input:
    name: str
    label: str
    kind: InputKind = InputKind.TEXT
    required: bool = False
    options: tuple[Option, ...] = ()
    placeholder: str = ""
    initial: str = ""
    max_length: int | None = None


@dataclass(frozen=True)
class Form:
    """A form: a modal on Slack, a card with inputs on Teams, prompts in the console.

    Submitting sends an `Action` with `submit_action_id` and the inputs in `values`; toggles
    arrive as "true"/"false". `value` is passed through unchanged (e.g. the id being edited).
    Without a `submit_label` the adapter's own "Submit" shows, in the reply's language.
    """

    title: str
    inputs: tuple[Input, ...]
    submit_action_id: str
    submit_label: str = ""
    value: str = ""

    def __post_init__(self) -> None:
        if not _ACTION_ID.fullmatch(self.submit_action_id):
            raise ValueError(f"action id {self.submit_action_id!r} must look like 'skill.verb'")


@dataclass(frozen=True)
class Image:
    """A picture, either at a public URL or as PNG bytes (uploaded or inlined by the adapter)."""

    alt_text: str
    title: str = ""
    url: str | None = None
    png: bytes | None = field(default=None, repr=False)
    filename: str = ""  # for PNG bytes saved as a file: what it is and when (`bot.exports`)


@dataclass(frozen=True)
class File:
    """A file for the recipient to download, e.g. a CSV export."""

    filename: str
    data: bytes = field(repr=False)
    mime_type: str = "text/csv"
    title: str = ""


@dataclass(frozen=True)
class Divider:
    pass


Block = Text | Facts | Buttons | Choice | Form | Image | File | Divider


@dataclass(frozen=True)
class Reply:
    """What a handler answers. `ephemeral` shows it only to the actor where the platform can;
    `replace_original` updates the message whose control was used instead of posting anew.
    `language` is its reader's ("es"): the words an adapter adds of its own (a modal's Cancel,
    a file's caption) follow it. The router sets it from the person answered and the outbox
    from the recipient, unless the handler set it (an answer in a language just chosen)."""

    fallback: str
    blocks: tuple[Block, ...] = ()
    ephemeral: bool = False
    replace_original: bool = False
    outcome: Outcome = Outcome.DONE
    language: str | None = None

    @classmethod
    def text(
        cls, markdown: str, *, ephemeral: bool = False, outcome: Outcome = Outcome.DONE
    ) -> Reply:
        return cls(
            fallback=plain_text(markdown),
            blocks=(Text(markdown),),
            ephemeral=ephemeral,
            outcome=outcome,
        )

    @classmethod
    def of(cls, *blocks: Block, ephemeral: bool = False, replace_original: bool = False) -> Reply:
        """A reply whose plain fallback is read off its text and facts blocks."""
        return cls(
            fallback=fallback_of(blocks),
            blocks=blocks,
            ephemeral=ephemeral,
            replace_original=replace_original,
        )

    def forms(self) -> tuple[Form, ...]:
        return tuple(b for b in self.blocks if isinstance(b, Form))


_ACTION_ID = re.compile(r"[a-z][a-z0-9_]*\.[a-z][a-z0-9_.]*")
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1|(?<![\w*])_(?!\s)(.+?)(?<!\s)_(?!\w)")


def plain_text(markdown: str) -> str:
    """Markdown subset to plain text; links keep their address so nothing is lost."""
    text = _LINK.sub(lambda m: f"{m.group(1)} ({m.group(2)})", markdown)
    return _EMPHASIS.sub(lambda m: m.group(2) or m.group(3), text)


def fallback_of(blocks: Iterable[Block]) -> str:
    """The plain text a screen reader or notification shows for these blocks."""
    parts = []
    for block in blocks:
        if isinstance(block, Text):
            parts.append(plain_text(block.markdown))
        elif isinstance(block, Facts):
            parts.append(", ".join(f"{label}: {value}" for label, value in block.items))
    return "\n".join(parts)
