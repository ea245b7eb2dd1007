"""Slack payloads as neutral events: pure translation, on payloads shaped like captured ones."""

from __future__ import annotations

import json
from typing import Any

from adapters.slack.inbound import plain, translate
from adapters.slack.render import FORM_CALLBACK, LINK_ACTION, modal_view, with_origin
from bot.events import (
    Action,
    Command,
    ConversationKind,
    HomeOpened,
    MemberJoined,
    Message,
)
from bot.replies import Form, Input, InputKind, Option
from tests.fake_slack import BOT_USER, TEAM_ID
from tests.slack_payloads import (
    block_actions,
    dm_event,
    event_callback,
    view_submission,
)

NURSE = "U0NURSE"
HOOK = "https://hooks.slack.com/actions/T1/1/abc"


def command_body(**extra: str) -> dict[str, Any]:
    """What bolt hands a command listener: the form fields as a dict."""
    body = {
        "token": "t",
        "team_id": TEAM_ID,
        "channel_id": "C0GENERAL",
        "channel_name": "general",
        "user_id": NURSE,
        "user_name": "rosa.diaz",
        "command": "/idea",
        "text": "Quieter &amp; darker halls at night &lt;3",
        "response_url": HOOK,
        "trigger_id": "13345224609.738474920",
    }
    body.update(extra)
    return body


def test_a_dm_is_a_message_that_may_be_redelivered() -> None:
    event = translate(dm_event("How much PTO do I get?", NURSE, "Ev01"), bot_user_id=BOT_USER)
    assert isinstance(event, Message)
    assert event.text == "How much PTO do I get?"
    assert (event.id, event.redelivered_possible, event.mentioned) == ("Ev01", True, False)
    assert (event.actor.platform, event.actor.tenant, event.actor.user_id) == (
        "slack",
        TEAM_ID,
        NURSE,
    )
    assert event.actor.display_name == ""  # the handle would overwrite the directory's name
    assert event.conversation.kind is ConversationKind.DIRECT
    assert dict(event.conversation.data) == {"channel": f"D{NURSE}"}


def test_a_dm_in_a_thread_is_answered_in_that_thread() -> None:
    body = dm_event("and for part-time?", NURSE, "Ev02")
    body["event"]["thread_ts"] = "1699999999.000001"
    event = translate(body, bot_user_id=BOT_USER)
    assert event is not None
    assert event.conversation.data["thread_ts"] == "1699999999.000001"


def test_bot_posts_edits_and_our_own_messages_are_ignored() -> None:
    ours = dm_event("Here is your answer", BOT_USER, "Ev03")
    bot_post = dm_event("beep", "U0OTHERBOT", "Ev04")
    bot_post["event"]["bot_id"] = "B0OTHER"
    edited = dm_event("typo", NURSE, "Ev05")
    edited["event"]["subtype"] = "message_changed"
    channel_chatter = dm_event("lunch?", NURSE, "Ev06")
    channel_chatter["event"]["channel_type"] = "channel"
    for body in (ours, bot_post, edited, channel_chatter):
        assert translate(body, bot_user_id=BOT_USER) is None


def test_an_app_mention_loses_the_mention_and_is_answered_in_a_thread() -> None:
    body = event_callback(
        {
            "type": "app_mention",
            "user": NURSE,
            "text": f"<@{BOT_USER}> where is <https://intranet.example/pto|the PTO page>?",
            "ts": "1700000000.000300",
            "channel": "C0GENERAL",
            "event_ts": "1700000000.000300",
        },
        "Ev07",
    )
    event = translate(body, bot_user_id=BOT_USER)
    assert isinstance(event, Message)
    assert event.text == "where is the PTO page?"
    assert event.mentioned
    assert event.conversation.kind is ConversationKind.CHANNEL
    assert dict(event.conversation.data) == {
        "channel": "C0GENERAL",
        "thread_ts": "1700000000.000300",
    }


def test_slack_markup_becomes_plain_text() -> None:
    assert plain("a &lt;b&gt; &amp; c") == "a <b> & c"
    assert plain("ask <@U123> in <#C9|benefits>, <!here>") == "ask @U123 in #benefits, @here"
    assert plain("mail <mailto:hr@example.org|hr@example.org> or <https://x.org>") == (
        "mail hr@example.org or https://x.org"
    )


