"""Classic 5-field crontab expressions as APScheduler triggers.

APScheduler 3 numbers weekdays from Monday = 0, also in `CronTrigger.from_crontab`, so `0 10 * * 1`
would fire on Tuesdays (a "historical mistake" its docs keep for compatibility:
https://apscheduler.readthedocs.io/en/3.x/modules/triggers/cron.html#apscheduler.triggers.cron.CronTrigger.from_crontab).
People copy crontab lines from elsewhere, so weekday numbers here mean what they mean in cron
(0 or 7 = Sunday) and are handed to APScheduler as names. One difference stays: when both the day
of the month and the weekday are restricted, APScheduler requires both to match (classic cron
accepts either).
"""

from __future__ import annotations

import re
from datetime import tzinfo

from apscheduler.triggers.cron import CronTrigger

# Classic cron order: 0 = Sunday. These are also the names APScheduler accepts.
WEEKDAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_LONG_NUMBER = re.compile(r"\d{3}")


def crontab_trigger(expr: str, timezone: tzinfo) -> CronTrigger:
    """The trigger for `minute hour day month weekday`; ValueError says what is wrong."""
    fields = expr.split()
    if len(fields) != 5:
        raise ValueError(
            "a cron expression has 5 fields (minute hour day month weekday), "
            f"not {len(fields)}: {expr!r}"
        )
    if _LONG_NUMBER.search(expr):
        # No field takes a number past 59; a longer one would be echoed whole in the message.
        raise ValueError(
            "a cron number is at most 59 (minutes), 23 (hours), 31 (days), 12 (months) or "
            "7 (weekdays)"
        )
    minute, hour, day, month, weekday = fields
    try:
        return CronTrigger(
            minute=minute,
            hour=hour,
            day=day,
            month=month,
            day_of_week=_weekday_field(weekday),
            timezone=timezone,
        )
    except ValueError as exc:
        raise ValueError(f"{expr!r}: {exc}") from None


def _weekday_field(field: str) -> str:
    """`1-5` → `mon,tue,wed,thu,fri`; `*/2` → `sun,tue,thu,sat` (classic numbering)."""
    if field == "*":
        return field
    days: set[int] = set()
    for item in field.lower().split(","):
        span, _, step_text = item.partition("/")
        step = _number(step_text, item) if step_text else 1
        if step < 1:
            raise ValueError(f"weekday step must be at least 1: {item!r}")
        if span == "*":
            first, last = 0, 6
        else:
            low, dash, high = span.partition("-")
            first = _weekday(low, item)
            last = _weekday(high, item) if dash else (7 if step_text else first)
            if last < first:
                raise ValueError(f"weekday range runs backwards: {item!r}")
        days.update(day % 7 for day in range(first, last + 1, step))
    return ",".join(WEEKDAY_NAMES[day] for day in sorted(days))


def _weekday(text: str, item: str) -> int:
    if text in WEEKDAY_NAMES:
        return WEEKDAY_NAMES.index(text)
    day = _number(text, item)
    if not 0 <= day <= 7:
        raise ValueError(f"weekday must be 0-7 (0 and 7 are Sunday) or sun-sat: {item!r}")
    return day


def _number(text: str, item: str) -> int:
    if not (text.isascii() and text.isdigit()):  # int() fails on "²" and reads "٣" as 3
        raise ValueError(f"not a weekday number or name: {item!r}")
    return int(text)
