"""Local time for people: quiet hours, in which nobody is sent a survey
(`BREAKROOM_QUIET_HOURS`), and when something due at the hospital's wall-clock time reaches a
person in their own time zone, outside their quiet hours (`delivery_time`).

A wall-clock time maps to UTC the same way everywhere (`local_time_utc`): around a daylight-
saving change, a time that does not exist that day (02:30 when clocks spring forward to 03:00)
comes as much later as the clocks jumped, at 03:30; a time that happens twice (01:30 when clocks
fall back) is the first 01:30.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def parse_clock(text: str) -> time:
    """`14:00`, `7:30am`, `9 pm` → a time; ValueError says how to write it. Digits are ASCII
    only: `\\d` would also take other scripts' digits."""
    found = re.fullmatch(r"([0-9]{1,2})(?::([0-9]{2}))?\s*(?:([ap])\.?m\.?)?", text.strip().lower())
    if found is None or (found.group(2) is None and found.group(3) is None):
        raise ValueError(f"{text!r} isn't a time of day; write it like 14:00 or 2pm")
    hour, minute, half = int(found.group(1)), int(found.group(2) or 0), found.group(3)
    if half is not None:
        if not 1 <= hour <= 12:
            raise ValueError(f"{text!r} isn't a time of day; with am/pm the hour is 1 to 12")
        hour = hour % 12 + (12 if half == "p" else 0)
    if hour > 23 or minute > 59:
        raise ValueError(f"{text!r} isn't a time of day; use 24-hour HH:MM like 14:00")
    return time(hour, minute)


@dataclass(frozen=True)
class QuietHours:
    """From `start` until `end`, local time; `start` after `end` wraps midnight (the default,
    21:00-07:00). Equal ends (00:00-00:00) mean no quiet hours at all."""

    start: time = time(21, 0)
    end: time = time(7, 0)

    @classmethod
    def parse(cls, text: str) -> QuietHours:
        """`21:00-07:00`, `9pm-7am` or `22:00 to 06:00`."""
        ends = re.split(r"\s*(?:-|\u2013|\bto\b)\s*", text.strip().lower())
        if len(ends) != 2:
            raise ValueError(f"{text!r} is not a range of local times such as 21:00-07:00")
        return cls(parse_clock(ends[0]), parse_clock(ends[1]))

    def contains(self, moment: time) -> bool:
        moment = moment.replace(tzinfo=None)
        if self.start <= self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


def local_time_utc(day: date, at: time, tz: ZoneInfo) -> datetime:
    """A local wall-clock time as UTC. fold=0 picks the first of a repeated time, and for a
    skipped one the offset before the jump, which lands as much later as the clocks moved."""
    return datetime.combine(day, at.replace(tzinfo=None, fold=0), tzinfo=tz).astimezone(UTC)


def delivery_time(
    run_at: datetime,
    person_tz: ZoneInfo | None,
    hospital_tz: ZoneInfo,
    quiet: QuietHours,
    now: datetime,
) -> datetime:
    """When to send one person a message due at `run_at` (a survey round as it opens, a
    reminder now), in UTC.

    The same wall-clock date and time as the round in the hospital's zone, but in the person's
    own zone (a 10:00 survey reaches Denver at 10:00 Denver time); never before `now` (someone
    east of the hospital gets it as the round opens); and if that falls in the person's quiet
    hours, at the end of them (a 22:30 arrival waits until 07:00).
    """
    wall = run_at.astimezone(hospital_tz)
    tz = person_tz or hospital_tz
    due = max(local_time_utc(wall.date(), wall.time(), tz), now.astimezone(UTC))
    return outside_quiet_hours(due, tz, quiet)


def outside_quiet_hours(due: datetime, tz: ZoneInfo, quiet: QuietHours) -> datetime:
    """`due` (UTC), or the end of the quiet hours it falls in, in the zone `tz`. Used as it is
    for a round HR starts now: now for everyone, except whoever it is night for."""
    due = due.astimezone(UTC)
    local = due.astimezone(tz)
    if not quiet.contains(local.time()):
        return due
    wraps_to_tomorrow = quiet.start > quiet.end and local.time() >= quiet.start
    end_day = local.date() + timedelta(days=1 if wraps_to_tomorrow else 0)
    return local_time_utc(end_day, quiet.end, tz)
