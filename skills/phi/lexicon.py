"""Name and word lists shipped in `skills/phi/data` (see its README for sources), read once.

Keys are folded the same way for the lists and for the text: lowercase, accents and apostrophes
dropped, so "Ramírez", "O'Brien" and "obrien" meet the census spellings "ramirez" and "obrien".
"""

from __future__ import annotations

import functools
from importlib import resources

from skills.textkit.words import strip_accents


def fold(word: str) -> str:
    """The lookup key of a word."""
    return strip_accents(word).lower().replace("'", "").replace("\u2019", "")


def _lines(name: str) -> list[str]:
    data = resources.files("skills.phi").joinpath("data", name)
    return data.read_text(encoding="utf-8").split()


@functools.cache
def first_names() -> frozenset[str]:
    return frozenset(_lines("first_names.csv"))


@functools.cache
def surnames() -> frozenset[str]:
    return frozenset(_lines("surnames.csv"))


@functools.cache
def common_words() -> dict[str, float]:
    """Everyday English words with their Zipf frequency (3 = once per million words)."""
    out: dict[str, float] = {}
    for line in _lines("common_words.csv"):
        word, zipf = line.split(",")
        out[word] = float(zipf)
    return out
