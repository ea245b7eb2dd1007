"""Announcements through the real adapters: Slack over signed HTTP and a fake Slack Web API on
loopback, Teams over the Bot Framework endpoint and a fake connector, and the terminal chat.
HR writes one (typed, or in the form each platform shows), previews it, sends it; staff press
its buttons; HR reads the report and resends to the failed only."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from adapters.console.chat import ConsoleChat
from bot.delivery import OutboxSender
from bot.roles import Role
from bot.runtime import Runtime, start_runtime
from bot.settings import Settings
from storage.announcements import Press
from storage.people import Profile
from tests.fake_slack import TEAM_ID, FakeSlack
from tests.slack_harness import HR, LEADER, NURSE, Json, Slack, serve_slack, slack_env
from tests.slack_payloads import block_actions, view_submission
from tests.teams_harness import HR as TEAMS_HR
from tests.teams_harness import NURSE as TEAMS_NURSE
from tests.teams_harness import PERSONAL, Teams, action, card_of, inputs, known, text_of

FLU = '"Flu shots" "Free flu shots in the **lobby** all week." now --link https://x.org/flu'
FLU_ARTICLE = '"Flu shots" "Get yours by December 1." now --article flu-shots'


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


def button(blocks: list[Json], action_id: str) -> Json:
    found = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    return next(e for e in found if e.get("action_id", "").startswith(action_id))


def shown(message: Json) -> str:
    return json.dumps(message.get("blocks", message), ensure_ascii=False)


async def click(slack: Slack, pressed: Json, user: str, key: str) -> Json:
    """`user` presses `pressed`; what the app answered on the response_url `key`."""
    payload = block_actions(
        pressed["action_id"],
        pressed["value"],
        user,
        channel=f"D{user}",
        message_ts="1700000000.000100",
        response_url=slack.fake.response_url(key),
    )
    assert await slack.click(payload) == 200
    [answer] = await slack.responses(key)
    return answer


# -- Slack --------------------------------------------------------------------------------------


async def test_slack_announce_typed_is_previewed_sent_pressed_once_and_reported(
    slack: Slack,
) -> None:
    services = slack.runtime.services
    await services.people.resolve(Profile("slack", TEAM_ID, NURSE, display_name="Rosa Díaz"))
    assert await slack.command("/announce", FLU, HR, "new") == 200
    [preview] = await slack.responses("new")
    assert "exactly what 2 people will see" in shown(preview)
    assert "Free flu shots in the *lobby* all week." in shown(preview)
    assert slack.fake.posted_to(NURSE) == []

    # HR's sealed Send, pressed by a leader (who may announce, but not HR's draft).
    forged = await click(slack, button(preview["blocks"], "announce.send"), LEADER, "forged")
    assert "meant for someone else" in forged["text"]
    sent = await click(slack, button(preview["blocks"], "announce.send"), HR, "sent")
    # The leader became known in between: the audience is read when it is sent.
    assert "on its way to 3 people" in sent["text"]
    await slack.runtime.delivery.run_until_idle()
    [message] = slack.fake.posted_to(NURSE)
    assert "Free flu shots" in shown(message)

    for key in ("got-1", "got-2"):
        thanks = await click(slack, button(message["blocks"], "announce.got_it"), NURSE, key)
        assert thanks["text"] == "Thanks for reading."
    more = await click(slack, button(message["blocks"], "announce.learn_more"), NURSE, "more")
    assert "https://x.org/flu" in shown(more)

    assert await slack.command("/announce", "report 1", HR, "report") == 200
    [report] = await slack.responses("report")
    assert "Got it" in shown(report)
    assert "1 (33% of those sent)" in shown(report)
    assert "Rosa" not in shown(report)


async def test_slack_announce_alone_opens_a_modal_whose_answers_are_previewed(
    slack: Slack,
) -> None:
    await slack.runtime.services.people.resolve(Profile("slack", TEAM_ID, NURSE))
    assert await slack.command("/announce", "", LEADER, "form") == 200
    await slack.fake.wait_for_call("views.open")
    [view] = slack.fake.views_opened
    assert [b["block_id"] for b in view["blocks"]] == [
        "title",
        "text",
        "audience",
        "audience_name",
        "when",
        "link",
        "article",
    ]

    def typed(name: str, value: str) -> Json:
        return {name: {name: {"type": "plain_text_input", "value": value}}}

    values = {
        **typed("title", "Town hall"),
        **typed("text", "Join us in the auditorium."),
        "audience": {
            "audience": {"type": "static_select", "selected_option": {"value": "everyone"}}
        },
        **typed("audience_name", ""),
        **typed("when", "tomorrow 9:30"),
        **typed("link", ""),
        **typed("article", ""),
    }
    assert await slack.click(view_submission(view, LEADER, values)) == 200
    [preview] = await slack.responses("form")
    assert "Town hall" in shown(preview)
    assert button(preview["blocks"], "announce.send")["text"]["text"] == "Schedule"


async def test_slack_employees_are_refused_and_resend_reaches_the_failed_only(
    slack: Slack,
) -> None:
    services = slack.runtime.services
    for user in (NURSE, "U0SECOND"):
        await services.people.resolve(Profile("slack", TEAM_ID, user))
    assert await slack.command("/announce", FLU, NURSE, "nope") == 200
    [refused] = await slack.responses("nope")
    assert refused["text"] == "Only HR and leaders can do that."

    await slack.command("/announce", FLU, HR, "new")
    [preview] = await slack.responses("new")
    await click(slack, button(preview["blocks"], "announce.send"), HR, "sent")
    slack.fake.fail_next("chat.postMessage", "fatal_error", status=500)
    # One attempt each, so the first refusal is final: the report then has one failed.
    once = OutboxSender(services.outbox, services.outbound, services.renderers, max_attempts=1)
    await once.run_until_idle()
    posted = slack.fake.dm_counts()
    assert sum(posted.values()) == 2

    await slack.command("/announce", "resend 1", HR, "resend")
    [resent] = await slack.responses("resend")
    assert "again to the 1 person it failed for" in resent["text"]
    await slack.runtime.delivery.run_until_idle()
    after = slack.fake.dm_counts()
    assert sum(after.values()) == 3
    assert all(count == 1 for count in after.values()), "nobody got it twice"


# -- Teams --------------------------------------------------------------------------------------


async def test_teams_announce_previews_sends_counts_and_refuses_employees(teams: Teams) -> None:
    await known(teams, TEAMS_NURSE, TEAMS_HR)
    refused = await teams.answer(teams.message(f"announce {FLU}", "m-refused"))
    assert text_of(refused) == "Only HR and leaders can do that."

    preview = await teams.answer(teams.message(f"announce {FLU_ARTICLE}", "m-new", by=TEAMS_HR))
    assert "exactly what 2 people will see" in text_of(preview)
    sent = await teams.answer(
        teams.click(action(preview, "Send now"), preview, "m-send", by=TEAMS_HR),
        kinds=("update",),
    )
    assert sent.activity_id == preview.created_id
    assert "on its way to 2 people" in text_of(sent)
    await teams.runtime.delivery.run_until_idle()
    [message] = [c for c in teams.fake.of_kind("send") if c.conversation_id == PERSONAL]
    assert "Flu shots" in json.dumps(card_of(message.body))

    got_it = action(message, "Got it")
    for n in range(2):
        thanks = await teams.answer(teams.click(got_it, message, f"m-got-{n}"))
        assert text_of(thanks) == "Thanks for reading."
    # "Learn more" shows the knowledge-base article the announcement names.
    more = await teams.answer(teams.click(action(message, "Learn more"), message, "m-more"))
    assert "Employee Health, Monday to Friday" in json.dumps(more.body)
    report = await teams.answer(teams.message("announce report 1", "m-report", by=TEAMS_HR))
    counts = json.dumps(card_of(report.body))
    assert "1 (50% of those sent)" in counts


async def test_teams_announce_alone_is_a_card_form_whose_answers_become_the_preview(
    teams: Teams,
) -> None:
    await known(teams, TEAMS_NURSE, TEAMS_HR)
    form = await teams.answer(teams.message("announce", "m-form", by=TEAMS_HR))
    fields = inputs(form)
    assert list(fields) == ["title", "text", "audience", "audience_name", "when", "link", "article"]
    assert fields["audience"]["type"] == "Input.ChoiceSet"
    submitted = teams.click(
        action(form, "Preview"),
        form,
        "m-form-submit",
        by=TEAMS_HR,
        title="Parking",
        text="Garage B closes on Friday.",
        audience="everyone",
        audience_name="",
        when="now",
        link="",
        article="",
    )
    preview = await teams.answer(submitted, kinds=("update",))
    assert preview.activity_id == form.created_id
    assert "Garage B closes on Friday." in json.dumps(preview.body)
    assert action(preview, "Send now")["verb"] == "announce.send"


# -- the terminal chat ----------------------------------------------------------------------------


@pytest.fixture
async def rt(make_settings: Callable[..., Settings]) -> AsyncIterator[Runtime]:
    runtime = await start_runtime(make_settings(BREAKROOM_QUIET_HOURS="00:00-00:00"))
    yield runtime
    await runtime.close()


async def test_the_terminal_chat_fills_the_form_sends_and_staff_see_it(rt: Runtime) -> None:
    await rt.services.people.resolve(Profile("console", "local", "sam", "Sam"))
    # The form's answers (title, text, audience 1 = everyone, no name, now, no link, no
    # article), then [2]: the preview's Send now, after the message's own Got it.
    form = ["Parking", "Garage B closes Friday.", "1", "", "now", "", ""]
    hana_types = iter(["announce", *form, "2"])
    hana_saw: list[str] = []

    async def hana_reads(prompt: str) -> str | None:
        return next(hana_types, None)

    await ConsoleChat(rt, "hana", hana_reads, hana_saw.append, role=Role.HR).run()
    transcript = "\n".join(hana_saw)
    assert "exactly what 2 people will see" in transcript
    assert "[2] Send now" in transcript
    assert "Announcement #1 is on its way to 2 people" in transcript
    await rt.delivery.run_until_idle()

    sam_types = iter(["1"])
    sam_saw: list[str] = []

    async def sam_reads(prompt: str) -> str | None:
        return next(sam_types, None)

    await ConsoleChat(rt, "sam", sam_reads, sam_saw.append).run()
    seen = "\n".join(sam_saw)
    assert "Garage B closes Friday." in seen
    assert "Thanks for reading." in seen
    assert (await rt.services.announcements.presses(1))[Press.GOT_IT] == 1
