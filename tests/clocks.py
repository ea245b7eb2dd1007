"""The clock a test moves by hand, set as a runtime's `services.clock`: schedules, quiet hours,
rounds and announcements then move only when the test says."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.runtime import Runtime

START = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # Monday 10:00 in New York


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def clock(rt: Runtime) -> Clock:
    """The hand-moved clock of a runtime that was given one."""
    assert isinstance(rt.services.clock, Clock)
    return rt.services.clock
