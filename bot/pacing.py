"""Pacing: how fast the bot may call a platform, and how it waits when a platform says "slower".

Everything about rate limits lives here, so that each number is chosen once and its reason is
written next to it:
- `RateLimiter`/`RateLimiters`: a token bucket per platform that bulk delivery (the outbox) waits
  on before every send, paused by a 429's Retry-After.
- `Backoff`: how long a failed outbox row waits before its next attempt.
- `Patience`/`patiently`: one send tried again after a 429 (HTTP "Too Many Requests"), for sends
  made one at a time: replies, proactive notices, roster and directory reads.
- `retry_after`: the wait a 429 asks for, read from its headers the same way on every platform.
- The named patience settings the adapters and the core use, each with why it is what it is.

Slack asks callers to honour Retry-After (https://docs.slack.dev/apis/web-api/rate-limits);
Microsoft asks Teams bots for exponential backoff on 429
(https://learn.microsoft.com/microsoftteams/platform/bots/how-to/rate-limit).
"""

from __future__ import annotations

import asyncio
import math
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from bot.messenger import RateLimited

T = TypeVar("T")
Monotonic = Callable[[], float]
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


# -- bulk sends: a limiter per platform -------------------------------------------------------

SLACK_MAX_RATE = 10.0  # sends a second: "several hundred a minute", with room for replies
# Probing: each send that goes through raises the pace by this factor, up to the ceiling (from
# one a second, ten in about 25 sends); a 429 halves it and sets the ceiling just under the pace
# that met it, so the limiter settles below the platform's limit instead of meeting it again.
PROBE_GROWTH = 1.1
BACK_OFF_FACTOR = 0.5
SETTLE_BELOW = 0.9


@dataclass(frozen=True)
class RateLimit:
    rate: float  # sends per second, on average, to start with and never below
    burst: int = 1  # sends allowed at once after a quiet spell
    ceiling: float | None = None  # the most per second to probe up to; None: stay at `rate`

    def __post_init__(self) -> None:
        if self.rate <= 0 or self.burst < 1:
            raise ValueError("a rate limit needs rate > 0 and burst >= 1")
        if self.ceiling is not None and self.ceiling < self.rate:
            raise ValueError("a rate limit's ceiling cannot be below its rate")


def slack_limit(max_rate: float = SLACK_MAX_RATE) -> RateLimit:
    """Slack's pace for bulk DMs: the documented one message a second to start, probing upward
    to `max_rate` (BREAKROOM_SLACK_MAX_RATE) until a 429 says where the workspace's limit is."""
    start = min(1.0, max_rate)
    return RateLimit(rate=start, burst=3, ceiling=max_rate)


# Slack: chat.postMessage allows about one message per second per channel, "short bursts >1
# allowed", under a workspace-wide limit of "several hundred messages per minute"
# (https://docs.slack.dev/apis/web-api/rate-limits). Each DM is a channel of its own, so a fan-out
# meets the workspace limit: we start at the documented per-channel figure and probe upward, and
# 429s tell us where to stop.
# Teams: 50 requests per second per app per tenant for all bot API calls together
# (https://learn.microsoft.com/microsoftteams/platform/bots/how-to/rate-limit), so leave room.
DEFAULT_LIMITS: Mapping[str, RateLimit] = {
    "slack": slack_limit(),
    "teams": RateLimit(rate=40.0, burst=10),
}
UNLISTED_LIMIT = RateLimit(rate=100.0, burst=10)


class RateLimiter:
    """A token bucket, kept as GCRA: `rate` sends a second on average and at most `burst` at once.

    Each caller reserves the next free slot and sleeps until it, so waiting callers are served in
    order. `pause` (a 429's Retry-After) stops everyone: slots reserved before the pause are
    given up and taken anew after it, without a burst."""

    def __init__(
        self,
        limit: RateLimit,
        *,
        monotonic: Monotonic = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.limit = limit
        self._ceiling = limit.ceiling or limit.rate
        self._set_rate(limit.rate)
        self._monotonic = monotonic
        self._sleep = sleep
        self._tat = -math.inf  # theoretical arrival time of the next send at exactly `rate`
        self._paused_until = -math.inf
        self._generation = 0

    async def acquire(self) -> None:
        while True:
            now = self._monotonic()
            slot = max(now, self._paused_until, self._tat - self._tolerance)
            self._tat = max(self._tat, slot) + self._interval
            generation = self._generation
            if slot > now:
                await self._sleep(slot - now)
            if generation == self._generation:
                return

    @property
    def rate(self) -> float:
        """The pace now: between the limit's rate and its ceiling, found by probing."""
        return self._rate

    def went_through(self) -> None:
        """A send was accepted: probe a little faster, up to the ceiling."""
        if self._rate < self._ceiling:
            self._set_rate(min(self._ceiling, self._rate * PROBE_GROWTH))

    def pause(self, seconds: float) -> None:
        """The platform answered 429: nobody sends for `seconds`, and the pace drops."""
        now = self._monotonic()
        until = now + max(0.0, seconds)
        if self._paused_until <= now:  # sends in flight meet one 429 episode: slow down once
            self._ceiling = max(self.limit.rate, self._rate * SETTLE_BELOW)
            self._set_rate(max(self.limit.rate, self._rate * BACK_OFF_FACTOR))
        if until > self._paused_until:
            self._paused_until = until
            self._tat = until + self._tolerance
            self._generation += 1

    def _set_rate(self, rate: float) -> None:
        self._rate = rate
        self._interval = 1.0 / rate
        self._tolerance = (self.limit.burst - 1) * self._interval

    @property
    def paused_for(self) -> float:
        return max(0.0, self._paused_until - self._monotonic())


class RateLimiters:
    """One limiter per platform, shared by every sender of this process (build it once, in the
    composition root). Senders in other processes are not counted: the platform's 429s are."""

    def __init__(
        self,
        limits: Mapping[str, RateLimit] = DEFAULT_LIMITS,
        *,
        unlisted: RateLimit = UNLISTED_LIMIT,
        monotonic: Monotonic = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._limits = dict(limits)
        self._unlisted = unlisted
        self._monotonic = monotonic
        self._sleep = sleep
        self._limiters: dict[str, RateLimiter] = {}

    def for_platform(self, platform: str) -> RateLimiter:
        limiter = self._limiters.get(platform)
        if limiter is None:
            limit = self._limits.get(platform, self._unlisted)
            limiter = RateLimiter(limit, monotonic=self._monotonic, sleep=self._sleep)
            self._limiters[platform] = limiter
        return limiter


@dataclass(frozen=True)
class Backoff:
    """Waits between failed attempts: first, then doubling, never above cap."""

    first: timedelta = timedelta(seconds=30)
    cap: timedelta = timedelta(minutes=30)

    def after(self, attempts: int) -> timedelta:
        if attempts <= 0:
            return timedelta(0)
        doubled: timedelta = self.first * (2 ** min(attempts - 1, 30))
        return min(self.cap, doubled)


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
