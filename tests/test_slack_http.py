"""The Slack adapter over real HTTP on loopback: requests signed with Slack's real scheme go to
`POST /slack/events` of the app factory's server, and the answers reach a fake Slack Web API."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from adapters.slack.render import OPEN_FORM_ACTION
from bot.answering import FORM_GONE, FORM_LIFETIME
from bot.app import create_app
from bot.context import Context
from bot.ownership import named_record
from bot.replies import Form, Input, Reply, Text
from bot.settings import Settings
from storage.people import Profile
from tests.fake_slack import TEAM_ID, Call, FakeSlack
from tests.http import serve
from tests.slack_harness import HR, LEADER, NURSE, Json, Slack, serve_slack, slack_env
from tests.slack_payloads import (
    FORM,
    block_actions,
    dm_event,
    event_callback,
    signed,
    view_submission,
)
from tests.spanish import english_words

PHI_IDEA = (
    "Patient John Smith MRN 12345678 waited 3 hours for discharge meds; "
    "a discharge pharmacist on 5 North would help"
)


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as slack:
        yield slack


@pytest.fixture
def slack_settings(
    make_settings: Callable[..., Settings], fake: FakeSlack, tmp_path: Path
) -> Callable[..., Settings]:
    def make(**env: str) -> Settings:
        values = slack_env(fake, tmp_path / "kb")
        values.update(env)
        return make_settings(**values)

    return make


@pytest.fixture
async def slack(slack_settings: Callable[..., Settings], fake: FakeSlack) -> AsyncIterator[Slack]:
    async with serve_slack(slack_settings(), fake) as served:
        yield served


def elements(blocks: list[Json]) -> list[Json]:
    return [e for b in blocks if b["type"] == "actions" for e in b["elements"]]


def button(blocks: list[Json], action_id: str) -> Json:
    return next(e for e in elements(blocks) if e.get("action_id", "").startswith(action_id))


def text_of(blocks: list[Json]) -> str:
    return json.dumps(blocks, ensure_ascii=False)


# -- the door: signatures and bodies ------------------------------------------------------------


async def test_forged_stale_and_unsigned_requests_are_refused(
    slack: Slack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    body = json.dumps(dm_event("my secret question about FMLA", NURSE, "EvForged"))
    forged = signed(body, secret="not-the-signing-secret")
    stale = signed(body, timestamp=int(time.time()) - 6 * 60)
    not_a_time = {**signed(body), "X-Slack-Request-Timestamp": "yesterday"}
    for headers in (forged, stale, {"Content-Type": "application/json"}, not_a_time):
        status, _ = await slack.post(body, headers)
        assert status == 401
    await slack.bridge.idle()
    assert not slack.fake.calls["chat.postMessage"]  # nothing reached the bot
    assert "secret question" not in caplog.text  # bolt logs refused bodies; we never let it


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("{not json", "application/json"),
        ("payload=%7Bnot+json", FORM),
        ("payload=%5B1%2C2%5D", FORM),  # JSON, but not an object
        ("[1, 2]", "application/json"),
    ],
)
async def test_a_signed_body_that_is_not_json_is_a_400(
    slack: Slack, body: str, content_type: str
) -> None:
    status, _ = await slack.post(body, content_type=content_type)
    assert status == 400


async def test_url_verification_is_answered_with_the_challenge(slack: Slack) -> None:
    raw = json.dumps(
        {"token": "t", "challenge": "3eZbrw1aBm2rZgRNFdxV", "type": "url_verification"}
    )
    status, text = await slack.post(raw, content_type="application/json")
    assert status == 200
    assert json.loads(text) == {"challenge": "3eZbrw1aBm2rZgRNFdxV"}


# -- knowledge: a DM question, its answer, feedback -----------------------------------------------


async def test_a_dm_question_is_answered_and_the_feedback_click_stored(slack: Slack) -> None:
    assert await slack.event(dm_event("How much PTO do I get?", NURSE, "Ev1")) == 200
    [answer] = await slack.fake.wait_for_call("chat.postMessage")
    assert answer.args["channel"] == f"D{NURSE}"
    blocks = answer.args["blocks"]
    assert "Paid time off (PTO)" in text_of(blocks)
    helpful, not_helpful = button(blocks, "knowledge.helpful"), button(blocks, "knowledge.not")
    assert (helpful["text"]["text"], not_helpful["text"]["text"]) == ("Helpful", "Not helpful")
    [stored] = slack.fake.messages[f"D{NURSE}"]

    click = block_actions(
        "knowledge.helpful",
        helpful["value"],
        NURSE,
        channel=f"D{NURSE}",
        message_ts=stored["ts"],
        response_url=slack.fake.response_url("fb"),
    )
    assert await slack.click(click) == 200
    # The answer is redrawn in place, with what came of the press instead of its buttons.
    [update] = await slack.fake.wait_for_call("chat.update")
    assert (update.args["channel"], update.args["ts"]) == (f"D{NURSE}", stored["ts"])
    assert "Paid time off (PTO)" in text_of(update.args["blocks"])
    assert "glad that helped" in text_of(update.args["blocks"])
    assert "knowledge.helpful" not in json.dumps(update.args["blocks"])
    question = named_record(helpful["value"]).partition("|")[0]
    logged = await slack.runtime.services.questions.get(int(question))
    assert logged is not None
    assert logged.helpful is True


async def test_a_retried_event_is_answered_once(slack: Slack) -> None:
    body = dm_event("Where do I get my flu shot?", NURSE, "EvRetried")
    statuses = [await slack.event(body)]
    for attempt in (1, 2, 3):  # Slack's retries carry the attempt number and the reason
        statuses.append(
            await slack.event(
                body, **{"X-Slack-Retry-Num": str(attempt), "X-Slack-Retry-Reason": "http_timeout"}
            )
        )
    assert statuses == [200] * 4
    await slack.bridge.idle()
    assert len(slack.fake.calls["chat.postMessage"]) == 1


async def test_a_newcomers_first_events_are_answered_in_order(slack: Slack) -> None:
    """Opening the Messages tab and asking at once: both events for a person not yet stored."""
    tab = event_callback(
        {"type": "app_home_opened", "user": NURSE, "channel": f"D{NURSE}", "tab": "messages"},
        "EvNewTab",
    )
    await slack.event(tab)
    await slack.event(dm_event("How much PTO do I get?", NURSE, "EvNewQ"))
    await slack.bridge.idle()
    welcome, answer = slack.fake.calls["chat.postMessage"]
    assert "Breakroom" in welcome.args["text"]
    assert "Paid time off (PTO)" in text_of(answer.args["blocks"])


async def test_a_rate_limited_answer_is_sent_after_the_retry_after(slack: Slack) -> None:
    slack.fake.fail_next(
        "chat.postMessage", "ratelimited", status=429, headers={"Retry-After": "0"}
    )
    await slack.event(dm_event("Is there free counseling for staff?", NURSE, "Ev429"))
    first, second = await slack.fake.wait_for_call("chat.postMessage", 2)
    assert (first.status, second.status) == (429, 200)
    assert "Employee Assistance Program" in text_of(second.args["blocks"])


async def test_an_app_mention_is_answered_in_a_thread_of_the_channel(slack: Slack) -> None:
    mention = event_callback(
        {
            "type": "app_mention",
            "user": NURSE,
            "text": "<@UBREAKROOM> does the hospital pay for my BSN?",
            "ts": "1700000000.000500",
            "channel": "C0GENERAL",
        },
        "EvMention",
    )
    await slack.event(mention)
    [answer] = await slack.fake.wait_for_call("chat.postMessage")
    assert (answer.args["channel"], answer.args["thread_ts"]) == ("C0GENERAL", "1700000000.000500")
    assert "Tuition reimbursement" in text_of(answer.args["blocks"])


async def test_a_command_saying_payload_is_not_mistaken_for_an_interaction(
    slack: Slack,
) -> None:
    """Bolt 1.30 reads any form body containing "payload" as an interaction's payload field."""
    assert await slack.command("/ask", "what payload of PTO do I get?", NURSE, "payload") == 200
    [answer] = await slack.responses("payload")
    assert "Paid time off (PTO)" in text_of(answer["blocks"])


