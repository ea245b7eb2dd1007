"""Neutral replies as readable terminal text; buttons and scale options become numbered choices."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field

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


def render(reply: Reply) -> Rendered:
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
            lines.append(f"[form] {block.title}")
        elif isinstance(block, Image):
            lines.append(_image(block))
        elif isinstance(block, File):
            lines.append(_file(block))
        elif isinstance(block, Divider):
            lines.append(RULE)
    if out.picks:
        lines.append("(type a number to choose)")
    out.text = "\n".join(lines)
    return out


def _button(button: Button, picks: list[Pick]) -> str:
    if button.url:
        return f"{button.label} <{button.url}>"
    picks.append(Pick(button.action_id, button.value))
    return f"[{len(picks)}] {button.label}"


def _file(file: File) -> str:
    suffix = "." + file.filename.rsplit(".", 1)[-1] if "." in file.filename else ""
    with tempfile.NamedTemporaryFile(prefix="breakroom-", suffix=suffix, delete=False) as handle:
        handle.write(file.data)
    return f"[file: {file.title or file.filename}] saved to {handle.name}"


def _image(image: Image) -> str:
    if image.png is not None:
        with tempfile.NamedTemporaryFile(
            prefix="breakroom-", suffix=".png", delete=False
        ) as handle:
            handle.write(image.png)
        return f"[picture: {image.alt_text}] saved to {handle.name}"
    return f"[picture: {image.alt_text}] {image.url or ''}".rstrip()
