"""Neutral replies as Slack Block Kit: pure functions, checked on the JSON they produce."""

from __future__ import annotations

import json
from typing import Any

from adapters.slack.render import OPEN_FORM_ACTION, mrkdwn, neutral_action_id, render_blocks
from bot.replies import (
    Block,
    Button,
    Buttons,
    ButtonStyle,
    Choice,
    Divider,
    Facts,
    File,
    Form,
    Image,
    Input,
    Option,
    Reply,
    Text,
)


def blocks(*content: Block) -> list[dict[str, Any]]:
    return render_blocks(Reply(fallback="fallback", blocks=content))


def test_markdown_becomes_mrkdwn() -> None:
    assert mrkdwn("**Open enrollment** ends _Friday_") == "*Open enrollment* ends _Friday_"
    assert mrkdwn("See [the 403(b) page](https://hr.example.org/403b?a=1&b=2)") == (
        "See <https://hr.example.org/403b?a=1&amp;b=2|the 403(b) page>"
    )
    assert mrkdwn("- PTO\n- EAP") == "• PTO\n• EAP"
    assert mrkdwn("__also bold__") == "*also bold*"


def test_mrkdwn_escapes_what_slack_would_read_as_markup() -> None:
    assert mrkdwn("a < b & c > d <!channel>") == "a &lt; b &amp; c &gt; d &lt;!channel&gt;"
    assert mrkdwn("[a|b](https://x.org)") == "<https://x.org|a/b>"


def test_text_is_a_mrkdwn_section_and_subtle_text_a_context() -> None:
    assert blocks(Text("**Hi**"), Text("small print", subtle=True)) == [
        {"type": "section", "text": {"type": "mrkdwn", "text": "*Hi*"}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "small print"}]},
    ]


def test_long_text_is_split_under_slacks_section_limit() -> None:
    text = "\n".join(f"line {n} " + "x" * 90 for n in range(80))
    sections = blocks(Text(text))
    assert len(sections) == 3
    assert all(len(s["text"]["text"]) <= 3000 for s in sections)
    assert "\n".join(s["text"]["text"] for s in sections) == text


def test_facts_are_section_fields_ten_at_a_time() -> None:
    facts = Facts(tuple((f"Label {n}", f"value {n}") for n in range(12)))
    first, second = blocks(facts)
    assert first["fields"][0] == {"type": "mrkdwn", "text": "*Label 0*\nvalue 0"}
    assert (len(first["fields"]), len(second["fields"])) == (10, 2)


def test_buttons_carry_action_value_style_and_url() -> None:
    [actions] = blocks(
        Buttons(
            (
                Button("Helpful", action_id="ask.feedback", value="up", style=ButtonStyle.PRIMARY),
                Button("Delete", action_id="ideas.delete", value="9", style=ButtonStyle.DANGER),
                Button("Policy", url="https://hr.example.org/pto"),
            )
        )
    )
    assert actions == {
        "type": "actions",
        "elements": [
            {
                "type": "button",
                "text": {"type": "plain_text", "text": "Helpful", "emoji": True},
                "action_id": "ask.feedback",
                "value": "up",
                "style": "primary",
            },
            {
                "type": "button",
                "text": {"type": "plain_text", "text": "Delete", "emoji": True},
                "action_id": "ideas.delete",
                "value": "9",
                "style": "danger",
            },
            {
                "type": "button",
                "text": {"type": "plain_text", "text": "Policy", "emoji": True},
                "url": "https://hr.example.org/pto",
            },
        ],
    }


def test_a_scale_is_a_row_of_buttons_with_unique_action_ids() -> None:
    """Slack wants action ids unique within a block; the suffix is undone on the way in."""
    choice = Choice(
        action_id="pulse.answer",
        label="How likely are you to recommend working here?",
        options=tuple(Option(str(n), f"4|enps|{n}") for n in range(11)),
        low_label="Not at all likely",
        high_label="Extremely likely",
        selected="4|enps|9",
    )
    question, actions, ends = blocks(choice)
    assert question == {
        "type": "section",
        "text": {"type": "mrkdwn", "text": "How likely are you to recommend working here?"},
    }
    elements = actions["elements"]
    ids = [e["action_id"] for e in elements]
    assert len(set(ids)) == 11
    assert ids[:3] == ["pulse.answer", "pulse.answer#2", "pulse.answer#3"]
    assert {neutral_action_id(i) for i in ids} == {"pulse.answer"}
    assert [e["value"] for e in elements][:2] == ["4|enps|0", "4|enps|1"]
    assert [e.get("style") for e in elements].count("primary") == 1
    assert elements[9]["style"] == "primary"
    assert ends == {
        "type": "context",
        "elements": [
            {"type": "plain_text", "text": "0 = Not at all likely  ·  10 = Extremely likely"}
        ],
    }


def test_more_than_25_buttons_spill_into_another_actions_block() -> None:
    many = Buttons(tuple(Button(str(n), action_id="demo.pick", value=str(n)) for n in range(30)))
    first, second = blocks(many)
    assert (len(first["elements"]), len(second["elements"])) == (25, 5)
    assert second["elements"][0]["action_id"] == "demo.pick"


def test_images_by_url_only_files_are_left_to_uploads() -> None:
    rendered = blocks(
        Image("Response chart", title="Responses", url="https://cdn.example.org/c.png"),
        Image("Inline chart", png=b"\x89PNG"),
        File("results.csv", b"a,b\n"),
    )
    assert rendered == [
        {
            "type": "image",
            "image_url": "https://cdn.example.org/c.png",
            "alt_text": "Response chart",
            "title": {"type": "plain_text", "text": "Responses", "emoji": True},
        }
    ]


def test_a_form_becomes_an_open_form_button() -> None:
    form = Form("Share an idea", (Input("text", "Your idea"),), "ideas.submit", value="draft-3")
    [actions] = blocks(form)
    [button] = actions["elements"]
    assert button["action_id"] == OPEN_FORM_ACTION
    assert button["text"]["text"] == "Open form"
    assert json.loads(button["value"]) == {"submit": "ideas.submit", "value": "draft-3"}


def test_divider_and_a_reply_with_no_blocks() -> None:
    assert blocks(Divider()) == [{"type": "divider"}]
    assert render_blocks(Reply(fallback="plain only")) == []


def test_long_labels_are_clipped_to_slacks_limit() -> None:
    [actions] = blocks(Buttons((Button("x" * 100, action_id="demo.long"),)))
    label = actions["elements"][0]["text"]["text"]
    assert len(label) == 75
    assert label.endswith("…")