# -- acknowledgement comes first ------------------------------------------------------------------


async def test_a_command_is_acknowledged_at_once_however_long_the_answer_takes(
    slack: Slack,
) -> None:
    release = asyncio.Event()

    async def slow(ctx: Context[Any]) -> Reply:
        await release.wait()  # a handler still working long after Slack's 3 seconds
        return Reply.text("Done at last", ephemeral=True)

    slack.runtime.router.command("slow", slow, summary="a slow one")
    started = time.monotonic()
    assert await slack.command("/slow", "", NURSE, "slow") == 200
    assert time.monotonic() - started < 3
    assert slack.fake.calls["response_url"] == []  # acknowledged before the answer existed
    release.set()
    [answer] = await slack.responses("slow")
    assert answer["text"] == "Done at last"


async def test_the_first_request_is_acknowledged_even_while_auth_test_hangs(
    slack_settings: Callable[..., Settings], fake: FakeSlack
) -> None:
    fake.delays["auth.test"] = 30  # Slack slow to say who the bot is
    app = create_app(slack_settings())
    async with serve(app) as base, aiohttp.ClientSession() as http:
        client = Slack(base, http, app, fake)
        started = time.monotonic()
        assert await client.command("/ask", "How do I reach the EAP?", NURSE, "ask") == 200
        assert time.monotonic() - started < 3
        [answer] = await client.responses("ask")
        assert "Employee Assistance Program" in text_of(answer["blocks"])


