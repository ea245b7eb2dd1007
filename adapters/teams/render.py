"""Neutral replies as Adaptive Cards 1.5, the card version Teams renders on desktop and mobile
(https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/cards-reference).

Pure functions over JSON. Controls are `Action.Submit` with data `{"verb": action_id, "value": …}`:
Teams posts that data back as the `value` of a message activity. Our cards use no `Action.Execute`
(universal actions), but a refreshed card or another client may send one: its answer is the body
of the invoke response, built here too.

A file travels as a file consent card: Teams uploads it to the person's OneDrive only once they
accept, and only in a personal chat
(https://learn.microsoft.com/microsoftteams/platform/bots/how-to/bots-filesv4).
"""

from __future__ import annotations

import base64
import html
import itertools
import re
from collections.abc import Mapping, Sequence
from typing import Any

from bot.i18n import N_, Translator, translator
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
    Reply,
    Text,
)

Json = dict[str, Any]
CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
CARD_VERSION = "1.5"
FILE_CONSENT_TYPE = "application/vnd.microsoft.teams.card.file.consent"
FILE_INFO_TYPE = "application/vnd.microsoft.teams.card.file.info"
# Universal Actions answer types:
# https://learn.microsoft.com/adaptive-cards/authoring-cards/universal-action-model#response-format
MESSAGE_RESPONSE_TYPE = "application/vnd.microsoft.activity.message"
ERROR_RESPONSE_TYPE = "application/vnd.microsoft.error"
SUMMARY_LENGTH = 250  # the notification preview; Teams cuts it anyway
# Teams shows at most six actions of an action set on desktop and web and hides the rest, which
# would cut an eNPS scale (0-10) at 5; longer rows are split into balanced action sets instead.
# Observed behaviour, not documented: https://github.com/atc0005/go-teams-notify/issues/161
MAX_ACTIONS = 6

_CODE = re.compile(r"`([^`\n]+)`")
# A Markdown link's target, which is an address and is left as it is.
_LINK_TARGET = re.compile(r"(\]\()([^)\s]+)(\))")
_STYLES = {ButtonStyle.PRIMARY: "positive", ButtonStyle.DANGER: "destructive"}

# The card's own words, in the reply's language.
SUBMIT = N_("Submit")
REQUIRED = N_("{label} is required")
FILE_NAMED = N_("File: {name} ({size} bytes)")


def render_activity(reply: Reply, consents: Sequence[Mapping[str, Any]] = ()) -> Json:
    """A message activity (Bot Framework JSON). Text alone goes as a Markdown message, which
    reads best and copies well on a phone; anything richer as an Adaptive Card with no message
    text, since Teams would show that text above the card as well. The plain fallback is the
    card's `fallbackText` and the activity's `summary`, for notifications and screen readers.

    `consents` holds the context of each `File` block, in order, when its file is offered: each
    then gets a file consent card after the Adaptive Card. Without them a file is only named."""
    if reply.blocks and all(isinstance(b, Text) and not b.subtle for b in reply.blocks):
        markdown = "\n\n".join(escaped(b.markdown) for b in reply.blocks if isinstance(b, Text))
        return {"type": "message", "text": markdown, "textFormat": "markdown"}
    activity: Json = {"type": "message", "summary": reply.fallback[:SUMMARY_LENGTH]}
    if not reply.blocks:
        activity["text"] = reply.fallback
        return activity
    attachments = [{"contentType": CARD_CONTENT_TYPE, "content": render_card(reply)}]
    if consents:
        attachments += [
            file_consent_card(f, c) for f, c in zip(files_of(reply), consents, strict=True)
        ]
    activity["attachments"] = attachments
    return activity


def files_of(reply: Reply) -> list[File]:
    return [b for b in reply.blocks if isinstance(b, File)]


def file_consent_card(file: File, context: Mapping[str, Any]) -> Json:
    """Asks the person to let the bot upload the file; Teams echoes the context back in the
    `fileConsent/invoke` of their answer. The card carries no bytes."""
    return {
        "contentType": FILE_CONSENT_TYPE,
        "name": file.filename,
        "content": {
            "description": file.title or file.filename,
            "sizeInBytes": len(file.data),
            "acceptContext": dict(context),
            "declineContext": dict(context),
        },
    }


