"""What one word says about being part of a person's name, before its neighbours are read.

Each word is looked up in the first-name and surname lists and in the list of everyday words:
a name-list word that is not an everyday word ("Okafor", "Yolanda") is *strong*; one that is
also an everyday word ("Grace", "Will") is *weak*; an unlisted word is *unknown*; stop words never
start or extend a name. `skills.phi.names` reads the context around these words.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

from skills.phi import words as w
from skills.phi.lexicon import common_words, first_names, fold, surnames


class Kind(Enum):
    STOP = "stop"
    WEAK = "weak"
    FIRST = "first"
    LAST = "last"
    UNKNOWN = "unknown"


STRONG = (Kind.FIRST, Kind.LAST)
# Zipf frequency above which a weak word is too everyday to be read as a name without a first
# name before it or in lowercase after "mr": "smith" (4.9) passes, "call" or "money" do not.
_EVERYDAY = 5.0

_APOSTROPHES = "'\u2019"
_TOKEN = re.compile(r"[^\W\d_]+(?:['\u2019][^\W\d_]+)*(?:-[^\W\d_]+(?:['\u2019][^\W\d_]+)*)*")
_CONTRACTION = re.compile(r"(?i)['\u2019](?:m|re|ve|ll|d|t)$")
_NAME_PREFIX = re.compile(r"^(?:Mc|Mac|O['\u2019]|D['\u2019]|N['\u2019]|De|Di|La|Le|Van)")


@dataclass(frozen=True, slots=True)
class Token:
    start: int
    end: int  # without a possessive 's
    full_end: int
    text: str
    key: str
    kind: Kind
    possessive: bool

    @property
    def shape(self) -> str:
        if self.text.isupper() and len(self.text) > 1:
            return "upper"
        return "cap" if self.text[0].isupper() else "lower"

    @property
    def name_shaped(self) -> bool:
        """Capitalized like a name ("Okafor", "McGrath", "Eun-ji"), not like "MyChart" or "CNAs"."""
        rest = _NAME_PREFIX.sub("", self.text)
        inner = any(
            c.isupper() and rest[k - 1] not in "-" + _APOSTROPHES for k, c in enumerate(rest) if k
        )
        return self.shape == "cap" and not inner

    def everyday(self) -> bool:
        return common_words().get(self.key, 0.0) > _EVERYDAY


@functools.lru_cache(maxsize=1 << 16)
def kind_of(key: str) -> Kind:
    """What a folded word alone says about being a name."""
    if "-" in key:
        return _compound_kind([p for p in key.split("-") if p not in w.PARTICLES])
    if key in w.STOPWORDS or len(key) < 2:
        return Kind.STOP
    listed = key in first_names() or key in surnames()
    if key in w.MONTHS:
        return Kind.WEAK if listed else Kind.STOP
    if key in common_words():
        return Kind.WEAK if listed else Kind.STOP
    if key in first_names():
        return Kind.FIRST
    return Kind.LAST if key in surnames() else Kind.UNKNOWN


def _compound_kind(parts: list[str]) -> Kind:
    """ "Whitaker-Gould" is a name, "Rose-colored" and "X-ray" are not."""
    if not parts or any(len(p) < 2 for p in parts):
        return Kind.STOP
    kinds = [kind_of(p) for p in parts]
    for strong in STRONG:
        if strong in kinds:
            return strong
    if any(k is Kind.STOP and len(p) > 2 for k, p in zip(kinds, parts, strict=True)):
        return Kind.STOP
    return Kind.WEAK if Kind.WEAK in kinds else Kind.UNKNOWN


def tokens(text: str, taken: Iterable[tuple[int, int]]) -> list[Token]:
    """The words of `text` outside the `taken` spans, with their kinds."""
    blocked, b = sorted(taken), 0
    out = []
    for m in _TOKEN.finditer(text):
        start, full_end = m.span()
        while b < len(blocked) and blocked[b][1] <= start:
            b += 1
        if b < len(blocked) and blocked[b][0] < full_end:
            continue
        word = m.group()
        possessive = len(word) > 2 and word[-1] == "s" and word[-2] in _APOSTROPHES
        if possessive:
            word = word[:-2]
        key = fold(word)
        kind = kind_of(key)
        if kind is not Kind.STOP and _CONTRACTION.search(word):
            kind = Kind.STOP  # "I'm", "we'd"
        out.append(Token(start, start + len(word), full_end, word, key, kind, possessive))
    return out
