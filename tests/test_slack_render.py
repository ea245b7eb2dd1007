"""Neutral replies as Slack Block Kit: pure functions, checked on the JSON they produce."""

from __future__ import annotations

import json
from typing import Any

from adapters.slack.render import (
    FORM_CALLBACK,
    LINK_ACTION,
    OPEN_FORM_ACTION,
    modal_view,
    mrkdwn,
    neutral_action_id,
    offered_forms,
    render_blocks,
    with_origin,
)
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
    InputKind,
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
                # Slack sends a click for link buttons too; this id says it needs no answer.
                "action_id": LINK_ACTION,
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


def test_a_form_becomes_an_open_form_button_keyed_by_its_modal() -> None:
    form = Form("Share an idea", (Input("text", "Your idea"),), "ideas.submit", value="draft-3")
    reply = Reply(fallback="Share an idea", blocks=(Text("Tell us more"), form))
    [_text, actions] = render_blocks(reply)
    [button] = actions["elements"]
    assert button["action_id"] == OPEN_FORM_ACTION
    assert button["text"]["text"] == "Open form"
    [(key, view)] = offered_forms(reply).items()
    assert button["value"] == key
    assert view == modal_view(form, reply)
    # The same form offered again has the same key, so it is stored once.
    assert offered_forms(reply) == offered_forms(Reply(fallback="again", blocks=reply.blocks))
    changed = Form("Share an idea", form.inputs, "ideas.submit", value="draft-4")
    assert key not in offered_forms(Reply(fallback="x", blocks=(Text("Tell us more"), changed)))


IDEA_FORM = Form(
    "Share an idea to improve patient care",
    (
        Input("title", "Title (optional)", max_length=120, initial="Quiet"),
        Input(
            "description",
            "What would make care better?",
            InputKind.MULTILINE,
            required=True,
            placeholder="Leave out patient names.",
            max_length=5000,
        ),
        Input(
            "category",
            "Category",
            InputKind.SELECT,
            required=True,
            options=(Option("Food", "food"), Option("Comfort", "comfort")),
            initial="comfort",
        ),
        Input("anonymous", "Submit anonymously", InputKind.TOGGLE, initial="true"),
    ),
    "ideas.submit_form",
    submit_label="Preview",
    value="12",
)


def test_a_form_is_a_modal_with_one_input_block_per_input() -> None:
    reply = Reply(fallback="x", blocks=(Text("> Where do I park?"), IDEA_FORM))
    view = modal_view(IDEA_FORM, reply)
    assert view["type"] == "modal"
    assert view["callback_id"] == FORM_CALLBACK
    assert view["title"]["text"] == "Share an idea to improv…"  # 24 characters at most
    assert view["submit"]["text"] == "Preview"
    assert json.loads(view["private_metadata"]) == {"submit": "ideas.submit_form", "value": "12"}
    context, title, description, category, anonymous = view["blocks"]
    assert context == {
        "type": "section",
        "text": {"type": "mrkdwn", "text": "&gt; Where do I park?"},
    }
    assert title == {
        "type": "input",
        "block_id": "title",
        "label": {"type": "plain_text", "text": "Title (optional)", "emoji": True},
        "optional": True,
        "element": {
            "action_id": "title",
            "type": "plain_text_input",
            "multiline": False,
            "max_length": 120,
            "initial_value": "Quiet",
        },
    }
    assert description["optional"] is False
    assert description["element"]["multiline"] is True
    assert description["element"]["max_length"] == 3000  # Slack's own limit
    assert description["element"]["placeholder"]["text"] == "Leave out patient names."
    assert category["element"]["type"] == "static_select"
    assert [o["value"] for o in category["element"]["options"]] == ["food", "comfort"]
    assert category["element"]["initial_option"]["value"] == "comfort"
    assert anonymous["optional"] is True
    assert anonymous["element"]["type"] == "checkboxes"
    assert anonymous["element"]["initial_options"] == anonymous["element"]["options"]


def test_the_modal_learns_where_it_was_opened_from() -> None:
    view = with_origin(modal_view(IDEA_FORM), {"channel": "C1", "response_url": "https://h/1"})
    assert json.loads(view["private_metadata"]) == {
        "submit": "ideas.submit_form",
        "value": "12",
        "channel": "C1",
        "response_url": "https://h/1",
    }


def test_divider_and_a_reply_with_no_blocks() -> None:
    assert blocks(Divider()) == [{"type": "divider"}]
    assert render_blocks(Reply(fallback="plain only")) == []


def test_long_labels_are_clipped_to_slacks_limit() -> None:
    [actions] = blocks(Buttons((Button("x" * 100, action_id="demo.long"),)))
    label = actions["elements"][0]["text"]["text"]
    assert len(label) == 75
    assert label.endswith("…")
