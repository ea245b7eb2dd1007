"""Bot Framework activities from Teams as neutral events: pure functions over activity JSON.

Where to answer (service URL, conversation id) travels in `ConversationRef.data`; the id of the
card a button sat on (the activity's `replyToId`) in `Action.source`, so a reply with
`replace_original` updates that card. Teams may deliver an activity again, so its id is kept and
repeats are dropped by the router.

Activity shapes: https://learn.microsoft.com/microsoftteams/platform/bots/how-to/conversations/conversation-messages
Universal Actions (`adaptiveCard/action` invokes): https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/universal-actions-for-adaptive-cards/work-with-universal-actions-for-adaptive-cards
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any

from bot.events import (
    Action,
    Actor,
    ConversationKind,
    ConversationRef,
    Event,
    MemberJoined,
    Message,
    Platform,
)

Json = Mapping[str, Any]
PLATFORM = Platform.TEAMS.value

_AT = re.compile(r"<at[^>]*>.*?</at>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_KINDS = {"personal": ConversationKind.DIRECT, "groupChat": ConversationKind.GROUP}
CARD_ACTION = "adaptiveCard/action"
FILE_CONSENT = "fileConsent/invoke"


def translate(activity: Json) -> Event | None:
    """The neutral event for one activity, or None for what the bot ignores (typing,
    reactions, members leaving, empty messages)."""
    kind = activity.get("type")
    if kind == "message":
        return _message(activity)
    if kind == "conversationUpdate":
        return _members_added(activity)
    if kind == "invoke" and activity.get("name") == CARD_ACTION:
        return _card_action(activity)
    return None


def actor(activity: Json) -> Actor:
    sender = activity.get("from") or {}
    return Actor(
        platform=PLATFORM,
        tenant=tenant_of(activity),
        # The Entra object id is stable across the tenant's apps; the Teams id (29:…) is not.
        user_id=str(sender.get("aadObjectId") or sender.get("id") or ""),
        display_name=person_name(sender.get("name"), sender.get("id"), sender.get("aadObjectId")),
        locale=activity.get("locale") or None,
    )


def person_name(name: object, *ids: object) -> str:
    """The name to show, or "" when the only "name" a client sent is one of the person's ids
    (some clients put the Teams id there): an id is never shown as a name."""
    text = str(name or "").strip()
    return "" if text in {str(i) for i in ids if i} else text


def tenant_of(activity: Json) -> str:
    channel_data = activity.get("channelData") or {}
    tenant = (channel_data.get("tenant") or {}).get("id")
    return str(tenant or (activity.get("conversation") or {}).get("tenantId") or "")


def conversation_kind(activity: Json) -> ConversationKind:
    kind = (activity.get("conversation") or {}).get("conversationType")
    return _KINDS.get(str(kind), ConversationKind.CHANNEL if kind else ConversationKind.DIRECT)


def strip_mentions(text: str, activity: Json) -> str:
    """The text without the mention of the bot: Teams puts `<at>Breakroom</at>` in it."""
    bot_id = (activity.get("recipient") or {}).get("id")
    for entity in activity.get("entities") or []:
        if entity.get("type") != "mention":
            continue
        if bot_id and (entity.get("mentioned") or {}).get("id") != bot_id:
            continue
        shown = entity.get("text")
        if shown:
            text = text.replace(shown, " ")
    text = _AT.sub(" ", text)
    return html.unescape(_TAG.sub("", text)).strip()


def _ref(activity: Json) -> ConversationRef:
    conversation = activity.get("conversation") or {}
    return ConversationRef(
        platform=PLATFORM,
        kind=conversation_kind(activity),
        data={
            "service_url": activity.get("serviceUrl"),
            "conversation_id": conversation.get("id"),
            "activity_id": activity.get("id"),
        },
    )


def _common(activity: Json) -> dict[str, Any]:
    common: dict[str, Any] = {
        "actor": actor(activity),
        "conversation": _ref(activity),
        "redelivered_possible": True,
    }
    if activity.get("id"):
        common["id"] = str(activity["id"])
    return common


def _action(activity: Json, verb: str, data: Mapping[str, Any]) -> Action:
    """`data["value"]` is the control's value; every other key is a form input."""
    return Action(
        **_common(activity),
        action_id=verb,
        value=_as_text(data.get("value", "")),
        values={k: _as_text(v) for k, v in data.items() if k not in ("verb", "value")},
        source={"activity_id": activity.get("replyToId")},
    )


def _message(activity: Json) -> Event | None:
    value = activity.get("value")
    if isinstance(value, Mapping) and isinstance(value.get("verb"), str):
        return _action(activity, value["verb"], value)
    common = _common(activity)
    raw = str(activity.get("text") or "")
    directly = conversation_kind(activity) is ConversationKind.DIRECT
    text = raw.strip() if directly else strip_mentions(raw, activity)
    if not text:
        return None
    return Message(**common, text=text, mentioned=not directly)


def _card_action(activity: Json) -> Action | None:
    """`Action.Execute`: the verb is `value.action.verb`, its data (form inputs merged in) is
    `value.action.data`. Without a verb there is nothing to do."""
    value = activity.get("value")
    action = value.get("action") if isinstance(value, Mapping) else None
    if not isinstance(action, Mapping):
        return None
    verb = action.get("verb")
    if not isinstance(verb, str) or not verb:
        return None
    data = action.get("data")
    return _action(activity, verb, data if isinstance(data, Mapping) else {})


def bot_added(activity: Json) -> bool:
    """The bot itself among the members added: it was installed (personally, or in a team)."""
    if activity.get("type") != "conversationUpdate":
        return False
    bot_id = (activity.get("recipient") or {}).get("id")
    added = activity.get("membersAdded") or []
    return bool(bot_id) and any(m.get("id") == bot_id for m in added)


def _members_added(activity: Json) -> Event | None:
    if not bot_added(activity):
        return None
    return MemberJoined(
        **_common(activity),
        installed=True,
        channel_id=None
        if conversation_kind(activity) is ConversationKind.DIRECT
        else (activity.get("conversation") or {}).get("id"),
    )


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)
