"""How far an outbox run has got (`Progress`), and a progress bar for CLI runs that send: redrawn
in place on a terminal, plain periodic lines otherwise (a log file or CI would fill up with
carriage returns)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TextIO


@dataclass(frozen=True)
class Progress:
    """What a run has done so far, and what is still due (pending or claimed) in the outbox."""

    sent: int = 0
    failed: int = 0
    blocked: int = 0
    skipped: int = 0
    retried: int = 0  # put back for a later attempt (failures and rate limits)
    rate_limited: int = 0
    remaining: int = 0

    @property
    def done(self) -> int:
        return self.sent + self.failed + self.blocked + self.skipped

    @property
    def total(self) -> int:
        return self.done + self.remaining


ProgressCallback = Callable[[Progress], None]


class ProgressBar:
    """Call it with each `Progress` (it is a `run_until_idle` callback), then `close()`."""

    def __init__(
        self,
        stream: TextIO | None = None,
        *,
        label: str = "sending",
        width: int = 28,
        every: float = 5.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._stream = stream or sys.stderr
        self._tty = self._stream.isatty()
        self._label = label
        self._width = width
        self._every = every if not self._tty else 0.1
        self._monotonic = monotonic
        self._started: float | None = None
        self._shown = -float("inf")
        self._last: Progress | None = None

    def __call__(self, progress: Progress) -> None:
        now = self._monotonic()
        if self._started is None:
            self._started = now
        self._last = progress
        if now - self._shown < self._every:
            return
        self._shown = now
        self._write(self.line(progress, now - self._started))

    def close(self) -> None:
        """Show the final state and end the line."""
        if self._last is None or self._started is None:
            return
        self._write(self.line(self._last, self._monotonic() - self._started))
        if self._tty:
            self._stream.write("\n")
        self._stream.flush()

    def line(self, progress: Progress, elapsed: float) -> str:
        total = progress.total
        share = progress.done / total if total else 1.0
        filled = round(share * self._width)
        bar = "#" * filled + "-" * (self._width - filled)
        parts = [
            f"{self._label} [{bar}] {share:4.0%} {progress.done:,}/{total:,}",
            f"sent {progress.sent:,}",
        ]
        for name in ("blocked", "failed", "skipped", "retried", "rate_limited"):
            count = getattr(progress, name)
            if count:
                parts.append(f"{name.replace('_', ' ')} {count:,}")
        if elapsed > 0 and progress.done:
            rate = progress.done / elapsed
            parts.append(f"{rate:,.0f}/s")
            if progress.remaining:
                parts.append(f"ETA {_clock(progress.remaining / rate)}")
        return " · ".join(parts)

    def _write(self, line: str) -> None:
        if self._tty:
            self._stream.write(f"\r{line}\x1b[K")
        else:
            self._stream.write(line + "\n")
        self._stream.flush()


def _clock(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
