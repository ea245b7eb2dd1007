"""What leaders read and add while reviewing ideas: the summary (the weekly digest's body, for
any period, unit or category), a filtered list, one idea in full with its comments and the
status buttons, and comments, which are screened and passed on to the submitter. Every read of
ideas is audited."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.arguments import Integer, Option, Phrase, Rest
from bot.context import Context
from bot.dates import moment_label
from bot.errors import SkillError
from bot.events import Command
from bot.plural import counted
from bot.replies import Button, Buttons, ButtonStyle, Facts, Reply, Text, plain_text
from skills.ideas import messages as say
from skills.ideas.actions import DECLINE, SET_STATUS
from skills.ideas.common import CATEGORY, IDEA, STATUS, find_idea, notify_submitter, quote
from skills.ideas.summary import Scope, render, summarize
from skills.phi import redact
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
    await ctx.audit("ideas.summary", scope.describe())
    reply = render(result)
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
    if not ideas:
        return Reply.text("No ideas match that.", ephemeral=True)
    lines = [
        f"- #{i.id} **{i.headline}** ({say.STATUSES[i.status].lower()}, "
        f"{counted(i.votes, 'vote')}, "
        f"{say.CATEGORIES.get(i.category, i.category)}{', ' + i.unit if i.unit else ''})"
        for i in ideas
    ]
    text = f"**Ideas, last {counted(days, 'day')}** (newest first):\n" + "\n".join(lines)
    return Reply(fallback=plain_text(text), blocks=(Text(text),), ephemeral=True)


async def show(ctx: Context[Command]) -> Reply:
    idea = await find_idea(ctx.services, ctx.args[IDEA])
    comments = await ctx.services.ideas.comments(idea.id)
    await ctx.audit("ideas.show", f"idea:{idea.id}")
    zone = ctx.zone
    facts = [
        ("Status", say.STATUSES[idea.status]),
        ("Category", say.CATEGORIES.get(idea.category, idea.category)),
        ("Unit", idea.unit or "not given"),
        ("Votes", str(idea.votes)),
        ("From", "anonymous" if idea.anonymous else (idea.submitter_name or "unknown")),
        ("Shared", moment_label(idea.created_at, zone, now=ctx.services.clock())),
    ]
    if idea.status_reason:
        facts.append(("Reason", idea.status_reason))
    if idea.merged_into_id:
        facts.append(("Merged into", f"#{idea.merged_into_id}"))
    outcome = await ctx.services.idea_outcomes.get(idea.id)
    if outcome is not None:
        facts.append(("What changed", outcome.what_changed))
        if outcome.helped:
            facts.append(("Who helped", outcome.helped))
        facts.append(("Credit", _credit(idea, outcome)))
    blocks: list[Any] = [
        Text(f"**#{idea.id} {idea.headline}**"),
        Text(quote(idea.description)),
        Facts(tuple(facts)),
    ]
    if comments:
        blocks.append(
            Text(
                "**Comments:**\n"
                + "\n".join(f"- {c.author_name or 'a leader'}: {c.text}" for c in comments)
            )
        )
    buttons = [
        Button(say.STATUSES[target], SET_STATUS, f"{idea.id}:{target}")
        for target in ("under_review", "accepted", "implemented", "archived")
        if target in say.TRANSITIONS[idea.status]
    ]
    if "declined" in say.TRANSITIONS[idea.status]:
        buttons.append(Button("Decline…", DECLINE, str(idea.id), style=ButtonStyle.DANGER))
    if buttons:
        blocks.append(Buttons(tuple(buttons)))
    return Reply.of(*blocks, ephemeral=True)


def _credit(idea: Idea, outcome: Outcome) -> str:
    if idea.anonymous:
        return "never named (anonymous)"
    if outcome.credit_agreed is None:
        return 'not answered yet: shared as "a colleague"'
    return "agreed to be named" if outcome.credit_agreed else "asked not to be named"


async def comment(ctx: Context[Command]) -> Reply:
    idea = await find_idea(ctx.services, ctx.args[IDEA])
    text = ctx.args[COMMENT]
    if not text or len(text) > say.MAX_COMMENT:
        raise SkillError(f"Please write a comment of up to {say.MAX_COMMENT:,} characters.")
    screened = redact(text).text
    await ctx.services.ideas.add_comment(idea.id, ctx.person.id, screened)
    await ctx.audit("idea.comment", f"idea:{idea.id}")
    notice = say.COMMENT_NOTICE.format(id=idea.id, headline=idea.headline, text=screened)
    await notify_submitter(ctx.services, idea.id, Reply.text(notice))
    return Reply.text(say.COMMENT_SAVED.format(id=idea.id), ephemeral=True)
