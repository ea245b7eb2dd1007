"""Reading a typed command line into words, the way people type on phones.

Quotes group words, straight ("5 North", '5 North') or curly, in any pairing within one family
(double or single), because phone keyboards swap them as they please. A quote opens only at the
start of a word and closes only at the end of one, so apostrophes inside words (can't, and its
curly twin) stay as typed. A quote left open runs to the end of the line instead of failing: the
person meant the rest of it. Reading never fails; what the words mean is `bot.arguments`' job.
"""

from __future__ import annotations

from dataclasses import dataclass

LEFT_DOUBLE = "\N{LEFT DOUBLE QUOTATION MARK}"
RIGHT_DOUBLE = "\N{RIGHT DOUBLE QUOTATION MARK}"
LEFT_SINGLE = "\N{LEFT SINGLE QUOTATION MARK}"
RIGHT_SINGLE = "\N{RIGHT SINGLE QUOTATION MARK}"  # also the curly apostrophe
LOW_DOUBLE = "\N{DOUBLE LOW-9 QUOTATION MARK}"
LOW_SINGLE = "\N{SINGLE LOW-9 QUOTATION MARK}"
DOUBLE_QUOTES = frozenset({'"', LEFT_DOUBLE, RIGHT_DOUBLE, LOW_DOUBLE})
SINGLE_QUOTES = frozenset({"'", LEFT_SINGLE, RIGHT_SINGLE, LOW_SINGLE})
# The curly apostrophe also starts words (the short 'til, the '90s), so it never opens a quote.
OPENING_QUOTES = DOUBLE_QUOTES | {"'", LEFT_SINGLE, LOW_SINGLE}
_QUOTE_PAIRS = (('"', '"'), ("'", "'"), (LEFT_DOUBLE, RIGHT_DOUBLE), (LEFT_SINGLE, RIGHT_SINGLE))


@dataclass(frozen=True)
class Token:
    """A word of the line: its text without quotes, where it starts (at its opening quote, if
    any) so free text can be taken as typed from there, and whether it was quoted."""

    text: str
    start: int
    quoted: bool = False


def tokenize(line: str) -> list[Token]:
    tokens: list[Token] = []
    at, end = 0, len(line)
    while at < end:
        if line[at].isspace():
            at += 1
            continue
        start = at
        if line[at] in OPENING_QUOTES:
            family = DOUBLE_QUOTES if line[at] in DOUBLE_QUOTES else SINGLE_QUOTES
            at += 1
            while at < end and not (line[at] in family and _ends_word(line, at)):
                at += 1
            text = line[start + 1 : at] if at < end else line[start + 1 :].rstrip()
            tokens.append(Token(text, start, quoted=True))
            at += 1
        else:
            while at < end and not line[at].isspace():
                at += 1
            tokens.append(Token(line[start:at], start))
    return tokens


def quote(word: str) -> str:
    """`word` written so that `tokenize` reads it back as one word, unchanged: for passing words
    that arrived already split (a terminal's arguments) through a typed command line."""
    if word and tokenize(word) == [Token(word, 0)]:
        return word
    for left, right in _QUOTE_PAIRS:
        quoted = f"{left}{word}{right}"
        if [token.text for token in tokenize(quoted)] == [word]:
            return quoted
    # Every quote pair appears inside the word followed by a space: no spelling survives, and
    # double quotes lose the least.
    return f'"{word}"'


def _ends_word(line: str, at: int) -> bool:
    return at + 1 == len(line) or line[at + 1].isspace()
