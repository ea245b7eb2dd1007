"""The Teams adapter over real HTTP on loopback: activities are posted to `POST /api/messages`
of the app factory's server, and the bot's answers reach a fake Bot Framework connector named
by the activities' `serviceUrl`.

Emulator mode (no credentials) carries the conversations. With an app id set, only the refusal
paths run: a genuine-looking token would make botbuilder fetch signing keys from the network.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from adapters.teams.render import CARD_CONTENT_TYPE
from bot.app import RUNTIME_KEY, create_app
from bot.messenger import RecipientUnreachable
from bot.replies import Reply
from bot.runtime import Runtime
from bot.settings import Settings
from storage.people import Profile
from tests.fake_connector import FakeConnector
from tests.http import serve
from tests.kb_fixture import write_kb

Json = dict[str, Any]
TENANT = "tenant-1"
BOT = "28:breakroom"
NURSE_AAD = "aad-nurse"
NURSE_TEAMS = "29:nurse"
PERSONAL = "a:personal-nurse"


@dataclass
class Teams:
    base: str
    http: aiohttp.ClientSession
    app: web.Application
    fake: FakeConnector

    @property
    def runtime(self) -> Runtime:
        return self.app[RUNTIME_KEY]

    async def post(
        self, body: bytes | str, headers: dict[str, str] | None = None
    ) -> tuple[int, str]:
        async with self.http.post(
            f"{self.base}/api/messages",
            data=body.encode() if isinstance(body, str) else body,
            headers={"Content-Type": "application/json", **(headers or {})},
        ) as response:
            return response.status, await response.text()

    async def activity(self, activity: Json) -> int:
        status, _ = await self.post(json.dumps(activity))
        return status

    def message(self, text: str, activity_id: str, **extra: Any) -> Json:
        return {
            "type": "message",
            "id": activity_id,
            "text": text,
            "serviceUrl": self.fake.url,
            "channelId": "msteams",
            "from": {"id": NURSE_TEAMS, "aadObjectId": NURSE_AAD, "name": "Nora Nurse"},
            "recipient": {"id": BOT, "name": "Breakroom"},
            "conversation": {"id": PERSONAL, "conversationType": "personal", "tenantId": TENANT},
            "channelData": {"tenant": {"id": TENANT}},
            **extra,
        }


@pytest.fixture
async def fake() -> AsyncIterator[FakeConnector]:
    async with FakeConnector() as connector:
        yield connector


@pytest.fixture
def teams_settings(
    make_settings: Callable[..., Settings], tmp_path: Path
) -> Callable[..., Settings]:
    def make(**env: str) -> Settings:
        return make_settings(BREAKROOM_KB_DIR=str(write_kb(tmp_path / "kb")), **env)

    return make


@pytest.fixture
async def teams(
    teams_settings: Callable[..., Settings], fake: FakeConnector
) -> AsyncIterator[Teams]:
    app = create_app(teams_settings(BREAKROOM_TEAMS_EMULATOR="1"))
    async with serve(app) as base, aiohttp.ClientSession() as http:
        yield Teams(base, http, app, fake)


@pytest.fixture
async def secured(
    teams_settings: Callable[..., Settings], fake: FakeConnector
) -> AsyncIterator[Teams]:
    settings = teams_settings(
        MICROSOFT_APP_ID="00000000-0000-0000-0000-000000000001",
        MICROSOFT_APP_PASSWORD="not-a-real-secret",
    )
    app = create_app(settings)
    async with serve(app) as base, aiohttp.ClientSession() as http:
        yield Teams(base, http, app, fake)


def card_of(body: Json) -> Json:
    [attachment] = body["attachments"]
    assert attachment["contentType"] == CARD_CONTENT_TYPE
    card: Json = attachment["content"]
    return card


def submits(card: Json) -> list[Json]:
    found: list[Json] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "Action.Submit":
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    return found


async def test_a_question_is_answered_with_a_card_and_the_feedback_stored(
    teams: Teams, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    assert await teams.activity(teams.message("How much PTO do I get?", "m1")) in (200, 201)
    [answer] = await teams.fake.wait_for("send", "reply")
    assert answer.conversation_id == PERSONAL
    assert "Paid time off (PTO)" in answer.body["text"]  # the plain fallback
    card = card_of(answer.body)
    assert card["version"] == "1.5"
    titles = {a["title"]: a["data"] for a in submits(card)}
    assert titles["Helpful"]["verb"] == "knowledge.helpful"
    assert titles["Not helpful"]["verb"] == "knowledge.not_helpful"

    click = teams.message("", "m2", value=titles["Helpful"], replyToId="act-card-1")
    assert await teams.activity(click) in (200, 201)
    await teams.fake.wait_for("send", "reply", "update", count=2)
    logged = await teams.runtime.services.questions.get(int(titles["Helpful"]["value"]))
    assert logged is not None
    assert logged.helpful is True
    assert "How much PTO" not in caplog.text  # message text stays out of logs above DEBUG


async def test_a_redelivered_activity_is_answered_once(teams: Teams) -> None:
    activity = teams.message("Where do I get my flu shot?", "m-again")
    for _ in range(2):
        assert await teams.activity(activity) in (200, 201)
    assert len(teams.fake.of_kind("send", "reply")) == 1


async def test_a_channel_mention_is_answered_without_the_mention(teams: Teams) -> None:
    activity = teams.message(
        "<at>Breakroom</at> Where do I get my flu shot?",
        "m-channel",
        conversation={
            "id": "19:unit@thread.tacv2;messageid=m-channel",
            "conversationType": "channel",
            "tenantId": TENANT,
        },
        entities=[{"type": "mention", "text": "<at>Breakroom</at>", "mentioned": {"id": BOT}}],
    )
    assert await teams.activity(activity) in (200, 201)
    [answer] = teams.fake.of_kind("send", "reply")
    assert "Flu shots at Employee Health" in answer.body["text"]
    stored = await teams.runtime.services.conversations.load("teams", "19:unit@thread.tacv2")
    assert stored is not None


async def test_a_proactive_message_reaches_a_stored_conversation(teams: Teams) -> None:
    await teams.activity(teams.message("help", "m-help"))
    services = teams.runtime.services
    identity = await services.people.find_identity("teams", NURSE_AAD)
    assert identity is not None
    before = len(teams.fake.calls)
    sent = await services.outbound.to_person(identity.person_id, Reply.text("Pulse is open"))
    [call] = teams.fake.calls[before:]
    assert (call.kind, call.conversation_id) == ("send", PERSONAL)
    assert call.body["text"] == "Pulse is open"
    await services.outbound.update(sent, Reply.text("Pulse is closed"))
    assert teams.fake.calls[-1].kind == "update"
    assert teams.fake.calls[-1].activity_id == sent.message_id


async def test_a_403_from_the_connector_marks_the_person_unreachable(teams: Teams) -> None:
    await teams.activity(teams.message("help", "m-hello"))
    services = teams.runtime.services
    identity = await services.people.find_identity("teams", NURSE_AAD)
    assert identity is not None
    teams.fake.fail_next(403)
    with pytest.raises(RecipientUnreachable):
        await services.outbound.to_person(identity.person_id, Reply.text("Pulse is open"))
    marked = await services.people.find_identity("teams", NURSE_AAD)
    assert marked is not None
    assert not marked.reachable


async def test_a_403_during_a_turn_is_not_a_500(teams: Teams) -> None:
    teams.fake.fail_next(403)
    assert await teams.activity(teams.message("How much PTO do I get?", "m-403")) in (200, 201)


async def test_a_429_during_a_turn_is_retried_after_the_retry_after(teams: Teams) -> None:
    teams.fake.fail_next(429, headers={"Retry-After": "0"})
    await teams.activity(teams.message("How much PTO do I get?", "m-429"))
    first, second = teams.fake.of_kind("send", "reply")
    assert (first.status, second.status) == (429, 200)


async def test_a_person_without_a_stored_conversation_is_unreachable(teams: Teams) -> None:
    services = teams.runtime.services
    person = await services.people.resolve(Profile("teams", TENANT, "aad-stranger"))
    with pytest.raises(RecipientUnreachable):
        await services.outbound.to_person(person.id, Reply.text("Hello"))
    assert not teams.fake.calls


async def test_installing_the_bot_sends_a_welcome(teams: Teams) -> None:
    update = teams.message("", "m-install", type="conversationUpdate")
    update["membersAdded"] = [{"id": BOT}]
    assert await teams.activity(update) in (200, 201)
    [welcome] = teams.fake.of_kind("send", "reply")
    assert "Breakroom" in welcome.body["text"]


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b'{"no": "type"}', b"\xff\xfe"])
async def test_a_body_that_is_not_a_json_activity_is_a_400(teams: Teams, body: bytes) -> None:
    status, _ = await teams.post(body)
    assert status == 400
    assert not teams.fake.calls


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer not-a-jwt", "Bearer a.b.c", "Basic dXNlcjpwYXNz", "Bearer "],
)
async def test_with_credentials_a_missing_or_malformed_token_is_a_401(
    secured: Teams, authorization: str | None, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    headers = {} if authorization is None else {"Authorization": authorization}
    activity = secured.message("my private question about FMLA", "m-auth")
    status, _ = await secured.post(json.dumps(activity), headers)
    assert status == 401
    assert not secured.fake.calls
    assert "FMLA" not in caplog.text
