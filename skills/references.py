"""Reading the ids people type or buttons carry ("12", "#12")."""

from __future__ import annotations

from bot.arguments import whole_number


def parse_id(value: str) -> int | None:
    """The number in "12" or "#12"; None for anything else, including digits of other scripts
    and numbers too big for a database id."""
    return whole_number(value.strip().lstrip("#"))
