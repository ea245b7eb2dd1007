"""Patience: how a send made one at a time waits when a platform says "slower".

- `retry_after`: the wait a 429 (HTTP "Too Many Requests") asks for, read from its headers the
  same way on every platform.
- `Patience`/`patiently`: one send tried again after a 429, for replies, proactive notices,
  roster and directory reads; bulk delivery paces itself instead (`bot.pacing`).
- The named patience settings the adapters and the core use, each with why it is what it is.

Slack asks callers to honour Retry-After (https://docs.slack.dev/apis/web-api/rate-limits);
Microsoft asks Teams bots for exponential backoff on 429
(https://learn.microsoft.com/microsoftteams/platform/bots/how-to/rate-limit).
"""

from __future__ import annotations

import asyncio
import math
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from bot.messenger import RateLimited

T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]
Draw = Callable[[], float]  # a number in [0, 1)


# -- reading a 429 ----------------------------------------------------------------------------

# A 429 without a usable Retry-After waits this long: one second is what both Slack's Web API and
# the Bot Framework connector usually ask for on a message send.
DEFAULT_RETRY_AFTER = 1.0


def retry_after(headers: Mapping[str, Any] | None, default: float = DEFAULT_RETRY_AFTER) -> float:
    """Seconds a 429 asks us to wait, from its Retry-After header (in seconds); `default` when
    there is none or it is not a finite number. Header names are matched as both platforms'
    clients hand them over: as sent, or lower-cased."""
    for name in ("Retry-After", "retry-after"):
        raw = (headers or {}).get(name)
        if raw is None:
            continue
        try:
            seconds = float(raw)
        except (TypeError, ValueError):
            return default
        # An infinite wait would pause a platform's limiter for good.
        return max(0.0, seconds) if math.isfinite(seconds) else default
    return default


# -- single sends: patience -------------------------------------------------------------------


@dataclass(frozen=True)
class Patience:
    """How long one send may keep trying: `attempts` in all, a first backoff window of `first`
    seconds that doubles after each refusal, and no wait for a Retry-After above `longest_wait`
    (the caller is better off being told, e.g. to schedule the send for later).

    Each wait is the platform's Retry-After plus a random share of the window. The random share
    matters when many sends are refused at once (a busy shift change, several replicas): with the
    same Retry-After they would all come back at the same instant and be refused again."""

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
    """`send()`, again after each rate-limit refusal while patience lasts; then the refusal.

    Bulk delivery does not come here: the outbox pauses its per-platform limiter on a 429 and
    puts the row back, so one refusal slows every sender in the process instead of one."""
    for attempt in range(1, patience.attempts + 1):
        try:
            return await send()
        except RateLimited as exc:
            if attempt == patience.attempts or exc.retry_after > patience.longest_wait:
                raise
            await sleep(patience.wait(attempt, exc.retry_after, draw))
    raise AssertionError("unreachable: the last attempt returns or raises")


# -- the named settings -----------------------------------------------------------------------

# A reply sent after the platform was acknowledged (Slack's 3-second ack is already answered):
# someone is waiting for it, but nothing times out, so a longer Retry-After is worth waiting out.
REPLY_PATIENCE = Patience(attempts=3, first=1.0, longest_wait=30.0)

# A notice a skill sends (an idea's new status, an answer from HR), often from inside a turn:
# Teams waits about 15 seconds for a turn's HTTP answer, so a refusal asking for more than a
# few seconds goes back to the caller.
PROACTIVE_PATIENCE = Patience(attempts=3, first=0.5, longest_wait=3.0)

# A connector call inside a Teams turn (the answer itself): Teams is waiting for our HTTP answer
# (about 15 seconds), so never wait long.
IN_TURN_PATIENCE = Patience(attempts=3, first=0.5, longest_wait=5.0)

# A Teams roster page, read in the background when the bot is added or an audience is built:
# nobody is waiting on a chat answer, so a page refused for its rate may wait a while.
ROSTER_PATIENCE = Patience(attempts=6, first=1.0, longest_wait=60.0)

# Slack's users.list (Tier 2, about 20 calls a minute), read by one nightly job per workspace:
# each 429 is waited out exactly as asked (no random share: nothing else is retrying with it),
# up to ten times a page; a 429 without a Retry-After waits for the Tier 2 window to refill.
DIRECTORY_PATIENCE = Patience(attempts=11, first=0.0, longest_wait=math.inf)
DIRECTORY_RETRY_AFTER = 30.0
