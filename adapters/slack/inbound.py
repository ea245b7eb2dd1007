"""Slack payloads as neutral events: pure functions over the JSON bolt hands a listener.

Everything a reply needs later (channel, thread, `response_url`, `trigger_id`, the message a
button sat on) goes into `ConversationRef.data` and `Action.source`, which only this adapter
reads. Events API deliveries keep Slack's `event_id` and are marked as possibly redelivered, so
the router stores the id and a retry has its effect once, across restarts too.

Payload shapes: https://docs.slack.dev/reference/events (Events API),
https://docs.slack.dev/interactivity/implementing-slash-commands and
https://docs.slack.dev/reference/interaction-payloads.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from typing import Any

from adapters.slack.render import LINK_ACTION, neutral_action_id
from bot.events import (
    Action,
    Actor,
    Command,
    ConversationKind,
    ConversationRef,
    Event,
    HomeOpened,
    MemberJoined,
    Message,
    Platform,
)

Json = Mapping[str, Any]
PLATFORM = Platform.SLACK.value
# The Events API event types translated here; the app listens to exactly these.
EVENT_TYPES = ("message", "app_mention", "app_home_opened", "member_joined_channel")

# <@U123>, <@U123|name>, <#C123|general>, <!here>, <https://x.org|label>, <mailto:a@b.org|a@b.org>
_MARKUP = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>")


def translate(body: Json, *, bot_user_id: str | None = None) -> Event | None:
    """The neutral event for one request body, or None for what the bot ignores (its own
    messages, edits and other message subtypes, tabs and clicks that need no answer)."""
    kind = body.get("type")
    if kind == "event_callback":
        return _event(body, bot_user_id)
    if kind == "block_actions":
        return _block_action(body)
    if kind == "view_submission":
        return _form_submission(body)
    if kind in ("shortcut", "message_action"):
        return _shortcut(body)
    if "command" in body:
        return _slash_command(body)
    return None


def plain(text: str) -> str:
    """Slack's message markup as plain text: links and mentions by their label, entities
    decoded (https://docs.slack.dev/messaging/formatting-message-text)."""

    def label(match: re.Match[str]) -> str:
        target, name = match.group(1), match.group(2)
        if name:
            return f"#{name}" if target.startswith("#") else name
        if target.startswith(("@", "#")):
            return target
        if target.startswith("!"):
            return "@" + target[1:].split("^")[0]
        return target.removeprefix("mailto:")

    return html.unescape(_MARKUP.sub(label, text)).strip()


def kind_of(channel_id: str | None) -> ConversationKind:
    """Slack's id prefixes: D for a direct message, G for a private or group conversation."""
    if not channel_id:
        return ConversationKind.DIRECT
    if channel_id.startswith("D"):
        return ConversationKind.DIRECT
    if channel_id.startswith("G"):
        return ConversationKind.GROUP
    return ConversationKind.CHANNEL


# -- Events API ---------------------------------------------------------------------------------


def _event(body: Json, bot_user_id: str | None) -> Event | None:
    event = body.get("event") or {}
    kind = event.get("type")
    user = event.get("user")
    if not isinstance(user, str) or not user or user == bot_user_id:
        return None
    tenant = str(body.get("team_id") or event.get("team") or "")
    actor = Actor(platform=PLATFORM, tenant=tenant, user_id=user)
    event_id = str(body.get("event_id") or "")
    channel = str(event.get("channel") or "")
    if kind in ("message", "app_mention"):
        # Edits, deletions, joins and bot posts (ours included) arrive as message events too:
        # only a person's plain message is a question.
        if event.get("subtype") or event.get("bot_id"):
            return None
        if kind == "message" and event.get("channel_type") != "im":
            return None  # in channels the bot answers only when mentioned (app_mention)
        text = str(event.get("text") or "")
        if kind == "app_mention":
            text = _without_mention(text, bot_user_id)
            thread = event.get("thread_ts") or event.get("ts")  # answer in a thread
        else:
            thread = event.get("thread_ts")
        return Message(
            id=event_id,
            redelivered_possible=True,
            actor=actor,
            conversation=_conversation(kind_of(channel), channel=channel, thread_ts=thread),
            text=plain(text),
            mentioned=kind == "app_mention",
        )
    if kind == "app_home_opened":
        return _home_opened(event, actor, channel)
    if kind == "member_joined_channel":
        return MemberJoined(
            id=event_id,
            redelivered_possible=True,
            actor=actor,
            conversation=_conversation(kind_of(channel), channel=channel),
            channel_id=channel,
        )
    return None


def _home_opened(event: Json, actor: Actor, channel: str) -> Event | None:
    tab = event.get("tab")
    if tab == "home":
        # Drawn afresh at every opening, so no de-duplication.
        return HomeOpened(actor=actor, conversation=_conversation(ConversationKind.DIRECT))
    if tab == "messages":
        # Opening the Messages tab is Slack's moment for a welcome
        # (https://docs.slack.dev/reference/events/app_home_opened). It fires at every opening:
        # the id names the person, so the processed-events store lets only the first through.
        return MemberJoined(
            id=f"welcome:{actor.tenant}:{actor.user_id}",
            redelivered_possible=True,
            actor=actor,
            conversation=_conversation(ConversationKind.DIRECT, channel=channel),
        )
    return None


def _without_mention(text: str, bot_user_id: str | None) -> str:
    if bot_user_id:
        return re.sub(rf"<@{re.escape(bot_user_id)}(?:\|[^>]*)?>", " ", text).strip()
    # Without our own id, the leading mention is the one that addressed us.
    return re.sub(r"^\s*<@[^>]+>", "", text).strip()


# -- slash commands and shortcuts --------------------------------------------------------------


def _slash_command(body: Json) -> Command:
    channel = str(body.get("channel_id") or "")
    kind = (
        ConversationKind.DIRECT if body.get("channel_name") == "directmessage" else kind_of(channel)
    )
    return Command(
        actor=_actor(str(body.get("team_id") or ""), str(body.get("user_id") or "")),
        conversation=_conversation(
            kind,
            channel=channel,
            response_url=body.get("response_url"),
            trigger_id=body.get("trigger_id"),
        ),
        name=str(body.get("command") or "").lstrip("/"),
        text=plain(str(body.get("text") or "")),
    )


def _shortcut(body: Json) -> Command:
    """A shortcut is a command picked from a menu: its callback id names the command, and a
    message shortcut passes the message's text as the command's text."""
    user = body.get("user") or {}
    channel = str((body.get("channel") or {}).get("id") or "")
    message = body.get("message") or {}
    return Command(
        actor=_actor(_team(body, user), str(user.get("id") or "")),
        conversation=_conversation(
            kind_of(channel),
            channel=channel,
            response_url=body.get("response_url"),
            trigger_id=body.get("trigger_id"),
        ),
        name=str(body.get("callback_id") or ""),
        text=plain(str(message.get("text") or "")),
    )


# -- interactivity ------------------------------------------------------------------------------


def _block_action(body: Json) -> Action | None:
    actions = body.get("actions") or []
    if not actions:
        return None
    pressed = actions[0]
    action_id = neutral_action_id(str(pressed.get("action_id") or ""))
    if action_id == LINK_ACTION:
        return None  # a link button opens its URL in the browser; Slack still sends a click
    user = body.get("user") or {}
    container = body.get("container") or {}
    message = body.get("message") or {}
    channel = str((body.get("channel") or {}).get("id") or container.get("channel_id") or "")
    response_url = body.get("response_url")
    source: dict[str, Any] = {}
    ts = container.get("message_ts") or message.get("ts")
    if channel and ts:
        source.update(channel=channel, ts=str(ts), ephemeral=bool(container.get("is_ephemeral")))
    if response_url:
        source["response_url"] = response_url
    return Action(
        actor=_actor(_team(body, user), str(user.get("id") or "")),
        conversation=_conversation(
            kind_of(channel),
            channel=channel,
            thread_ts=message.get("thread_ts"),
            response_url=response_url,
            trigger_id=body.get("trigger_id"),
        ),
        action_id=action_id,
        value=_value(pressed),
        source=source,
    )


def _form_submission(body: Json) -> Action | None:
    """A modal's inputs, read by block id (the input's name). The modal's `private_metadata`
    carries the form's submit action and value, and where it was opened from: view_submission
    payloads name no channel, so replies go back through the opener's `response_url`.
    Metadata we did not write (not a JSON object, an unknown conversation kind) is ignored."""
    view = body.get("view") or {}
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except (ValueError, RecursionError):
        return None
    if not isinstance(meta, dict) or not meta.get("submit"):
        return None
    channel = str(meta.get("channel") or "")
    try:
        kind = ConversationKind(meta.get("kind") or kind_of(channel))
    except ValueError:
        return None
    values: dict[str, str] = {}
    for block_id, elements in ((view.get("state") or {}).get("values") or {}).items():
        for element in elements.values():
            values[str(block_id)] = _input_value(element)
    user = body.get("user") or {}
    return Action(
        actor=_actor(_team(body, user), str(user.get("id") or "")),
        conversation=_conversation(
            kind,
            channel=channel,
            thread_ts=meta.get("thread_ts"),
            response_url=meta.get("response_url"),
        ),
        action_id=str(meta["submit"]),
        value=str(meta.get("value") or ""),
        values=values,
    )


def _value(pressed: Json) -> str:
    if "value" in pressed:
        return str(pressed.get("value") or "")
    return str((pressed.get("selected_option") or {}).get("value") or "")


def _input_value(element: Json) -> str:
    kind = element.get("type")
    if kind == "checkboxes":
        return "true" if element.get("selected_options") else "false"
    if kind in ("static_select", "radio_buttons"):
        return str((element.get("selected_option") or {}).get("value") or "")
    return str(element.get("value") or "")


# -- shared -------------------------------------------------------------------------------------


def _actor(tenant: str, user_id: str) -> Actor:
    # Payloads name people only by their handle (`user_name`), which would overwrite the real
    # name the directory sync stored, so the actor carries the id alone.
    return Actor(platform=PLATFORM, tenant=tenant, user_id=user_id)


def _team(body: Json, user: Json) -> str:
    return str((body.get("team") or {}).get("id") or user.get("team_id") or "")


def _conversation(kind: ConversationKind, **data: Any) -> ConversationRef:
    return ConversationRef(
        platform=PLATFORM,
        kind=kind,
        data={key: str(value) for key, value in data.items() if value},
    )
