"""Waiting out rate limits: never sooner than Retry-After, spread over a doubling window, and
giving up when patience runs out or the platform asks for too long."""

from __future__ import annotations

import pytest

from bot.messenger import DeliveryError, RateLimited
from bot.retry import Patience, patiently


class Refusals:
    """A send refused with the given Retry-After values, then accepted."""

    def __init__(self, *retry_after: float) -> None:
        self.pending = list(retry_after)
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.pending:
            raise RateLimited(self.pending.pop(0))
        return "sent"


class Clock:
    def __init__(self) -> None:
        self.waits: list[float] = []

    async def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)


async def test_each_wait_is_the_retry_after_plus_a_share_of_a_doubling_window() -> None:
    send, clock = Refusals(2.0, 0.0, 1.0), Clock()
    patience = Patience(attempts=4, first=1.0, longest_wait=10.0)
    assert await patiently(send, patience, sleep=clock.sleep, draw=lambda: 0.5) == "sent"
    assert send.calls == 4
    assert clock.waits == [2.0 + 0.5, 0.0 + 1.0, 1.0 + 2.0]


@pytest.mark.parametrize("draw", [0.0, 0.999])
async def test_jitter_never_waits_less_than_asked_nor_beyond_the_window(draw: float) -> None:
    send, clock = Refusals(3.0), Clock()
    await patiently(send, Patience(first=2.0), sleep=clock.sleep, draw=lambda: draw)
    [wait] = clock.waits
    assert 3.0 <= wait < 3.0 + 2.0


async def test_the_refusal_is_raised_once_the_attempts_are_spent() -> None:
    send, clock = Refusals(0.0, 0.0, 0.0), Clock()
    with pytest.raises(RateLimited):
        await patiently(send, Patience(attempts=3), sleep=clock.sleep)
    assert send.calls == 3
    assert len(clock.waits) == 2


async def test_a_retry_after_beyond_patience_is_not_waited_for() -> None:
    send, clock = Refusals(120.0), Clock()
    with pytest.raises(RateLimited) as refused:
        await patiently(send, Patience(longest_wait=30.0), sleep=clock.sleep)
    assert refused.value.retry_after == 120.0
    assert send.calls == 1
    assert clock.waits == []


async def test_other_failures_are_not_retried() -> None:
    calls = 0

    async def broken() -> None:
        nonlocal calls
        calls += 1
        raise DeliveryError("teams: HTTP 500")

    with pytest.raises(DeliveryError):
        await patiently(broken, Patience())
    assert calls == 1


def test_patience_must_be_possible() -> None:
    with pytest.raises(ValueError, match="attempts"):
        Patience(attempts=0)
