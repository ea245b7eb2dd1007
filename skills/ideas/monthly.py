"""The monthly "you said, we did" digest: leaders schedule it for an audience (the same audience
words as `pulse create`), and on the 1st of every month the ideas put in place the month before
go to that audience, grouped by category, each person once, in their own time zone and outside
their quiet hours.

Runs are found by a tick on the leader, like pulse surveys. A due digest is queued in the
outbox first, one row per person under `digest:<id>:<YYYY-MM>` (unique, so queueing it again
adds nothing), and then its next run moves on by a conditional write (`IdeaDigests.claim_run`):
two ticks racing, or a tick that died between the two, send the month's digest once. The
digest's text is written when it is sent, from what is stored then.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.arguments import BadInput, Words
from bot.context import Context
from bot.dates import reader_zone
from bot.errors import SkillError
from bot.events import Command, ScheduledTrigger
from bot.i18n import Translator, translator_for
from bot.quiet import delivery_time, local_time_utc
from bot.renderers import Current, Render
from bot.replies import Block, Divider, Reply, Text, plain_text
from bot.services import Services
from skills.audience import describe_audience, parse_audience, reach
from skills.ideas import messages as say
from skills.ideas.story import monthly_digest
from skills.pulse.schedule import Schedule, next_run, within_window
from skills.references import parse_id
from storage.idea_outcomes import Digest, Outcome
from storage.ideas import Idea
from storage.outbox_items import Recipient

log = logging.getLogger(__name__)

MONTHLY = "ideas.monthly"  # outbox kind; payload `digest:<id>:<YYYY-MM>`
DIGEST_KEY = "digest:"
TICK_JOB = "ideas.monthly_tick"
TICK_SECONDS = 60
DIGEST_AT = time(9, 0)  # hospital time: read with the first coffee of the day shift
# A run missed while no process led still goes out this late; older ones wait for next month.
MISSED_WINDOW = timedelta(days=3)
WORDS = Words("monthly to everyone|unit NAME|department NAME | list | stop ID")


async def on_digest(ctx: Context[Command]) -> Reply:
    words = list(ctx.args[WORDS])
    verb = words.pop(0).lower() if words else "list"
    if verb == "monthly":
        return await _schedule(ctx, words)
    if verb == "list" and not words:
        return await _list(ctx)
    if verb == "stop" and len(words) == 1:
        return await _stop(ctx, parse_id(words[0]))
    raise BadInput(say.DIGEST_USAGE)


async def _schedule(ctx: Context[Command], words: list[str]) -> Reply:
    services = ctx.services
    audience, rest = parse_audience(words)
    if rest:
        raise BadInput(say.DIGEST_ONLY_AUDIENCE, at=_at())
    now = services.clock()
    schedule = Schedule.monthly_on_day(1, DIGEST_AT)
    first = next_run(schedule, now, _hospital(services))
    t = ctx.t
    described = describe_audience(audience, t)
    digest = await services.idea_digests.create(
        audience=audience,
        audience_key=_audience_key(audience),
        schedule=schedule.to_json(),
        next_run_at=first,
        by_person_id=ctx.person.id,
    )
    if digest is None:
        existing = await services.idea_digests.by_audience(_audience_key(audience))
        if existing is None:  # stopped at this very moment: let them try again
            raise SkillError(say.DIGEST_NOT_FOUND, id="?")
        return Reply.text(
            t(
                say.DIGEST_EXISTS,
                audience=described[:1].upper() + described[1:],
                id=existing.id,
                next=ctx.when(existing.next_run_at),
            ),
            ephemeral=True,
        )
    await ctx.audit("ideas.digest_schedule", f"digest:{digest.id}", audience=audience)
    text = t(
        say.DIGEST_SCHEDULED,
        id=digest.id,
        audience=described,
        at=_at(),
        first=ctx.when(first),
    )
    local = now.astimezone(_hospital(services)).date()
    so_far = await month_ideas(services, digest, local)
    blocks: list[Block] = [Text(text), Divider(), Text(t(say.DIGEST_SO_FAR))]
    if so_far:
        story = monthly_digest(local, so_far, t, unit=_unit(digest))
        blocks.append(Text(f"**{story.title}**\n{story.markdown}"))
    else:
        blocks.append(Text(t(say.DIGEST_NOTHING_YET), subtle=True))
    return Reply.of(*blocks, ephemeral=True)


async def _list(ctx: Context[Command]) -> Reply:
    digests = await ctx.services.idea_digests.all()
    await ctx.audit("ideas.digest_list")
    t = ctx.t
    if not digests:
        return Reply.text(t(say.DIGEST_NONE), ephemeral=True)
    lines = [t(say.DIGEST_LIST)]
    for digest in digests:
        lines.append(
            t(
                say.DIGEST_LINE,
                id=digest.id,
                audience=describe_audience(digest.audience, t),
                at=_at(),
                when=ctx.when(digest.next_run_at),
            )
        )
    text = "\n".join(lines)
    return Reply(fallback=plain_text(text), blocks=(Text(text),), ephemeral=True)


async def _stop(ctx: Context[Command], digest_id: int | None) -> Reply:
    services = ctx.services
    digest = await services.idea_digests.get(digest_id) if digest_id else None
    if digest is None or not await services.idea_digests.remove(digest.id):
        raise SkillError(say.DIGEST_NOT_FOUND, id=digest_id or "?")
    await ctx.audit("ideas.digest_stop", f"digest:{digest.id}")
    audience = describe_audience(digest.audience, ctx.t)
    return Reply.text(ctx.t(say.DIGEST_STOPPED, id=digest.id, audience=audience), ephemeral=True)


# -- the monthly run (on the leader) ---------------------------------------------------------


async def tick(trigger: ScheduledTrigger, services: Services) -> None:
    """Send each digest that is due, once: a run missed for longer than `MISSED_WINDOW` is
    skipped, never sent in a burst."""
    now = services.clock()
    tz = _hospital(services)
    for digest in await services.idea_digests.due(now):
        due = digest.next_run_at
        assert due is not None
        following = next_run(Schedule.from_json(digest.schedule), now, tz)
        if not within_window(due, now, MISSED_WINDOW):
            if await services.idea_digests.claim_run(digest.id, due, following):
                log.warning("event=%s digest=%s run due %s missed", trigger.id, digest.id, due)
            continue
        # Queued first, then the run moved on: queueing again is harmless (one row per person
        # and month), so a crash between the two sends the month's digest still, once.
        month, ideas, people = await _queue(services, digest, due, now)
        if await services.idea_digests.claim_run(digest.id, due, following):
            await services.audit.record(
                None,
                "ideas.monthly_digest",
                f"digest:{digest.id}",
                month=f"{month:%Y-%m}",
                ideas=ideas,
                people=people,
            )


async def _queue(
    services: Services, digest: Digest, run_at: datetime, now: datetime
) -> tuple[date, int, int]:
    """Queue the digest of the month before `run_at` to its audience: (the month, how many
    ideas, how many people). A month with nothing implemented queues nothing."""
    tz = _hospital(services)
    month = _month_before(run_at.astimezone(tz).date())
    implemented = await month_ideas(services, digest, month)
    if not implemented:
        log.info("digest=%s %s: nothing implemented, nothing sent", digest.id, f"{month:%Y-%m}")
        return month, 0, 0
    quiet = services.settings.quiet_hours
    recipients = await reach(services, digest.audience)
    due = {
        r.person_id: delivery_time(
            run_at, reader_zone(r.timezone, services.settings.timezone), tz, quiet, now
        )
        for r in recipients
    }
    await services.outbox.enqueue(MONTHLY, digest_key(digest.id, month), due)
    return month, len(implemented), len(due)


async def month_ideas(
    services: Services, digest: Digest, month: date
) -> list[tuple[Idea, Outcome]]:
    """What was put in place in `month` (the hospital's calendar), for the digest's audience:
    a unit's own ideas, or everyone's."""
    tz = _hospital(services)
    start = local_time_utc(month.replace(day=1), time(0), tz)
    end = local_time_utc(_month_after(month), time(0), tz)
    return await services.idea_outcomes.implemented_between(start, end, unit=_unit(digest))


def digest_key(digest_id: int, month: date) -> str:
    return f"{DIGEST_KEY}{digest_id}:{month:%Y-%m}"


def digest_renderer(services: Services) -> tuple[Render, Current]:
    """The outbox renderer of `ideas.monthly` and its check: a stopped digest sends nothing
    more. The text is the same for everyone who reads a language, built once per batch for
    each (it names no time, so time zones do not vary it)."""

    async def render(
        kind: str, payload_key: str, recipients: Sequence[Recipient]
    ) -> Mapping[int, Reply | None]:
        digest_id, month = _parse_key(payload_key)
        digest = await services.idea_digests.get(digest_id)
        if digest is None:
            return {}
        implemented = await month_ideas(services, digest, month)
        if not implemented:
            return {}
        default = services.settings.language
        written: dict[str, Reply] = {}

        def reply_in(t: Translator) -> Reply:
            if t.language not in written:
                story = monthly_digest(month, implemented, t, unit=_unit(digest))
                written[t.language] = story.reply()
            return written[t.language]

        return {r.person_id: reply_in(translator_for(r, default)) for r in recipients}

    async def current(kind: str, payload_key: str) -> bool:
        digest_id, _ = _parse_key(payload_key)
        return await services.idea_digests.get(digest_id) is not None

    return render, current


def _parse_key(payload_key: str) -> tuple[int, date]:
    number, _, month = payload_key.removeprefix(DIGEST_KEY).partition(":")
    year, _, month_number = month.partition("-")
    return int(number), date(int(year), int(month_number), 1)


def _audience_key(audience: Mapping[str, Any]) -> str:
    kind = str(audience.get("kind", "everyone"))
    value = audience.get("value")
    return kind if value is None else f"{kind}:{' '.join(str(value).casefold().split())}"[:160]


def _unit(digest: Digest) -> str | None:
    audience = digest.audience
    return str(audience["value"]) if audience.get("kind") == "unit" else None


def _month_before(day: date) -> date:
    return (day.replace(day=1) - timedelta(days=1)).replace(day=1)


def _month_after(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def _at() -> str:
    """The hour the digest goes out, as a clock shows it in either language."""
    return f"{DIGEST_AT:%H:%M}"


def _hospital(services: Services) -> ZoneInfo:
    return ZoneInfo(services.settings.timezone)
