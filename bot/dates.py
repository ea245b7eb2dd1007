"""Whose clock a date is read on: the person's own time zone, else the hospital's.

How it is written ("Thu 10 Dec, 23:00", "jue 10 dic, 23:00": one short form everywhere, with the
weekday shift workers plan by) is the reader's translator's (`bot.i18n.Translator.moment`).
"""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def reader_zone(name: str | None, fallback: str) -> ZoneInfo:
    """A person's time zone by its name, or the hospital's (`fallback`) when they have none
    or it is not one this machine knows."""
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            pass
    return ZoneInfo(fallback)
