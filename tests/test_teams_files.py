"""Invokes over real HTTP on loopback: file exports through Teams' file consent flow (the upload
goes to the fake connector's upload endpoint) and `Action.Execute` cards answered in the HTTP
response."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import timedelta
from typing import Any

import pytest

from adapters.teams.files import (
    DECLINED,
    GONE,
    NOT_YOURS,
    UPLOAD_FAILED,
    FileConsents,
)
from adapters.teams.render import (
    CARD_CONTENT_TYPE,
    ERROR_RESPONSE_TYPE,
    FILE_CONSENT_TYPE,
    FILE_INFO_TYPE,
    MESSAGE_RESPONSE_TYPE,
)
from bot.answering import FILES_NEED_DIRECT
from bot.context import Context
from bot.events import Action
from bot.replies import File, Reply, Text
from tests.fake_connector import Call
from tests.teams_harness import LEADER, Teams, card_of, submits

Json = dict[str, Any]


def consent_card(call: Call) -> Json:
    [consent] = [a for a in call.body["attachments"] if a["contentType"] == FILE_CONSENT_TYPE]
    card: Json = consent
    return card


async def export(teams: Teams) -> Json:
    """A leader asks for the ideas export in her personal chat: the consent card she gets."""
    assert await teams.activity(teams.message("ideas export", "m-export", by=LEADER)) in (200, 201)
    sent = [c for c in teams.fake.of_kind("send", "reply") if c.status == 200]
    [offer] = [c for c in sent if has_consent(c)]
    assert offer.conversation_id == LEADER.personal
    return consent_card(offer)


def has_consent(call: Call) -> bool:
    return any(a["contentType"] == FILE_CONSENT_TYPE for a in call.body.get("attachments", []))


def answer(teams: Teams, card: Json, action: str, activity_id: str, **extra: Any) -> Json:
    """The `fileConsent/invoke` Teams sends when the person presses Allow or Decline."""
    name = card["name"]
    value: Json = {
        "type": "fileUpload",
        "action": action,
        "context": card["content"]["acceptContext" if action == "accept" else "declineContext"],
    }
    if action == "accept":
        value["uploadInfo"] = {
            "name": name,
            "uploadUrl": teams.fake.upload_url(name),
            "contentUrl": f"https://contoso.sharepoint.com/personal/lee/Documents/{name}",
            "uniqueId": "1150D938-8870-4044-9F2C-5BBDEBA70C9D",
            "fileType": "csv",
        }
    invoke = teams.message("", activity_id, by=LEADER, type="invoke", name="fileConsent/invoke")
    invoke["value"] = value
    invoke.update(extra)
    return invoke


async def invoke(teams: Teams, activity: Json) -> tuple[int, Any]:
    status, body = await teams.post(json.dumps(activity))
    return status, json.loads(body) if body else None


async def nothing_held(teams: Teams) -> bool:
    """No file is held any more, expired or not."""
    far = teams.runtime.services.clock() + timedelta(days=365)
    return await teams.runtime.services.held_files.discard_expired(far) == 0


def texts(teams: Teams, since: int) -> list[str]:
    return [str(c.body.get("text")) for c in teams.fake.calls[since:]]


async def test_an_export_is_offered_with_a_consent_card_without_its_bytes(
    teams: Teams, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    card = await export(teams)
    assert card["name"].startswith("breakroom-ideas-")
    assert card["name"].endswith(".csv")
    content = card["content"]
    assert content["description"].startswith("Ideas, last")
    assert content["sizeInBytes"] > 0
    assert content["acceptContext"] == content["declineContext"]
    assert set(content["acceptContext"]) == {"token"}
    assert "idea_id" not in json.dumps(card).lower()  # no CSV header, so no bytes either
    assert card["name"] not in caplog.text  # file names stay out of logs above DEBUG


async def test_an_offer_refused_for_its_rate_is_held_once_when_sent_again(teams: Teams) -> None:
    teams.fake.fail_next(429, headers={"Retry-After": "0"}, conversation=LEADER.personal)
    card = await export(teams)
    far = teams.runtime.services.clock() + timedelta(days=365)
    held = teams.runtime.services.held_files
    assert await held.get(card["content"]["acceptContext"]["token"], far - timedelta(days=365))
    assert await held.discard_expired(far) == 1  # the refused attempt's offer was withdrawn


async def test_an_offer_that_never_went_out_holds_nothing(teams: Teams) -> None:
    teams.fake.fail_next(502, conversation=LEADER.personal)
    before = len(teams.fake.calls)
    assert await teams.activity(teams.message("ideas export", "m-export", by=LEADER)) in (200, 201)
    assert any("couldn't send you the export" in t for t in texts(teams, before))
    assert await nothing_held(teams)


async def test_accepting_uploads_the_exact_bytes_then_shows_the_file(teams: Teams) -> None:
    card = await export(teams)
    held = await teams.runtime.services.held_files.get(
        card["content"]["acceptContext"]["token"], teams.runtime.services.clock()
    )
    assert held is not None
    status, body = await invoke(teams, answer(teams, card, "accept", "i-accept"))
    assert status == 200
    assert body is None
    [upload] = teams.fake.uploads
    assert upload.name == card["name"]
    assert upload.data == held.data
    assert upload.data.startswith(b"id,")
    size = len(held.data)
    assert upload.headers["Content-Length"] == str(size)
    assert upload.headers["Content-Range"] == f"bytes 0-{size - 1}/{size}"
    last = teams.fake.calls[-1]  # sent during the turn, before the HTTP answer
    assert last.conversation_id == LEADER.personal
    [info] = last.body["attachments"]
    assert info == {
        "contentType": FILE_INFO_TYPE,
        "contentUrl": f"https://contoso.sharepoint.com/personal/lee/Documents/{card['name']}",
        "name": card["name"],
        "content": {"uniqueId": "1150D938-8870-4044-9F2C-5BBDEBA70C9D", "fileType": "csv"},
    }
    assert await nothing_held(teams)


async def test_a_second_answer_to_the_same_card_finds_nothing(teams: Teams) -> None:
    card = await export(teams)
    await invoke(teams, answer(teams, card, "accept", "i-first"))
    before = len(teams.fake.calls)
    status, _ = await invoke(teams, answer(teams, card, "accept", "i-second"))
    assert status == 200
    assert len(teams.fake.uploads) == 1
    assert texts(teams, before) == [GONE]


async def test_declining_deletes_the_file(teams: Teams) -> None:
    card = await export(teams)
    before = len(teams.fake.calls)
    status, _ = await invoke(teams, answer(teams, card, "decline", "i-decline"))
    assert status == 200
    assert texts(teams, before) == [DECLINED]
    assert not teams.fake.uploads
    assert await nothing_held(teams)


async def test_someone_else_cannot_take_the_file(teams: Teams) -> None:
    card = await export(teams)
    before = len(teams.fake.calls)
    stranger = {"id": "29:nurse", "aadObjectId": "aad-nurse", "name": "Nora Nurse"}
    for action in ("accept", "decline"):
        theirs = answer(teams, card, action, f"i-{action}", **{"from": stranger})
        status, _ = await invoke(teams, theirs)
        assert status == 200
    assert not teams.fake.uploads
    assert texts(teams, before) == [NOT_YOURS, NOT_YOURS]
    assert not await nothing_held(teams)  # still there for the leader


async def test_a_failed_upload_is_said_and_keeps_nothing(teams: Teams) -> None:
    card = await export(teams)
    teams.fake.fail_uploads(500)
    before = len(teams.fake.calls)
    status, _ = await invoke(teams, answer(teams, card, "accept", "i-fail"))
    assert status == 200
    assert len(teams.fake.uploads) == 1
    assert texts(teams, before) == [UPLOAD_FAILED]
    assert await nothing_held(teams)


async def test_an_expired_file_is_gone(teams: Teams) -> None:
    card = await export(teams)
    services = teams.runtime.services
    now = services.clock()
    services.clock = lambda: now + timedelta(hours=1, seconds=1)
    before = len(teams.fake.calls)
    status, _ = await invoke(teams, answer(teams, card, "accept", "i-late"))
    assert status == 200
    assert not teams.fake.uploads
    assert texts(teams, before) == [GONE]
    assert await nothing_held(teams)


@pytest.mark.parametrize(
    "value",
    [None, "accept", {"type": "fileUpload", "action": "accept", "context": {"token": "x"}}, {}],
)
async def test_a_malformed_consent_answer_is_not_a_500(teams: Teams, value: Any) -> None:
    activity = teams.message("", "i-bad", by=LEADER, type="invoke", name="fileConsent/invoke")
    activity["value"] = value
    status, _ = await invoke(teams, activity)
    assert status == 200


async def test_a_file_for_a_channel_goes_to_the_personal_chat(teams: Teams) -> None:
    await with_file_action(teams)
    await teams.activity(teams.message("help", "m-hello", by=LEADER))  # stores her personal chat
    await teams.activity(teams.in_channel("", "m-click", value={"verb": "test.file"}, by=LEADER))
    [offer] = [c for c in teams.fake.calls if has_consent(c)]
    assert offer.conversation_id == LEADER.personal
    assert consent_card(offer)["name"] == "unit.csv"


async def test_a_file_for_a_channel_without_a_personal_chat_is_only_announced(
    teams: Teams,
) -> None:
    await with_file_action(teams)
    await teams.activity(teams.in_channel("", "m-click", value={"verb": "test.file"}, by=LEADER))
    assert not [c for c in teams.fake.calls if has_consent(c)]
    assert texts(teams, 0) == [FILES_NEED_DIRECT]
    assert await nothing_held(teams)


async def test_a_file_in_a_personal_chat_is_offered_there(teams: Teams) -> None:
    await with_file_action(teams)
    await teams.activity(teams.message("", "m-click", by=LEADER, value={"verb": "test.file"}))
    [offer] = teams.fake.calls
    assert offer.conversation_id == LEADER.personal
    assert consent_card(offer)["content"]["description"] == "Roster"


async def test_expired_files_are_swept_away(teams: Teams) -> None:
    services = teams.runtime.services
    now = services.clock()
    # Good for an hour, so the server's own sweeper (on the real clock) leaves it alone.
    expires = now + timedelta(hours=1)
    token = await services.held_files.hold("teams", "aad-x", "a.csv", "text/csv", b"1", expires)
    assert await services.held_files.get(token, now) is not None
    stop = asyncio.Event()
    stop.set()  # one sweep, then return
    later = expires + timedelta(seconds=1)
    await FileConsents(services.held_files, lambda: later).sweep_forever(stop)
    assert await services.held_files.get(token, now) is None


async def with_file_action(teams: Teams) -> None:
    """A button whose reply carries a file, as a skill's reply would."""

    async def file_reply(ctx: Context[Action]) -> Reply:
        return Reply.of(Text("Unit roster"), File("unit.csv", b"name\nNora\n", title="Roster"))

    teams.runtime.router.action("test.file", file_reply)


