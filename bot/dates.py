"""Every date and time a person reads, in one short form and in their own time zone.

One form everywhere ("Thu 10 Dec, 23:00"; a day alone is "Thu 10 Dec"), so that the same night
never reads as "Saturday 5 December" in one message and "Dec 06" in another. It is short enough
for a phone, names the weekday (shift workers plan by it), and is spelled out here rather than
by `strftime`, whose names follow the process's locale.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def day_label(day: date, *, this_year: int | None = None) -> str:
    """A day as people read it: "Thu 10 Dec"; "Thu 10 Dec 2025" when `this_year` is given
    and the day is in another year."""
    label = f"{WEEKDAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]}"
    return label if this_year in (None, day.year) else f"{label} {day.year}"


def moment_label(moment: datetime, zone: ZoneInfo, *, now: datetime | None = None) -> str:
    """A moment on the reader's own clock: "Thu 10 Dec, 23:00". Give `now` for a moment that
    may lie in another year (a record's age): its year is then named when it differs."""
    local = moment.astimezone(zone)
    this_year = None if now is None else now.astimezone(zone).year
    return f"{day_label(local, this_year=this_year)}, {local:%H:%M}"


def local_day_label(moment: datetime, zone: ZoneInfo) -> str:
    """The reader's own day of a moment, where the hour does not matter: "Thu 10 Dec"."""
    return day_label(moment.astimezone(zone))


def reader_zone(name: str | None, fallback: str) -> ZoneInfo:
    """A person's time zone by its name, or the hospital's (`fallback`) when they have none
    or it is not one this machine knows."""
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            pass
    return ZoneInfo(fallback)
