"""What an outbox run counts of its outcomes as they come, read out as `Progress` (for the log
line, the CLI's progress bar and `run_once`'s result): which outcome counts under which heading
is decided here, not in the sender's pipeline (`bot.delivery`)."""

from __future__ import annotations

from collections import Counter

from bot.progress import Progress
from storage.outbox_claims import Delivered, Outcome, Retry
from storage.outbox_items import OutboxStatus


class Tally:
    def __init__(self) -> None:
        self._counts: Counter[str] = Counter()

    def outcome(self, outcome: Outcome) -> None:
        if isinstance(outcome, Delivered):
            self._counts["sent"] += 1
        elif isinstance(outcome, Retry):
            self._counts["retried"] += 1
        else:
            self._counts[outcome.status.value] += 1

    def rate_limited(self) -> None:
        """A 429 was answered; the row's `Retry` is counted as well, when it is recorded."""
        self._counts["rate_limited"] += 1

    def progress(self, remaining: int) -> Progress:
        """The counts so far, with `remaining` rows still due (never below none)."""
        counts = self._counts
        return Progress(
            sent=counts["sent"],
            failed=counts[OutboxStatus.FAILED.value],
            blocked=counts[OutboxStatus.BLOCKED.value],
            skipped=counts[OutboxStatus.SKIPPED.value],
            retried=counts["retried"],
            rate_limited=counts["rate_limited"],
            remaining=max(0, remaining),
        )