def test_a_slash_command_carries_its_response_url_and_trigger() -> None:
    event = translate(command_body())
    assert isinstance(event, Command)
    assert (event.name, event.text) == ("idea", "Quieter & darker halls at night <3")
    assert not event.redelivered_possible  # Slack does not retry commands
    assert event.conversation.kind is ConversationKind.CHANNEL
    assert dict(event.conversation.data) == {
        "channel": "C0GENERAL",
        "response_url": HOOK,
        "trigger_id": "13345224609.738474920",
    }


def test_a_slash_command_in_a_dm_is_direct() -> None:
    event = translate(command_body(channel_id="D0NURSE", channel_name="directmessage"))
    assert event is not None
    assert event.conversation.kind is ConversationKind.DIRECT


def test_a_button_click_is_an_action_on_its_message() -> None:
    body = block_actions(
        "pulse.answer#3",
        "4|enps|2",
        NURSE,
        channel="D0NURSE",
        message_ts="1700000000.000400",
        response_url=HOOK,
    )
    event = translate(body)
    assert isinstance(event, Action)
    assert (event.action_id, event.value) == ("pulse.answer", "4|enps|2")  # "#3" undone
    assert dict(event.source) == {
        "channel": "D0NURSE",
        "ts": "1700000000.000400",
        "ephemeral": False,
        "response_url": HOOK,
    }
    assert event.conversation.data["trigger_id"] == "1111.2222.click"
    assert event.conversation.kind is ConversationKind.DIRECT


def test_a_select_menu_sends_the_chosen_value() -> None:
    body = block_actions(
        "ideas.set_status", "", NURSE, channel="C1", message_ts="1.2", response_url=HOOK
    )
    body["actions"][0] = {
        "action_id": "ideas.set_status",
        "type": "static_select",
        "selected_option": {"text": {"type": "plain_text", "text": "Done"}, "value": "7|done"},
    }
    event = translate(body)
    assert isinstance(event, Action)
    assert event.value == "7|done"


def test_a_link_button_click_needs_no_answer() -> None:
    body = block_actions(
        f"{LINK_ACTION}#2", "", NURSE, channel="C1", message_ts="1.2", response_url=HOOK
    )
    assert translate(body) is None


def test_a_click_on_the_home_tab_has_no_channel() -> None:
    body = block_actions(
        "knowledge.ask_form", "", NURSE, channel="", message_ts="", response_url=""
    )
    body["container"] = {"type": "view", "view_id": "V0HOME"}
    del body["channel"], body["message"], body["response_url"]
    event = translate(body)
    assert isinstance(event, Action)
    assert dict(event.source) == {}
    assert dict(event.conversation.data) == {"trigger_id": "1111.2222.click"}


IDEA_FORM = Form(
    "Share an idea",
    (
        Input("description", "Your idea", InputKind.MULTILINE, required=True),
        Input("category", "Category", InputKind.SELECT, options=(Option("Food", "food"),)),
        Input("anonymous", "Submit anonymously", InputKind.TOGGLE),
        Input("unit", "Unit"),
    ),
    "ideas.submit_form",
    value="draft-3",
)


def test_a_modal_submission_is_the_forms_action_with_its_values() -> None:
    view = with_origin(
        modal_view(IDEA_FORM),
        {"channel": "C0GENERAL", "response_url": HOOK, "kind": "channel"},
    )
    values = {
        "description": {"description": {"type": "plain_text_input", "value": "More blankets"}},
        "category": {"category": {"type": "static_select", "selected_option": {"value": "food"}}},
        "anonymous": {"anonymous": {"type": "checkboxes", "selected_options": [{"value": "true"}]}},
        "unit": {"unit": {"type": "plain_text_input", "value": None}},
    }
    event = translate(view_submission(view, NURSE, values))
    assert isinstance(event, Action)
    assert (event.action_id, event.value) == ("ideas.submit_form", "draft-3")
    assert dict(event.values) == {
        "description": "More blankets",
        "category": "food",
        "anonymous": "true",
        "unit": "",
    }
    assert event.conversation.kind is ConversationKind.CHANNEL
    assert dict(event.conversation.data) == {"channel": "C0GENERAL", "response_url": HOOK}


