"""Reading the ids people type or buttons carry ("12", "#12")."""

from __future__ import annotations


def parse_id(value: str) -> int | None:
    """The number in "12" or "#12"; None for anything else."""
    value = value.strip().lstrip("#")
    return int(value) if value.isdigit() else None
