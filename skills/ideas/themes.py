"""The themes ideas are about, read the same from English and Spanish: for the first guess of
an idea's category and for finding alike ideas, whichever language each was written in.

The themes and their words are data (`themes.yaml` beside this module, documented at its top),
general hospital vocabulary a person can read and extend. A theme's words, in either language,
stand for one shared term (`theme:bedding`), so "warm blankets" and "cobijas calientes" share
their terms; words of no theme keep their own stems, Spanish words that say nothing about the
theme left out, so that an idea in Spanish is not kept apart by its articles and prepositions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib.resources import files
from typing import Any

import yaml

from skills.knowledge.text import content_terms
from skills.textkit.words import strip_accents

THEMES_FILE = "themes.yaml"
THEME_PREFIX = "theme:"
OTHER = "other"

_WORD = re.compile(r"[a-z0-9]+")
_COMMON = ""  # the "theme" of the words every idea names: none


@dataclass(frozen=True)
class Themes:
    """The contents of `themes.yaml`, with the pattern that finds any theme's words."""

    categories: dict[str, str | None]  # theme -> category
    category_order: tuple[str, ...]
    stop_words: frozenset[str]
    pattern: re.Pattern[str]
    group_theme: dict[str, str]  # pattern group -> theme


def _phrase(word: str) -> str:
    """The pattern of one entry: whole words, with a plural ending, or any ending after `*`."""
    folded = strip_accents(word.lower().strip())
    stem, star = (folded[:-1], True) if folded.endswith("*") else (folded, False)
    body = r"[\s-]+".join(re.escape(part) for part in stem.split())
    ending = "[a-z]*" if star else "(?:e?s)?"
    return rf"(?<![a-z0-9]){body}{ending}(?![a-z0-9])"


def parse_themes(text: str) -> Themes:
    data: Any = yaml.safe_load(text)
    themes: dict[str, Any] = data["themes"]
    entries: list[tuple[str, str]] = []
    categories: dict[str, str | None] = {}
    for name, theme in themes.items():
        categories[name] = theme.get("category")
        entries += [(str(word), name) for word in theme["words"]]
    # Matched like a theme's words, so that they are taken out, but they name no theme.
    entries += [(str(word), _COMMON) for word in data["common_words"]]
    # Longest first: at any place, the longest phrase that matches is the one taken.
    entries.sort(key=lambda entry: len(entry[0].rstrip("*")), reverse=True)
    group_theme = {f"g{i}": name for i, (_, name) in enumerate(entries)}
    alternatives = "|".join(f"(?P<g{i}>{_phrase(word)})" for i, (word, _) in enumerate(entries))
    return Themes(
        categories=categories,
        category_order=tuple(data["category_order"]),
        stop_words=frozenset(strip_accents(data["spanish_stop_words"]).split()),
        pattern=re.compile(alternatives),
        group_theme=group_theme,
    )


@cache
def themes() -> Themes:
    return parse_themes((files("skills.ideas") / THEMES_FILE).read_text(encoding="utf-8"))


@lru_cache(maxsize=8192)
def _read(text: str) -> tuple[frozenset[str], str]:
    """The themes `text` names, and what is left of it once their words are taken out."""
    known = themes()
    found: set[str] = set()

    def take(match: re.Match[str]) -> str:
        assert match.lastgroup is not None
        theme = known.group_theme[match.lastgroup]
        if theme != _COMMON:
            found.add(theme)
        return " "

    rest = known.pattern.sub(take, strip_accents(text.lower()))
    kept = " ".join(w for w in _WORD.findall(rest) if w not in known.stop_words)
    return frozenset(found), kept


def named_themes(text: str) -> frozenset[str]:
    return _read(text)[0]


def theme_terms(text: str) -> set[str]:
    """The terms an idea is compared by: one per theme it names, in whichever language, and
    the stems of its other content words."""
    found, rest = _read(text)
    return {THEME_PREFIX + name for name in found} | content_terms(rest)


def guess_category(text: str) -> str:
    """A first guess the submitter can change: the most specific category among the themes
    the idea names."""
    known = themes()
    named = {known.categories[name] for name in named_themes(text)}
    return next((c for c in known.category_order if c in named), OTHER)
