"""A program spotlight through the real Slack adapter over loopback: HR creates the campaign with
`/spotlight`, a turn reaches each person once however many ticks and replicas look, "Ask about
this" opens the article, a forged press is refused, and `/ask stats` counts what followed."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.ownership import named_record
from bot.settings import Settings
from storage.people import Profile
from tests.fake_slack import TEAM_ID, FakeSlack
from tests.slack_harness import HR, NURSE, Json, Slack, serve_slack, slack_env
from tests.slack_payloads import block_actions, dm_event
from tests.spotlights import clock_of, due_just_now, spotlight_kb, tick

TECH = "U0TECH"
ASK_ABOUT = "knowledge.ask_about"


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as slack:
        yield slack


@pytest.fixture
def settings(make_settings: Callable[..., Settings], fake: FakeSlack, tmp_path: Path) -> Settings:
    env = slack_env(fake, tmp_path / "kb")
    spotlight_kb(Path(env["BREAKROOM_KB_DIR"]))
    return make_settings(**env)


@pytest.fixture
async def replicas(settings: Settings, fake: FakeSlack) -> AsyncIterator[tuple[Slack, Slack]]:
    """Two servers on one database and one Slack workspace, as two replicas run."""
    async with AsyncExitStack() as stack:
        first = await stack.enter_async_context(serve_slack(settings, fake))
        second = await stack.enter_async_context(serve_slack(settings, fake))
        yield first, second


def spotlight_button(message: Json) -> Json:
    return next(
        e
        for b in message["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"].startswith(ASK_ABOUT)
    )


async def test_a_spotlight_reaches_each_person_once_and_ask_about_this_opens_it(
    replicas: tuple[Slack, Slack],
) -> None:
    slack, other = replicas
    for user, name in ((NURSE, "Rosa Díaz"), (TECH, "Sam Tech")):
        await slack.runtime.services.people.resolve(
            Profile("slack", TEAM_ID, user, display_name=name)
        )
    schedule, run = due_just_now()
    for replica in replicas:  # one time on both, or each would think the other's claims stale
        clock_of(replica.runtime).now = run - timedelta(minutes=1)
    await slack.command("/spotlight", f"create to everyone {schedule}", HR, "create")
    [created] = await slack.responses("create")
    assert created["text"].startswith("Spotlight #1 for everyone: every ")
    assert "First: Flu shots at Employee Health on " in created["text"]

    # The turn is due: ticks on both replicas, twice on one, and both send what is queued.
    for replica in (slack, slack, other):
        await tick(replica.runtime, run + timedelta(minutes=1))
    for replica in (slack, other):
        await replica.runtime.delivery.run_until_idle()
    assert slack.fake.dm_counts() == {NURSE: 1, TECH: 1, HR: 1}
    [card] = slack.fake.posted_to(NURSE)
    shown = json.dumps(card["blocks"], ensure_ascii=False)
    assert "Flu shots at Employee Health" in shown
    assert "https://intranet.example/flu-shots" in shown
    button = spotlight_button(card)
    assert button["text"]["text"] == "Ask about this"

    # "Ask about this": the article as an answer, with feedback buttons.
    click = block_actions(
        button["action_id"],
        button["value"],
        NURSE,
        channel=f"D{NURSE}",
        message_ts=card["ts"],
        response_url=slack.fake.response_url("ask"),
    )
    assert await slack.click(click) == 200
    [answer] = await slack.responses("ask")
    opened = json.dumps(answer["blocks"], ensure_ascii=False)
    assert "Flu shots are free at Employee Health" in opened
    assert "knowledge.helpful" in opened

    # The same value pressed by someone else, or with another turn's id, does nothing.
    for user, value, key in (
        (TECH, button["value"], "stolen"),
        (NURSE, button["value"].replace(named_record(button["value"]), "2|flu-shots"), "forged"),
    ):
        click = block_actions(
            button["action_id"],
            value,
            user,
            channel=f"D{user}",
            message_ts=card["ts"],
            response_url=slack.fake.response_url(key),
        )
        assert await slack.click(click) == 200
        [refused] = await slack.responses(key)
        assert "meant for someone else" in refused["text"]

    # A question typed afterwards counts too; the stats name no one.
    assert await slack.event(dm_event("Is the flu vaccine required?", TECH, "EvFlu")) == 200
    await slack.fake.wait_until(lambda: len(slack.fake.posted_to(TECH)) == 2)
    clock_of(slack.runtime).now = datetime.now(UTC) + timedelta(minutes=1)
    await slack.command("/ask", "stats", HR, "stats")
    [stats] = await slack.responses("stats")
    assert (
        'sent to 3 people. Since then: 2 questions asked, 2 about this article (1 through "Ask '
        'about this").'
    ) in stats["text"]
    assert "Rosa" not in stats["text"]
    assert "Sam" not in stats["text"]


async def test_employees_are_refused_and_turns_rotate_over_slack(
    settings: Settings, fake: FakeSlack
) -> None:
    # One server: its clock is moved weeks ahead, where another's sender, on the real clock,
    # would take the claims of this one for those of a sender long dead.
    async with serve_slack(settings, fake) as slack:
        await refused_then_rotated(slack)


async def refused_then_rotated(slack: Slack) -> None:
    await slack.command("/spotlight", "create every monday 10:00", NURSE, "employee")
    [refused] = await slack.responses("employee")
    assert refused["text"] == "Only HR and leaders can do that."
    assert await slack.runtime.services.spotlights.all() == []

    start = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # Monday, 09:00 in New York
    clock_of(slack.runtime).now = start
    await slack.command(
        "/spotlight", "create every monday 10:00 --articles eap-counseling,pto-basics", HR, "hr"
    )
    await slack.responses("hr")
    for week in range(3):
        await tick(slack.runtime, start + timedelta(days=7 * week, hours=1, minutes=1))
        await slack.runtime.delivery.run_until_idle()
    titles = [json.dumps(m["blocks"]) for m in slack.fake.posted_to(HR)]
    assert ["EAP" in t for t in titles] == [True, False, True]
    assert ["Paid time off" in t for t in titles] == [False, True, False]
