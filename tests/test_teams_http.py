"""The Teams adapter over real HTTP on loopback: activities are posted to `POST /api/messages`
of the app factory's server, and the bot's answers reach a fake Bot Framework connector named
by the activities' `serviceUrl`.

Emulator mode (no credentials) carries the conversations. With an app id set, only requests
refused before any key is looked up run here; tokens signed with keys from a fake key server are
in `test_teams_auth`.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest

from bot.context import Context
from bot.messenger import RateLimited, RecipientUnreachable
from bot.ownership import named_record
from bot.replies import Form, Input, Reply, Text
from bot.settings import Settings
from storage.db import StorageUnavailable
from storage.people import Profile
from tests.fake_connector import Call
from tests.spanish import english_words
from tests.teams_harness import (
    BOT,
    CHANNEL,
    HR,
    HR_CHANNEL,
    LEADER,
    NURSE,
    NURSE_AAD,
    PERSONAL,
    TENANT,
    Json,
    Teams,
    User,
    action,
    card_of,
    inputs,
    known,
    serve_teams,
    submits,
    text_of,
)

PHI_IDEA = (
    "Patient John Smith MRN 12345678 waited 3 hours for discharge meds; "
    "a discharge pharmacist on 5 North would help"
)


@pytest.fixture
async def secured(teams_settings: Callable[..., Settings]) -> AsyncIterator[Teams]:
    settings = teams_settings(
        MICROSOFT_APP_ID="00000000-0000-0000-0000-000000000001",
        MICROSOFT_APP_PASSWORD="not-a-real-secret",
    )
    async with serve_teams(settings) as served:
        yield served


async def test_a_question_is_answered_with_a_card_and_the_feedback_stored(
    teams: Teams, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    assert await teams.activity(teams.message("How much PTO do I get?", "m1")) in (200, 201)
    [answer] = await teams.fake.wait_for("send", "reply")
    assert answer.conversation_id == PERSONAL
    assert "Paid time off (PTO)" in text_of(answer)  # the plain fallback
    card = card_of(answer.body)
    assert card["version"] == "1.5"
    titles = {a["title"]: a["data"] for a in submits(card)}
    assert titles["Helpful"]["verb"] == "knowledge.helpful"
    assert titles["Not helpful"]["verb"] == "knowledge.not_helpful"

    click = teams.click(titles["Helpful"], answer, "m2")
    # The answer card is redrawn in place: the answer stays, the buttons give way to thanks.
    update = await teams.answer(click, kinds=("update",))
    assert (update.conversation_id, update.activity_id) == (PERSONAL, answer.created_id)
    assert "Paid time off (PTO)" in text_of(update)
    assert "glad that helped" in text_of(update)
    assert not submits(card_of(update.body))
    question_id = int(named_record(titles["Helpful"]["value"]).partition("|")[0])
    logged = await teams.runtime.services.questions.get(question_id)
    assert logged is not None
    assert logged.helpful is True
    assert "How much PTO" not in caplog.text  # message text stays out of logs above DEBUG


async def test_a_crisis_in_teams_gets_resources_in_spanish_once_and_no_ask_hr(
    teams: Teams, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    activity = teams.message("mi esposo me pega cuando toma", "m-crisis")
    for _ in range(2):  # a redelivery is neither answered nor counted again
        assert await teams.activity(activity) in (200, 201)
    [answer] = await teams.fake.wait_for("send", "reply")
    shown = text_of(answer)
    assert "1-800-799-7233" in shown
    assert "Recursos Humanos no sabe nada de este mensaje" in shown
    assert "ask_hr" not in json.dumps(answer.body)
    assert len(teams.fake.of_kind("send", "reply")) == 1
    services = teams.runtime.services
    assert await services.questions.count_since(datetime(2000, 1, 1, tzinfo=UTC)) == 0
    assert await services.crisis_counts.since(date(2000, 1, 1)) == {"domestic_violence": 1}
    assert "esposo" not in caplog.text


async def test_a_redelivered_activity_is_answered_once(teams: Teams) -> None:
    activity = teams.message("Where do I get my flu shot?", "m-again")
    for _ in range(2):
        assert await teams.activity(activity) in (200, 201)
    assert len(teams.fake.of_kind("send", "reply")) == 1


async def test_a_newcomers_install_and_first_question_at_once_are_both_answered(
    teams: Teams,
) -> None:
    """Both would create the person; one at a time, neither fails."""
    install = teams.message("", "m-new-install", type="conversationUpdate")
    install["membersAdded"] = [{"id": BOT}, {"id": NURSE.teams_id}]
    question = teams.message("How much PTO do I get?", "m-new-question")
    statuses = await asyncio.gather(teams.activity(install), teams.activity(question))
    assert all(status in (200, 201) for status in statuses)
    answers = [text_of(c) for c in teams.fake.of_kind("reply", "send")]
    assert len(answers) == 2
    assert not [a for a in answers if "went wrong" in a or "database" in a]
    assert any("Paid time off (PTO)" in a for a in answers)
    identity = await teams.runtime.services.people.find_identity("teams", NURSE_AAD)
    assert identity is not None


async def test_a_channel_mention_is_answered_without_the_mention(teams: Teams) -> None:
    activity = teams.message(
        "<at>Breakroom</at> Where do I get my flu shot?",
        "m-channel",
        conversation={
            "id": "19:unit@thread.tacv2;messageid=m-channel",
            "conversationType": "channel",
            "tenantId": TENANT,
        },
        entities=[{"type": "mention", "text": "<at>Breakroom</at>", "mentioned": {"id": BOT}}],
    )
    assert await teams.activity(activity) in (200, 201)
    [answer] = teams.fake.of_kind("send", "reply")
    assert "Flu shots at Employee Health" in text_of(answer)
    stored = await teams.runtime.services.conversations.load("teams", "19:unit@thread.tacv2")
    assert stored is not None


async def test_a_proactive_message_reaches_a_stored_conversation(teams: Teams) -> None:
    await teams.activity(teams.message("help", "m-help"))
    services = teams.runtime.services
    identity = await services.people.find_identity("teams", NURSE_AAD)
    assert identity is not None
    before = len(teams.fake.calls)
    sent = await services.outbound.to_person(identity.person_id, Reply.text("Pulse is open"))
    [call] = teams.fake.calls[before:]
    assert (call.kind, call.conversation_id) == ("send", PERSONAL)
    assert text_of(call) == "Pulse is open"
    await services.outbound.update(sent, Reply.text("Pulse is closed"))
    assert teams.fake.calls[-1].kind == "update"
    assert teams.fake.calls[-1].activity_id == sent.message_id


async def test_a_403_from_the_connector_marks_the_person_unreachable(teams: Teams) -> None:
    await teams.activity(teams.message("help", "m-hello"))
    services = teams.runtime.services
    identity = await services.people.find_identity("teams", NURSE_AAD)
    assert identity is not None
    teams.fake.fail_next(403)
    with pytest.raises(RecipientUnreachable):
        await services.outbound.to_person(identity.person_id, Reply.text("Pulse is open"))
    marked = await services.people.find_identity("teams", NURSE_AAD)
    assert marked is not None
    assert not marked.reachable


async def test_a_proactive_send_waits_out_429s_with_backoff(teams: Teams) -> None:
    await known(teams, NURSE)
    services = teams.runtime.services
    identity = await services.people.find_identity("teams", NURSE_AAD)
    assert identity is not None
    before = len(teams.fake.calls)
    teams.fake.fail_next(429, times=2, headers={"Retry-After": "0"})
    await services.outbound.to_person(identity.person_id, Reply.text("Your idea was accepted"))
    statuses = [c.status for c in teams.fake.calls[before:]]
    assert statuses == [429, 429, 200]


async def test_a_proactive_send_still_refused_is_reported_and_the_person_kept(
    teams: Teams,
) -> None:
    await known(teams, NURSE)
    services = teams.runtime.services
    identity = await services.people.find_identity("teams", NURSE_AAD)
    assert identity is not None
    teams.fake.fail_next(429, times=3, headers={"Retry-After": "0"})
    with pytest.raises(RateLimited):
        await services.outbound.to_person(identity.person_id, Reply.text("Pulse is open"))
    still = await services.people.find_identity("teams", NURSE_AAD)
    assert still is not None
    assert still.reachable  # slow down, yes; unreachable, no


async def test_a_survey_refused_with_403_marks_the_person_and_is_not_sent_again(
    teams: Teams,
) -> None:
    await known(teams, NURSE, HR)
    await teams.answer(
        teams.message("pulse create weekly-pulse to everyone now", "m-pulse-403", by=HR)
    )
    teams.fake.fail_next(403, conversation=PERSONAL)  # the nurse removed the app
    before = len(teams.fake.calls)
    progress = await teams.runtime.delivery.run_until_idle()
    assert (progress.blocked, progress.sent, progress.remaining) == (1, 1, 0)
    tried = [c for c in teams.fake.calls[before:] if c.conversation_id == PERSONAL]
    assert [c.status for c in tried] == [403]
    identity = await teams.runtime.services.people.find_identity("teams", NURSE_AAD)
    assert identity is not None
    assert not identity.reachable

    after = len(teams.fake.calls)
    again = await teams.runtime.delivery.run_until_idle()
    assert again.done == 0
    assert teams.fake.calls[after:] == []  # no retries for someone who blocked the bot


async def test_a_403_during_a_turn_is_not_a_500(teams: Teams) -> None:
    teams.fake.fail_next(403)
    assert await teams.activity(teams.message("How much PTO do I get?", "m-403")) in (200, 201)


async def test_a_429_during_a_turn_is_retried_after_the_retry_after(teams: Teams) -> None:
    teams.fake.fail_next(429, headers={"Retry-After": "0"})
    await teams.activity(teams.message("How much PTO do I get?", "m-429"))
    first, second = teams.fake.of_kind("send", "reply")
    assert (first.status, second.status) == (429, 200)


async def test_a_person_without_a_stored_conversation_is_unreachable(teams: Teams) -> None:
    services = teams.runtime.services
    person = await services.people.resolve(Profile("teams", TENANT, "aad-stranger"))
    with pytest.raises(RecipientUnreachable):
        await services.outbound.to_person(person.id, Reply.text("Hello"))
    assert not teams.fake.calls


async def test_installing_the_bot_sends_a_welcome(teams: Teams) -> None:
    update = teams.message("", "m-install", type="conversationUpdate")
    update["membersAdded"] = [{"id": BOT}]
    assert await teams.activity(update) in (200, 201)
    [welcome] = teams.fake.of_kind("send", "reply")
    assert "Breakroom" in text_of(welcome)


async def test_help_keeps_the_placeholders_of_each_command(teams: Teams) -> None:
    """Teams reads card text as HTML too: `<question>` unescaped is a tag, and disappears."""
    answer = await teams.answer(teams.message("help", "m-help"))
    shown = json.dumps(card_of(answer.body)["body"])
    assert "ask &lt;question&gt;" in shown
    assert "<question>" not in shown
    assert "ask <question>" in text_of(answer)  # the plain fallback stays plain


def install(teams: Teams, activity_id: str, *, by: User = NURSE, **extra: Any) -> Json:
    """The conversationUpdate of an installation, as Teams sends it: the sender has no name."""
    update = teams.message("", activity_id, by=by, type="conversationUpdate", **extra)
    update["from"] = {"id": by.teams_id, "aadObjectId": by.aad}
    update["membersAdded"] = [{"id": BOT}]
    return update


def as_member(user: User) -> Json:
    return {"id": user.teams_id, "objectId": user.aad, "name": user.name}


async def test_an_installation_greets_by_the_name_the_connector_knows(teams: Teams) -> None:
    teams.fake.rosters[PERSONAL] = [as_member(NURSE)]
    welcome = await teams.answer(install(teams, "m-install-named"))
    assert text_of(welcome).startswith("Hi Nora!")
    [looked_up] = teams.fake.of_kind("member")
    assert (looked_up.conversation_id, looked_up.status) == (PERSONAL, 200)


async def test_an_installation_by_someone_not_found_greets_without_an_id(teams: Teams) -> None:
    welcome = await teams.answer(install(teams, "m-install-unknown"))
    assert text_of(welcome).startswith("Hi there!")
    shown = json.dumps(card_of(welcome.body))
    assert NURSE.aad not in shown
    assert NURSE.teams_id not in shown


async def test_an_installation_whose_name_is_an_id_greets_without_it(teams: Teams) -> None:
    """Some clients send the Teams id as the sender's name."""
    update = install(teams, "m-install-id-named")
    update["from"]["name"] = NURSE.teams_id
    welcome = await teams.answer(update)
    assert text_of(welcome).startswith("Hi there!")
    assert NURSE.teams_id not in json.dumps(card_of(welcome.body))


