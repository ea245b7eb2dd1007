"""Finding English on a Spanish speaker's screen.

`english_words` names the words of a text that are English and never Spanish: function words and
the everyday words of this bot's messages, and the PHI screen's tags as they are stored ("[NAME]",
"[DATE]"), which a Spanish speaker reads in Spanish ("[NOMBRE]", "[FECHA]"). What a person typed,
an article's own text, names and commands in `backticks` are the caller's to leave out; links and
code are skipped here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from bot.replies import Buttons, Choice, Facts, File, Form, Image, Reply, Text
from skills.phi.tags import TAGS

# English words that are not Spanish words (so "a", "no", "me", "son", "he", "come", "red",
# "idea", "hospital" and the months Spanish abbreviates alike, "feb", "mar", "jun", "jul", "oct",
# "nov", are not there), and are not product or platform names.
ENGLISH_ONLY = frozenset(
    word
    for line in (Path(__file__).parent / "data" / "english_only_words.txt").read_text().splitlines()
    if not line.startswith("#")
    for word in line.split()
)

_SKIPPED = re.compile(r"`[^`]*`|https?://\S+|<[^>]+>|\[([^\]]*)\]\([^)]*\)")
_STORED_TAG = "|".join(re.escape(message) for message in TAGS.values())
_WORD = re.compile(rf"{_STORED_TAG}|[^\W\d_]+(?:'[^\W\d_]+)?")


def english_words(text: str) -> list[str]:
    """The English-only words and stored tags in `text`, in order, links' addresses and code
    left out."""
    readable = _SKIPPED.sub(lambda m: m.group(1) or " ", text)
    return [w for w in _WORD.findall(readable) if w.startswith("[") or w.lower() in ENGLISH_ONLY]


def screen_text(reply: Reply) -> str:
    """Everything a person reads of a reply: its text, facts, buttons, choices and forms."""
    parts = [reply.fallback]
    for block in reply.blocks:
        if isinstance(block, Text):
            parts.append(block.markdown)
        elif isinstance(block, Facts):
            parts += [f"{label}: {value}" for label, value in block.items]
        elif isinstance(block, Buttons):
            parts += [button.label for button in block.buttons]
        elif isinstance(block, Choice):
            parts += [block.label, block.low_label, block.high_label]
            parts += [option.label for option in block.options]
        elif isinstance(block, Form):
            parts += [block.title, block.submit_label]
            for field in block.inputs:
                parts += [field.label, field.placeholder]
                parts += [option.label for option in field.options]
        elif isinstance(block, Image | File):
            parts += [block.title, getattr(block, "alt_text", "")]
    return "\n".join(part for part in parts if part)


def english_on_screen(replies: Iterable[Reply], written: Iterable[str] = ()) -> list[str]:
    """The English-only words anywhere in these replies, leaving out what people and articles
    wrote (`written`: what was typed, the titles of articles that have no Spanish version),
    which is shown as written."""
    shown_as_written = sorted({part for part in written if part}, key=len, reverse=True)
    words = []
    for reply in replies:
        text = screen_text(reply)
        for part in shown_as_written:
            text = text.replace(part, " ")
        words += english_words(text)
    return words
