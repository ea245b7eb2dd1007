"""Helpers for spotlight tests: a knowledge base with articles tagged `spotlight`, a clock the
test moves, and a weekly run that fell due a moment ago by the real clock (the question log
stamps questions with the real time, so the questions asked after a turn must follow it)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.events import SYSTEM_ACTOR, SYSTEM_CONVERSATION, ScheduledTrigger
from bot.runtime import Runtime
from skills.pulse.schedule import WEEKDAYS
from tests.clocks import Clock
from tests.kb_fixture import ARTICLES, write_article, write_kb

HOSPITAL = ZoneInfo("America/New_York")  # the settings' default time zone
TAGGED = ("flu-shots", "pto-basics", "tuition-help")  # the rotation order: by id
TICK = ScheduledTrigger(actor=SYSTEM_ACTOR, conversation=SYSTEM_CONVERSATION, job="spotlight.tick")


def spotlight_kb(folder: Path) -> Path:
    """The fixture knowledge base, with TAGGED tagged `spotlight` too."""
    write_kb(folder)
    for article_id in TAGGED:
        title, questions, tags, body = ARTICLES[article_id]
        write_article(folder, article_id, title, questions, [*tags, "spotlight"], body)
    return folder


def due_just_now() -> tuple[str, datetime]:
    """A weekly schedule in the hospital's words, and its run a few minutes ago (real time)."""
    run = (datetime.now(UTC) - timedelta(minutes=3)).replace(second=0, microsecond=0)
    local = run.astimezone(HOSPITAL)
    return f"every {WEEKDAYS[local.weekday()]} {local:%H:%M}", run


def clock_of(runtime: Runtime) -> Clock:
    if not isinstance(runtime.services.clock, Clock):
        runtime.services.clock = Clock(datetime.now(UTC))
    assert isinstance(runtime.services.clock, Clock)
    return runtime.services.clock


async def tick(runtime: Runtime, now: datetime) -> None:
    """Move time on and run the spotlight job, as the leader's scheduler would."""
    clock_of(runtime).now = now
    assert await runtime.router.dispatch(TICK) == []
