"""How long an outbox sender's claims last (`AdaptiveLease`): sized from its own recent send and
renewal times, so that a sender that dies is noticed within seconds on a quick platform and a
slow platform's sends still outlive their claim (see `bot.delivery`)."""

from __future__ import annotations

from collections import deque
from datetime import timedelta

# Before anything is observed, then bounds around what was.
FIRST_LEASE = 5.0
MIN_LEASE = 2.0
MAX_LEASE = 60.0
LEASE_MULTIPLE = 4.0
LEASE_WINDOW = 50  # sends and renewals remembered


class AdaptiveLease:
    """How long this sender's claims last: LEASE_MULTIPLE times the slowest recent send or
    lease renewal, within [MIN_LEASE, MAX_LEASE], renewed every quarter of it.

    A claim only has to outlive the gap between two renewals, and a send started just before a
    renewal failed (a send is refused once half the lease has passed without one). Sized from
    what was observed, a sender that dies is noticed within seconds, not after a fixed margin
    sized for the slowest platform."""

    def __init__(self, fixed: float | None) -> None:
        self._fixed = fixed
        self._recent: deque[float] = deque(maxlen=LEASE_WINDOW)

    def observe(self, seconds: float) -> None:
        self._recent.append(seconds)

    @property
    def seconds(self) -> float:
        if self._fixed is not None:
            return self._fixed
        if not self._recent:
            return FIRST_LEASE
        return min(MAX_LEASE, max(MIN_LEASE, LEASE_MULTIPLE * max(self._recent)))

    @property
    def span(self) -> timedelta:
        return timedelta(seconds=self.seconds)
