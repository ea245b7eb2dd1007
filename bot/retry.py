"""Sending again after the platform refused a send for its rate (HTTP 429).

Each wait is the platform's Retry-After plus a random share of a window that doubles with every
attempt. The random share matters when many sends are refused at once (a survey fan-out, a busy
shift change, several replicas): with the same Retry-After they would all come back at the same
instant and be refused again. Microsoft asks Teams bots for exponential backoff on 429
(https://learn.microsoft.com/microsoftteams/platform/bots/how-to/rate-limit); Slack asks callers
to honour Retry-After (https://docs.slack.dev/apis/web-api/rate-limits).

Bulk delivery does not come here: the outbox pauses its per-platform limiter on a 429 and puts
the row back, so one refusal slows every sender in the process instead of one.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from bot.messenger import RateLimited

T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]
Draw = Callable[[], float]  # a number in [0, 1)


@dataclass(frozen=True)
class Patience:
    """How long one send may keep trying: `attempts` in all, a first backoff window of `first`
    seconds that doubles after each refusal, and no wait for a Retry-After above `longest_wait`
    (the caller is better off being told, e.g. to schedule the send for later)."""

    attempts: int = 3
    first: float = 1.0
    longest_wait: float = 30.0

    def __post_init__(self) -> None:
        if self.attempts < 1 or self.first < 0 or self.longest_wait < 0:
            raise ValueError("patience needs attempts >= 1 and non-negative waits")

    def wait(self, refusals: int, retry_after: float, draw: Draw = random.random) -> float:
        """Seconds to wait after the `refusals`-th refusal (1 for the first)."""
        window = self.first * 2.0 ** (refusals - 1)
        return max(0.0, retry_after) + draw() * window


async def patiently(
    send: Callable[[], Awaitable[T]],
    patience: Patience,
    *,
    sleep: Sleep = asyncio.sleep,
    draw: Draw = random.random,
) -> T:
    """`send()`, again after each rate-limit refusal while patience lasts; then the refusal."""
    for attempt in range(1, patience.attempts + 1):
        try:
            return await send()
        except RateLimited as exc:
            if attempt == patience.attempts or exc.retry_after > patience.longest_wait:
                raise
            await sleep(patience.wait(attempt, exc.retry_after, draw))
    raise AssertionError("unreachable: the last attempt returns or raises")
