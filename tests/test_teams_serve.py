"""`breakroom serve` as a real process with Teams configured, as an operator runs it.

In emulator mode a posted message activity is answered by a call to the connector at the
activity's `serviceUrl` (here a fake connector in the test's loop), once however often it is
delivered. With `MICROSOFT_APP_ID` set, a request without a well-formed bearer token is refused
with 401 before anything is answered.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aiohttp

from tests.cli import serving
from tests.fake_connector import FakeConnector
from tests.kb_fixture import write_kb
from tests.teams_harness import text_of

TENANT = "tenant-1"
APP_ID = "00000000-0000-0000-0000-0000000000a1"


def message(text: str, activity_id: str, service_url: str) -> dict[str, Any]:
    return {
        "type": "message",
        "id": activity_id,
        "text": text,
        "serviceUrl": service_url,
        "channelId": "msteams",
        "from": {"id": "29:nurse", "aadObjectId": "aad-nurse", "name": "Nora Nurse"},
        "recipient": {"id": "28:breakroom", "name": "Breakroom"},
        "conversation": {"id": "a:personal", "conversationType": "personal", "tenantId": TENANT},
        "channelData": {"tenant": {"id": TENANT}},
    }


async def post(
    http: aiohttp.ClientSession, base: str, activity: dict[str, Any], **headers: str
) -> int:
    async with http.post(
        f"{base}/api/messages",
        data=json.dumps(activity),
        headers={"Content-Type": "application/json", **headers},
    ) as response:
        return response.status


async def test_emulator_mode_answers_a_message_through_the_connector_at_its_service_url(
    tmp_path: Path,
) -> None:
    async with (
        FakeConnector() as fake,
        aiohttp.ClientSession() as http,
        serving(
            tmp_path,
            BREAKROOM_TEAMS_EMULATOR="1",
            BREAKROOM_KB_DIR=str(write_kb(tmp_path / "kb")),
        ) as server,
    ):
        question = message("How much PTO do I get?", "m-pto", fake.url)
        # Teams redelivers an activity it thinks was missed: the answer still comes once.
        statuses = [await post(http, server.base, question) for _ in range(2)]
        assert all(status in (200, 201) for status in statuses)
        [answer] = await fake.wait_for("reply", "send")
        assert answer.conversation_id == "a:personal"
        assert "Paid time off (PTO)" in text_of(answer)
        assert answer.authorization is None  # the emulator mode has no credentials to send
    assert len(fake.of_kind("reply", "send")) == 1
    assert "emulator mode" in server.log
    assert "Traceback" not in server.log
    assert "How much PTO" not in server.log  # message text is not logged above DEBUG


async def test_with_an_app_id_a_missing_or_malformed_token_is_refused_with_401(
    tmp_path: Path,
) -> None:
    refused = [None, "Bearer not-a-jwt", "Bearer a.b.c", "Basic dXNlcjpwYXNz", "Bearer "]
    async with (
        FakeConnector() as fake,
        aiohttp.ClientSession() as http,
        serving(
            tmp_path,
            MICROSOFT_APP_ID=APP_ID,
            MICROSOFT_APP_PASSWORD="not-a-real-secret",
            BREAKROOM_KB_DIR=str(write_kb(tmp_path / "kb")),
        ) as server,
    ):
        activity = message("my private question about FMLA", "m-auth", fake.url)
        statuses = {
            authorization: await post(
                http,
                server.base,
                activity,
                **({} if authorization is None else {"Authorization": authorization}),
            )
            for authorization in refused
        }
    assert statuses == dict.fromkeys(refused, 401)
    assert not fake.calls
    assert "Traceback" not in server.log
    assert "FMLA" not in server.log