# --- Action.Execute -------------------------------------------------------------------------


def execute(teams: Teams, verb: Any, data: Any, activity_id: str) -> Json:
    activity = teams.message("", activity_id, type="invoke", name="adaptiveCard/action")
    activity["replyToId"] = "act-card-1"
    activity["value"] = {"action": {"type": "Action.Execute", "verb": verb, "data": data}}
    return activity


async def test_an_execute_that_replaces_the_card_gets_the_card_in_the_response(
    teams: Teams,
) -> None:
    await teams.activity(teams.message("idea More chairs in the break room", "m-idea"))
    [preview] = await teams.fake.wait_for("send", "reply")
    buttons = {a["data"]["verb"]: a["data"] for a in submits(card_of(preview.body))}
    confirm = buttons["ideas.confirm"]
    before = len(teams.fake.calls)
    status, body = await invoke(teams, execute(teams, "ideas.confirm", confirm, "i-exec"))
    assert status == 200
    assert body["statusCode"] == 200
    assert body["type"] == CARD_CONTENT_TYPE
    assert body["value"]["type"] == "AdaptiveCard"
    assert "Thank" in json.dumps(body["value"])
    assert teams.fake.calls[before:] == []  # in place: no message, no update call
    assert len(await teams.runtime.services.ideas.find()) == 1