# -- ideas: a screened submission, leaders' summaries ---------------------------------------------


async def test_an_idea_with_phi_is_previewed_screened_and_stored_screened(slack: Slack) -> None:
    assert await slack.command("/idea", PHI_IDEA, NURSE, "idea") == 200
    [preview] = await slack.responses("idea")
    assert preview["response_type"] == "ephemeral"  # in #general, only the author sees it
    shown = text_of(preview["blocks"])
    assert "[NAME]" in shown
    assert "[MRN]" in shown
    assert "John Smith" not in json.dumps(preview)
    submit = button(preview["blocks"], "ideas.confirm")
    assert submit["text"]["text"] == "Submit"

    click = block_actions(
        submit["action_id"],
        submit["value"],
        NURSE,
        channel="C0GENERAL",
        message_ts="1700000000.000600",
        response_url=slack.fake.response_url("idea"),
        ephemeral=True,
    )
    await slack.click(click)
    _, thanks = await slack.responses("idea", 2)
    assert thanks["replace_original"] is True  # an ephemeral preview is replaced by its URL
    assert slack.fake.calls["chat.update"] == []
    [idea] = await slack.runtime.services.ideas.find()
    assert "[NAME]" in idea.description
    assert "[MRN]" in idea.description
    assert "John Smith" not in idea.description
    assert "12345678" not in idea.description


async def test_ideas_summary_for_a_leader_and_refused_to_an_employee(slack: Slack) -> None:
    await slack.command("/ideas", "summary", LEADER, "leader")
    [summary] = await slack.responses("leader")
    assert summary["response_type"] == "ephemeral"
    assert "can do that" not in summary["text"]
    await slack.command("/ideas", "summary", NURSE, "nurse")
    [refusal] = await slack.responses("nurse")
    assert "Only leaders can do that." in refusal["text"]


# -- forms: modals, with a trigger id or through a button -----------------------------------------


async def test_a_form_opens_as_a_modal_and_its_submission_is_the_forms_action(
    slack: Slack,
) -> None:
    assert await slack.command("/idea", "", NURSE, "form") == 200
    [opened] = await slack.fake.wait_for_call("views.open")
    assert opened.args["trigger_id"] == "13345224609.738474920.8088930838d88f008e0"
    [view] = slack.fake.views_opened
    assert [b["block_id"] for b in view["blocks"]] == [
        "title",
        "description",
        "category",
        "unit",
        "anonymous",
    ]
    meta = json.loads(view["private_metadata"])
    assert meta["submit"] == "ideas.submit_form"
    assert meta["response_url"] == slack.fake.response_url("form")

    values = {
        "title": {"title": {"type": "plain_text_input", "value": "Night quiet hours"}},
        "description": {
            "description": {
                "type": "plain_text_input",
                "value": "Dim the hallway lights at 10pm so patients can sleep.",
            }
        },
        "category": {
            "category": {"type": "static_select", "selected_option": {"value": "comfort"}}
        },
        "unit": {"unit": {"type": "plain_text_input", "value": "5 North"}},
        "anonymous": {"anonymous": {"type": "checkboxes", "selected_options": []}},
    }
    assert await slack.click(view_submission(view, NURSE, values)) == 200
    [preview] = await slack.responses("form")
    shown = text_of(preview["blocks"])
    assert "Night quiet hours" in shown
    assert "5 North" in shown
    assert button(preview["blocks"], "ideas.confirm")["text"]["text"] == "Submit"


