"""A program spotlight through the real Teams adapter and a fake Bot Framework connector: HR
creates the campaign in chat, the turn's card reaches each person once however many ticks look
(a second replica's too), "Ask about this" opens the article, another person's press is
refused, employees cannot manage spotlights, and `ask stats` counts what followed."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.runtime import start_runtime
from bot.settings import Settings
from tests.spotlights import clock_of, due_just_now, spotlight_kb, tick
from tests.teams_harness import (
    HR,
    LEADER,
    NURSE,
    PERSONAL,
    Teams,
    action,
    card_of,
    known,
    serve_teams,
    submits,
    text_of,
)


@pytest.fixture
def settings(teams_settings: Callable[..., Settings], tmp_path: Path) -> Settings:
    made = teams_settings(BREAKROOM_TEAMS_EMULATOR="1")
    spotlight_kb(tmp_path / "kb")
    return made


@pytest.fixture
async def teams(settings: Settings) -> AsyncIterator[Teams]:
    async with serve_teams(settings) as served:
        yield served


async def test_a_spotlight_card_reaches_each_person_once_and_opens_its_article(
    teams: Teams, settings: Settings
) -> None:
    await known(teams, NURSE, HR, LEADER)
    refused = await teams.answer(teams.message("spotlight create every monday 10:00", "m-emp"))
    assert text_of(refused) == "Only HR and leaders can do that."

    schedule, run = due_just_now()
    clock_of(teams.runtime).now = run - timedelta(minutes=1)
    created = await teams.answer(teams.message(f"spotlight create {schedule}", "m-new", by=HR))
    assert text_of(created).startswith("Spotlight #1 for everyone: every ")

    await tick(teams.runtime, run + timedelta(minutes=1))
    await tick(teams.runtime, run + timedelta(minutes=1))
    replica = await start_runtime(settings)  # a second replica's scheduler looks too
    try:
        await tick(replica, run + timedelta(minutes=1))
    finally:
        await replica.close()
    await teams.runtime.delivery.run_until_idle()
    sent = [c.conversation_id for c in teams.fake.of_kind("send")]
    assert sorted(sent) == sorted([NURSE.personal, HR.personal, LEADER.personal])
    [card] = [c for c in teams.fake.of_kind("send") if c.conversation_id == PERSONAL]
    assert "Flu shots at Employee Health" in str(card_of(card.body))
    ask = action(card, "Ask about this")
    assert ask["verb"] == "knowledge.ask_about"

    answer = await teams.answer(teams.click(ask, card, "m-ask"))
    assert "Flu shots are free at Employee Health" in str(card_of(answer.body))
    verbs = [a["data"]["verb"] for a in submits(card_of(answer.body))]
    assert verbs == ["knowledge.helpful", "knowledge.not_helpful", "knowledge.ask_form"]
    stolen = await teams.answer(teams.click(ask, card, "m-stolen", by=LEADER))
    assert "meant for someone else" in text_of(stolen)

    clock_of(teams.runtime).now = datetime.now(UTC) + timedelta(minutes=1)
    stats = await teams.answer(teams.message("ask stats", "m-stats", by=HR))
    assert (
        'sent to 3 people. Since then: 1 question asked, 1 about this article (1 through "Ask '
        'about this").'
    ) in text_of(stats)
    assert NURSE.name not in text_of(stats)
