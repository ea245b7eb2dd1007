"""How an announcement reads: the message its recipients get (the same for everyone, so it is
built once per batch), the preview its author sees first, and the report of how it went."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.plural import counted
from bot.replies import Block, Button, Buttons, ButtonStyle, Divider, Facts, Reply, Text
from skills.announce import messages as say
from storage.announcements import Announcement, Press
from storage.outbox import OutboxProgress

GOT_IT = "announce.got_it"
LEARN_MORE = "announce.learn_more"
SEND = "announce.send"
DISCARD = "announce.discard"


def announcement_blocks(announcement: Announcement, author_name: str) -> list[Block]:
    """The message as every recipient reads it: title, text, who it is from, and the buttons
    whose presses are counted (each names the announcement; the press is checked against the
    people it was sent to)."""
    blocks: list[Block] = [Text(f"**{announcement.title}**"), Text(announcement.body)]
    if author_name:
        blocks.append(Text(f"From {author_name}", subtle=True))
    value = str(announcement.id)
    buttons = [Button("Got it", GOT_IT, value, style=ButtonStyle.PRIMARY)]
    if announcement.link or announcement.article_id:
        buttons.append(Button("Learn more", LEARN_MORE, value))
    blocks.append(Buttons(tuple(buttons)))
    return blocks


def announcement_message(announcement: Announcement, author_name: str) -> Reply:
    reply = Reply.of(*announcement_blocks(announcement, author_name))
    return Reply(fallback=f"{announcement.title}\n{reply.fallback}".strip(), blocks=reply.blocks)


def preview(
    announcement: Announcement,
    author_name: str,
    *,
    people: int,
    audience: str,
    when: str,
    sealed_send: str,
    sealed_discard: str,
) -> Reply:
    """The draft as its recipients will see it, between what it is and the author's buttons,
    which are sealed for the author (`bot.ownership`)."""
    reached = counted(people, "person", "people")
    send_label = "Send now" if announcement.send_at is None else "Schedule"
    blocks: list[Block] = [
        Text(say.PREVIEW.format(people=reached)),
        Divider(),
        *announcement_blocks(announcement, author_name),
        Divider(),
        Facts((("To", f"{audience} ({reached})"), ("When", when))),
        Text(
            f"Press {send_label}, or type `announce send {announcement.id}`.",
            subtle=True,
        ),
        Buttons(
            (
                Button(send_label, SEND, sealed_send, style=ButtonStyle.PRIMARY),
                Button("Cancel", DISCARD, sealed_discard, style=ButtonStyle.DANGER),
            )
        ),
    ]
    return Reply.of(*blocks, ephemeral=True)


def report(
    announcement: Announcement,
    progress: OutboxProgress,
    presses: Mapping[Press, int],
    *,
    audience: str,
    when: str,
) -> Reply:
    """How an announcement went, in counts only: nobody is listed by name."""
    sent = progress.sent
    facts: list[tuple[str, str]] = [
        ("To", audience),
        ("When", when),
        ("Sent", str(sent)),
        ("Failed", str(progress.failed)),
        ("Unreachable (blocked the bot or left)", str(progress.blocked)),
        ("Still to go", str(progress.open)),
    ]
    if progress.skipped:
        facts.append(("Not sent (cancelled)", str(progress.skipped)))
    facts.append(("Got it", _share(presses[Press.GOT_IT], sent)))
    if announcement.link or announcement.article_id:
        facts.append(("Learn more", _share(presses[Press.LEARN_MORE], sent)))
    blocks: list[Any] = [
        Text(say.REPORT_TITLE.format(id=announcement.id, title=announcement.title)),
        Facts(tuple(facts)),
    ]
    if progress.failed:
        blocks.append(
            Text(f"`announce resend {announcement.id}` tries the failed ones again.", subtle=True)
        )
    return Reply.of(*blocks, ephemeral=True)


def _share(pressed: int, sent: int) -> str:
    if not sent:
        return str(pressed)
    return f"{pressed} ({pressed / sent:.0%} of those sent)"