async def test_a_form_answering_a_typed_dm_opens_from_its_button(slack: Slack) -> None:
    await slack.event(dm_event("I have an idea", NURSE, "EvIdea"))
    [offer] = await slack.fake.wait_for_call("chat.postMessage")
    open_form = button(offer.args["blocks"], OPEN_FORM_ACTION)
    assert slack.fake.calls["views.open"] == []  # a typed message brings no trigger id

    click = block_actions(
        OPEN_FORM_ACTION,
        open_form["value"],
        NURSE,
        channel=f"D{NURSE}",
        message_ts=slack.fake.messages[f"D{NURSE}"][0]["ts"],
        response_url=slack.fake.response_url("open"),
        trigger_id="7777.8888.open",
    )
    await slack.click(click)
    [opened] = await slack.fake.wait_for_call("views.open")
    assert opened.args["trigger_id"] == "7777.8888.open"
    [view] = slack.fake.views_opened
    assert json.loads(view["private_metadata"])["submit"] == "ideas.submit_form"
    assert view["blocks"][1]["block_id"] == "description"


async def test_a_global_shortcut_is_its_command(slack: Slack) -> None:
    shortcut = {
        "type": "shortcut",
        "token": "legacy-verification-token",
        "action_ts": "1700000002.000100",
        "team": {"id": TEAM_ID, "domain": "hospital"},
        "user": {"id": NURSE, "username": "rosa.diaz", "team_id": TEAM_ID},
        "callback_id": "idea",
        "trigger_id": "9999.0000.shortcut",
    }
    assert await slack.click(shortcut) == 200
    [opened] = await slack.fake.wait_for_call("views.open")
    assert opened.args["trigger_id"] == "9999.0000.shortcut"
    assert json.loads(slack.fake.views_opened[0]["private_metadata"])["submit"] == (
        "ideas.submit_form"
    )


async def test_an_expired_trigger_falls_back_to_the_open_form_button(slack: Slack) -> None:
    slack.fake.fail_next("views.open", "expired_trigger_id")
    await slack.command("/idea", "", NURSE, "late")
    [offer] = await slack.responses("late")
    assert button(offer["blocks"], OPEN_FORM_ACTION)["text"]["text"] == "Open form"


async def test_a_button_for_a_form_no_longer_stored_says_so(slack: Slack) -> None:
    click = block_actions(
        OPEN_FORM_ACTION,
        "0" * 32,
        NURSE,
        channel=f"D{NURSE}",
        message_ts="1.1",
        response_url=slack.fake.response_url("gone"),
    )
    await slack.click(click)
    [answer] = await slack.responses("gone")
    assert "no longer available" in answer["text"]


async def test_a_form_button_older_than_a_day_says_the_form_is_gone(slack: Slack) -> None:
    await slack.event(dm_event("I have an idea", NURSE, "EvOldForm"))
    [offer] = await slack.fake.wait_for_call("chat.postMessage")
    open_form = button(offer.args["blocks"], OPEN_FORM_ACTION)
    services = slack.runtime.services
    a_day_later = services.clock() + FORM_LIFETIME + timedelta(minutes=1)
    services.clock = lambda: a_day_later

    click = block_actions(
        OPEN_FORM_ACTION,
        open_form["value"],
        NURSE,
        channel=f"D{NURSE}",
        message_ts=slack.fake.messages[f"D{NURSE}"][0]["ts"],
        response_url=slack.fake.response_url("old"),
    )
    await slack.click(click)
    [answer] = await slack.responses("old")
    assert (answer["text"], answer["response_type"]) == (FORM_GONE, "ephemeral")
    assert slack.fake.calls["views.open"] == []


# -- pulse: a survey DM answered with a button ----------------------------------------------------


