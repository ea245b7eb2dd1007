"""Neutral replies as Slack Block Kit (https://docs.slack.dev/reference/block-kit/blocks).

Pure functions: a reply in, the `blocks` of chat.postMessage out, or a form as the modal view
for views.open. Pictures sent as PNG bytes and files are not blocks; the messenger uploads those.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from bot.answering.forms import OPEN_OFFERED_FORM
from bot.i18n import N_, Translator, translator
from bot.replies import (
    Button,
    Buttons,
    ButtonStyle,
    Choice,
    Divider,
    Facts,
    Form,
    Image,
    Input,
    InputKind,
    Option,
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

# A form in a reply to something without a `trigger_id` (a typed DM) cannot open a modal: it is
# shown as a button with the core's action id for offered forms, whose click brings a trigger id
# to open it with (see `bot.answering.forms`).
OPEN_FORM_ACTION = OPEN_OFFERED_FORM
# Slack sends a click even for a link button (it opens the URL in the browser meanwhile); this
# id marks those clicks as needing no answer.
LINK_ACTION = "link.open"
# The callback id of every modal we open; what it submits is in its private_metadata.
FORM_CALLBACK = "breakroom.form"

# Modal limits (https://docs.slack.dev/reference/views/modal-views and the Block Kit reference
# for input blocks, plain-text inputs and option objects): title and button labels 24
# characters, input labels 2,000, placeholders 150, option text 75 and values 150, 100 options
# per select, 3,000 characters of text input and of private_metadata.
MODAL_TITLE = 24
INPUT_LABEL = 2000
PLACEHOLDER = 150
OPTION_TEXT = 75
OPTION_VALUE = 150
OPTIONS_PER_SELECT = 100
TEXT_INPUT = 3000

# The modal's and the message's own words, in the reply's language (`Reply.language`).
SUBMIT = N_("Submit")
CANCEL = N_("Cancel")
OPEN_FORM = N_("Open form")

_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
_BOLD = re.compile(r"(\*\*|__)(.+?)\1")
_BULLET = re.compile(r"^(\s*)[-*] ", re.MULTILINE)


def render_blocks(reply: Reply) -> list[Json]:
    t = translator(reply.language)
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
            key = offered_form_key(modal_view(block, reply))
            blocks.extend(_actions([_open_form(key, t)]))
        elif isinstance(block, Divider):
            blocks.append({"type": "divider"})
    return blocks


def modal_view(form: Form, reply: Reply | None = None) -> Json:
    """The form as a modal: the reply's text above one input block per input. Each input's
    block id is its name, which is how the submission's values come back. Its Submit and Cancel
    are in the reply's language."""
    t = translator(reply.language if reply else None)
    context = Reply(
        fallback="",
        blocks=tuple(b for b in (reply.blocks if reply else ()) if isinstance(b, Text | Facts)),
    )
    return {
        "type": "modal",
        "callback_id": FORM_CALLBACK,
        "title": _plain(form.title, MODAL_TITLE),
        "submit": _plain(form.submit_label or t(SUBMIT), MODAL_TITLE),
        "close": _plain(t(CANCEL), MODAL_TITLE),
        "private_metadata": _compact({"submit": form.submit_action_id, "value": form.value}),
        "blocks": [*render_blocks(context), *(_input(i) for i in form.inputs)],
    }


def with_origin(view: Json, origin: Mapping[str, str]) -> Json:
    """The modal, told where it was opened from (channel, thread, `response_url`): a
    view_submission payload names no channel, so its replies find their way back by this."""
    meta = json.loads(view["private_metadata"])
    return {**view, "private_metadata": _compact({**meta, **origin})}


def offered_forms(reply: Reply) -> dict[str, Json]:
    """The modals behind the reply's "Open form" buttons, by the key each button carries."""
    views = (modal_view(form, reply) for form in reply.forms())
    return {offered_form_key(view): view for view in views}


def offered_form_key(view: Json) -> str:
    """A key named by the modal's content, so the same form offered again is stored once."""
    return hashlib.sha256(_compact(view).encode("utf-8")).hexdigest()[:32]


def neutral_action_id(slack_action_id: str) -> str:
    """The neutral action id behind a rendered one (undoes the uniqueness suffix)."""
    return slack_action_id.split(_REPEAT, 1)[0]


def escaped(text: str) -> str:
    """Text with Slack's three control characters escaped, as Slack asks of every message text,
    the notification fallback too: `ask <question>` would otherwise lose `<question>`."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mrkdwn(markdown: str) -> str:
    """Our Markdown subset as Slack mrkdwn: `**b**` → `*b*`, `[l](u)` → `<u|l>`, `- ` → `• `.

    &, < and > are escaped first, so that text cannot turn into a mention or a link by accident
    (https://docs.slack.dev/messaging/formatting-message-text)."""
    text = escaped(markdown)
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
        element["action_id"] = LINK_ACTION
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


def _open_form(key: str, t: Translator) -> Json:
    return {
        "type": "button",
        "text": _plain(t(OPEN_FORM), BUTTON_LABEL),
        "action_id": OPEN_FORM_ACTION,
        "value": key,
        "style": ButtonStyle.PRIMARY.value,
    }


def _input(field: Input) -> Json:
    element: Json = {"action_id": field.name}
    if field.kind is InputKind.SELECT:
        options = [_option(o) for o in field.options[:OPTIONS_PER_SELECT]]
        element.update(type="static_select", options=options)
        chosen = [o for o in options if o["value"] == field.initial]
        if chosen:
            element["initial_option"] = chosen[0]
    elif field.kind is InputKind.TOGGLE:
        # A single checkbox: ticked sends its value, unticked sends no option at all.
        box = {"text": _plain("Yes", OPTION_TEXT), "value": "true"}
        element.update(type="checkboxes", options=[box])
        if field.initial == "true":
            element["initial_options"] = [box]
    else:
        limit = min(field.max_length or TEXT_INPUT, TEXT_INPUT)
        element.update(
            type="plain_text_input",
            multiline=field.kind is InputKind.MULTILINE,
            max_length=limit,
        )
        if field.initial:
            element["initial_value"] = field.initial[:limit]
    if field.placeholder and field.kind is not InputKind.TOGGLE:
        element["placeholder"] = _plain(field.placeholder, PLACEHOLDER)
    return {
        "type": "input",
        "block_id": field.name,
        "label": _plain(field.label, INPUT_LABEL),
        # An unticked checkbox is a valid answer ("false"), so a toggle is never required.
        "optional": not field.required or field.kind is InputKind.TOGGLE,
        "element": element,
    }


def _option(option: Option) -> Json:
    return {"text": _plain(option.label, OPTION_TEXT), "value": option.value[:OPTION_VALUE]}


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), sort_keys=True)


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
