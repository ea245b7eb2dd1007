"""The Teams side of the HTTP tests: the app factory's server in emulator mode, a fake Bot
Framework connector named by the activities' `serviceUrl`, people of the tenant, and helpers to
build activities and read the cards the bot sends."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp import web

from adapters.teams.app import TeamsBridge
from adapters.teams.http import TEAMS_KEY
from adapters.teams.render import CARD_CONTENT_TYPE
from bot.app import RUNTIME_KEY, create_app
from bot.replies import plain_text
from bot.runtime import Runtime
from bot.settings import Settings
from tests.fake_connector import Call, FakeConnector
from tests.http import serve

Json = dict[str, Any]
TENANT = "tenant-1"
BOT = "28:breakroom"
CHANNEL = "19:unit@thread.tacv2"
HR_CHANNEL = "19:hr-desk@thread.tacv2"


@dataclass(frozen=True)
class User:
    """Someone in the tenant, with the ids Teams gives them and their personal chat."""

    aad: str
    teams_id: str
    name: str
    personal: str


NURSE = User("aad-nurse", "29:nurse", "Nora Nurse", "a:personal-nurse")
LEADER = User("aad-leader", "29:leader", "Lee Leader", "a:personal-leader")
HR = User("aad-hr", "29:hr", "Harriet HR", "a:personal-hr")
NURSE_AAD, NURSE_TEAMS, PERSONAL = NURSE.aad, NURSE.teams_id, NURSE.personal
HR_AAD, HR_TEAMS = HR.aad, HR.teams_id

# What the Teams test app is told about its people and channels (see the `teams` fixture).
SETTINGS = {
    "BREAKROOM_LEADER_USERS": LEADER.aad,
    "BREAKROOM_HR_USERS": HR.aad,
    "BREAKROOM_HR_CHANNEL": f"teams:{HR_CHANNEL}",
    "BREAKROOM_QUIET_HOURS": "00:00-00:00",  # surveys must not wait for the morning
}


@dataclass
class Teams:
    base: str
    http: aiohttp.ClientSession
    app: web.Application
    fake: FakeConnector

    @property
    def runtime(self) -> Runtime:
        return self.app[RUNTIME_KEY]

    @property
    def bridge(self) -> TeamsBridge:
        return self.app[TEAMS_KEY]

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

    def message(self, text: str, activity_id: str, *, by: User = NURSE, **extra: Any) -> Json:
        """A message activity in `by`'s personal chat with the bot, unless `extra` says else."""
        return {
            "type": "message",
            "id": activity_id,
            "text": text,
            "serviceUrl": self.fake.url,
            "channelId": "msteams",
            "from": {"id": by.teams_id, "aadObjectId": by.aad, "name": by.name},
            "recipient": {"id": BOT, "name": "Breakroom"},
            "conversation": {
                "id": by.personal,
                "conversationType": "personal",
                "tenantId": TENANT,
            },
            "channelData": {"tenant": {"id": TENANT}},
            **extra,
        }

    def in_channel(self, text: str, activity_id: str, *, by: User = NURSE, **extra: Any) -> Json:
        """An @mention of the bot by `by` in a team channel, as a new thread."""
        mention = "<at>Breakroom</at>"
        return self.message(
            f"{mention} {text}",
            activity_id,
            by=by,
            conversation={
                "id": f"{CHANNEL};messageid={activity_id}",
                "conversationType": "channel",
                "tenantId": TENANT,
            },
            entities=[{"type": "mention", "text": mention, "mentioned": {"id": BOT}}],
            **extra,
        )

    def click(
        self, data: Json, card: Call, activity_id: str, *, by: User = NURSE, **inputs: str
    ) -> Json:
        """Pressing an `Action.Submit` on the card `card` posted: Teams sends its data, with
        the card's inputs merged in, as the `value` of a message replying to the card."""
        assert card.created_id is not None
        return self.message(
            "", activity_id, by=by, value={**data, **inputs}, replyToId=card.created_id
        )

    async def answer(self, activity: Json, *, kinds: tuple[str, ...] = ("reply", "send")) -> Call:
        """Post an activity and return the one message the bot answered it with."""
        before = len(self.fake.calls)
        assert await self.activity(activity) in (200, 201)
        [answer] = [c for c in self.fake.calls[before:] if c.kind in kinds]
        return answer


@asynccontextmanager
async def serve_teams(settings: Settings) -> AsyncIterator[Teams]:
    app = create_app(settings)
    async with FakeConnector() as fake, serve(app) as base, aiohttp.ClientSession() as http:
        yield Teams(base, http, app, fake)


def card_of(body: Json) -> Json:
    """The Adaptive Card among a message's attachments (a file offer comes as a second one)."""
    [attachment] = [a for a in body["attachments"] if a["contentType"] == CARD_CONTENT_TYPE]
    card: Json = attachment["content"]
    return card


def text_of(call: Call) -> str:
    """What a message says in plain words: its Markdown text, or its card's fallback text."""
    cards = [a for a in call.body.get("attachments", []) if a["contentType"] == CARD_CONTENT_TYPE]
    if cards:
        assert "text" not in call.body, "Teams would show the text above the card too"
        return str(cards[0]["content"]["fallbackText"])
    return plain_text(str(call.body["text"]))


def _walk(node: Any, keep: Any, found: list[Json]) -> list[Json]:
    if isinstance(node, dict):
        if keep(node):
            found.append(node)
        for value in node.values():
            _walk(value, keep, found)
    elif isinstance(node, list):
        for item in node:
            _walk(item, keep, found)
    return found


def submits(card: Json) -> list[Json]:
    return _walk(card, lambda node: node.get("type") == "Action.Submit", [])


def action(call: Call, title: str) -> Json:
    """The data of the `Action.Submit` titled `title` on the card `call` posted."""
    return next(a["data"] for a in submits(card_of(call.body)) if a["title"] == title)


def inputs(call: Call) -> dict[str, Json]:
    """The inputs of the card `call` posted, by id."""
    found = _walk(card_of(call.body), lambda n: str(n.get("type", "")).startswith("Input."), [])
    return {node["id"]: node for node in found}


async def known(teams: Teams, *people: User) -> None:
    """Each person has written to the bot once, so it knows them and their personal chat."""
    for person in people:
        await teams.answer(teams.message("help", f"hello-{person.aad}", by=person))
