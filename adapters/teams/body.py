"""What `/api/messages` takes for an activity: a JSON object botbuilder can read and the adapter
can walk, checked before anything else touches it.

botbuilder 4.17.1 answers 500 to much that is not an activity: `"from": "x"`, `"entities": "x"`,
a timestamp that is not one, JSON nested a thousand deep. The adapter's own translation reads
`from.id`, `conversation.conversationType`, `channelData.tenant.id` and the mentions among the
entities, and msrest quietly turns an object in a text field into its Python repr. So the fields
either reads must have their documented shapes
(https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-api-reference#activity-object),
and what is left to botbuilder's deserializer is refused when it cannot be read.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from botbuilder.schema import Activity

# Far deeper than any activity Teams sends (an Adaptive Card's data is a few levels), and far
# shallower than where parsing, deserializing or serializing again would recurse too deep.
MAX_DEPTH = 64

_TEXTS = (
    *("type", "id", "replyToId", "serviceUrl", "channelId", "callerId", "name", "action"),
    *("text", "textFormat", "locale", "summary", "speak", "topicName", "label", "valueType"),
    *("timestamp", "localTimestamp", "localTimezone", "expiration"),
    *("inputHint", "attachmentLayout", "deliveryMode", "importance"),
)
_ACCOUNT_TEXTS = ("id", "name", "aadObjectId", "role", "conversationType", "tenantId")
_ACCOUNTS = ("from", "recipient", "conversation")
_OBJECTS = ("channelData", "relatesTo", "suggestedActions", "semanticAction")
_ACCOUNT_LISTS = ("membersAdded", "membersRemoved")
_OBJECT_LISTS = ("entities", "attachments", "reactionsAdded", "reactionsRemoved")


class Malformed(ValueError):
    """Not an activity; the message says what is wrong, for the log (never the content)."""


def read_activity(raw: bytes) -> Activity:
    try:
        body = json.loads(raw, parse_constant=_not_json)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        raise Malformed("the body is not JSON") from None
    if not isinstance(body, dict):
        raise Malformed("the body is not a JSON object")
    if _deeper_than(body, MAX_DEPTH):
        raise Malformed(f"the body is nested deeper than {MAX_DEPTH} levels")
    if not isinstance(body.get("type"), str) or not body["type"]:
        raise Malformed("the activity has no type")
    _check_shapes(body)
    service_url = body.get("serviceUrl")
    if service_url is not None and not _http_url(service_url):
        raise Malformed("serviceUrl is not an http(s) URL")
    try:
        activity: Activity = Activity().deserialize(body)
    except ValueError:  # msrest's DeserializationError
        raise Malformed("botbuilder cannot read the activity") from None
    return activity


def _not_json(constant: str) -> None:
    """Python reads NaN and Infinity, which JSON (and PostgreSQL's JSON) does not have."""
    raise ValueError(constant)


def _check_shapes(body: Mapping[str, Any]) -> None:
    _texts(body, _TEXTS, "")
    for name in _ACCOUNTS:
        _texts(_object(body, name), _ACCOUNT_TEXTS, f"{name}.")
    for name in _OBJECTS:
        _object(body, name)
    tenant = _object(_object(body, "channelData"), "tenant", "channelData.")
    _texts(tenant, ("id",), "channelData.tenant.")
    for name in _ACCOUNT_LISTS:
        for member in _objects(body, name):
            _texts(member, _ACCOUNT_TEXTS, f"{name}[].")
    for name in _OBJECT_LISTS:
        _objects(body, name)
    for entity in _objects(body, "entities"):
        _texts(entity, ("type", "text"), "entities[].")
        _texts(_object(entity, "mentioned", "entities[]."), _ACCOUNT_TEXTS, "mentioned.")


def _texts(node: Mapping[str, Any], names: Iterable[str], where: str) -> None:
    for name in names:
        if node.get(name) is not None and not isinstance(node[name], str):
            raise Malformed(f"{where}{name} is not a string")


def _object(node: Mapping[str, Any], name: str, where: str = "") -> Mapping[str, Any]:
    value = node.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise Malformed(f"{where}{name} is not an object")
    return value


def _objects(node: Mapping[str, Any], name: str) -> list[Mapping[str, Any]]:
    value = node.get(name)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise Malformed(f"{name} is not a list of objects")
    return value


def _http_url(raw: str) -> bool:
    try:
        parts = urlsplit(raw)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _deeper_than(node: dict[str, Any], limit: int) -> bool:
    """Without recursion, so that no depth can overflow the check itself."""
    pending: list[tuple[dict[str, Any] | list[Any], int]] = [(node, 1)]
    while pending:
        value, depth = pending.pop()
        if depth > limit:
            return True
        children = value.values() if isinstance(value, dict) else value
        pending.extend((c, depth + 1) for c in children if isinstance(c, dict | list))
    return False
