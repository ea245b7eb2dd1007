"""The hand-off to HR of a question the knowledge base could not answer: "Ask HR" opens a ticket
and posts it to HR's channel, HR answers it from that post's form or with `ask reply`, and the
answer reaches the employee by DM. `skill` registers these handlers beside the answering ones."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from bot.arguments import Arg, Identifier, Rest
from bot.context import Context
from bot.errors import SkillError
from bot.events import Action, Command, ConversationKind
from bot.i18n import translator, translator_for
from bot.messenger import DeliveryError
from bot.replies import (
    Button,
    Buttons,
    ButtonStyle,
    Form,
    Input,
    InputKind,
    Reply,
    Text,
    plain_text,
)
from bot.services import Services
from skills.knowledge import messages as say
from skills.phi.tags import readable
from skills.references import parse_id
from storage.tickets import Ticket

log = logging.getLogger(__name__)

HR_ANSWER = "knowledge.hr_answer"
HR_REPLY = "knowledge.hr_reply"

TICKET = Arg(Identifier("ticket", metavar="<ticket>"))
ANSWER = Rest("<answer>", label=say.ANSWER_ARGUMENT)


class AlreadyAnswered(SkillError):
    """The ticket was answered before (by someone in HR, or an earlier press)."""


async def on_ask_hr(ctx: Context[Action]) -> list[Reply]:
    """Hand the question to HR once; the card the button sat on becomes what came of it."""
    services = ctx.services
    question_id = parse_id(ctx.event.value)
    logged = await services.questions.get(question_id) if question_id else None
    if logged is None:
        raise SkillError(say.UNKNOWN_QUESTION)
    ticket, new = await services.tickets.open(ctx.person.id, logged.text, logged.id)
    if not new:
        # Pressed before (or twice at once): HR has it, and is not asked twice.
        return _handed_to_hr(ctx, ctx.t(say.ALREADY_WITH_HR, id=ticket.id))
    channel = services.settings.hr_channel
    if channel is None:
        return _handed_to_hr(ctx, ctx.t(say.LOGGED_FOR_HR, id=ticket.id))
    try:
        await services.outbound.to_channel(channel, _ticket_post(ticket, ctx))
    except DeliveryError as exc:
        log.warning("event=%s ticket=%s HR channel post failed: %s", ctx.event.id, ticket.id, exc)
        return _handed_to_hr(ctx, ctx.t(say.LOGGED_FOR_HR, id=ticket.id))
    return _handed_to_hr(ctx, ctx.t(say.SENT_TO_HR, id=ticket.id))


def _ticket_post(ticket: Ticket, ctx: Context[Any]) -> Reply:
    """The new ticket, posted to HR's channel: in the hospital's language, which is the one
    HR's channel is read in."""
    t = translator(ctx.services.settings.language)
    name = ctx.person.display_name or t(say.AN_EMPLOYEE)
    text = t(say.HR_NEW_TICKET, id=ticket.id, name=name, text=readable(ticket.text, t))
    return Reply(
        fallback=plain_text(text),
        blocks=(
            Text(text),
            Buttons(
                (
                    Button(
                        t(say.ANSWER_BUTTON),
                        HR_ANSWER,
                        str(ticket.id),
                        style=ButtonStyle.PRIMARY,
                    ),
                )
            ),
        ),
    )


async def on_hr_answer(ctx: Context[Action]) -> Reply:
    ticket = await _ticket(ctx.services, parse_id(ctx.event.value))
    t = ctx.t
    question = readable(ticket.text, t)
    form = Form(
        title=t(say.ANSWER_FORM_TITLE, id=ticket.id),
        inputs=(
            Input(
                "answer",
                t(say.ANSWER_FORM_LABEL),
                InputKind.MULTILINE,
                required=True,
                placeholder=question[:150],
                max_length=say.MAX_ANSWER_CHARS,
            ),
        ),
        submit_action_id=HR_REPLY,
        submit_label=t(say.ANSWER_FORM_SUBMIT),
        value=str(ticket.id),
    )
    return Reply(fallback=form.title, blocks=(Text(f"> {question}"), form), ephemeral=True)


async def on_hr_reply(ctx: Context[Action]) -> Reply:
    """The answer form, where it is a message (Teams), becomes what came of it."""
    answer = ctx.event.values.get("answer", "")
    try:
        done = await _deliver_answer(ctx, parse_id(ctx.event.value), answer)
    except AlreadyAnswered as exc:
        return _outcome(exc.text(ctx.t))
    return replace(done, replace_original=True)


