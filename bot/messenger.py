"""The messenger port: how the core and skills send proactively, whatever the platform.

Adapters implement `Messenger` and speak of failures in the core's terms (`DeliveryError` and its
kinds); `bot.outbound.Outbound` picks the right messenger for a person or channel.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from bot.replies import Reply
from storage.people import Identity


@dataclass(frozen=True)
class SentMessage:
    """A message the platform accepted; `handle` is opaque and lets the adapter update it."""

    platform: str
    message_id: str
    handle: Mapping[str, Any] = field(default_factory=dict, compare=False)


class DeliveryError(Exception):
    """The platform refused or failed a send."""


class RecipientUnreachable(DeliveryError):
    """The person blocked or uninstalled the bot, or no longer exists: do not retry."""


class RateLimited(DeliveryError):
    """The platform asked us to slow down; retry after `retry_after` seconds."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"rate limited, retry after {retry_after:.1f}s")
        self.retry_after = retry_after


class Messenger(Protocol):
    platform: str

    async def send_direct(
        self, identity: Identity, reply: Reply, *, dedupe_key: str | None = None
    ) -> SentMessage:
        """Send a DM. A `dedupe_key` is stored with the message where the platform allows, so
        that `find_sent` can tell later whether a send whose outcome was lost went out."""
        ...

    async def find_sent(
        self, identity: Identity, dedupe_key: str, since: datetime
    ) -> SentMessage | None:
        """The DM sent with `dedupe_key` no earlier than `since`; None when there is none or the
        platform cannot tell (the caller then sends again: at least once, not exactly once)."""
        ...

    async def send_to_channel(self, channel_id: str, reply: Reply) -> SentMessage: ...

    async def update(self, sent: SentMessage, reply: Reply) -> None: ...

    async def channel_members(self, channel_id: str) -> list[str]:
        """User ids of a channel's (Slack) or team's (Teams) members, for survey audiences. Only
        reads: people are stored by the directory sync (`bot.directory`)."""
        ...


class NoRoute(DeliveryError):
    """No mounted platform can reach this person or channel."""
