"""The review workflow: leaders move an idea along its statuses (typed, or with the buttons on
`ideas show`), each change is audited and told to the submitter, whose sealed name on an
anonymous idea is opened only for that notice; and the weekly digest for the leaders' channel."""

from __future__ import annotations

import logging
from typing import Any

from bot.arguments import Arg, Rest
from bot.context import Context
from bot.errors import SkillError
from bot.events import Action, Command, ScheduledTrigger
from bot.i18n import Translator, translator
from bot.replies import Form, Input, InputKind, Reply
from bot.services import Services
from skills.ideas import implemented
from skills.ideas import messages as say
from skills.ideas.actions import DECLINE_FORM
from skills.ideas.common import IDEA, STATUS, find_idea, notify_submitter, status_name
from skills.ideas.summary import Scope, render, summarize
from skills.phi import redact
from skills.phi.tags import readable
from skills.references import parse_id
from storage.ideas import Idea

log = logging.getLogger(__name__)

NEW_STATUS = Arg(STATUS)
REASON = Rest("REASON", required=False)
DIGEST_CRON = "0 8 * * mon"  # Monday 08:00 in BREAKROOM_TIMEZONE, before the leaders' huddles


async def on_status(ctx: Context[Command]) -> Reply:
    """`ideas status 12 declined We can't staff it`; `merged` takes the other idea's number
    first: `ideas status 12 merged 9 same request`; `implemented` takes what changed, and who
    helped as `--helped WHO` before it (typed without them, it opens the form)."""
    status, reason = ctx.args[NEW_STATUS], ctx.args[REASON]
    if status == "implemented" and not reason.strip():
        idea = await find_idea(ctx.services, ctx.args[IDEA])
        if idea.status == status:
            return _already(ctx.t, idea, status)
        _check_transition(ctx.t, idea, status)
        return implemented.implement_form(ctx.t, idea)
    return await change_status(ctx, ctx.args[IDEA], status, reason, ctx.args[implemented.HELPED])


async def on_set_status(ctx: Context[Action]) -> Reply:
    ref, _, status = ctx.event.value.partition(":")
    if STATUS.read(status) == "implemented":
        idea = await find_idea(ctx.services, parse_id(ref))
        if idea.status == "implemented":
            return _already(ctx.t, idea, "implemented")
        _check_transition(ctx.t, idea, "implemented")
        return implemented.implement_form(ctx.t, idea)
    return await change_status(ctx, parse_id(ref), STATUS.read(status), "")


async def on_implement_form(ctx: Context[Action]) -> Reply:
    values = ctx.event.values
    return await change_status(
        ctx,
        parse_id(ctx.event.value),
        "implemented",
        values.get("what_changed", ""),
        values.get("helped", ""),
    )


async def on_decline(ctx: Context[Action]) -> Reply:
    idea = await find_idea(ctx.services, parse_id(ctx.event.value))
    t = ctx.t
    form = Form(
        title=t(say.DECLINE_TITLE, id=idea.id),
        inputs=(
            Input(
                "reason",
                t(say.DECLINE_WHY),
                InputKind.MULTILINE,
                required=True,
                max_length=say.MAX_REASON,
            ),
        ),
        submit_action_id=DECLINE_FORM,
        submit_label=t(say.DECLINE_SUBMIT),
        value=str(idea.id),
    )
    return Reply(fallback=form.title, blocks=(form,), ephemeral=True)


async def on_decline_form(ctx: Context[Action]) -> Reply:
    reason = ctx.event.values.get("reason", "")
    return await change_status(ctx, parse_id(ctx.event.value), "declined", reason)


