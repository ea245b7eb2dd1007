"""What leaders read and add while reviewing ideas: the summary (the weekly digest's body, for
any period, unit or category), a filtered list, one idea in full with its comments and the
status buttons, and comments, which are screened and passed on to the submitter. Every read of
ideas is audited."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.arguments import Integer, Option, Phrase, Rest
from bot.context import Context
from bot.errors import SkillError
from bot.events import Command
from bot.i18n import SOURCE_LANGUAGE, Translator, translator
from bot.replies import Button, Buttons, ButtonStyle, Facts, Reply, Text, plain_text
from skills.ideas import messages as say
from skills.ideas.actions import DECLINE, SET_STATUS
from skills.ideas.common import (
    CATEGORY,
    IDEA,
    STATUS,
    category_name,
    find_idea,
    notify_submitter,
    quote,
    status_name,
)
from skills.ideas.summary import Scope, render, summarize
from skills.phi import redact
from skills.phi.tags import readable
from storage.idea_outcomes import Outcome
from storage.ideas import Idea, IdeaFilter

MAX_DAYS = 730
SUMMARY_DAYS = Option("--days", Integer("days", 1, MAX_DAYS), default=7)
LIST_DAYS = Option("--days", Integer("days", 1, MAX_DAYS), default=90)
UNIT = Option("--unit", Phrase("unit", "UNIT"), default=None)
IN_CATEGORY = Option("--category", CATEGORY, default=None)
WITH_STATUS = Option("--status", STATUS, default=None)
COMMENT = Rest("TEXT", label="comment")
LIST_LIMIT = 20


async def summary(ctx: Context[Command]) -> Reply:
    scope = Scope(days=ctx.args[SUMMARY_DAYS], unit=ctx.args[UNIT], category=ctx.args[IN_CATEGORY])
    result = await summarize(ctx.services.ideas, scope, ctx.services.clock())
    await ctx.audit("ideas.summary", scope.describe(translator(SOURCE_LANGUAGE)))
    reply = render(result, ctx.t)
    return Reply(fallback=reply.fallback, blocks=reply.blocks, ephemeral=True)


async def list_ideas(ctx: Context[Command]) -> Reply:
    days, status = ctx.args[LIST_DAYS], ctx.args[WITH_STATUS]
    unit, category = ctx.args[UNIT], ctx.args[IN_CATEGORY]
    ideas = await ctx.services.ideas.find(
        IdeaFilter(
            since=ctx.services.clock() - timedelta(days=days),
            status=status,
            unit=unit,
            category=category,
        ),
        limit=LIST_LIMIT,
    )
    await ctx.audit("ideas.list", f"days:{days}", status=status, unit=unit, category=category)
    t = ctx.t
    if not ideas:
        return Reply.text(t(say.NO_MATCH), ephemeral=True)
    lines = [
        f"- #{i.id} **{readable(i.headline, t)}** ({status_name(t, i.status).lower()}, "
        f"{t.plural('{count} vote', '{count} votes', i.votes)}, "
        f"{category_name(t, i.category)}{', ' + i.unit if i.unit else ''})"
        for i in ideas
    ]
    heading = t(say.LIST_HEADING, days=t.plural("{count} day", "{count} days", days))
    text = heading + "\n" + "\n".join(lines)
    return Reply(fallback=plain_text(text), blocks=(Text(text),), ephemeral=True)


async def show(ctx: Context[Command]) -> Reply:
    idea = await find_idea(ctx.services, ctx.args[IDEA])
    comments = await ctx.services.ideas.comments(idea.id)
    await ctx.audit("ideas.show", f"idea:{idea.id}")
    t = ctx.t
    submitter = idea.submitter_name or t(say.UNKNOWN_SUBMITTER)
    facts = [
        (t(say.STATUS_LABEL), status_name(t, idea.status)),
        (t(say.CATEGORY_LABEL), category_name(t, idea.category)),
        (t(say.UNIT_LABEL), idea.unit or t(say.NOT_GIVEN)),
        (t(say.VOTES_LABEL), t.number(idea.votes)),
        (t(say.FROM_LABEL), t(say.ANONYMOUS_SUBMITTER) if idea.anonymous else submitter),
        (t(say.SHARED_LABEL), t.moment(idea.created_at, ctx.zone, now=ctx.services.clock())),
    ]
    if idea.status_reason:
        facts.append((t(say.REASON_LABEL), readable(idea.status_reason, t)))
    if idea.merged_into_id:
        facts.append((t(say.MERGED_INTO_LABEL), f"#{idea.merged_into_id}"))
    outcome = await ctx.services.idea_outcomes.get(idea.id)
    if outcome is not None:
        facts.append((t(say.WHAT_CHANGED_FACT), readable(outcome.what_changed, t)))
        if outcome.helped:
            facts.append((t(say.WHO_HELPED_FACT), readable(outcome.helped, t)))
        facts.append((t(say.CREDIT_LABEL), t(_credit(idea, outcome))))
    blocks: list[Any] = [
        Text(f"**#{idea.id} {readable(idea.headline, t)}**"),
        Text(quote(readable(idea.description, t))),
        Facts(tuple(facts)),
    ]
    if comments:
        blocks.append(
            Text(
                t(say.COMMENTS)
                + "\n"
                + "\n".join(
                    f"- {c.author_name or t(say.A_LEADER)}: {readable(c.text, t)}" for c in comments
                )
            )
        )
    buttons = [
        Button(status_name(t, target), SET_STATUS, f"{idea.id}:{target}")
        for target in ("under_review", "accepted", "implemented", "archived")
        if target in say.TRANSITIONS[idea.status]
    ]
    if "declined" in say.TRANSITIONS[idea.status]:
        buttons.append(
            Button(t(say.DECLINE_BUTTON), DECLINE, str(idea.id), style=ButtonStyle.DANGER)
        )
    if buttons:
        blocks.append(Buttons(tuple(buttons)))
    return Reply.of(*blocks, ephemeral=True)


def _credit(idea: Idea, outcome: Outcome) -> str:
    """Whether the submitter may be named, as a message to translate."""
    if idea.anonymous:
        return say.CREDIT_NEVER
    if outcome.credit_agreed is None:
        return say.CREDIT_UNANSWERED
    return say.CREDIT_GIVEN if outcome.credit_agreed else say.CREDIT_REFUSED


async def comment(ctx: Context[Command]) -> Reply:
    idea = await find_idea(ctx.services, ctx.args[IDEA])
    text = ctx.args[COMMENT]
    if not text or len(text) > say.MAX_COMMENT:
        raise SkillError(say.COMMENT_TOO_LONG, max=ctx.t.number(say.MAX_COMMENT))
    screened = redact(text).text
    await ctx.services.ideas.add_comment(idea.id, ctx.person.id, screened)
    await ctx.audit("idea.comment", f"idea:{idea.id}")

    def notice(t: Translator) -> Reply:
        return Reply.text(
            t(
                say.COMMENT_NOTICE,
                id=idea.id,
                headline=readable(idea.headline, t),
                text=readable(screened, t),
            )
        )

    await notify_submitter(ctx.services, idea.id, notice)
    return Reply.text(ctx.t(say.COMMENT_SAVED, id=idea.id), ephemeral=True)
