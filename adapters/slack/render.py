"""Neutral replies as Slack Block Kit (https://docs.slack.dev/reference/block-kit/blocks).

Pure functions: a reply in, the `blocks` of chat.postMessage out. Pictures sent as PNG bytes and
files are not blocks; the messenger uploads those.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from bot.replies import (
    Button,
    Buttons,
    ButtonStyle,
    Choice,
    Divider,
    Facts,
    Form,
    Image,
    Reply,
    Text,
)

Json = dict[str, Any]

# Block Kit limits: section text 3,000 characters, 10 fields of 2,000 per section, button labels
# 75 characters, button values 2,000, 25 elements per actions block.
SECTION_TEXT = 3000
FIELD_TEXT = 2000
FIELDS_PER_SECTION = 10
BUTTON_LABEL = 75
BUTTON_VALUE = 2000
ELEMENTS_PER_ACTIONS = 25

# Slack wants action ids unique within a block, while a neutral scale gives every option the
# same id (the value tells them apart): the second and later get "#2", "#3"… appended, which
# `neutral_action_id` strips. Neutral ids never contain "#".
_REPEAT = "#"

# What opens a form in a modal; the modal itself belongs to the Slack adapter's interactivity.
OPEN_FORM_ACTION = "form.open"

_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
_BOLD = re.compile(r"(\*\*|__)(.+?)\1")
_BULLET = re.compile(r"^(\s*)[-*] ", re.MULTILINE)


def render_blocks(reply: Reply) -> list[Json]:
    blocks: list[Json] = []
    for block in reply.blocks:
        if isinstance(block, Text):
            blocks.extend(_text(block))
        elif isinstance(block, Facts):
            blocks.extend(_facts(block))
        elif isinstance(block, Buttons):
            blocks.extend(_actions([_button(b) for b in block.buttons]))
        elif isinstance(block, Choice):
            blocks.extend(_choice(block))
        elif isinstance(block, Image) and block.url:
            blocks.append(_image(block))
        elif isinstance(block, Form):
            blocks.extend(_actions([_open_form(block)]))
        elif isinstance(block, Divider):
            blocks.append({"type": "divider"})
    return blocks


def neutral_action_id(slack_action_id: str) -> str:
    """The neutral action id behind a rendered one (undoes the uniqueness suffix)."""
    return slack_action_id.split(_REPEAT, 1)[0]


def mrkdwn(markdown: str) -> str:
    """Our Markdown subset as Slack mrkdwn: `**b**` → `*b*`, `[l](u)` → `<u|l>`, `- ` → `• `.

    &, < and > are escaped first, so that text cannot turn into a mention or a link by accident
    (https://docs.slack.dev/messaging/formatting-message-text)."""
    text = markdown.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _LINK.sub(lambda m: f"<{m.group(2)}|{m.group(1).replace('|', '/')}>", text)
    text = _BOLD.sub(lambda m: f"*{m.group(2)}*", text)
    return _BULLET.sub(lambda m: f"{m.group(1)}• ", text)


def _text(block: Text) -> Iterator[Json]:
    for chunk in _chunks(mrkdwn(block.markdown), SECTION_TEXT):
        if block.subtle:
            yield {"type": "context", "elements": [{"type": "mrkdwn", "text": chunk}]}
        else:
            yield {"type": "section", "text": {"type": "mrkdwn", "text": chunk}}


def _facts(block: Facts) -> Iterator[Json]:
    fields = [
        {"type": "mrkdwn", "text": _clip(f"*{mrkdwn(label)}*\n{mrkdwn(value)}", FIELD_TEXT)}
        for label, value in block.items
    ]
    for start in range(0, len(fields), FIELDS_PER_SECTION):
        yield {"type": "section", "fields": fields[start : start + FIELDS_PER_SECTION]}


def _button(button: Button) -> Json:
    element: Json = {"type": "button", "text": _plain(button.label, BUTTON_LABEL)}
    if button.action_id:
        element["action_id"] = button.action_id
    if button.value:
        element["value"] = _clip(button.value, BUTTON_VALUE)
    if button.style is not ButtonStyle.DEFAULT:
        element["style"] = button.style.value
    if button.url:
        element["url"] = button.url
    return element


def _choice(choice: Choice) -> Iterator[Json]:
    yield {"type": "section", "text": {"type": "mrkdwn", "text": mrkdwn(choice.label)}}
    elements: list[Json] = []
    for option in choice.options:
        element: Json = {
            "type": "button",
            "text": _plain(option.label, BUTTON_LABEL),
            "action_id": choice.action_id,
            "value": _clip(option.value, BUTTON_VALUE),
        }
        if option.value == choice.selected:
            element["style"] = ButtonStyle.PRIMARY.value
        elements.append(element)
    yield from _actions(elements)
    if (choice.low_label or choice.high_label) and choice.options:
        ends = (
            f"{choice.options[0].label} = {choice.low_label}  ·  "
            f"{choice.options[-1].label} = {choice.high_label}"
        )
        yield {"type": "context", "elements": [{"type": "plain_text", "text": ends}]}


def _image(image: Image) -> Json:
    block: Json = {"type": "image", "image_url": image.url, "alt_text": image.alt_text or " "}
    if image.title:
        block["title"] = _plain(image.title, 2000)
    return block


def _open_form(form: Form) -> Json:
    value = {"submit": form.submit_action_id, "value": form.value}
    return {
        "type": "button",
        "text": _plain("Open form", BUTTON_LABEL),
        "action_id": OPEN_FORM_ACTION,
        "value": json.dumps(value, separators=(",", ":")),
        "style": ButtonStyle.PRIMARY.value,
    }


def _actions(elements: list[Json]) -> Iterator[Json]:
    for start in range(0, len(elements), ELEMENTS_PER_ACTIONS):
        chunk = elements[start : start + ELEMENTS_PER_ACTIONS]
        seen: dict[str, int] = {}
        for element in chunk:
            action_id = element.get("action_id")
            if action_id is None:
                continue
            seen[action_id] = seen.get(action_id, 0) + 1
            if seen[action_id] > 1:
                element["action_id"] = f"{action_id}{_REPEAT}{seen[action_id]}"
        yield {"type": "actions", "elements": chunk}


def _plain(text: str, limit: int) -> Json:
    return {"type": "plain_text", "text": _clip(text, limit), "emoji": True}


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _chunks(text: str, limit: int) -> Iterator[str]:
    """Split long text at line ends where possible, so no section exceeds Slack's limit."""
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        cut = cut if cut > 0 else limit
        yield text[:cut]
        text = text[cut:].lstrip("\n")
    yield text