async def reply_command(ctx: Context[Command]) -> Reply:
    return await _deliver_answer(ctx, ctx.args[TICKET], ctx.args[ANSWER])


async def _deliver_answer(ctx: Context[Any], ticket_id: int | None, answer: str) -> Reply:
    services = ctx.services
    answer = answer.strip()
    if not answer:
        raise SkillError(say.ANSWER_EMPTY)
    if len(answer) > say.MAX_ANSWER_CHARS:
        raise SkillError(say.ANSWER_TOO_LONG, limit=ctx.t.number(say.MAX_ANSWER_CHARS))
    ticket = await _ticket(services, ticket_id)
    answered = await services.tickets.answer(ticket.id, answer, ctx.person.id)
    if answered is None:
        # Someone in HR (or an earlier press) answered it first; the employee got that one.
        raise AlreadyAnswered(say.ALREADY_ANSWERED, id=ticket.id)
    await ctx.audit("ticket.answer", f"ticket:{ticket.id}")
    asker = await services.people.get(ticket.person_id)
    name = asker.display_name if asker and asker.display_name else ctx.t(say.THE_EMPLOYEE)
    # The employee reads it in their own language, HR's words as HR wrote them.
    theirs = (
        translator_for(asker, services.settings.language)
        if asker
        else translator(services.settings.language)
    )
    question = readable(ticket.text, theirs)
    text = theirs(say.EMPLOYEE_ANSWER, id=ticket.id, question=question, answer=answer)
    try:
        await services.outbound.to_person(ticket.person_id, Reply.text(text))
    except DeliveryError as exc:
        log.warning("event=%s ticket=%s answer not delivered: %s", ctx.event.id, ticket.id, exc)
        return Reply.text(
            ctx.t(say.HR_ANSWER_DELIVERY_FAILED, id=ticket.id, name=name, reason=exc),
            ephemeral=True,
        )
    return Reply.text(ctx.t(say.HR_ANSWER_SENT, id=ticket.id, name=name), ephemeral=True)


async def _ticket(services: Services, ticket_id: int | None) -> Ticket:
    ticket = await services.tickets.get(ticket_id) if ticket_id else None
    if ticket is None:
        raise SkillError(say.NO_SUCH_TICKET, id=ticket_id or "?")
    return ticket


async def open_tickets(ctx: Context[Command]) -> Reply:
    """HR's list of the tickets not answered yet, with a button to answer each of the first."""
    services = ctx.services
    waiting = await services.tickets.open_tickets()
    if not waiting:
        return Reply.text(ctx.t(say.NO_OPEN_TICKETS), ephemeral=True)
    t = ctx.t
    count = len(waiting)
    lines = [
        t.plural(
            "**Open question for HR** ({count}):", "**Open questions for HR** ({count}):", count
        )
    ]
    zone = ctx.zone
    now = services.clock()
    buttons = []
    for ticket in waiting:
        opened = t.moment(ticket.opened_at, zone, now=now)
        lines.append(f"- #{ticket.id} ({opened}): {readable(ticket.text, t)}")
        buttons.append(Button(t(say.ANSWER_TICKET_BUTTON, id=ticket.id), HR_ANSWER, str(ticket.id)))
    text = "\n".join(lines)
    blocks: list[Any] = [Text(text)]
    if buttons:
        blocks.append(Buttons(tuple(buttons[:5])))
    return Reply(fallback=plain_text(text), blocks=tuple(blocks), ephemeral=True)


def _handed_to_hr(ctx: Context[Action], text: str) -> list[Reply]:
    """What came of "Ask HR" in place of its card; in a conversation others read, only the
    asker hears it, and the card just loses its buttons."""
    if ctx.event.conversation.kind is ConversationKind.DIRECT:
        return [_outcome(text)]
    retired = Reply.text(ctx.t(say.NOT_SURE))
    return [replace(retired, replace_original=True), Reply.text(text, ephemeral=True)]


def _outcome(text: str) -> Reply:
    """What came of a button, in place of the message it sat on: pressed again from there,
    it would only be told the same."""
    return Reply(
        fallback=plain_text(text), blocks=(Text(text),), ephemeral=True, replace_original=True
    )