def test_an_unticked_toggle_is_false_and_foreign_modals_are_ignored() -> None:
    view = modal_view(IDEA_FORM)
    unticked = {"anonymous": {"anonymous": {"type": "checkboxes", "selected_options": []}}}
    event = translate(view_submission(view, NURSE, unticked))
    assert isinstance(event, Action)
    assert event.values["anonymous"] == "false"
    assert event.conversation.kind is ConversationKind.DIRECT
    foreign = {**view, "callback_id": FORM_CALLBACK, "private_metadata": "not json"}
    assert translate(view_submission(foreign, NURSE, {})) is None


def test_shortcuts_are_commands_named_by_their_callback_id() -> None:
    global_shortcut = {
        "type": "shortcut",
        "callback_id": "idea",
        "trigger_id": "5555.6666",
        "team": {"id": TEAM_ID},
        "user": {"id": NURSE, "username": "rosa.diaz", "team_id": TEAM_ID},
    }
    event = translate(global_shortcut)
    assert isinstance(event, Command)
    assert (event.name, event.text) == ("idea", "")
    assert dict(event.conversation.data) == {"trigger_id": "5555.6666"}
    message_shortcut = {
        **global_shortcut,
        "type": "message_action",
        "callback_id": "ask",
        "response_url": HOOK,
        "channel": {"id": "C0GENERAL", "name": "general"},
        "message": {"type": "message", "text": "does PTO roll over?", "ts": "1.1"},
    }
    event = translate(message_shortcut)
    assert isinstance(event, Command)
    assert (event.name, event.text) == ("ask", "does PTO roll over?")
    assert event.conversation.data["response_url"] == HOOK


def test_someone_joining_a_channel_is_member_joined_but_the_bot_itself_is_not() -> None:
    joined = event_callback(
        {"type": "member_joined_channel", "user": NURSE, "channel": "C0GENERAL", "team": TEAM_ID},
        "Ev08",
    )
    event = translate(joined, bot_user_id=BOT_USER)
    assert isinstance(event, MemberJoined)
    assert (event.channel_id, event.id, event.redelivered_possible) == ("C0GENERAL", "Ev08", True)
    joined["event"]["user"] = BOT_USER
    assert translate(joined, bot_user_id=BOT_USER) is None


def test_opening_the_home_tab_draws_it_and_the_messages_tab_welcomes_once() -> None:
    def opened(tab: str, event_id: str) -> dict[str, Any]:
        return event_callback(
            {"type": "app_home_opened", "user": NURSE, "channel": "D0NURSE", "tab": tab},
            event_id,
        )

    home = translate(opened("home", "Ev09"), bot_user_id=BOT_USER)
    assert isinstance(home, HomeOpened)
    assert not home.redelivered_possible
    first = translate(opened("messages", "Ev10"), bot_user_id=BOT_USER)
    again = translate(opened("messages", "Ev11"), bot_user_id=BOT_USER)
    assert isinstance(first, MemberJoined)
    assert isinstance(again, MemberJoined)
    # The same id both times: the processed-events store lets the welcome through once.
    assert first.id == again.id == f"welcome:{TEAM_ID}:{NURSE}"
    assert first.redelivered_possible
    assert first.conversation.data["channel"] == "D0NURSE"


def test_unknown_payloads_are_ignored() -> None:
    assert translate({"type": "url_verification", "challenge": "x"}) is None
    assert translate(event_callback({"type": "reaction_added", "user": NURSE}, "Ev12")) is None
    assert translate({"type": "block_actions", "actions": []}) is None


def test_the_modal_private_metadata_is_compact_json() -> None:
    view = with_origin(modal_view(IDEA_FORM), {"channel": "C1"})
    assert json.loads(view["private_metadata"]) == {
        "submit": "ideas.submit_form",
        "value": "draft-3",
        "channel": "C1",
    }
