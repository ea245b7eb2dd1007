"""Forged button values end to end: a Slack interaction signed with the real scheme, and a Teams
invoke, each sent by a colleague with the value of someone else's button (as seen in a shared
channel) or the bare id behind it. Each is refused kindly on the platform, audited, and changes
nothing; the owner's own press still works."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from adapters.teams.render import MESSAGE_RESPONSE_TYPE
from bot.ownership import named_record
from bot.settings import Settings
from tests.fake_slack import FakeSlack
from tests.slack_harness import NURSE, Slack, serve_slack, slack_env
from tests.slack_payloads import block_actions, dm_event
from tests.teams_harness import NURSE as TEAMS_NURSE
from tests.teams_harness import Teams, User, card_of, submits

UNSURE = "can I bring my dog to the night shift potluck"
SLACK_COLLEAGUE = "U0TECH"
TEAMS_COLLEAGUE = User("aad-tech", "29:tech", "Theo Tech", "a:personal-tech")


@pytest.fixture
async def slack(make_settings: Callable[..., Settings], tmp_path: Path) -> AsyncIterator[Slack]:
    async with FakeSlack() as fake:
        settings = make_settings(**slack_env(fake, tmp_path / "kb"))
        async with serve_slack(settings, fake) as served:
            yield served


async def test_a_signed_slack_click_with_a_colleagues_ask_hr_value_is_refused(
    slack: Slack,
) -> None:
    assert await slack.event(dm_event(UNSURE, NURSE, "Ev-own")) == 200
    [answer] = await slack.fake.wait_for_call("chat.postMessage")
    [ask_hr] = [
        element["value"]
        for block in answer.args["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
        if element["action_id"].startswith("knowledge.ask_hr")
    ]
    question_id = named_record(ask_hr)

    def click(user: str, value: str, key: str) -> dict[str, Any]:
        return block_actions(
            "knowledge.ask_hr",
            value,
            user,
            channel=f"D{user}",
            message_ts="1700000000.000900",
            response_url=slack.fake.response_url(key),
        )

    for key, value, words in (
        ("seen", ask_hr, "meant for someone else"),
        ("guessed", question_id, "older message"),
    ):
        assert await slack.click(click(SLACK_COLLEAGUE, value, key)) == 200
        [refusal] = await slack.responses(key)
        assert refusal["response_type"] == "ephemeral"
        assert words in refusal["text"]
        assert "potluck" not in json.dumps(refusal)
    services = slack.runtime.services
    assert await services.tickets.open_tickets() == []
    refused = await services.audit.recent(action="access.refused")
    assert sorted((r.subject, r.detail["route"], r.detail["reason"]) for r in refused) == [
        (question_id, "knowledge.ask_hr", "forged"),
        (question_id, "knowledge.ask_hr", "unsealed"),
    ]

    assert await slack.click(click(NURSE, ask_hr, "own")) == 200
    [sent] = await slack.responses("own")
    assert "ticket #1" in json.dumps(sent)
    [ticket] = await services.tickets.open_tickets()
    assert "potluck" in ticket.text


async def test_a_teams_invoke_with_a_colleagues_helpful_value_is_refused(teams: Teams) -> None:
    assert await teams.activity(teams.message("How much PTO do I get?", "m-own")) in (200, 201)
    [answer] = await teams.fake.wait_for("send", "reply")
    helpful = next(a["data"] for a in submits(card_of(answer.body)) if a["title"] == "Helpful")
    question_id = int(named_record(helpful["value"]).partition("|")[0])

    async def execute(data: dict[str, Any], activity_id: str, by: User) -> Any:
        activity = teams.message("", activity_id, by=by, type="invoke", name="adaptiveCard/action")
        activity["replyToId"] = "act-card-1"
        activity["value"] = {
            "action": {"type": "Action.Execute", "verb": data["verb"], "data": data}
        }
        status, body = await teams.post(json.dumps(activity))
        assert status == 200
        return json.loads(body)

    bare = {**helpful, "value": str(question_id)}
    for n, (data, words) in enumerate(((helpful, "meant for someone else"), (bare, "older"))):
        body = await execute(data, f"i-forged-{n}", TEAMS_COLLEAGUE)
        assert (body["statusCode"], body["type"]) == (200, MESSAGE_RESPONSE_TYPE)
        assert words in body["value"]
    services = teams.runtime.services
    logged = await services.questions.get(question_id)
    assert logged is not None
    assert logged.helpful is None
    refused = await services.audit.recent(action="access.refused")
    assert sorted(r.detail["reason"] for r in refused) == ["forged", "unsealed"]
    assert {(r.subject, r.detail["route"]) for r in refused} == {
        (named_record(helpful["value"]), "knowledge.helpful"),
        (str(question_id), "knowledge.helpful"),
    }

    body = await execute(helpful, "i-own", TEAMS_NURSE)
    assert "glad that helped" in json.dumps(body["value"])  # the card, redrawn in place
    logged = await services.questions.get(question_id)
    assert logged is not None
    assert logged.helpful is True