async def test_help_asked_in_a_channel_names_rights_only_to_the_person(teams: Teams) -> None:
    """The help lists what the person may do, HR rights included: the channel never sees it."""
    await known(teams, HR)
    mention = teams.message(
        "<at>Breakroom</at> help",
        "m-channel-help",
        by=HR,
        conversation={"id": CHANNEL, "conversationType": "channel", "tenantId": TENANT},
        entities=[{"type": "mention", "text": "<at>Breakroom</at>", "mentioned": {"id": BOT}}],
    )
    assert await teams.activity(mention) in (200, 201)
    await teams.bridge.settle()
    messages = teams.fake.of_kind("send", "reply")
    in_channel = [c for c in messages if c.conversation_id.startswith(CHANNEL)]
    assert not [c for c in in_channel if "HR rights" in text_of(c)]
    in_private = [c for c in messages if not c.conversation_id.startswith(CHANNEL)]
    assert [c for c in in_private if "You have HR rights here." in text_of(c)]


async def test_installed_in_a_team_the_channel_gets_an_introduction_and_the_installer_help(
    teams: Teams,
) -> None:
    """What HR may do is no business of the channel's; the installer hears it privately, in a
    personal chat opened for it when they have none."""
    conversation = {"id": CHANNEL, "conversationType": "channel", "tenantId": TENANT}
    teams.fake.rosters[CHANNEL] = [as_member(HR)]
    update = install(
        teams,
        "m-install-team",
        by=HR,
        conversation=conversation,
        channelData={"tenant": {"id": TENANT}, "team": {"id": CHANNEL}},
    )
    assert await teams.activity(update) in (200, 201)
    await teams.bridge.settle()
    [opened] = teams.fake.of_kind("create")
    assert opened.body["members"] == [{"id": HR.teams_id}]
    messages = teams.fake.of_kind("send", "reply")
    in_channel = [c for c in messages if c.conversation_id == CHANNEL]
    in_private = [c for c in messages if c.conversation_id != CHANNEL]
    [intro] = in_channel
    said = text_of(intro)
    assert "Breakroom" in said
    for private in ("HR rights", "private", "pulse", "Harriet"):
        assert private not in said
    [help_reply] = in_private
    assert text_of(help_reply).startswith("Hi Harriet!")
    assert "You have HR rights here." in text_of(help_reply)


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b'{"no": "type"}', b"\xff\xfe"])
async def test_a_body_that_is_not_a_json_activity_is_a_400(teams: Teams, body: bytes) -> None:
    status, _ = await teams.post(body)
    assert status == 400
    assert not teams.fake.calls


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer not-a-jwt", "Bearer a.b.c", "Basic dXNlcjpwYXNz", "Bearer "],
)
async def test_with_credentials_a_missing_or_malformed_token_is_a_401(
    secured: Teams, authorization: str | None, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    headers = {} if authorization is None else {"Authorization": authorization}
    activity = secured.message("my private question about FMLA", "m-auth")
    status, _ = await secured.post(json.dumps(activity), headers)
    assert status == 401
    assert not secured.fake.calls
    assert "FMLA" not in caplog.text


# -- ideas: a screened submission, its status notice, leaders' summaries --------------------------


async def test_an_idea_with_phi_is_previewed_screened_and_stored_screened(teams: Teams) -> None:
    preview = await teams.answer(teams.message(f"idea {PHI_IDEA}", "m-idea"))
    shown = json.dumps(preview.body, ensure_ascii=False)
    assert "[NAME]" in shown
    assert "[MRN]" in shown
    assert "John Smith" not in shown
    assert "12345678" not in shown

    thanks = await teams.answer(
        teams.click(action(preview, "Submit"), preview, "m-idea-submit"), kinds=("update",)
    )
    assert thanks.activity_id == preview.created_id  # the preview card becomes the thanks
    assert "Thank you" in text_of(thanks)
    [idea] = await teams.runtime.services.ideas.find()
    assert "[NAME]" in idea.description
    assert "John Smith" not in idea.description
    assert "12345678" not in idea.description


async def test_the_idea_form_is_a_card_whose_submission_is_previewed(teams: Teams) -> None:
    form = await teams.answer(teams.message("idea", "m-form"))
    fields = inputs(form)
    assert list(fields) == ["title", "description", "category", "unit", "anonymous"]
    assert fields["description"]["isRequired"] is True
    assert fields["category"]["type"] == "Input.ChoiceSet"
    assert fields["anonymous"]["type"] == "Input.Toggle"

    submitted = teams.click(
        action(form, "Preview"),
        form,
        "m-form-submit",
        title="Night quiet hours",
        description="Dim the hallway lights at 10pm so patients can sleep.",
        category="comfort",
        unit="5 North",
        anonymous="false",
    )
    # The form card becomes the preview, so it cannot be submitted a second time.
    preview = await teams.answer(submitted, kinds=("update",))
    assert preview.activity_id == form.created_id
    shown = json.dumps(preview.body, ensure_ascii=False)
    assert "Night quiet hours" in shown
    assert "5 North" in shown
    assert action(preview, "Submit")["verb"] == "ideas.confirm"


async def test_a_status_change_reaches_the_submitter_in_their_personal_chat(teams: Teams) -> None:
    await known(teams, NURSE, LEADER)
    preview = await teams.answer(teams.message(f"idea {PHI_IDEA}", "m-idea"))
    await teams.answer(teams.click(action(preview, "Submit"), preview, "m-ok"), kinds=("update",))
    [idea] = await teams.runtime.services.ideas.find()

    before = len(teams.fake.calls)
    await teams.activity(teams.message(f"ideas status {idea.id} accepted", "m-accept", by=LEADER))
    calls = teams.fake.calls[before:]
    [done] = [c for c in calls if c.conversation_id == LEADER.personal]
    assert done.kind == "reply"
    [notice] = [c for c in calls if c.conversation_id == PERSONAL]
    assert notice.kind == "send"  # a proactive message, not a reply to anything
    assert f"#{idea.id}" in text_of(notice)
    assert "accepted" in text_of(notice).lower()


async def test_ideas_summary_for_a_leader_and_refused_to_an_employee(teams: Teams) -> None:
    summary = await teams.answer(teams.message("ideas summary", "m-sum", by=LEADER))
    assert summary.conversation_id == LEADER.personal
    assert "can do that" not in text_of(summary)
    assert "ideas" in text_of(summary).lower()
    refusal = await teams.answer(teams.message("ideas summary", "m-sum-2"))
    assert "Only leaders can do that." in text_of(refusal)


async def test_a_private_answer_to_a_channel_mention_goes_to_the_personal_chat(
    teams: Teams,
) -> None:
    await known(teams, NURSE)
    mention = teams.message(
        f"<at>Breakroom</at> idea {PHI_IDEA}",
        "m-channel-idea",
        conversation={"id": CHANNEL, "conversationType": "channel", "tenantId": TENANT},
        entities=[{"type": "mention", "text": "<at>Breakroom</at>", "mentioned": {"id": BOT}}],
    )
    preview = await teams.answer(mention)
    assert (preview.kind, preview.conversation_id) == ("send", PERSONAL)
    assert "[NAME]" in text_of(preview)
    assert not [c for c in teams.fake.calls if c.conversation_id.startswith(CHANNEL)]


# -- pulse: HR schedules, a survey card is answered and updated in place -------------------------


async def test_a_survey_card_answered_by_button_is_updated_in_place(teams: Teams) -> None:
    await known(teams, NURSE, HR)
    created = await teams.answer(
        teams.message("pulse create weekly-pulse to everyone now", "m-pulse", by=HR)
    )
    assert text_of(created).startswith("Survey #1")
    await teams.runtime.delivery.run_until_idle()
    [survey] = [c for c in teams.fake.of_kind("send") if c.conversation_id == PERSONAL]
    card = card_of(survey.body)
    first_question = submits(card)[0]["data"]
    assert first_question["verb"] == "pulse.answer"

    update = await teams.answer(teams.click(first_question, survey, "m-answer"), kinds=("update",))
    assert (update.conversation_id, update.activity_id) == (PERSONAL, survey.created_id)
    picked = [a for a in submits(card_of(update.body)) if a.get("style") == "positive"]
    assert [a["data"]["value"] for a in picked] == [first_question["value"]]
    assert picked[0]["title"].startswith("✓")


async def survey_card(teams: Teams, template: str) -> Call:
    """HR starts `template` for everyone now; the survey card the nurse was sent."""
    await known(teams, NURSE, HR)
    await teams.answer(teams.message(f"pulse create {template} to everyone now", "m-p", by=HR))
    await teams.runtime.delivery.run_until_idle()
    [survey] = [c for c in teams.fake.of_kind("send") if c.conversation_id == PERSONAL]
    return survey


async def test_a_survey_card_says_it_is_anonymous_once_and_its_comment_is_optional(
    teams: Teams,
) -> None:
    survey = await survey_card(teams, "weekly-pulse")
    shown = [b["text"] for b in card_of(survey.body)["body"] if b["type"] == "TextBlock"]
    assert sum("anonymous" in text.lower() for text in shown) == 1
    # Answered in full, the survey offers a comment; its form does not insist on one.
    card = survey
    for question in range(3):
        value = submits(card_of(card.body))[question * 5]["data"]
        card = await teams.answer(teams.click(value, survey, f"m-a{question}"), kinds=("update",))
    comment = action(card, "Add a comment")
    form = await teams.answer(teams.click(comment, survey, "m-comment"))
    [field] = inputs(form).values()
    assert "optional" in field["label"]
    assert field["isRequired"] is False


async def test_an_owner_closing_in_their_chat_hears_it_closed_before_the_results(
    teams: Teams,
) -> None:
    survey = await survey_card(teams, "monthly-enps")

    before = len(teams.fake.calls)
    assert await teams.activity(teams.message("pulse close 1", "m-close", by=HR)) in (200, 201)
    to_hr = [c for c in teams.fake.calls[before:] if c.conversation_id == HR.personal]
    assert [text_of(c).split(" ")[0] for c in to_hr] == ["Closed", "Results"]

    # A button of the closed survey's card retires the card instead of answering.
    first_question = submits(card_of(survey.body))[0]["data"]
    closed = await teams.answer(teams.click(first_question, survey, "m-late"), kinds=("update",))
    assert closed.activity_id == survey.created_id
    assert "closed" in text_of(closed)
    assert "attachments" not in closed.body or not submits(card_of(closed.body))


# -- knowledge: an unsure answer handed to HR, and HR's answer coming back -------------------------


async def test_a_question_handed_to_hr_is_answered_from_the_hr_channel(teams: Teams) -> None:
    installed = teams.message(
        "",
        "m-install-hr",
        by=HR,
        type="conversationUpdate",
        membersAdded=[{"id": BOT}],
        conversation={"id": HR_CHANNEL, "conversationType": "channel", "tenantId": TENANT},
    )
    assert await teams.activity(installed) in (200, 201)  # the bot now knows the HR channel
    await known(teams, NURSE, HR)

    unsure = await teams.answer(
        teams.message("can I bring my dog to the night shift potluck", "m-dog")
    )
    assert "not sure" in text_of(unsure)
    before = len(teams.fake.calls)
    await teams.activity(teams.click(action(unsure, "Ask HR"), unsure, "m-ask-hr"))
    calls = teams.fake.calls[before:]
    [ticket] = [c for c in calls if c.conversation_id == HR_CHANNEL]
    assert ticket.kind == "send"
    assert "potluck" in text_of(ticket)
    [ack] = [c for c in calls if c.conversation_id == PERSONAL]
    assert "ticket #1" in text_of(ack)
    assert (ack.kind, ack.activity_id) == ("update", unsure.created_id)  # the card retires

    in_channel = {"id": HR_CHANNEL, "conversationType": "channel", "tenantId": TENANT}
    pressed = teams.click(action(ticket, "Answer"), ticket, "m-answer-press", by=HR)
    form = await teams.answer({**pressed, "conversation": in_channel})
    assert form.conversation_id == HR.personal  # only HR sees the form, in their own chat
    assert list(inputs(form)) == ["answer"]

    before = len(teams.fake.calls)
    submitted = teams.click(
        action(form, "Send to employee"),
        form,
        "m-answer-send",
        by=HR,
        answer="Only service animals, sorry!",
    )
    await teams.activity(submitted)
    calls = teams.fake.calls[before:]
    [answer] = [c for c in calls if c.conversation_id == PERSONAL]
    assert answer.kind == "send"
    assert "Only service animals" in text_of(answer)
    [done] = [c for c in calls if c.conversation_id == HR.personal]
    assert "Nora Nurse" in text_of(done)


# -- a failure while delivering: Teams still gets its 200, the person still gets the answer ------


async def test_a_storage_outage_while_delivering_a_private_reply_is_a_200_and_it_arrives(
    teams: Teams, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A 500 here would bring a redelivery the router drops as a duplicate: the answer lost."""
    caplog.set_level(logging.INFO)
    await known(teams, NURSE)

    async def unavailable(platform: str, address: str) -> dict[str, Any] | None:
        raise StorageUnavailable("OperationalError")

    # The personal chat's reference cannot be read while the preview is delivered.
    monkeypatch.setattr(teams.runtime.services.conversations, "load", unavailable)
    mention = teams.message(
        f"<at>Breakroom</at> idea {PHI_IDEA}",
        "m-outage",
        conversation={"id": CHANNEL, "conversationType": "channel", "tenantId": TENANT},
        entities=[{"type": "mention", "text": "<at>Breakroom</at>", "mentioned": {"id": BOT}}],
    )
    before = len(teams.fake.calls)
    assert await teams.activity(mention) in (200, 201)
    [preview] = teams.fake.calls[before:]
    assert (preview.kind, preview.conversation_id) == ("reply", CHANNEL)  # the next place
    assert "[NAME]" in text_of(preview)
    assert "event=m-outage teams: direct failed (OperationalError)" in caplog.text


async def test_a_reply_that_no_place_takes_is_still_a_200(teams: Teams) -> None:
    await known(teams, NURSE)
    teams.fake.fail_next(500, times=2)  # the reply in the chat, then the personal chat
    assert await teams.activity(teams.in_channel("How much PTO do I get?", "m-lost")) in (200, 201)
    assert [c.status for c in teams.fake.calls[-2:]] == [500, 500]


async def test_a_teams_client_in_spanish_is_answered_in_spanish(teams: Teams) -> None:
    """The activity's locale reaches the person: someone whose Teams is in Mexican Spanish
    reads help in Spanish, without choosing anything."""
    answer = await teams.answer(teams.message("help", "m-es-help", locale="es-MX"))
    assert text_of(answer).startswith("¡Hola")
    assert not english_words(text_of(answer)), text_of(answer)
    person = await teams.runtime.services.people.resolve(Profile("teams", TENANT, NURSE.aad))
    assert person.locale == "es-MX"


async def test_a_spanish_speakers_card_form_has_no_english_of_teams_own(teams: Teams) -> None:
    """The words the Teams adapter adds to a form (its Submit, a required input's error)
    follow the reader's language."""

    async def form(ctx: Context[Any]) -> Reply:
        field = Input("nota", "Su nota", required=True)
        return Reply.of(Text("Cuéntenos"), Form("Su comentario", (field,), "language.choose"))

    teams.runtime.router.command("nota", form, summary="a form")
    answer = await teams.answer(teams.message("nota", "m-es-form", locale="es-MX"))
    [submit] = submits(card_of(answer.body))
    assert submit["title"] == "Enviar"
    assert inputs(answer)["nota"]["errorMessage"] == "Su nota: dato obligatorio"
