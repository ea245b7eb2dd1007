"""The same reply placement on Slack and Teams, from one table of cases, through the real adapters
over loopback: signed requests to the Slack app with a fake Web API behind it, activities to the
Teams app with a fake connector behind it.

Each fake's recorded calls are read back in neutral terms: "in the conversation", "private to
the actor" (a Slack ephemeral message; on Teams, a message in the personal chat), "updated in
place", and "DM" (the actor's direct chat, where the event came from elsewhere).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

import pytest

from bot.settings import Settings
from tests.fake_connector import Call as ConnectorCall
from tests.fake_slack import BOT_USER, FakeSlack
from tests.fake_slack import Call as SlackCall
from tests.slack_harness import NURSE as SLACK_NURSE
from tests.slack_harness import Slack, serve_slack, slack_env
from tests.slack_payloads import block_actions, dm_event, event_callback
from tests.teams_harness import BOT, NURSE, TENANT, Teams, action, known, serve_teams

QUESTION = "How much PTO do I get?"
IDEA = "idea More chairs in the break room on 5 North"
SLACK_CHANNEL = "C0GENERAL"
TEAMS_CHANNEL = "19:ward@thread.tacv2"


class Outcome(StrEnum):
    IN_CONVERSATION = "in the conversation"
    PRIVATE = "private to the actor"
    UPDATED = "updated in place"
    DM = "DM"


@dataclass(frozen=True)
class Case:
    name: str
    text: str
    in_channel: bool
    expected: Outcome
    press_submit: bool = False  # press Submit on the message the text brought
    refused: bool = False  # the channel refuses the bot's post


CASES = [
    Case("DM", QUESTION, in_channel=False, expected=Outcome.IN_CONVERSATION),
    Case("channel mention", QUESTION, in_channel=True, expected=Outcome.IN_CONVERSATION),
    Case("private reply in a channel", IDEA, in_channel=True, expected=Outcome.PRIVATE),
    Case("button on a message", IDEA, False, Outcome.UPDATED, press_submit=True),
    Case("button on an ephemeral message", IDEA, True, Outcome.UPDATED, press_submit=True),
    Case("post refused in a channel", QUESTION, True, Outcome.DM, refused=True),
]


@dataclass(frozen=True)
class Placed:
    outcomes: frozenset[Outcome]
    message: Any  # what pressing a button on it takes


class Platform(Protocol):
    async def say(self, text: str, *, in_channel: bool) -> list[Placed]: ...

    async def press_submit(self, on: Placed) -> list[Placed]: ...

    def refuse_next_channel_post(self) -> None: ...


class SlackPlatform:
    PLACING = ("chat.postMessage", "chat.postEphemeral", "chat.update", "response_url")

    def __init__(self, slack: Slack) -> None:
        self.slack = slack
        self.fake = slack.fake
        self._count = 0

    async def say(self, text: str, *, in_channel: bool) -> list[Placed]:
        event_id = self._next("Ev")
        if in_channel:
            mention = {
                "type": "app_mention",
                "user": SLACK_NURSE,
                "text": f"<@{BOT_USER}> {text}",
                "ts": "1700000000.000500",
                "channel": SLACK_CHANNEL,
            }
            return await self._placed(self.slack.event(event_callback(mention, event_id)), True)
        return await self._placed(self.slack.event(dm_event(text, SLACK_NURSE, event_id)), False)

    async def press_submit(self, on: Placed) -> list[Placed]:
        call, channel, ts = on.message
        submit = next(
            element
            for block in call.args["blocks"]
            if block["type"] == "actions"
            for element in block["elements"]
            if element["action_id"].startswith("ideas.confirm")
        )
        click = block_actions(
            submit["action_id"],
            submit["value"],
            SLACK_NURSE,
            channel=channel,
            message_ts=ts,
            response_url=self.fake.response_url(self._next("r")),
            ephemeral=call.method == "chat.postEphemeral",
        )
        return await self._placed(self.slack.click(click), channel == SLACK_CHANNEL)

    def refuse_next_channel_post(self) -> None:
        self.fake.fail_next("chat.postMessage", "not_in_channel")

    async def _placed(self, request: Awaitable[int], in_channel: bool) -> list[Placed]:
        before = {method: len(self.fake.calls[method]) for method in self.PLACING}

        def placed() -> list[SlackCall]:
            return [
                call
                for method in self.PLACING
                for call in self.fake.calls[method][before[method] :]
                if call.status == 200 and call.error is None
            ]

        assert await request == 200
        # Slack is answered after the acknowledgement: wait for the answer, then its end.
        await self.fake.wait_until(lambda: bool(placed()))
        await self.slack.bridge.idle()
        return [self._read(call, in_channel) for call in placed()]

    def _read(self, call: SlackCall, in_channel: bool) -> Placed:
        channel = SLACK_CHANNEL if in_channel else f"D{SLACK_NURSE}"
        if call.method == "chat.update" or call.args.get("replace_original"):
            return Placed(frozenset({Outcome.UPDATED}), None)
        if call.method == "chat.postEphemeral":
            return Placed(frozenset({Outcome.PRIVATE}), (call, channel, "1700000000.000600"))
        if call.method == "response_url":
            private = call.args.get("response_type") == "ephemeral"
            outcome = Outcome.PRIVATE if private else Outcome.IN_CONVERSATION
            return Placed(frozenset({outcome}), None)
        dm = self.fake.dm_channel(SLACK_NURSE)
        posted_in = dm if call.args["channel"] == SLACK_NURSE else call.args["channel"]
        ts = self.fake.messages[posted_in][-1]["ts"]
        outcome = Outcome.DM if posted_in == dm and in_channel else Outcome.IN_CONVERSATION
        return Placed(frozenset({outcome}), (call, posted_in, ts))

    def _next(self, prefix: str) -> str:
        self._count += 1
        return f"{prefix}{self._count}"


class TeamsPlatform:
    def __init__(self, teams: Teams) -> None:
        self.teams = teams
        self._count = 0

    async def say(self, text: str, *, in_channel: bool) -> list[Placed]:
        activity_id = self._next()
        if not in_channel:
            return await self._placed(self.teams.message(text, activity_id), False)
        mention = "<at>Breakroom</at>"
        activity = self.teams.message(
            f"{mention} {text}",
            activity_id,
            conversation={"id": TEAMS_CHANNEL, "conversationType": "channel", "tenantId": TENANT},
            entities=[{"type": "mention", "text": mention, "mentioned": {"id": BOT}}],
        )
        return await self._placed(activity, True)

    async def press_submit(self, on: Placed) -> list[Placed]:
        card: ConnectorCall = on.message
        click = self.teams.click(action(card, "Submit"), card, self._next())
        return await self._placed(click, card.conversation_id == TEAMS_CHANNEL)

    def refuse_next_channel_post(self) -> None:
        self.teams.fake.fail_next(403, conversation=TEAMS_CHANNEL)

    async def _placed(self, activity: dict[str, Any], in_channel: bool) -> list[Placed]:
        before = len(self.teams.fake.calls)
        assert await self.teams.activity(activity) in (200, 201)
        calls = self.teams.fake.calls[before:]
        return [self._read(c, in_channel) for c in calls if c.status == 200]

    def _read(self, call: ConnectorCall, in_channel: bool) -> Placed:
        if call.kind == "update":
            return Placed(frozenset({Outcome.UPDATED}), call)
        if call.conversation_id == NURSE.personal and in_channel:
            # Teams has no private message in a channel: the personal chat is the private place.
            return Placed(frozenset({Outcome.PRIVATE, Outcome.DM}), call)
        return Placed(frozenset({Outcome.IN_CONVERSATION}), call)

    def _next(self) -> str:
        self._count += 1
        return f"m-place-{self._count}"


@pytest.fixture(params=["slack", "teams"])
async def platform(
    request: pytest.FixtureRequest,
    make_settings: Callable[..., Settings],
    teams_settings: Callable[..., Settings],
    tmp_path: Path,
) -> AsyncIterator[Platform]:
    if request.param == "slack":
        async with FakeSlack() as fake:
            settings = make_settings(**slack_env(fake, tmp_path / "kb"))
            async with serve_slack(settings, fake) as slack:
                yield SlackPlatform(slack)
        return
    async with serve_teams(teams_settings(BREAKROOM_TEAMS_EMULATOR="1")) as teams:
        await known(teams, NURSE)  # Teams can reach her personal chat
        yield TeamsPlatform(teams)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
async def test_a_reply_lands_in_the_same_place_on_every_platform(
    platform: Platform, case: Case
) -> None:
    if case.refused:
        platform.refuse_next_channel_post()
    placed = await platform.say(case.text, in_channel=case.in_channel)
    if case.press_submit:
        [preview] = placed
        placed = await platform.press_submit(preview)
    [reply] = placed
    assert case.expected in reply.outcomes
