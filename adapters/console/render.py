"""Neutral replies as readable terminal text; buttons and scale options become numbered choices."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bot.exports import export_name, prune_exports, save_export
from bot.i18n import N_, Translator, translator
from bot.replies import (
    Button,
    Buttons,
    Choice,
    Divider,
    Facts,
    File,
    Form,
    Image,
    Reply,
    Text,
    plain_text,
)

RULE = "─" * 40

# The terminal's own words around a reply, in the reply's language (`Reply.language`).
CHOOSE_HINT = N_("(type a number to choose)")
FORM = N_("[form] {title}")
FILE_SAVED = N_("[file: {title}] saved to {path}")
PICTURE_SAVED = N_("[picture: {description}] saved to {path}")
PICTURE = N_("[picture: {description}]")
UPDATED = N_("(updated)")


@dataclass(frozen=True)
class Pick:
    """What typing a number does: send `action_id` with `value`."""

    action_id: str
    value: str


@dataclass
class Rendered:
    text: str
    picks: list[Pick] = field(default_factory=list)
    forms: list[Form] = field(default_factory=list)


def render(reply: Reply, exports: Path) -> Rendered:
    """The reply as text; its files and pictures are saved in `exports`, and the text says
    where. The words the terminal adds are in the reply's language."""
    t = translator(reply.language)
    out = Rendered(text="")
    lines: list[str] = []
    if not reply.blocks:
        lines.append(reply.fallback)
    for block in reply.blocks:
        if isinstance(block, Text):
            text = plain_text(block.markdown)
            lines.append(f"({text})" if block.subtle else text)
        elif isinstance(block, Facts):
            width = max(len(label) for label, _ in block.items) if block.items else 0
            lines.extend(f"  {label.ljust(width)}  {value}" for label, value in block.items)
        elif isinstance(block, Buttons):
            lines.append("  ".join(_button(b, out.picks) for b in block.buttons))
        elif isinstance(block, Choice):
            lines.append(block.label)
            if block.low_label or block.high_label:
                lines.append(
                    f"  ({block.options[0].label} = {block.low_label}, "
                    f"{block.options[-1].label} = {block.high_label})"
                )
            choices = []
            for option in block.options:
                out.picks.append(Pick(block.action_id, option.value))
                marker = "*" if option.value == block.selected else ""
                choices.append(f"[{len(out.picks)}] {option.label}{marker}")
            lines.append("  " + "  ".join(choices))
        elif isinstance(block, Form):
            out.forms.append(block)
            lines.append(t(FORM, title=block.title))
        elif isinstance(block, Image):
            lines.append(_image(block, exports, t))
        elif isinstance(block, File):
            lines.append(_file(block, exports, t))
        elif isinstance(block, Divider):
            lines.append(RULE)
    if out.picks:
        lines.append(t(CHOOSE_HINT))
    out.text = "\n".join(lines)
    return out


def _button(button: Button, picks: list[Pick]) -> str:
    if button.url:
        return f"{button.label} <{button.url}>"
    picks.append(Pick(button.action_id, button.value))
    return f"[{len(picks)}] {button.label}"


def _file(file: File, exports: Path, t: Translator) -> str:
    path = _save(exports, file.filename, file.data)
    return t(FILE_SAVED, title=file.title or file.filename, path=path)


def _image(image: Image, exports: Path, t: Translator) -> str:
    if image.png is not None:
        now = datetime.now(UTC)
        name = image.filename or export_name(image.title or "picture", now.date(), "png")
        path = _save(exports, name, image.png)
        return t(PICTURE_SAVED, description=image.alt_text, path=path)
    return f"{t(PICTURE, description=image.alt_text)} {image.url or ''}".rstrip()


def _save(exports: Path, filename: str, data: bytes) -> Path:
    """Save a new export, and delete the old ones: a terminal runs no nightly housekeeping."""
    prune_exports(exports, datetime.now(UTC))
    return save_export(exports, filename, data).resolve()
