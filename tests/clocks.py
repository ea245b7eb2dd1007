"""The clock a test moves by hand, set as a runtime's `services.clock`: schedules, quiet hours,
rounds and announcements then move only when the test says."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

import pytest

from bot.runtime import Runtime, start_runtime
from bot.settings import Settings
from tests.fakes import RecordingMessenger

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


@pytest.fixture(name="rt")
async def clocked_runtime(make_settings: Callable[..., Settings]) -> AsyncIterator[Runtime]:
    """A runtime in New York whose clock stands at START until the test moves it. A test
    module takes it (as `rt`) by importing it."""
    runtime = await start_runtime(make_settings(BREAKROOM_TIMEZONE="America/New_York"))
    runtime.services.clock = Clock(START)
    yield runtime
    await runtime.close()


@pytest.fixture(name="fake")
def recording_messenger(rt: Runtime) -> RecordingMessenger:
    """What the runtime sends, recorded per person (as `fake`)."""
    messenger = RecordingMessenger()
    rt.services.outbound.register(messenger)
    return messenger
