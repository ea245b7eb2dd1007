"""Name and word lists shipped in `skills/phi/data` (see its README for sources), read once.

Keys are folded the same way for the lists and for the text: lowercase, accents and apostrophes
dropped, so "Ramírez", "O'Brien" and "obrien" meet the census spellings "ramirez" and "obrien".
"""

from __future__ import annotations

import functools
from importlib import resources

from babel.dates import get_month_names

from skills.textkit.words import strip_accents

# The languages staff write in.
LANGUAGES = ("en", "es")


def fold(word: str) -> str:
    """The lookup key of a word."""
    return strip_accents(word).lower().replace("'", "").replace("\u2019", "")


def _lines(name: str) -> list[str]:
    data = resources.files("skills.phi").joinpath("data", name)
    return data.read_text(encoding="utf-8").split()


@functools.cache
def first_names() -> frozenset[str]:
    """Given names, with the Spanish short and pet forms staff call each other by ("Chuy")."""
    return frozenset(_lines("first_names.csv") + _lines("nicknames_es.csv"))


@functools.cache
def surnames() -> frozenset[str]:
    return frozenset(_lines("surnames.csv"))


@functools.cache
def common_words() -> dict[str, float]:
    """Everyday English and Spanish words with their Zipf frequency in that language (3 = once
    per million words); a word everyday in both keeps the higher. One list for both, since staff
    write in either and a name among Spanish words is as much a name as among English ones."""
    out: dict[str, float] = {}
    for name in ("common_words.csv", "common_words_es.csv"):
        for line in _lines(name):
            word, zipf = line.split(",")
            out[word] = max(float(zipf), out.get(word, 0.0))
    return out


@functools.cache
def month_numbers() -> dict[str, int]:
    """Every wide and abbreviated month name of `LANGUAGES` from CLDR (through Babel), folded,
    with its number; plus spellings CLDR leaves out ("sept" in English, "setiembre")."""
    out = {"sept": 9, "setiembre": 9}
    for language in LANGUAGES:
        for width in ("wide", "abbreviated"):
            for number, name in get_month_names(width, locale=language).items():
                out[fold(name).rstrip(".")] = number
    return out