async def change_status(
    ctx: Context[Any], idea_id: int | None, status: str, reason: str, helped: str = ""
) -> Reply:
    services = ctx.services
    t = ctx.t
    idea = await find_idea(services, idea_id)
    if idea.status == status:
        return _already(t, idea, status)
    _check_transition(t, idea, status)
    if status == "implemented":
        # What changed (the reason) and who helped go to everyone who asked for it.
        done = await implemented.mark(ctx, idea, reason, helped)
        return done or _already(t, await find_idea(services, idea.id), status)
    target: Idea | None = None
    if status == "merged":
        words = reason.split(maxsplit=1)
        target_id = parse_id(words[0]) if words else None
        reason = words[1] if len(words) > 1 else ""
        target = await find_idea(services, target_id) if target_id else None
        if target is None or target.id == idea.id:
            raise SkillError(say.MERGE_TARGET_NEEDED, id=idea.id)
    reason = redact(reason.strip()).text
    if len(reason) > say.MAX_REASON:
        raise SkillError(say.REASON_TOO_LONG, max=say.MAX_REASON)
    if status == "declined" and not reason:
        raise SkillError(say.REASON_NEEDED, id=idea.id)
    # Conditional on the status read above: of two leaders (or one double click) moving it at
    # once, one moves it, is audited and notifies; the other is told what happened.
    if target is not None:
        updated = await services.ideas.merge(idea.id, target.id, reason, from_status=idea.status)
    else:
        updated = await services.ideas.set_status(idea.id, status, reason, from_status=idea.status)
    if updated is None:
        return _already(t, await find_idea(services, idea.id), status)
    await ctx.audit(
        "idea.status",
        f"idea:{idea.id}",
        before=idea.status,
        after=status,
        into=target.id if target else None,
    )

    def notice(reader: Translator) -> Reply:
        """The submitter's notice, in their language."""
        lines = [
            reader(
                say.NOTICE,
                id=idea.id,
                headline=readable(idea.headline, reader),
                status=status_name(reader, status),
            )
        ]
        if target is not None:
            headline = readable(target.headline, reader)
            lines.append(reader(say.NOTICE_MERGED, target=target.id, target_headline=headline))
        if reason:
            lines.append(reader(say.NOTICE_REASON, reason=readable(reason, reader)))
        return Reply.text("\n".join(lines))

    delivered = await notify_submitter(services, idea.id, notice)
    template = say.STATUS_CHANGED if delivered else say.STATUS_CHANGED_UNREACHABLE
    return Reply.text(
        t(template, id=idea.id, status=status_name(t, status).lower()), ephemeral=True
    )


def _check_transition(t: Translator, idea: Idea, status: str) -> None:
    allowed = say.TRANSITIONS[idea.status]
    if status in allowed:
        return
    current = status_name(t, idea.status).lower()
    if not allowed:
        raise SkillError(say.FINAL_STATUS, id=idea.id, current=current)
    # The words a leader types, as typed: `ideas status 12 accepted`.
    words = t.list(f"`{word}`" for word in sorted(allowed))
    raise SkillError(say.BAD_TRANSITION, id=idea.id, current=current, allowed=words)


def _already(t: Translator, idea: Idea, wanted: str) -> Reply:
    """The answer to a status change someone else (or an earlier press) made first."""
    current = status_name(t, idea.status).lower()
    if idea.status == wanted:
        return Reply.text(t(say.STATUS_ALREADY, id=idea.id, status=current), ephemeral=True)
    return Reply.text(t(say.STATUS_MOVED_MEANWHILE, id=idea.id, current=current), ephemeral=True)


async def weekly_digest(trigger: ScheduledTrigger, services: Services) -> None:
    channel = services.settings.leaders_channel
    if channel is None:
        log.info("event=%s weekly ideas digest skipped: no leaders channel", trigger.id)
        return
    result = await summarize(services.ideas, Scope(days=7), services.clock())
    # A channel is read by many: it is written in the hospital's language.
    t = translator(services.settings.language)
    await services.outbound.to_channel(channel, render(result, t, heading=say.WEEKLY_HEADING))
    await services.audit.record(None, "ideas.digest", channel, count=len(result.current))
