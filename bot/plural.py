"""Counts in the command line's English: "1 article", "2 articles", never "1 articles".

What people read in chat counts with their translator (`Translator.plural`); operator tools
such as `breakroom kb check` write English."""

from __future__ import annotations


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """`count` and the noun in the form that agrees with it; `plural` for irregular nouns
    ("person", "people")."""
    word = noun if count == 1 else (plural or f"{noun}s")
    return f"{count:,} {word}"
