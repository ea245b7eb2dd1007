"""Neutral replies as Adaptive Cards: the JSON Teams gets for each kind of block."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from adapters.teams.render import (
    CARD_CONTENT_TYPE,
    ERROR_RESPONSE_TYPE,
    FILE_CONSENT_TYPE,
    FILE_INFO_TYPE,
    MESSAGE_RESPONSE_TYPE,
    card_response,
    error_response,
    file_info_card,
    message_response,
    render_activity,
    render_card,
)
from bot.replies import (
    Button,
    Buttons,
    Choice,
    Divider,
    Facts,
    File,
    Form,
    Image,
    Input,
    InputKind,
    Option,
    Reply,
    Text,
)

Json = dict[str, Any]


def body_of(*blocks: Any, fallback: str = "fallback") -> list[Json]:
    card = render_card(Reply(fallback=fallback, blocks=blocks))
    assert (card["type"], card["version"]) == ("AdaptiveCard", "1.5")
    body: list[Json] = card["body"]
    return body


def test_text_alone_is_a_markdown_message_without_a_card() -> None:
    activity = render_activity(Reply.of(Text("**PTO** is 20 days"), Text("See [HR](https://hr)")))
    assert activity == {
        "type": "message",
        "text": "**PTO** is 20 days\n\nSee [HR](https://hr)",
        "textFormat": "markdown",
    }


def test_a_card_comes_without_message_text_and_with_its_plain_fallback() -> None:
    """Teams shows an activity's text above its card: the same words twice."""
    reply = Reply.of(Text("**PTO** is 20 days"), Buttons((Button("Helpful", "knowledge.helpful"),)))
    activity = render_activity(reply)
    assert activity["type"] == "message"
    assert "text" not in activity
    assert activity["summary"] == "PTO is 20 days"
    [attachment] = activity["attachments"]
    assert attachment["contentType"] == CARD_CONTENT_TYPE
    assert attachment["content"]["fallbackText"] == "PTO is 20 days"
    assert attachment["content"]["body"][0] == {
        "type": "TextBlock",
        "text": "**PTO** is 20 days",
        "wrap": True,
    }


def test_angle_brackets_and_ampersands_are_entities_but_link_addresses_and_quotes_are_not() -> None:
    """Teams reads message and card text as HTML too: a bare `<question>` is a tag it drops."""
    markdown = "Type `ask <question>` & [R&D](https://hr.example.org/?a=1&b=2)\n> a <b> quote"
    activity = render_activity(Reply.of(Text(markdown)))
    assert activity["text"] == (
        "Type `ask &lt;question&gt;` &amp; [R&amp;D](https://hr.example.org/?a=1&b=2)\n"
        "> a &lt;b&gt; quote"
    )
    text, quote, facts, choice, _scale = body_of(
        Text(markdown),
        Facts((("<Unit>", "5 North & 6 South"),)),
        Choice("pulse.answer", "Rate <your> shift", (Option("1", "1"),)),
    )
    assert text["text"] == (
        "Type **ask &lt;question&gt;** &amp; [R&amp;D](https://hr.example.org/?a=1&b=2)"
    )
    assert quote["items"][0]["text"] == "a &lt;b&gt; quote"
    assert facts["facts"] == [{"title": "&lt;Unit&gt;", "value": "5 North &amp; 6 South"}]
    assert choice["text"] == "Rate &lt;your&gt; shift"


def test_subtle_text_and_facts() -> None:
    text, facts = body_of(Text("as of today", subtle=True), Facts((("Status", "New"),)))
    assert text["isSubtle"] is True
    assert facts == {"type": "FactSet", "facts": [{"title": "Status", "value": "New"}]}


def test_quotes_become_emphasis_containers_and_code_becomes_bold() -> None:
    """Adaptive Card Markdown would show '>' and backticks as they are."""
    intro, quote, after = body_of(
        Text("Your idea:\n> Dim the lights\n>\n> at night\nType `idea` to add one")
    )
    assert intro == {"type": "TextBlock", "text": "Your idea:", "wrap": True}
    assert quote["type"] == "Container"
    assert quote["style"] == "emphasis"
    assert quote["items"] == [
        {"type": "TextBlock", "text": "Dim the lights\n\nat night", "wrap": True}
    ]
    assert after["text"] == "Type **idea** to add one"


def test_buttons_submit_their_verb_and_value_and_links_open() -> None:
    [actions] = body_of(
        Buttons((Button("Helpful", "knowledge.helpful", "7"), Button("Read", url="https://x.org")))
    )
    submit, link = actions["actions"]
    assert submit == {
        "type": "Action.Submit",
        "title": "Helpful",
        "data": {"verb": "knowledge.helpful", "value": "7"},
    }
    assert link == {"type": "Action.OpenUrl", "title": "Read", "url": "https://x.org"}


def test_a_choice_is_one_submit_per_option_with_the_selected_one_marked() -> None:
    options = tuple(Option(str(n), str(n)) for n in range(3))
    blocks = body_of(
        Choice("pulse.answer", "How likely?", options, "Unlikely", "Likely", selected="1")
    )
    assert blocks[0]["text"] == "How likely?"
    assert "Unlikely" in blocks[1]["text"]
    assert "Likely" in blocks[1]["text"]
    actions = blocks[-1]["actions"]
    assert [a["data"] for a in actions] == [
        {"verb": "pulse.answer", "value": str(n)} for n in range(3)
    ]
    assert actions[1]["title"].startswith("✓")
    assert actions[1]["style"] == "positive"
    assert "style" not in actions[0]


