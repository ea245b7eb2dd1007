"""Counts agree with their nouns wherever they are shown."""

from __future__ import annotations

from bot.plural import counted


def test_one_is_singular_and_every_other_count_is_plural() -> None:
    assert counted(1, "vote") == "1 vote"
    assert [counted(n, "vote") for n in (0, 2)] == ["0 votes", "2 votes"]
    assert counted(1, "person", "people") == "1 person"
    assert counted(1200, "person", "people") == "1,200 people"
