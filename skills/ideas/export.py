"""The ideas export: a CSV file sent to the leader by direct message, never posted where others
read it. Anonymous ideas say so and nothing more about who sent them, and cells are defused so
a spreadsheet cannot run an idea's text as a formula."""

from __future__ import annotations

import csv
import io
import logging
from datetime import timedelta

from bot.arguments import Integer, Option
from bot.context import Context
from bot.errors import SkillError
from bot.events import Command
from bot.i18n import Translator
from bot.messenger import DeliveryError
from bot.replies import File, Reply, Text
from skills.ideas import messages as say
from storage.ideas import Idea, IdeaFilter

log = logging.getLogger(__name__)

EXPORT_DAYS = Option("--days", Integer("days", 1, 730), default=365)


async def export(ctx: Context[Command]) -> Reply:
    days = ctx.args[EXPORT_DAYS]
    services = ctx.services
    ideas = await services.ideas.find(IdeaFilter(since=services.clock() - timedelta(days=days)))
    await ctx.audit("ideas.export", f"days:{days}", count=len(ideas))
    stamp = f"{services.clock():%Y-%m-%d}"
    t = ctx.t
    period = t.plural("{count} day", "{count} days", days)
    title = t(say.EXPORT_TITLE, days=period)
    file = File(f"breakroom-ideas-{stamp}.csv", as_csv(ideas, t), "text/csv", title)
    try:
        await services.outbound.to_person(
            ctx.person.id,
            Reply(
                fallback=t(say.EXPORT_FALLBACK, days=period),
                blocks=(Text(file.title), file),
            ),
        )
    except DeliveryError as exc:
        # Typically no direct chat with the bot yet (Teams needs one to send a file).
        log.warning("event=%s ideas export not delivered: %s", ctx.event.id, type(exc).__name__)
        raise SkillError(say.EXPORT_NOT_SENT) from None
    counted = t.plural("{count} idea", "{count} ideas", len(ideas))
    return Reply.text(t(say.EXPORT_SENT, ideas=counted), ephemeral=True)


def as_csv(ideas: list[Idea], t: Translator) -> bytes:
    """The ideas as a spreadsheet: headings in the leader's language, statuses and categories
    as stored (the words `ideas list --status` and `--category` take)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([t(column) for column in say.EXPORT_COLUMNS])
    for idea in ideas:
        writer.writerow(
            [
                idea.id,
                idea.created_at.date().isoformat(),
                idea.status,
                idea.category,
                idea.unit,
                idea.votes,
                t(say.ANONYMOUS_SUBMITTER) if idea.anonymous else (idea.submitter_name or ""),
                _cell(idea.title),
                _cell(idea.description),
                _cell(idea.status_reason),
                idea.merged_into_id or "",
            ]
        )
    return buffer.getvalue().encode("utf-8")


def _cell(text: str) -> str:
    """Spreadsheet apps run a cell that starts with = + - or @ as a formula: defuse it."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
