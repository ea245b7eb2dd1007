"""The Slack side of the HTTP tests: the app factory's server with its Slack Web API pointed at a
fake on loopback, and a client that signs requests with Slack's real scheme."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from adapters.slack.app import SlackBridge
from adapters.slack.http import SLACK_KEY
from bot.app import RUNTIME_KEY, create_app
from bot.runtime import Runtime
from bot.settings import Settings
from tests.fake_slack import FakeSlack
from tests.http import serve
from tests.kb_fixture import write_kb
from tests.slack_payloads import FORM, SIGNING_SECRET, interaction, signed, slash_command

Json = dict[str, Any]
NURSE = "U0NURSE"
LEADER = "U0LEADER"
HR = "U0HR"


def slack_env(fake: FakeSlack, kb_dir: Path) -> dict[str, str]:
    """The environment of a Slack test app talking to `fake`."""
    return {
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake.url,
        "BREAKROOM_KB_DIR": str(write_kb(kb_dir)),
        "BREAKROOM_LEADER_USERS": LEADER,
        "BREAKROOM_HR_USERS": HR,
        "BREAKROOM_QUIET_HOURS": "00:00-00:00",  # surveys must not wait for the morning
    }


@dataclass
class Slack:
    """The app under test, the fake Slack it talks to, and a client to sign requests with."""

    base: str
    http: aiohttp.ClientSession
    app: web.Application
    fake: FakeSlack

    @property
    def runtime(self) -> Runtime:
        return self.app[RUNTIME_KEY]

    @property
    def bridge(self) -> SlackBridge:
        return self.app[SLACK_KEY]

    async def post(
        self, body: str, headers: dict[str, str] | None = None, *, content_type: str = FORM
    ) -> tuple[int, str]:
        async with self.http.post(
            f"{self.base}/slack/events",
            data=body.encode("utf-8"),
            headers=headers if headers is not None else signed(body, content_type=content_type),
        ) as response:
            return response.status, await response.text()

    async def event(self, body: Json, **headers: str) -> int:
        raw = json.dumps(body)
        status, _ = await self.post(raw, {**signed(raw), **headers})
        return status

    async def command(self, command: str, text: str, user: str, key: str) -> int:
        body = slash_command(command, text, user, response_url=self.fake.response_url(key))
        status, _ = await self.post(body)
        return status

    async def click(self, payload: Json) -> int:
        status, _ = await self.post(interaction(payload))
        return status

    async def responses(self, key: str, count: int = 1) -> list[Json]:
        """What was sent to the response_url `key`, waiting for `count` of them."""

        def matching() -> list[Json]:
            return [c.args for c in self.fake.calls["response_url"] if c.args["key"] == key]

        async with asyncio.timeout(5):
            while len(matching()) < count:
                await self.fake.wait_for_call(
                    "response_url", len(self.fake.calls["response_url"]) + 1
                )
        return matching()


@asynccontextmanager
async def serve_slack(settings: Settings, fake: FakeSlack) -> AsyncIterator[Slack]:
    app = create_app(settings)
    async with serve(app) as base, aiohttp.ClientSession() as http:
        yield Slack(base, http, app, fake)
