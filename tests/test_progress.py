"""The CLI progress bar: redrawn in place on a terminal, periodic plain lines elsewhere."""

from __future__ import annotations

import io

from bot.progress import Progress, ProgressBar


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Ticks:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_line_shows_the_bar_counts_rate_and_eta() -> None:
    bar = ProgressBar(io.StringIO(), width=10)
    line = bar.line(Progress(sent=480, blocked=15, failed=5, remaining=500), elapsed=10)
    assert line == (
        "sending [#####-----]  50% 500/1,000 · sent 480 · blocked 15 · failed 5 · 50/s · ETA 0:10"
    )
    assert bar.line(Progress(), elapsed=0) == "sending [##########] 100% 0/0 · sent 0"
    long_eta = bar.line(Progress(sent=1, remaining=10_000), elapsed=1)
    assert long_eta.endswith("ETA 2:46:40")


def test_on_a_terminal_the_line_is_redrawn_in_place() -> None:
    stream, ticks = Terminal(), Ticks()
    bar = ProgressBar(stream, label="round 4", monotonic=ticks)
    bar(Progress(sent=1, remaining=3))
    ticks.now = 0.05
    bar(Progress(sent=2, remaining=2))  # too soon to redraw
    ticks.now = 0.5
    bar(Progress(sent=3, remaining=1))
    bar.close()
    output = stream.getvalue()
    assert output.count("\r") == 3
    assert "\x1b[K" in output
    assert output.endswith("\n")
    assert "2/4" not in output
    assert "round 4 [" in output


def test_elsewhere_plain_lines_come_every_few_seconds_and_at_the_end() -> None:
    stream, ticks = io.StringIO(), Ticks()
    bar = ProgressBar(stream, every=5, monotonic=ticks)
    for second in range(12):
        ticks.now = float(second)
        bar(Progress(sent=second, rate_limited=1 if second > 5 else 0, remaining=12 - second))
    bar.close()
    lines = stream.getvalue().splitlines()
    assert [line.split(" · ")[0].split()[-1] for line in lines] == [
        "0/12",
        "5/12",
        "10/12",
        "11/12",
    ]
    assert "\r" not in stream.getvalue()
    assert "rate limited 1" in lines[-1]


def test_closing_a_bar_that_never_ran_writes_nothing() -> None:
    stream = io.StringIO()
    ProgressBar(stream).close()
    assert stream.getvalue() == ""