def file_info_card(upload_info: Mapping[str, Any]) -> Json:
    """The uploaded file as Teams shows it in the chat, from the `uploadInfo` of the accept."""
    return {
        "contentType": FILE_INFO_TYPE,
        "contentUrl": upload_info.get("contentUrl"),
        "name": upload_info.get("name"),
        "content": {
            "uniqueId": upload_info.get("uniqueId"),
            "fileType": upload_info.get("fileType"),
        },
    }


def card_response(reply: Reply) -> Json:
    """The answer to an `adaptiveCard/action` invoke that replaces the card it came from."""
    return {"statusCode": 200, "type": CARD_CONTENT_TYPE, "value": render_card(reply)}


def message_response(text: str) -> Json:
    """The answer to an `adaptiveCard/action` invoke that leaves the card as it is; Teams shows
    the text briefly under it."""
    return {"statusCode": 200, "type": MESSAGE_RESPONSE_TYPE, "value": text}


def error_response(status: int, code: str, message: str) -> Json:
    return {
        "statusCode": status,
        "type": ERROR_RESPONSE_TYPE,
        "value": {"code": code, "message": message},
    }


def render_card(reply: Reply) -> Json:
    """The reply as an Adaptive Card; the card's own words (a form's Submit, a file's size) in
    the reply's language."""
    t = translator(reply.language)
    body: list[Json] = []
    for block in reply.blocks:
        body.extend(render_block(block, t))
    return {
        "type": "AdaptiveCard",
        "$schema": CARD_SCHEMA,
        "version": CARD_VERSION,
        "fallbackText": reply.fallback,
        "body": body,
        # Teams draws cards narrow unless asked: answers read better at full width.
        "msteams": {"width": "Full"},
    }


def render_block(block: Block, t: Translator) -> list[Json]:
    if isinstance(block, Text):
        return _text(block)
    if isinstance(block, Facts):
        return [
            {
                "type": "FactSet",
                "facts": [
                    {"title": escaped(label), "value": escaped(value)}
                    for label, value in block.items
                ],
            }
        ]
    if isinstance(block, Buttons):
        return action_sets([_button(b) for b in block.buttons])
    if isinstance(block, Choice):
        return _choice(block)
    if isinstance(block, Form):
        return _form(block, t)
    if isinstance(block, Image):
        return _image(block)
    if isinstance(block, File):
        # The bytes go by the file consent card (see `render_activity`); the card names them.
        return [
            {
                "type": "TextBlock",
                "text": t(FILE_NAMED, name=block.filename, size=t.number(len(block.data))),
                "wrap": True,
                "isSubtle": True,
            }
        ]
    if isinstance(block, Divider):
        return [{"type": "Container", "separator": True, "spacing": "Medium", "items": []}]
    raise TypeError(f"cannot render {type(block).__name__}")


def _text(block: Text) -> list[Json]:
    """Adaptive Card Markdown has no quotes and no code spans
    (https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/cards-format):
    quoted lines become an emphasis container, and `code` (command syntax) becomes bold."""
    parts: list[Json] = []
    lines = block.markdown.split("\n")
    for quoted, run in itertools.groupby(lines, key=lambda line: line.startswith(">")):
        chunk = "\n".join(line[1:].removeprefix(" ") if quoted else line for line in run)
        if not chunk.strip():
            continue
        shown = _CODE.sub(r"**\1**", escaped(chunk))
        text: Json = {"type": "TextBlock", "text": shown, "wrap": True}
        if block.subtle:
            text["isSubtle"] = True
        if quoted:
            text = {"type": "Container", "style": "emphasis", "items": [text]}
        parts.append(text)
    return parts


def escaped(markdown: str) -> str:
    """Markdown with &, < and > as HTML entities: Teams reads message text and card text as
    HTML too, so `ask <question>` would show as "ask", the placeholder taken for a tag. Link
    addresses and the `>` that starts a quoted line keep their characters."""
    return "\n".join(
        ">" + _escaped_line(line[1:]) if line.startswith(">") else _escaped_line(line)
        for line in markdown.split("\n")
    )


def _escaped_line(markdown: str) -> str:
    parts = _LINK_TARGET.split(markdown)
    # split() with three groups: text, then "](", the address, ")" and text again, in turn.
    return "".join(
        part if index % 4 in (1, 2, 3) else html.escape(part, quote=False)
        for index, part in enumerate(parts)
    )


