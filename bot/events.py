"""Neutral events: what an adapter hands the core, whatever the platform said.

Skills see only these types. Anything platform-specific that an adapter needs later (a Slack
`trigger_id`, a Teams `serviceUrl`, the id of the message a button sat on) travels inside
`ConversationRef.data` and `Action.source`, which only the adapter that made them reads.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any


class Platform(StrEnum):
    SLACK = "slack"
    TEAMS = "teams"
    CONSOLE = "console"


class ConversationKind(StrEnum):
    DIRECT = "direct"
    CHANNEL = "channel"
    GROUP = "group"


@dataclass(frozen=True)
class Actor:
    """Who did something, as the platform knows them."""

    platform: str
    tenant: str
    user_id: str
    display_name: str = ""
    timezone: str | None = None
    locale: str | None = None
    email: str | None = None
    # Roles this event acts with, vouched for by the adapter instead of the stored ones: the
    # terminal's `--role`, which lasts as long as its chat. None (every chat platform): stored.
    session_roles: frozenset[str] | None = None


@dataclass(frozen=True)
class ConversationRef:
    """Where to answer. `data` is opaque to the core and skills: only its adapter reads it."""

    platform: str
    kind: ConversationKind = ConversationKind.DIRECT
    data: Mapping[str, Any] = field(default_factory=dict, compare=False)


def new_event_id() -> str:
    return uuid.uuid4().hex


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, kw_only=True)
class Event:
    actor: Actor
    conversation: ConversationRef
    id: str = field(default_factory=new_event_id)
    received_at: datetime = field(default_factory=utc_now)
    # True when the platform may deliver the same event again (Slack retries, Teams redelivery):
    # the core then stores the id and drops repeats.
    redelivered_possible: bool = False


@dataclass(frozen=True, kw_only=True)
class Message(Event):
    """Free text in a direct message, or a message that @mentioned the bot (mention removed)."""

    text: str
    mentioned: bool = False


@dataclass(frozen=True, kw_only=True)
class Command(Event):
    """A slash command (`/ask …`) or a bot command typed as the first word (`ask …`)."""

    name: str
    text: str = ""


@dataclass(frozen=True, kw_only=True)
class Action(Event):
    """A button press, a choice on a scale, or a submitted form.

    `action_id` is `"<skill>.<verb>"`; `value` is the pressed button's value; `values` holds the
    inputs of a submitted form by input name. `source` identifies the message the control sat on,
    so a reply with `replace_original` can update it in place.
    """

    action_id: str
    value: str = ""
    values: Mapping[str, str] = field(default_factory=dict, compare=False)
    source: Mapping[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True, kw_only=True)
class MemberJoined(Event):
    """Someone joined a channel or team the bot is in, or installed the bot (`installed`): a
    newcomer to a shared conversation is welcomed privately, an installation for all to see."""

    channel_id: str | None = None
    installed: bool = False


@dataclass(frozen=True, kw_only=True)
class HomeOpened(Event):
    """The person opened the bot's home surface (Slack's App Home tab). The answer replaces
    what the surface showed, so it is drawn fresh from storage every time."""


@dataclass(frozen=True, kw_only=True)
class ScheduledTrigger(Event):
    """A job fired by the scheduler; `actor` is the system actor."""

    job: str
    payload: Mapping[str, Any] = field(default_factory=dict, compare=False)


SYSTEM_ACTOR = Actor(
    platform="system", tenant="local", user_id="breakroom", display_name="Breakroom"
)
SYSTEM_CONVERSATION = ConversationRef(platform="system")
