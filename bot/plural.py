"""Counts in words people read: "1 vote", "2 votes", never "1 votes" or "vote(s)"."""

from __future__ import annotations


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """`count` and the noun in the form that agrees with it; `plural` for irregular nouns
    ("person", "people")."""
    word = noun if count == 1 else (plural or f"{noun}s")
    return f"{count:,} {word}"
