"""`breakroom serve` as a real process with Slack configured: a signed DM question is answered
end to end on a fake Slack Web API, and Slack's retries of it produce one answer."""

from __future__ import annotations

import asyncio
import json
import signal
import socket
from pathlib import Path

import aiohttp

from tests.cli import BREAKROOM, clean_env, run
from tests.fake_slack import FakeSlack
from tests.kb_fixture import write_kb
from tests.slack_payloads import SIGNING_SECRET, dm_event, signed

NURSE = "U0NURSE"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def wait_until_up(http: aiohttp.ClientSession, base: str) -> None:
    """Poll without blocking the loop: the fake Slack runs in this same loop."""
    async with asyncio.timeout(30):
        while True:
            try:
                async with http.get(f"{base}/readyz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientConnectionError:
                pass
            await asyncio.sleep(0.1)


async def test_serve_answers_a_signed_dm_question_once_however_often_slack_sends_it(
    tmp_path: Path,
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    async with FakeSlack() as fake, aiohttp.ClientSession() as http:
        process = await asyncio.create_subprocess_exec(
            BREAKROOM,
            "serve",
            "--port",
            str(port),
            cwd=tmp_path,
            env=clean_env(
                SLACK_BOT_TOKEN="xoxb-test",
                SLACK_SIGNING_SECRET=SIGNING_SECRET,
                SLACK_API_URL=fake.url,
                BREAKROOM_KB_DIR=str(write_kb(tmp_path / "kb")),
            ),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            await wait_until_up(http, base)

            async def deliver(body: str, **retry: str) -> int:
                headers = {**signed(body), **retry}
                async with http.post(f"{base}/slack/events", data=body, headers=headers) as r:
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
        finally:
            process.send_signal(signal.SIGINT)
            _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    log = stderr.decode()
    assert "Traceback" not in log
    assert "How much PTO" not in log  # message text is not logged above DEBUG
    assert "Ev0PTO duplicate delivery dropped" in log


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
