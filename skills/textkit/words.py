"""Word-level basics: text with its accents folded away, and word lists written as blocks."""

from __future__ import annotations

import unicodedata


def strip_accents(text: str) -> str:
    """The text with accents and other combining marks removed ("Ramírez" -> "Ramirez") and
    compatibility characters unfolded (the "ﬁ" ligature -> "fi"); case is kept."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> frozenset[str]:
    """The whitespace-separated words of a block of text: word lists read better that way."""
    return frozenset(text.split())
