"""Quiet hours: local hours in which nobody is sent a survey (`BREAKROOM_QUIET_HOURS`).

A plain value type that settings can hold; what it means for delivery is in
`skills.pulse.schedule.delivery_time`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time


def parse_clock(text: str) -> time:
    """`14:00`, `7:30am`, `9 pm` → a time; ValueError says how to write it."""
    found = re.fullmatch(r"(\d{1,2})(?::(\d{2}))?\s*(?:([ap])\.?m\.?)?", text.strip().lower())
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
