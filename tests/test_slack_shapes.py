"""Signed Slack bodies of the wrong shape, over real HTTP on loopback: each is a 400 with one
clean log line, never a 500 or a stack trace; an unsigned one is still a 401. The corpus test
mutates every field of real payloads and counts the 5xx answers."""

from __future__ import annotations

import copy
import json
import logging
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from adapters.slack.render import modal_view, with_origin
from bot.logs import BodyDroppingFilter
from bot.replies import Form, Input, InputKind
from bot.settings import Settings
from tests.fake_slack import FakeSlack
from tests.slack_harness import NURSE, Json, Slack, serve_slack, slack_env
from tests.slack_payloads import (
    FORM,
    block_actions,
    dm_event,
    event_callback,
    interaction,
    signed,
    view_submission,
)

SECRET_TEXT = "my private question about FMLA"
JSON = "application/json"
HTTP_LOG = "adapters.slack.http"


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.fixture
async def slack(make_settings: Callable[..., Settings], tmp_path: Path) -> AsyncIterator[Slack]:
    async with (
        FakeSlack() as fake,
        serve_slack(make_settings(**slack_env(fake, tmp_path / "kb")), fake) as served,
    ):
        yield served


def refusals(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == HTTP_LOG and "malformed" in r.getMessage()]


