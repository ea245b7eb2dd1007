"""`breakroom serve` as a real process with Slack configured: a signed DM question is answered
end to end on a fake Slack Web API, and Slack's retries of it produce one answer."""

from __future__ import annotations

import json
from pathlib import Path

import aiohttp

from tests.cli import run, serving
from tests.fake_slack import FakeSlack
from tests.kb_fixture import write_kb
from tests.slack_payloads import SIGNING_SECRET, dm_event, signed

NURSE = "U0NURSE"


async def test_serve_answers_a_signed_dm_question_once_however_often_slack_sends_it(
    tmp_path: Path,
) -> None:
    async with (
        FakeSlack() as fake,
        aiohttp.ClientSession() as http,
        serving(
            tmp_path,
            SLACK_BOT_TOKEN="xoxb-test",
            SLACK_SIGNING_SECRET=SIGNING_SECRET,
            SLACK_API_URL=fake.url,
            BREAKROOM_KB_DIR=str(write_kb(tmp_path / "kb")),
        ) as server,
    ):

        async def deliver(body: str, **retry: str) -> int:
            headers = {**signed(body), **retry}
            async with http.post(f"{server.base}/slack/events", data=body, headers=headers) as r:
                return r.status

        question = json.dumps(dm_event("How much PTO do I get?", NURSE, "Ev0PTO"))
        statuses = [await deliver(question)]
        for attempt in ("1", "2", "3"):  # as Slack retries an event it thinks was missed
            statuses.append(
                await deliver(
                    question, **{"X-Slack-Retry-Num": attempt, "X-Slack-Retry-Reason": "x"}
                )
            )
        assert statuses == [200] * 4
        # A later, different question: once it is answered, the retries have had their turn.
        later = json.dumps(dm_event("Where do I get my flu shot?", NURSE, "Ev0Flu"))
        assert await deliver(later) == 200
        calls = await fake.wait_for_call("chat.postMessage", 2, timeout=20)
        answers = [json.dumps(c.args["blocks"]) for c in calls]
        assert sum("Paid time off (PTO)" in a for a in answers) == 1
        assert sum("Flu shots" in a for a in answers) == 1
        assert len(fake.calls["chat.postMessage"]) == 2
    assert "Traceback" not in server.log
    assert "How much PTO" not in server.log  # message text is not logged above DEBUG
    assert "Ev0PTO duplicate delivery dropped" in server.log


def test_socket_mode_needs_an_app_token(tmp_path: Path) -> None:
    result = run(
        ["serve", "--socket-mode"],
        tmp_path,
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
    )
    assert result.returncode == 1
    assert "SLACK_APP_TOKEN" in result.stderr
    assert "Traceback" not in result.stderr