def submit_data(action_id: str, value: str) -> Json:
    return {"verb": action_id, "value": value}


def _button(button: Button) -> Json:
    action: Json
    if button.url:
        action = {"type": "Action.OpenUrl", "title": button.label, "url": button.url}
    else:
        action = {
            "type": "Action.Submit",
            "title": button.label,
            "data": submit_data(button.action_id, button.value),
        }
    style = _STYLES.get(button.style)
    if style:
        action["style"] = style
    return action


def _choice(choice: Choice) -> list[Json]:
    blocks: list[Json] = [{"type": "TextBlock", "text": escaped(choice.label), "wrap": True}]
    if choice.low_label or choice.high_label:
        ends = f"{choice.low_label or '…'} → {choice.high_label or '…'}"
        blocks.append(
            {"type": "TextBlock", "text": ends, "wrap": True, "isSubtle": True, "size": "Small"}
        )
    actions: list[Json] = []
    for option in choice.options:
        picked = option.value == choice.selected
        action: Json = {
            "type": "Action.Submit",
            "title": f"✓ {option.label}" if picked else option.label,
            "data": submit_data(choice.action_id, option.value),
        }
        if picked:
            action["style"] = "positive"
        actions.append(action)
    return blocks + action_sets(actions)


def action_sets(actions: list[Json]) -> list[Json]:
    """Action sets of at most MAX_ACTIONS each, as even as can be: 11 → 6 + 5, not 6 + 1."""
    if not actions:
        return []
    rows = -(-len(actions) // MAX_ACTIONS)
    size = -(-len(actions) // rows)
    return [
        {"type": "ActionSet", "actions": actions[start : start + size]}
        for start in range(0, len(actions), size)
    ]


def _form(form: Form, t: Translator) -> list[Json]:
    items: list[Json] = [
        {"type": "TextBlock", "text": escaped(form.title), "weight": "Bolder", "wrap": True}
    ]
    items += [_input(i, t) for i in form.inputs]
    items.append(
        {
            "type": "ActionSet",
            "actions": [
                {
                    "type": "Action.Submit",
                    "title": form.submit_label or t(SUBMIT),
                    "style": "positive",
                    "data": submit_data(form.submit_action_id, form.value),
                }
            ],
        }
    )
    return [{"type": "Container", "items": items}]


def _input(field: Input, t: Translator) -> Json:
    common: Json = {"id": field.name, "label": field.label, "isRequired": field.required}
    if field.required:
        common["errorMessage"] = t(REQUIRED, label=field.label)
    if field.kind is InputKind.SELECT:
        choice: Json = {
            **common,
            "type": "Input.ChoiceSet",
            "style": "compact",
            "choices": [{"title": o.label, "value": o.value} for o in field.options],
        }
        if field.initial:
            choice["value"] = field.initial
        return choice
    if field.kind is InputKind.TOGGLE:
        # The toggle's `title` is the text beside its box; a `label` above it would say the
        # same again. An unticked box is an answer ("false"), so it is never required.
        return {
            "id": field.name,
            "type": "Input.Toggle",
            "title": field.label,
            "valueOn": "true",
            "valueOff": "false",
            "value": "true" if field.initial == "true" else "false",
        }
    text: Json = {
        **common,
        "type": "Input.Text",
        "isMultiline": field.kind is InputKind.MULTILINE,
    }
    if field.placeholder:
        text["placeholder"] = field.placeholder
    if field.initial:
        text["value"] = field.initial
    if field.max_length is not None:
        text["maxLength"] = field.max_length
    return text


def _image(image: Image) -> list[Json]:
    if image.url:
        url = image.url
    elif image.png is not None:
        # Teams shows data: URIs in cards; the whole activity must stay under about 28 KB.
        url = "data:image/png;base64," + base64.b64encode(image.png).decode("ascii")
    else:
        return []
    blocks: list[Json] = []
    if image.title:
        blocks.append(
            {"type": "TextBlock", "text": escaped(image.title), "weight": "Bolder", "wrap": True}
        )
    blocks.append({"type": "Image", "url": url, "altText": image.alt_text})
    return blocks
