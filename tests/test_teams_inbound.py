"""Teams activities as neutral events."""

from __future__ import annotations

from typing import Any

from adapters.teams.inbound import translate
from bot.events import Action, ConversationKind, MemberJoined, Message

Json = dict[str, Any]
BOT = "28:bot"


def activity(**extra: Any) -> Json:
    return {
        "type": "message",
        "id": "act1",
        "text": "How much PTO do I get?",
        "serviceUrl": "https://smba.example/",
        "from": {"id": "29:u", "aadObjectId": "aad-u", "name": "Nora"},
        "recipient": {"id": BOT},
        "conversation": {"id": "a:1", "conversationType": "personal", "tenantId": "t-conv"},
        "channelData": {"tenant": {"id": "t-data"}},
        **extra,
    }


def test_a_personal_message_is_a_message_from_the_aad_user() -> None:
    event = translate(activity())
    assert isinstance(event, Message)
    assert event.text == "How much PTO do I get?"
    assert (event.actor.platform, event.actor.tenant) == ("teams", "t-data")
    assert (event.actor.user_id, event.actor.display_name) == ("aad-u", "Nora")
    assert event.id == "act1"
    assert event.redelivered_possible
    assert event.conversation.kind is ConversationKind.DIRECT
    assert event.conversation.data["service_url"] == "https://smba.example/"


def test_the_tenant_falls_back_to_the_conversation_and_the_user_to_the_teams_id() -> None:
    event = translate(activity(channelData={}, **{"from": {"id": "29:u"}}))
    assert event is not None
    assert (event.actor.tenant, event.actor.user_id) == ("t-conv", "29:u")


def test_a_channel_mention_loses_the_mention() -> None:
    event = translate(
        activity(
            text="<at>Breakroom</at> where is my <b>flu</b> shot?",
            conversation={"id": "19:c@thread.tacv2", "conversationType": "channel"},
            entities=[{"type": "mention", "text": "<at>Breakroom</at>", "mentioned": {"id": BOT}}],
        )
    )
    assert isinstance(event, Message)
    assert event.text == "where is my flu shot?"
    assert event.mentioned
    assert event.conversation.kind is ConversationKind.CHANNEL


def test_a_submit_is_an_action_with_the_form_values_as_strings() -> None:
    event = translate(
        activity(
            text="",
            replyToId="card-1",
            value={"verb": "ideas.submit", "value": "9", "idea": "More chairs", "anonymous": True},
        )
    )
    assert isinstance(event, Action)
    assert (event.action_id, event.value) == ("ideas.submit", "9")
    assert dict(event.values) == {"idea": "More chairs", "anonymous": "true"}
    assert event.source == {"activity_id": "card-1"}


def test_installing_the_bot_is_a_member_joined_and_others_joining_is_ignored() -> None:
    installed = translate(activity(type="conversationUpdate", membersAdded=[{"id": BOT}]))
    assert isinstance(installed, MemberJoined)
    other = translate(activity(type="conversationUpdate", membersAdded=[{"id": "29:x"}]))
    assert other is None
    assert translate(activity(type="typing")) is None
    assert translate(activity(text="   ")) is None


def execute(**value: Any) -> Json:
    return activity(
        type="invoke", name="adaptiveCard/action", text=None, replyToId="card-2", value=value
    )


def test_an_execute_is_an_action_like_a_submit() -> None:
    event = translate(
        execute(
            action={
                "type": "Action.Execute",
                "verb": "ideas.submit",
                "data": {"value": "9", "idea": "More chairs", "anonymous": False, "verb": "x"},
            },
            trigger="manual",
        )
    )
    assert isinstance(event, Action)
    assert (event.action_id, event.value) == ("ideas.submit", "9")
    assert dict(event.values) == {"idea": "More chairs", "anonymous": "false"}
    assert event.source == {"activity_id": "card-2"}
    assert (event.id, event.actor.user_id) == ("act1", "aad-u")
    assert event.redelivered_possible


def test_an_execute_without_data_has_no_value() -> None:
    event = translate(execute(action={"type": "Action.Execute", "verb": "help.show"}))
    assert isinstance(event, Action)
    assert (event.action_id, event.value, dict(event.values)) == ("help.show", "", {})


def test_an_execute_without_a_verb_and_other_invokes_are_ignored() -> None:
    assert translate(execute(action={"type": "Action.Execute", "data": {"value": "1"}})) is None
    assert translate(execute(action="help.show")) is None
    assert translate(activity(type="invoke", name="adaptiveCard/action", value=None)) is None
    consent = {"type": "fileUpload", "action": "accept", "context": {"token": "t"}}
    assert translate(activity(type="invoke", name="fileConsent/invoke", value=consent)) is None
