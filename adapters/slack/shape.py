"""The shape of a signed Slack request, checked before bolt or our translation reads it.

Bolt 1.30 and `adapters.slack.inbound` index into a body the way Slack documents it
(`body["actions"][0]["action_id"]`, `body["event"]["type"]`, `user["id"]`, `view["type"]`, a
regular expression over `command`). A body signed with our secret but shaped otherwise made them
raise, which answered 500 with a stack trace. So every field they read is checked here first; a
body that does not fit is `Malformed`, answered 400, and logged in one line that names the field
by our own path (never a value from the body, which may hold message text).

Shapes: https://docs.slack.dev/reference/events (the Events API envelope),
https://docs.slack.dev/interactivity/implementing-slash-commands and
https://docs.slack.dev/reference/interaction-payloads.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

from slack_bolt.request.internals import parse_body

from adapters.slack.inbound import EVENT_TYPES

FORM = "application/x-www-form-urlencoded"
# Slack's payloads nest about a dozen levels at most (rich text in a message in an event).
MAX_DEPTH = 64
# What inbound reads, as strings, from the events the bot listens to.
_EVENT_TEXT = (
    "user",
    "channel",
    "team",
    "text",
    "ts",
    "thread_ts",
    "subtype",
    "bot_id",
    "channel_type",
    "tab",
)
# Where bolt looks for the enterprise, team, user and channel of every request, one level down
# (`slack_bolt.request.internals.build_context`).
_NESTED_CONTEXT = ("event", "message", "previous_message", "item", "assistant_thread")


class Malformed(ValueError):
    """A body that is not what Slack sends. `where` is a path of our own naming and `expected`
    our own words: neither ever holds anything from the body, so both may be logged."""

    def __init__(self, where: str, expected: str) -> None:
        super().__init__(f"{where}: expected {expected}")
        self.where = where
        self.expected = expected


def readable_body(raw: bytes, content_type: str) -> str:
    """The body as bolt should read it, once it is known to have a Slack request's shape."""
    try:
        text = _readable_by_bolt(raw.decode("utf-8"), content_type)
        body = parse_body(text, content_type)
    except (ValueError, RecursionError):  # RecursionError: JSON nested past the parser's reach
        raise Malformed("body", "JSON where JSON belongs") from None
    check(body)
    return text


def check(body: object) -> None:
    """Raise `Malformed` unless `body` has the shape of a request Slack sends to this app.

    A JSON request of a type this app does not handle passes when bolt can read it: bolt then
    answers 404, as it did before."""
    if not isinstance(body, dict):
        raise Malformed("body", "a JSON object")
    if not _nested_within(body, MAX_DEPTH):
        raise Malformed("body", f"nesting within {MAX_DEPTH} levels")
    top = _At(body, "body")
    _context(top)
    kind = top.text("type")
    if "command" in body:
        _slash_command(top)
    elif kind == "url_verification":
        top.text("challenge", required=True)
    elif kind == "event_callback":
        _event_callback(top)
    elif kind == "block_actions":
        _block_actions(top)
    elif kind in ("view_submission", "view_closed"):
        _view(top)
    elif kind in ("shortcut", "message_action"):
        _shortcut(top)
    elif kind is None and body.get("ssl_check") != "1":
        raise Malformed("body", "a Slack request: an event, a command or an interaction")


def _readable_by_bolt(body: str, content_type: str) -> str:
    """Bolt 1.30 takes a form body for an interaction (JSON in a `payload` field) whenever the
    word "payload" appears anywhere in it, so a slash command whose text says "payload" would
    arrive empty. In a form without that field the word is percent-encoded: it reads the same."""
    if (
        content_type == FORM
        and "payload" in body
        and "payload" not in dict(parse_qsl(body, keep_blank_values=True))
    ):
        return body.replace("payload", "%70ayload")
    return body