async def test_a_survey_dm_answered_by_button_is_updated_in_place(slack: Slack) -> None:
    services = slack.runtime.services
    await services.people.resolve(Profile("slack", TEAM_ID, NURSE, display_name="Rosa Díaz"))
    await slack.command("/pulse", "create weekly-pulse to everyone now", HR, "pulse")
    [created] = await slack.responses("pulse")
    assert created["text"].startswith("Survey #1")
    await slack.runtime.delivery.run_until_idle()
    sends = await slack.fake.wait_for_call("chat.postMessage")
    [survey] = [c for c in sends if c.args["channel"] == NURSE]
    [message] = slack.fake.posted_to(NURSE)
    rating = next(e for e in elements(survey.args["blocks"]) if e["action_id"] == "pulse.answer#4")

    click = block_actions(
        rating["action_id"],
        rating["value"],
        NURSE,
        channel=f"D{NURSE}",
        message_ts=message["ts"],
        response_url=slack.fake.response_url("survey"),
    )
    await slack.click(click)
    [update] = await slack.fake.wait_for_call("chat.update")
    assert (update.args["channel"], update.args["ts"]) == (f"D{NURSE}", message["ts"])
    picked = [e for e in elements(update.args["blocks"]) if e.get("style") == "primary"]
    assert rating["value"] in [e["value"] for e in picked]


# -- other events ---------------------------------------------------------------------------------


async def test_opening_the_home_tab_publishes_it(slack: Slack) -> None:
    opened = event_callback(
        {"type": "app_home_opened", "user": NURSE, "channel": f"D{NURSE}", "tab": "home"},
        "EvHome",
    )
    await slack.event(opened)
    await slack.fake.wait_for_call("views.publish")
    assert slack.fake.home_views[NURSE]["type"] == "home"


async def test_a_home_tab_button_opens_a_form_whose_answer_comes_by_dm(slack: Slack) -> None:
    click = block_actions(
        "knowledge.ask_form", "", NURSE, channel="", message_ts="", response_url=""
    )
    click["container"] = {"type": "view", "view_id": "V0HOME"}  # a click on the Home tab
    del click["channel"], click["message"], click["response_url"]
    await slack.click(click)
    await slack.fake.wait_for_call("views.open")
    [view] = slack.fake.views_opened
    values = {
        "question": {"question": {"type": "plain_text_input", "value": "How do I reach the EAP?"}}
    }
    await slack.click(view_submission(view, NURSE, values))
    [answer] = await slack.fake.wait_for_call("chat.postMessage")
    assert answer.args["channel"] == NURSE  # the app's DM with them: the tab has no channel
    assert "Employee Assistance Program" in text_of(answer.args["blocks"])


async def test_someone_joining_a_channel_is_welcomed_privately(slack: Slack) -> None:
    joined = event_callback(
        {"type": "member_joined_channel", "user": NURSE, "channel": "C0ICU", "team": TEAM_ID},
        "EvJoin",
    )
    await slack.event(joined)
    await slack.bridge.idle()
    [welcome] = slack.fake.ephemeral
    assert (welcome["channel"], welcome["user"]) == ("C0ICU", NURSE)
    assert "Breakroom" in welcome["text"]
    assert slack.fake.calls["chat.postMessage"] == []


async def test_the_messages_tab_welcomes_once(slack: Slack) -> None:
    for n in range(3):
        opened = event_callback(
            {"type": "app_home_opened", "user": NURSE, "channel": f"D{NURSE}", "tab": "messages"},
            f"EvTab{n}",
        )
        await slack.event(opened)
    await slack.bridge.idle()
    [welcome] = slack.fake.calls["chat.postMessage"]
    assert welcome.args["channel"] == f"D{NURSE}"


# -- Socket Mode ----------------------------------------------------------------------------------


async def test_socket_mode_receives_events_without_a_public_endpoint(
    slack_settings: Callable[..., Settings], fake: FakeSlack
) -> None:
    settings = slack_settings(SLACK_SIGNING_SECRET="", SLACK_APP_TOKEN="xapp-1-A1-test")
    app = create_app(settings, socket_mode=True)
    async with serve(app) as base, aiohttp.ClientSession() as http:
        envelope = {
            "envelope_id": "57d6a792-4d35-4d0b-b6aa-3361493e1caf",
            "type": "events_api",
            "accepts_response_payload": False,
            "retry_attempt": 0,
            "retry_reason": "",
            "payload": dm_event("How many vacation days do I have?", NURSE, "EvSocket"),
        }
        await fake.send_envelope(envelope)
        ack = await fake.wait_for_ack(str(envelope["envelope_id"]))
        assert ack == {"envelope_id": envelope["envelope_id"]}
        [answer] = await fake.wait_for_call("chat.postMessage")
        assert "Paid time off (PTO)" in text_of(answer.args["blocks"])
        [connect] = fake.calls["apps.connections.open"]
        assert isinstance(connect, Call)
        # No signing secret: nothing can be verified, so no HTTP endpoint is mounted.
        async with http.post(f"{base}/slack/events", data=b"{}") as response:
            assert response.status in (404, 405)


