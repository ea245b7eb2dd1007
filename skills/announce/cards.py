"""How an announcement reads: the message its recipients get (the same for everyone who reads
a language, so it is built once per batch for each), the preview its author sees first, and the
report of how it went. The title and text are the author's, shown as written; the parts around
them are in the reader's language."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.i18n import Translator
from bot.replies import Block, Button, Buttons, ButtonStyle, Divider, Facts, Reply, Text
from skills.announce import messages as say
from storage.announcements import Announcement, Press
from storage.outbox_items import OutboxProgress

GOT_IT = "announce.got_it"
LEARN_MORE = "announce.learn_more"
SEND = "announce.send"
DISCARD = "announce.discard"


def announcement_blocks(announcement: Announcement, author_name: str, t: Translator) -> list[Block]:
    """The message as every recipient reads it: title, text, who it is from, and the buttons
    whose presses are counted (each names the announcement; the press is checked against the
    people it was sent to)."""
    blocks: list[Block] = [Text(f"**{announcement.title}**"), Text(announcement.body)]
    if author_name:
        blocks.append(Text(t(say.FROM, name=author_name), subtle=True))
    value = str(announcement.id)
    buttons = [Button(t(say.GOT_IT), GOT_IT, value, style=ButtonStyle.PRIMARY)]
    if announcement.link or announcement.article_id:
        buttons.append(Button(t(say.LEARN_MORE), LEARN_MORE, value))
    blocks.append(Buttons(tuple(buttons)))
    return blocks


def announcement_message(announcement: Announcement, author_name: str, t: Translator) -> Reply:
    reply = Reply.of(*announcement_blocks(announcement, author_name, t))
    return Reply(fallback=f"{announcement.title}\n{reply.fallback}".strip(), blocks=reply.blocks)


def preview(
    announcement: Announcement,
    author_name: str,
    t: Translator,
    *,
    people: int,
    audience: str,
    when: str,
    sealed_send: str,
    sealed_discard: str,
) -> Reply:
    """The draft as its recipients will see it, between what it is and the author's buttons,
    which are sealed for the author (`bot.ownership`)."""
    reached = t.plural("{count} person", "{count} people", people)
    send_label = t(say.SEND_NOW) if announcement.send_at is None else t(say.SCHEDULE)
    to = t(say.TO_PEOPLE, audience=audience, people=reached)
    blocks: list[Block] = [
        Text(t(say.PREVIEW, people=reached)),
        Divider(),
        *announcement_blocks(announcement, author_name, t),
        Divider(),
        Facts(((t(say.TO), to), (t(say.WHEN), when))),
        Text(t(say.PRESS, button=send_label, id=announcement.id), subtle=True),
        Buttons(
            (
                Button(send_label, SEND, sealed_send, style=ButtonStyle.PRIMARY),
                Button(t(say.CANCEL), DISCARD, sealed_discard, style=ButtonStyle.DANGER),
            )
        ),
    ]
    return Reply.of(*blocks, ephemeral=True)


def report(
    announcement: Announcement,
    progress: OutboxProgress,
    presses: Mapping[Press, int],
    t: Translator,
    *,
    audience: str,
    when: str,
) -> Reply:
    """How an announcement went, in counts only: nobody is listed by name."""
    sent = progress.sent
    facts: list[tuple[str, str]] = [
        (t(say.TO), audience),
        (t(say.WHEN), when),
        (t(say.SENT), t.number(sent)),
        (t(say.FAILED), t.number(progress.failed)),
        (t(say.UNREACHABLE), t.number(progress.blocked)),
        (t(say.STILL_TO_GO), t.number(progress.open)),
    ]
    if progress.skipped:
        facts.append((t(say.SKIPPED), t.number(progress.skipped)))
    facts.append((t(say.GOT_IT), _share(t, presses[Press.GOT_IT], sent)))
    if announcement.link or announcement.article_id:
        facts.append((t(say.LEARN_MORE), _share(t, presses[Press.LEARN_MORE], sent)))
    blocks: list[Any] = [
        Text(t(say.REPORT_TITLE, id=announcement.id, title=announcement.title)),
        Facts(tuple(facts)),
    ]
    if progress.failed:
        blocks.append(Text(t(say.RESEND_HINT, id=announcement.id), subtle=True))
    return Reply.of(*blocks, ephemeral=True)


def _share(t: Translator, pressed: int, sent: int) -> str:
    if not sent:
        return t.number(pressed)
    return t(say.SHARE, pressed=t.number(pressed), share=t.percent(pressed / sent))