def visible(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """What `breakroom serve` at INFO would write: its filter drops library records with bodies."""
    keep = BodyDroppingFilter()
    return [r for r in caplog.records if r.levelno >= logging.INFO and keep.filter(r)]


def click(**changes: Any) -> str:
    payload = block_actions(
        "knowledge.helpful", "1", NURSE, channel=f"D{NURSE}", message_ts="1.2", response_url=""
    )
    payload.update(changes)
    return interaction({k: v for k, v in payload.items() if v is not DELETE})


DELETE = object()

MALFORMED: dict[str, tuple[str, str]] = {
    "JSON nested 1,000 deep": ('{"type":"event_callback","event":' + nested(1000) + "}", JSON),
    "JSON nested 100,000 deep": (
        '{"type":"event_callback","event":' + '{"a":' * 100_000 + "1" + "}" * 100_000 + "}",
        JSON,
    ),
    "JSON nested 70 deep, within the parser's reach": (
        json.dumps(event_callback({"type": "message", "blocks": json.loads(nested(70))}, "E1")),
        JSON,
    ),
    "event as a string": (json.dumps({"type": "event_callback", "event": SECRET_TEXT}), JSON),
    "event as a list": (json.dumps({"type": "event_callback", "event": [SECRET_TEXT]}), JSON),
    "event as null": (json.dumps({"type": "event_callback", "event": None}), JSON),
    "event without a type": (json.dumps(event_callback({"text": SECRET_TEXT}, "E2")), JSON),
    "a message without its person": (
        json.dumps(
            event_callback(
                {"type": "message", "channel_type": "im", "channel": "D1", "text": SECRET_TEXT},
                "E3",
            )
        ),
        JSON,
    ),
    "a message whose text is an object": (
        json.dumps(
            dm_event("x", NURSE, "E4")
            | {"event": {"type": "message", "user": NURSE, "text": {"t": SECRET_TEXT}}}
        ),
        JSON,
    ),
    "team_id as an object": (
        json.dumps(dm_event(SECRET_TEXT, NURSE, "E5") | {"team_id": {}}),
        JSON,
    ),
    "authorizations as a string": (
        json.dumps(dm_event(SECRET_TEXT, NURSE, "E6") | {"authorizations": "x"}),
        JSON,
    ),
    "no type at all": (json.dumps({"event": {"type": "message", "text": SECRET_TEXT}}), JSON),
    "type as a list": (json.dumps({"type": ["event_callback"]}), JSON),
    "url_verification without a challenge": (json.dumps({"type": "url_verification"}), JSON),
    "actions as a string": (click(actions=SECRET_TEXT), FORM),
    "actions as a list of strings": (click(actions=[SECRET_TEXT]), FORM),
    "actions empty": (click(actions=[]), FORM),
    "an action without its id": (click(actions=[{"value": "1"}]), FORM),
    "a click without its person": (click(user=DELETE), FORM),
    "user as a bare id on a click": (click(user=NURSE), FORM),
    "team as a bare id on a click": (click(team="T1"), FORM),
    "container as a string": (click(container="x"), FORM),
    "message as a string": (click(message=SECRET_TEXT), FORM),
    "payload field not JSON": ("payload=%7Bnot+json", FORM),
    "payload field JSON but a string": (urlencode({"payload": json.dumps(SECRET_TEXT)}), FORM),
    "payload field nested 1,000 deep": (urlencode({"payload": nested(1000)}), FORM),
    "a view that is a string": (
        interaction({"type": "view_submission", "user": {"id": NURSE}, "view": "x"}),
        FORM,
    ),
    "a view without its type": (
        interaction(
            {"type": "view_submission", "user": {"id": NURSE}, "view": {"callback_id": "c"}}
        ),
        FORM,
    ),
    "view inputs as a list": (
        interaction(
            {
                "type": "view_submission",
                "user": {"id": NURSE},
                "view": {"type": "modal", "callback_id": "c", "state": {"values": {"b": [1]}}},
            }
        ),
        FORM,
    ),
    "a shortcut whose user is a string": (
        interaction({"type": "shortcut", "callback_id": "idea", "user": NURSE}),
        FORM,
    ),
    "a slash command without its person": ("command=%2Fask&text=hi&team_id=T0", FORM),
    "a command that is a number": (json.dumps({"command": 5, "user_id": NURSE}), JSON),
    "an empty form": ("", FORM),
    "JSON null": ("null", JSON),
    "a number too long to read": ('{"type":"event_callback","event_id":' + "9" * 5000 + "}", JSON),
}


@pytest.mark.parametrize("name", MALFORMED)
async def test_a_signed_body_of_the_wrong_shape_is_a_400_with_one_clean_line(
    slack: Slack, caplog: pytest.LogCaptureFixture, name: str
) -> None:
    caplog.set_level(logging.INFO)
    body, content_type = MALFORMED[name]
    status, answer = await slack.post(body, content_type=content_type)
    await slack.bridge.idle()
    assert (status, json.loads(answer)) == (400, {"error": "malformed body"})
    [line] = refusals(caplog)
    assert line.levelno == logging.INFO
    assert line.exc_info is None
    assert "\n" not in line.getMessage()
    assert "Traceback" not in caplog.text
    assert SECRET_TEXT not in "\n".join(r.getMessage() for r in visible(caplog))
    assert not slack.fake.calls["chat.postMessage"]


async def test_a_forged_body_of_the_wrong_shape_is_still_a_401(slack: Slack) -> None:
    for body, content_type in MALFORMED.values():
        headers = signed(body, content_type=content_type, secret="not-the-signing-secret")
        status, _ = await slack.post(body, headers)
        assert status == 401


# -- the corpus: every field of real payloads, given every wrong type -------------------------

# One of each kind of JSON value, each where it does not belong; "" is also a missing id.
WRONG_VALUES: tuple[object, ...] = (
    None,
    "",
    7,
    [],
    ["x"],
    {},
    {"id": ["x"]},
    json.loads(nested(70)),
)


def originals() -> dict[str, tuple[Json, str]]:
    """One real payload of each kind the bot handles, and how it is sent."""
    form = Form(
        title="Ask HR",
        inputs=(Input("question", "Your question", InputKind.MULTILINE),),
        submit_action_id="knowledge.ask_submit",
        submit_label="Send",
    )
    view = with_origin(modal_view(form), {"channel": f"D{NURSE}", "kind": "direct"})
    values = {"question": {"question": {"type": "plain_text_input", "value": SECRET_TEXT}}}
    mention = {
        "type": "app_mention",
        "user": NURSE,
        "text": "<@UBREAKROOM> hi",
        "ts": "1.1",
        "channel": "C0GENERAL",
    }
    return {
        "dm": (dm_event(SECRET_TEXT, NURSE, "EvCorpusDm"), JSON),
        "mention": (event_callback(mention, "EvCorpusMention"), JSON),
        "home": (
            event_callback({"type": "app_home_opened", "user": NURSE, "tab": "home"}, "EvHome"),
            JSON,
        ),
        "click": (
            block_actions(
                "knowledge.not",
                "1",
                NURSE,
                channel=f"D{NURSE}",
                message_ts="1.2",
                response_url="",
            ),
            FORM,
        ),
        "form": (view_submission(view, NURSE, values), FORM),
        "shortcut": (
            {
                "type": "shortcut",
                "callback_id": "idea",
                "trigger_id": "1.2",
                "user": {"id": NURSE, "team_id": "T0"},
                "team": {"id": "T0"},
            },
            FORM,
        ),
        "command": (
            {
                "command": "/ask",
                "text": SECRET_TEXT,
                "user_id": NURSE,
                "team_id": "T0",
                "channel_id": f"D{NURSE}",
                "channel_name": "directmessage",
            },
            FORM,
        ),
    }


# Block Kit shown to people: nothing reads inside it, so it is replaced whole but not walked.
DISPLAY = frozenset({"blocks", "title", "submit", "close", "text"})


def paths(value: object, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every key, and every list's first item, outside what is only displayed."""
    if isinstance(value, dict):
        for key, child in value.items():
            yield (*prefix, key)
            if key not in DISPLAY:
                yield from paths(child, (*prefix, key))
    elif isinstance(value, list) and value:
        yield (*prefix, 0)
        yield from paths(value[0], (*prefix, 0))


def mutations(payload: Json) -> Iterator[Json]:
    for path in paths(payload):
        for wrong in (DELETE, *WRONG_VALUES):
            changed = copy.deepcopy(payload)
            parent = changed
            for step in path[:-1]:
                parent = parent[step]
            if wrong is DELETE:
                del parent[path[-1]]
            else:
                parent[path[-1]] = copy.deepcopy(wrong)
            yield changed


def encoded(payload: Json, how: str) -> tuple[str, str]:
    if how == JSON:
        return json.dumps(payload), JSON
    if "command" in payload and all(isinstance(v, str) for v in payload.values()):
        return urlencode(payload), FORM  # a slash command is a plain form
    if "command" in payload:
        return json.dumps(payload), JSON  # a form cannot carry other types; JSON can
    return interaction(payload), FORM


async def test_no_signed_body_of_any_shape_gets_a_5xx(
    slack: Slack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    statuses: dict[int, int] = {}
    for payload, how in originals().values():
        for body in (payload, *mutations(payload)):
            status, _ = await slack.post(*encoded_with_headers(body, how))
            statuses[status] = statuses.get(status, 0) + 1
    await slack.bridge.idle()
    sent = sum(statuses.values())
    assert sent > 1000, "the corpus should cover many shapes"
    assert sum(n for status, n in statuses.items() if status >= 500) == 0, statuses
    assert set(statuses) <= {200, 400, 404}, statuses
    assert len(refusals(caplog)) == statuses.get(400, 0)
    failures = [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert not failures, failures[0].getMessage()
    assert SECRET_TEXT not in "\n".join(r.getMessage() for r in visible(caplog))


def encoded_with_headers(payload: Json, how: str) -> tuple[str, dict[str, str]]:
    body, content_type = encoded(payload, how)
    return body, signed(body, content_type=content_type)
