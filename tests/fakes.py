"""Test doubles that sit where a platform or the clock would: a messenger that records what it
sends, and monotonic time that only moves when told."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from bot.messenger import DeliveryError, RecipientUnreachable, SentMessage
from bot.replies import Reply
from storage.people import Identity


@dataclass
class Sent:
    to: str
    reply: Reply
    message_id: str
    dedupe_key: str | None = None


@dataclass
class RecordingMessenger:
    platform: str = "console"
    direct: list[Sent] = field(default_factory=list)
    channel: list[Sent] = field(default_factory=list)
    updates: list[Sent] = field(default_factory=list)
    blocked: set[str] = field(default_factory=set)
    # Errors the next sends to a user raise, one per send, before anything is recorded.
    failures: dict[str, list[DeliveryError]] = field(default_factory=dict)
    # Users whose sends are recorded but then raise, as when a reply is lost on the way back.
    lost_replies: set[str] = field(default_factory=set)
    # Channel id -> member user ids, for channel audiences.
    members: dict[str, list[str]] = field(default_factory=dict)

    async def send_direct(
        self, identity: Identity, reply: Reply, *, dedupe_key: str | None = None
    ) -> SentMessage:
        if identity.user_id in self.blocked:
            raise RecipientUnreachable(identity.user_id)
        if self.failures.get(identity.user_id):
            raise self.failures[identity.user_id].pop(0)
        sent = Sent(
            identity.user_id, reply, f"m{len(self.direct) + len(self.channel) + 1}", dedupe_key
        )
        self.direct.append(sent)
        if identity.user_id in self.lost_replies:
            raise DeliveryError("the connection dropped before the answer came back")
        return SentMessage(self.platform, sent.message_id, {"to": identity.user_id})

    async def find_sent(
        self, identity: Identity, dedupe_key: str, since: datetime
    ) -> SentMessage | None:
        for sent in self.direct:
            if sent.to == identity.user_id and sent.dedupe_key == dedupe_key:
                return SentMessage(self.platform, sent.message_id, {"to": identity.user_id})
        return None

    async def send_to_channel(self, channel_id: str, reply: Reply) -> SentMessage:
        sent = Sent(channel_id, reply, f"m{len(self.direct) + len(self.channel) + 1}")
        self.channel.append(sent)
        return SentMessage(self.platform, sent.message_id, {"channel": channel_id})

    async def update(self, sent: SentMessage, reply: Reply) -> None:
        self.updates.append(Sent(str(sent.handle), reply, sent.message_id))

    async def channel_members(self, channel_id: str) -> list[str]:
        return list(self.members.get(channel_id, []))

    def direct_to(self, user_id: str) -> list[Reply]:
        return [s.reply for s in self.direct if s.to == user_id]


class FakeTime:
    """Monotonic time and a sleep that only moves it, for rate limiter timing."""

    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []
        self.on_sleep: Callable[[], None] | None = None

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 6))
        if self.on_sleep is not None:
            self.on_sleep()
        self.now += seconds
        await asyncio.sleep(0)