def _nested_within(body: object, limit: int) -> bool:
    """Checked without recursion, so no depth can overflow the stack here."""
    pending: list[tuple[object, int]] = [(body, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict):
            value = list(value.values())
        if not isinstance(value, list):
            continue
        if depth > limit:
            return False
        pending.extend((child, depth + 1) for child in value)
    return True


class _At:
    """A JSON object at a path, read with the types Slack documents for its fields."""

    def __init__(self, value: Mapping[str, Any], path: str) -> None:
        self.value = value
        self.path = path

    def text(self, key: str, *, required: bool = False) -> str | None:
        """A string field; `required` means present and not empty."""
        found = self.value.get(key)
        if found is None and not required:
            return None
        if not isinstance(found, str) or (required and not found):
            raise Malformed(f"{self.path}.{key}", "text" if required else "text or nothing")
        return found

    def obj(self, key: str, *, required: bool = False) -> _At | None:
        found = self.value.get(key)
        if found is None and not required:
            return None
        if not isinstance(found, dict):
            raise Malformed(f"{self.path}.{key}", "an object")
        return _At(found, f"{self.path}.{key}")

    def objects(self, key: str, *, required: bool = False) -> list[_At]:
        """A list of objects; `required` means present and not empty."""
        found = self.value.get(key)
        if found is None and not required:
            return []
        if (
            not isinstance(found, list)
            or (required and not found)
            or not all(isinstance(item, dict) for item in found)
        ):
            raise Malformed(f"{self.path}.{key}", "a list of objects")
        return [_At(item, f"{self.path}.{key}[{n}]") for n, item in enumerate(found)]

    def party(self, key: str) -> None:
        """`team`, `user`, `channel`, `enterprise`: an id, or an object with an id."""
        found = self.value.get(key)
        if found is None or isinstance(found, str):
            return
        if not isinstance(found, dict):
            raise Malformed(f"{self.path}.{key}", "an id or an object")
        _At(found, f"{self.path}.{key}").text("id")

    def person(self) -> None:
        """Who acted, on an interaction: `user` as an object with an id."""
        user = self.obj("user", required=True)
        assert user is not None
        user.text("id", required=True)
        user.text("team_id")


def _context(at: _At) -> None:
    """What bolt reads from every request to build its context, where it reads it."""
    for key in ("enterprise", "team", "user", "channel"):
        at.party(key)
    for key in ("enterprise_id", "team_id", "user_id", "channel_id", "thread_ts", "response_url"):
        at.text(key)
    # Bolt reads these whenever the key is there, so a null one fails as well.
    for key, kind in (("event", dict), ("response_urls", list)):
        if key in at.value and not isinstance(at.value[key], kind):
            raise Malformed(f"{at.path}.{key}", "an object" if kind is dict else "a list")
    for key in _NESTED_CONTEXT:
        if (nested := at.obj(key)) is not None:
            _context(nested)
    for authorization in at.objects("authorizations")[:1]:
        _context(authorization)
    if (view := at.obj("view")) is not None:
        view.text("app_installed_team_id")
        view.text("team_id")
    if "response_url" not in at.value:
        for response_url in at.objects("response_urls")[:1]:
            response_url.text("response_url")


def _slash_command(top: _At) -> None:
    top.text("command", required=True)
    top.text("user_id", required=True)
    for key in ("text", "channel_name", "trigger_id"):
        top.text(key)


def _event_callback(top: _At) -> None:
    top.text("event_id")
    event = top.obj("event", required=True)
    assert event is not None
    if event.text("type", required=True) not in EVENT_TYPES:
        return
    for key in _EVENT_TEXT:
        event.text(key)
    if not (event.value.get("subtype") or event.value.get("bot_id")):
        event.text("user", required=True)  # a person's message, tab or join names the person


def _block_actions(top: _At) -> None:
    top.person()
    _surroundings(top)
    for action in top.objects("actions", required=True):
        action.text("action_id", required=True)
        action.text("value")
        if (option := action.obj("selected_option")) is not None:
            option.text("value")
    if (container := top.obj("container")) is not None:
        container.text("channel_id")
        container.text("message_ts")


def _view(top: _At) -> None:
    top.person()
    _surroundings(top)
    view = top.obj("view", required=True)
    assert view is not None
    for key in ("type", "callback_id"):  # bolt reads both (`is_workflow_step_save`)
        view.text(key, required=True)
    view.text("private_metadata")
    state = view.obj("state")
    values = state.obj("values") if state is not None else None
    # Inputs by block id, then by action id: ids chosen by us, never named in a log line.
    for block in values.value.values() if values is not None else ():
        for element in _objects_in(block, "body.view.state.values.*"):
            at = _At(element, "body.view.state.values.*.*")
            at.text("type")
            at.text("value")
            if (option := at.obj("selected_option")) is not None:
                option.text("value")


def _objects_in(value: object, where: str) -> list[Mapping[str, Any]]:
    """The values of an object keyed by ids, each an object."""
    if not isinstance(value, dict):
        raise Malformed(where, "an object")
    inner = list(value.values())
    if not all(isinstance(item, dict) for item in inner):
        raise Malformed(where + ".*", "an object")
    return inner


def _shortcut(top: _At) -> None:
    top.text("callback_id", required=True)
    top.person()
    _surroundings(top)


def _surroundings(top: _At) -> None:
    """Where an interaction happened, as inbound reads it: objects, not bare ids."""
    for key in ("team", "channel"):
        if (found := top.obj(key)) is not None:
            found.text("id")
    if (message := top.obj("message")) is not None:
        for key in ("ts", "thread_ts", "text"):
            message.text(key)
    top.text("trigger_id")