async def test_an_execute_without_a_new_card_is_answered_once_by_a_message(
    teams: Teams,
) -> None:
    """Universal Actions answer in the HTTP response; a posted message as well says it twice."""

    async def noted(ctx: Context[Action]) -> Reply:
        return Reply.text("Noted, thanks!", ephemeral=True)

    # A button whose answer is a new message and leaves its card as it is.
    teams.runtime.router.action("test.note", noted)
    data = {"verb": "test.note", "value": ""}
    status, body = await invoke(teams, execute(teams, "test.note", data, "i-note"))
    assert status == 200
    assert body == {
        "statusCode": 200,
        "type": MESSAGE_RESPONSE_TYPE,
        "value": "Noted, thanks!",
    }
    await teams.bridge.settle()
    assert teams.fake.of_kind("send", "reply") == []  # answered in the response only


@pytest.mark.parametrize(
    "value",
    [
        None,
        "ideas.confirm",
        {"action": None},
        {"action": {"type": "Action.Execute", "data": {"value": "1"}}},
        {"action": {"type": "Action.Execute", "verb": "", "data": {}}},
        {"action": {"type": "Action.Execute", "verb": 42}},
    ],
)
async def test_a_malformed_execute_is_a_400_inside_a_200(teams: Teams, value: Any) -> None:
    activity = teams.message("", "i-bad", type="invoke", name="adaptiveCard/action")
    activity["value"] = value
    status, body = await invoke(teams, activity)
    assert status == 200
    assert body["statusCode"] == 400
    assert body["type"] == ERROR_RESPONSE_TYPE
    assert body["value"]["code"] == "BadRequest"
    assert not teams.fake.calls


async def test_an_invoke_we_do_not_handle_gets_an_empty_200(teams: Teams) -> None:
    activity = teams.message("", "i-other", type="invoke", name="composeExtension/query")
    status, body = await invoke(teams, activity)
    assert (status, body) == (200, None)
    assert not teams.fake.calls