async def test_a_newcomer_whose_slack_is_in_spanish_is_answered_in_spanish_at_once(
    slack: Slack,
) -> None:
    """Slack's events carry no locale: the first event of someone with none stored asks
    users.info once, and the answer and the person's record follow it."""
    slack.fake.users.append({"id": NURSE, "name": "rosa", "locale": "es-LA"})
    await slack.event(dm_event("help", NURSE, "EvEsHelp"))
    await slack.event(dm_event("idioma", NURSE, "EvEsIdioma"))
    await slack.bridge.idle()
    first, second = slack.fake.calls["chat.postMessage"]
    assert first.args["text"].startswith("¡Hola")
    assert second.args["text"].startswith("Le escribo en español")
    assert len(slack.fake.calls["users.info"]) == 1
    people = slack.runtime.services.people
    stored = await people.resolve(Profile("slack", TEAM_ID, NURSE))
    assert stored.locale == "es-LA"


async def test_a_spanish_speakers_form_has_no_english_of_slacks_own(slack: Slack) -> None:
    """The words Slack's adapter adds (the Open form button, the modal's Submit and Cancel)
    follow the reader's language, from the typed DM to the modal its button opens."""

    async def form(ctx: Context[Any]) -> Reply:
        field = Input("nota", "Su nota", required=True)
        return Reply.of(Text("Cuéntenos"), Form("Su comentario", (field,), "language.choose"))

    slack.runtime.router.command("nota", form, summary="a form")
    person = await slack.runtime.services.people.resolve(Profile("slack", TEAM_ID, NURSE))
    await slack.runtime.services.people.set_language(person.id, "es")
    await slack.event(dm_event("nota", NURSE, "EvNota"))
    [offer] = await slack.fake.wait_for_call("chat.postMessage")
    open_form = button(offer.args["blocks"], OPEN_FORM_ACTION)
    assert open_form["text"]["text"] == "Abrir formulario"

    click = block_actions(
        OPEN_FORM_ACTION,
        open_form["value"],
        NURSE,
        channel=f"D{NURSE}",
        message_ts=slack.fake.messages[f"D{NURSE}"][0]["ts"],
        response_url=slack.fake.response_url("nota"),
        trigger_id="7777.8888.nota",
    )
    await slack.click(click)
    await slack.fake.wait_for_call("views.open")
    [view] = slack.fake.views_opened
    assert (view["submit"]["text"], view["close"]["text"]) == ("Enviar", "Cancelar")
    assert not english_words(text_of([view["submit"], view["close"], *view["blocks"]]))


async def test_a_language_chosen_on_the_home_tab_redraws_the_tab_in_it(slack: Slack) -> None:
    opened = event_callback(
        {"type": "app_home_opened", "user": NURSE, "channel": f"D{NURSE}", "tab": "home"},
        "EvHomeLang",
    )
    await slack.event(opened)
    await slack.fake.wait_for_call("views.publish")
    assert "Tap a language" in text_of(slack.fake.home_views[NURSE]["blocks"])

    click = block_actions(
        "language.choose", "es", NURSE, channel="", message_ts="", response_url=""
    )
    click["container"] = {"type": "view", "view_id": "V0HOME"}
    click["view"] = {"id": "V0HOME", "type": "home"}
    del click["channel"], click["message"], click["response_url"]
    await slack.click(click)
    await slack.bridge.idle()
    [done] = slack.fake.calls["chat.postMessage"]
    assert done.args["text"].startswith("Listo")
    assert len(slack.fake.calls["views.publish"]) == 2
    redrawn = text_of(slack.fake.home_views[NURSE]["blocks"])
    assert "Toque un idioma para cambiarlo" in redrawn