@pytest.mark.parametrize(
    ("options", "rows"), [(5, [5]), (6, [6]), (7, [4, 3]), (11, [6, 5]), (13, [5, 5, 3])]
)
def test_long_rows_of_actions_are_split_so_teams_shows_them_all(
    options: int, rows: list[int]
) -> None:
    """An eNPS scale has 11 points; Teams would show only the first six in one action set."""
    scale = tuple(Option(str(n), str(n)) for n in range(options))
    blocks = body_of(Choice("pulse.answer", "Recommend us?", scale))
    sets = [b for b in blocks if b["type"] == "ActionSet"]
    assert [len(s["actions"]) for s in sets] == rows
    values = [a["data"]["value"] for s in sets for a in s["actions"]]
    assert values == [str(n) for n in range(options)]  # every point, in order
    buttons = tuple(Button(f"Vote {n}", "ideas.upvote", str(n)) for n in range(options))
    assert [len(s["actions"]) for s in body_of(Buttons(buttons))] == rows


def test_a_form_has_its_inputs_and_a_submit_with_its_value() -> None:
    form = Form(
        "Share an idea",
        (
            Input("idea", "Your idea", InputKind.MULTILINE, required=True, max_length=2000),
            Input("category", "Category", InputKind.SELECT, options=(Option("Safety", "s"),)),
            Input("anonymous", "Stay anonymous", InputKind.TOGGLE),
        ),
        "ideas.submit",
        value="42",
    )
    [container] = body_of(form)
    title, text, select, toggle, actions = container["items"]
    assert title["text"] == "Share an idea"
    assert text["type"] == "Input.Text"
    assert text["isMultiline"] is True
    assert text["id"] == "idea"
    assert text["isRequired"] is True
    assert text["maxLength"] == 2000
    assert select["type"] == "Input.ChoiceSet"
    assert select["style"] == "compact"
    assert select["choices"] == [{"title": "Safety", "value": "s"}]
    assert toggle["type"] == "Input.Toggle"
    assert (toggle["valueOn"], toggle["valueOff"]) == ("true", "false")
    # Its words once, beside the box: a label above it would say them again.
    assert toggle["title"] == "Stay anonymous"
    assert "label" not in toggle
    assert "isRequired" not in toggle
    [submit] = actions["actions"]
    assert submit["data"] == {"verb": "ideas.submit", "value": "42"}


def test_images_files_and_dividers() -> None:
    png = b"\x89PNG fake"
    by_url, inline, file, divider = body_of(
        Image("chart", url="https://x.org/c.png"),
        Image("chart bytes", png=png),
        File("export.csv", b"a,b\n"),
        Divider(),
    )
    assert by_url == {"type": "Image", "url": "https://x.org/c.png", "altText": "chart"}
    assert inline["url"] == "data:image/png;base64," + base64.b64encode(png).decode()
    assert file == {
        "type": "TextBlock",
        "text": "File: export.csv (4 bytes)",
        "wrap": True,
        "isSubtle": True,
    }
    assert divider["type"] == "Container"
    assert divider["separator"] is True


EXPORT = File("ideas.csv", b"id,title\n1,Chairs\n", title="Ideas, last 30 days")


def test_an_offered_file_is_a_consent_card_after_the_card_without_its_bytes() -> None:
    reply = Reply.of(Text("Your export"), EXPORT)
    activity = render_activity(reply, [{"token": "t-1"}])
    assert activity["summary"] == "Your export"
    card, consent = activity["attachments"]
    assert card["contentType"] == CARD_CONTENT_TYPE
    assert card["content"]["body"][1]["text"] == "File: ideas.csv (18 bytes)"
    assert consent == {
        "contentType": FILE_CONSENT_TYPE,
        "name": "ideas.csv",
        "content": {
            "description": "Ideas, last 30 days",
            "sizeInBytes": 18,
            "acceptContext": {"token": "t-1"},
            "declineContext": {"token": "t-1"},
        },
    }
    assert "Chairs" not in str(activity)


def test_a_file_not_offered_is_only_named_and_contexts_must_match_the_files() -> None:
    reply = Reply.of(Text("Your export"), EXPORT)
    [card] = render_activity(reply)["attachments"]
    assert card["contentType"] == CARD_CONTENT_TYPE
    with pytest.raises(ValueError, match="zip"):
        render_activity(reply, [{"token": "a"}, {"token": "b"}])


def test_the_file_info_card_comes_from_the_upload_info() -> None:
    info = {
        "name": "ideas.csv",
        "uploadUrl": "https://upload.example/x",
        "contentUrl": "https://contoso.sharepoint.com/ideas.csv",
        "uniqueId": "u-1",
        "fileType": "csv",
    }
    assert file_info_card(info) == {
        "contentType": FILE_INFO_TYPE,
        "contentUrl": "https://contoso.sharepoint.com/ideas.csv",
        "name": "ideas.csv",
        "content": {"uniqueId": "u-1", "fileType": "csv"},
    }


def test_universal_action_answers() -> None:
    reply = Reply.text("Thanks!")
    assert card_response(reply) == {
        "statusCode": 200,
        "type": CARD_CONTENT_TYPE,
        "value": render_card(reply),
    }
    assert message_response("Done") == {
        "statusCode": 200,
        "type": MESSAGE_RESPONSE_TYPE,
        "value": "Done",
    }
    assert error_response(400, "BadRequest", "No verb") == {
        "statusCode": 400,
        "type": ERROR_RESPONSE_TYPE,
        "value": {"code": "BadRequest", "message": "No verb"},
    }
