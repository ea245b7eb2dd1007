"""Every date and time a person reads, in one short form and in their own time zone.

One form everywhere ("Thu 10 Dec, 23:00"; a day alone is "Thu 10 Dec"), so that the same night
never reads as "Saturday 5 December" in one message and "Dec 06" in another. It is short enough
for a phone and names the weekday (shift workers plan by it). The words come from Babel for the
reader's language (`bot.i18n.Translator.moment`), never from the process's locale.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.i18n import SOURCE_LANGUAGE, translator


def day_label(day: date, *, this_year: int | None = None) -> str:
    """A day as people read it, in English: "Thu 10 Dec" (see `Translator.day`)."""
    return translator(SOURCE_LANGUAGE).day(day, this_year=this_year)


def moment_label(moment: datetime, zone: ZoneInfo, *, now: datetime | None = None) -> str:
    """A moment on the reader's own clock, in English (see `Translator.moment`)."""
    return translator(SOURCE_LANGUAGE).moment(moment, zone, now=now)


def local_day_label(moment: datetime, zone: ZoneInfo) -> str:
    """The reader's own day of a moment, in English (see `Translator.local_day`)."""
    return translator(SOURCE_LANGUAGE).local_day(moment, zone)


def reader_zone(name: str | None, fallback: str) -> ZoneInfo:
    """A person's time zone by its name, or the hospital's (`fallback`) when they have none
    or it is not one this machine knows."""
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            pass
    return ZoneInfo(fallback)
