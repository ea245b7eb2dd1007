"""Results shared back through the real adapters: HR's commands over signed Slack requests and
Teams activities, and the summaries and invitations reaching people through the outbox to the
fake Slack Web API and the fake Bot Framework connector."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from bot.runtime import Runtime
from bot.settings import Settings
from storage.people import Profile
from tests.fake_slack import TEAM_ID, FakeSlack
from tests.slack_harness import HR, LEADER, NURSE, Json, Slack, serve_slack, slack_env
from tests.teams_harness import HR as TEAMS_HR
from tests.teams_harness import LEADER as TEAMS_LEADER
from tests.teams_harness import NURSE as TEAMS_NURSE
from tests.teams_harness import Teams, known, text_of

PORTER = "U0PORTER"


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as slack:
        yield slack


@pytest.fixture
async def slack(
    make_settings: Callable[..., Settings], fake: FakeSlack, tmp_path: Path
) -> AsyncIterator[Slack]:
    async with serve_slack(make_settings(**slack_env(fake, tmp_path / "kb")), fake) as served:
        yield served


async def answer_enps(runtime: Runtime, round_id: int, scores: list[int]) -> None:
    """The first people invited to the round give these scores (the answering path through
    the adapters has its own tests)."""
    invitees = await runtime.services.surveys.invitees(round_id)
    for person, score in zip(invitees, scores, strict=False):
        await runtime.services.survey_answers.record_answer(
            round_id,
            person.person_id,
            "recommend",
            str(score),
            department="",
            unit="",
            required=["recommend"],
        )


async def hr_says(slack: Slack, words: str, key: str, user: str = HR) -> str:
    await slack.command("/pulse", words, user, key)
    [response] = await slack.responses(key)
    return str(response["text"])


def shown(message: Json) -> str:
    return json.dumps(message.get("blocks", []), ensure_ascii=False)


def summaries(slack: Slack, user: str) -> list[Json]:
    return [m for m in slack.fake.posted_to(user) if m["text"].startswith("What you told us")]


async def test_slack_a_closed_round_is_shared_once_with_its_actions_and_recalled_next_round(
    slack: Slack,
) -> None:
    services = slack.runtime.services
    for user, name in ((NURSE, "Rosa Díaz"), (LEADER, "Lee"), (PORTER, "Pat")):
        await services.people.resolve(Profile("slack", TEAM_ID, user, display_name=name))
    created = await hr_says(slack, "create monthly-enps to everyone now --threshold 3", "new")
    assert created.startswith("Survey #1")
    await slack.runtime.delivery.run_until_idle()
    await answer_enps(slack.runtime, 1, [10, 9, 6])

    assert "still open" in await hr_says(slack, "share 1", "early")
    await hr_says(slack, "close 1", "close")
    await hr_says(slack, 'action 1 Float nurse on nights --owner "Ana Ruiz"', "act")
    assert "now done" in await hr_says(slack, "action 1 done 1", "done")
    assert (await hr_says(slack, "share 1", "share")).startswith(
        "Sharing survey #1's results with 4 people"
    )
    await slack.runtime.delivery.run_until_idle()
    [summary] = summaries(slack, NURSE)
    # Two promoters and one detractor of three answers.
    assert "eNPS +33 (67% would recommend us, 33% would not)" in summary["text"]
    assert "Float nurse on nights: *done* (Ana Ruiz)" in shown(summary)

    assert "shared already" in await hr_says(slack, "share 1", "again")
    assert "Only HR can do that." in await hr_says(slack, "share 1", "nurse", user=NURSE)
    await slack.runtime.delivery.run_until_idle()
    assert len(summaries(slack, NURSE)) == 1
    assert sum(1 for m in slack.fake.posted_to(PORTER) if "What you told us" in m["text"]) == 1

    await hr_says(slack, "run 1", "run")
    await slack.runtime.delivery.run_until_idle()
    invitation = slack.fake.posted_to(NURSE)[-1]
    assert invitation["text"].startswith(
        "Last time you told us: 67% would recommend us (eNPS +33)."
    )
    assert "Here is what we did" in shown(invitation)


async def test_teams_a_survey_made_to_share_shares_on_close_and_never_below_the_threshold(
    teams: Teams,
) -> None:
    await known(teams, TEAMS_NURSE, TEAMS_LEADER, TEAMS_HR)

    async def hr_says(words: str, activity_id: str) -> str:
        reply = await teams.answer(teams.message(f"pulse {words}", activity_id, by=TEAMS_HR))
        return text_of(reply)

    plain = await hr_says("create monthly-enps to everyone now --threshold 3", "m-plain")
    assert "results go to everyone" not in plain
    created = await hr_says("create monthly-enps to everyone now --threshold 3 --share", "m-new")
    assert created.endswith("Each round's results go to everyone invited when it closes.")
    await teams.runtime.delivery.run_until_idle()
    await answer_enps(teams.runtime, 2, [10, 9, 8])
    await answer_enps(teams.runtime, 1, [10, 9, 8])  # survey 1 does not share: nothing goes
    await hr_says('action 2 Float nurse on nights --owner "Ana Ruiz"', "m-act")
    await hr_says("action 2 started 1", "m-start")
    nurse = await teams.answer(teams.message("pulse share 2", "m-nurse"))
    assert "Only HR can do that." in text_of(nurse)

    for survey in (1, 2):
        await teams.activity(
            teams.message(f"pulse close {survey}", f"m-close{survey}", by=TEAMS_HR)
        )
    await teams.runtime.delivery.run_until_idle()
    to_nurse = [
        text_of(c) for c in teams.fake.of_kind("send") if c.conversation_id == TEAMS_NURSE.personal
    ]
    [summary] = [t for t in to_nurse if t.startswith("What you told us")]
    assert "eNPS +67 (67% would recommend us, 0% would not)" in summary
    assert "Float nurse on nights: in progress (Ana Ruiz)" in summary

    # A round two people answered: its results are not shown, on close or when asked.
    small = await hr_says("create monthly-enps to everyone now --threshold 3 --share", "m-small")
    assert small.startswith("Survey #3")
    await teams.runtime.delivery.run_until_idle()
    await answer_enps(teams.runtime, 3, [10, 2])
    await teams.activity(teams.message("pulse close 3", "m-close3", by=TEAMS_HR))
    refused = await hr_says("share 3", "m-share3")
    assert refused.startswith("Nothing was shared from survey #3. Results are hidden")
    await teams.runtime.delivery.run_until_idle()
    after = [
        text_of(c) for c in teams.fake.of_kind("send") if c.conversation_id == TEAMS_NURSE.personal
    ]
    assert sum(t.startswith("What you told us") for t in after) == 1
