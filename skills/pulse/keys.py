"""The outbox payload key of a survey round: every pulse message (the invitation, the reminder,
the shared results) is about `round:<id>`, so closing a round withdraws all that still wait."""

from __future__ import annotations

ROUND_KEY = "round:"


def round_key(round_id: int) -> str:
    """The outbox payload key of a round's messages."""
    return f"{ROUND_KEY}{round_id}"


def round_of(kind: str, payload_key: str) -> int:
    """The round a `kind` message is about."""
    prefix, _, number = payload_key.partition(":")
    if f"{prefix}:" != ROUND_KEY or not number.isdigit():
        raise ValueError(f"{kind} is about a round, not {payload_key!r}")
    return int(number)
