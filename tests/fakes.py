"""Test doubles that sit where a platform would: a messenger that records what it sends."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.messenger import RecipientUnreachable, SentMessage
from bot.replies import Reply
from storage.people import Identity


@dataclass
class Sent:
    to: str
    reply: Reply
    message_id: str


@dataclass
class RecordingMessenger:
    platform: str = "console"
    direct: list[Sent] = field(default_factory=list)
    channel: list[Sent] = field(default_factory=list)
    updates: list[Sent] = field(default_factory=list)
    blocked: set[str] = field(default_factory=set)

    async def send_direct(self, identity: Identity, reply: Reply) -> SentMessage:
        if identity.user_id in self.blocked:
            raise RecipientUnreachable(identity.user_id)
        sent = Sent(identity.user_id, reply, f"m{len(self.direct) + len(self.channel) + 1}")
        self.direct.append(sent)
        return SentMessage(self.platform, sent.message_id, {"to": identity.user_id})

    async def send_to_channel(self, channel_id: str, reply: Reply) -> SentMessage:
        sent = Sent(channel_id, reply, f"m{len(self.direct) + len(self.channel) + 1}")
        self.channel.append(sent)
        return SentMessage(self.platform, sent.message_id, {"channel": channel_id})

    async def update(self, sent: SentMessage, reply: Reply) -> None:
        self.updates.append(Sent(str(sent.handle), reply, sent.message_id))

    def direct_to(self, user_id: str) -> list[Reply]:
        return [s.reply for s in self.direct if s.to == user_id]
