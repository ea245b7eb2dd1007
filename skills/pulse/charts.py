"""Result charts as PNG for chat, sized and styled to be read on a phone: 800x450 px, large
type, black outlines and text on white, Okabe-Ito colours (safe for colour blindness), and the
numbers written on the chart so no one has to read them off an axis.

matplotlib is imported inside the functions: it takes about half a second to import, and only
result views need it. Rendering goes through the Agg canvas directly (no pyplot, no global
backend), so charts can be drawn in worker threads.
"""

from __future__ import annotations

import io
import os
import tempfile
import textwrap
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from bot.i18n import Translator
from skills.pulse.definitions import Question, QuestionKind

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

SIZE_INCHES = (8.0, 4.5)
DPI = 100
INK = "#000000"
BLUE = "#0072B2"
SKY = "#56B4E9"
GREY = "#8C8C8C"
ORANGE = "#E69F00"
VERMILLION = "#D55E00"
RATING_COLOURS = (VERMILLION, ORANGE, GREY, SKY, BLUE)  # 1 (low) .. 5 (high)


def enps_trend_png(points: Sequence[tuple[str, int]], t: Translator) -> bytes:
    """A line of eNPS scores, one (label, score) point per round, oldest first; its words in
    the reader's language (`t`)."""
    figure, axes = _canvas(t("eNPS trend"))
    labels = [label for label, _ in points]
    scores = [score for _, score in points]
    positions = range(len(points))
    axes.axhline(0, color=INK, linewidth=1)
    axes.plot(positions, scores, color=BLUE, linewidth=3, marker="o", markersize=10)
    for x, score in zip(positions, scores, strict=True):
        axes.annotate(
            f"{score:+d}" if score else "0",
            (x, score),
            textcoords="offset points",
            xytext=(0, 12),
            ha="center",
            fontsize=18,
            fontweight="bold",
            color=INK,
        )
    low = max(-100, min(0, *scores) - 25)
    high = min(100, max(0, *scores) + 25)
    axes.set_ylim(low, high)
    axes.set_xlim(-0.5, len(points) - 0.5)
    axes.set_xticks(list(positions), labels, fontsize=14)
    axes.tick_params(axis="y", labelsize=14)
    axes.set_ylabel(t("eNPS (-100 to +100)"), fontsize=14)
    return _png(figure)


def distribution_png(question: Question, counts: Sequence[tuple[str, int]], t: Translator) -> bytes:
    """Bars of how many gave each answer: upright for the 1-5 and 0-10 scales, lying down for
    choices, whose labels are too long to fit under a bar. `question` is as the reader sees it
    (`Question.in_language`), its other words in the reader's language (`t`)."""
    figure, axes = _canvas(question.text)
    values = [count for _, count in counts]
    if question.kind is QuestionKind.CHOICE:
        labels = [textwrap.fill(question.label(value), 22) for value, _ in counts]
        positions = list(range(len(counts)))[::-1]  # first option on top
        bars = axes.barh(positions, values, color=BLUE, edgecolor=INK, linewidth=1.5)
        axes.set_yticks(positions, labels, fontsize=14)
        axes.set_xlim(0, max(values, default=0) * 1.35 + 1)
        axes.xaxis.set_visible(False)
    else:
        labels = [value for value, _ in counts]
        if question.kind is QuestionKind.RATING:
            colours = list(RATING_COLOURS)
            if question.low:
                labels[0] += "\n" + textwrap.fill(question.low, 14)
            if question.high:
                labels[-1] += "\n" + textwrap.fill(question.high, 14)
        else:
            colours = [VERMILLION] * 7 + [GREY] * 2 + [BLUE] * 2
            axes.set_xlabel(t("0-6 detractors · 7-8 passives · 9-10 promoters"), fontsize=14)
        bars = axes.bar(labels, values, color=colours, edgecolor=INK, linewidth=1.5)
        axes.tick_params(axis="x", labelsize=14)
        axes.set_ylim(0, max(values, default=0) * 1.2 + 1)
        axes.yaxis.set_visible(False)
    axes.bar_label(bars, padding=4, fontsize=16, fontweight="bold", color=INK)
    return _png(figure)


def _canvas(title: str) -> tuple[Figure, Axes]:
    _prepare_matplotlib()
    from matplotlib.figure import Figure

    figure = Figure(figsize=SIZE_INCHES, dpi=DPI, facecolor="white", layout="constrained")
    lines = textwrap.wrap(title, 48) or [""]
    shown = "\n".join(lines[:2]) + ("…" if len(lines) > 2 else "")
    figure.suptitle(shown, x=0.02, ha="left", fontsize=18, fontweight="bold", color=INK)
    axes = figure.add_subplot()
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    return figure, axes


def _png(figure: Figure) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(figure)  # attaches itself to the figure
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


@cache
def _prepare_matplotlib() -> None:
    """Where matplotlib cannot write its config and cache dirs (read-only home in a container),
    it logs a warning on import; give it a private temporary dir instead."""
    if "MPLCONFIGDIR" in os.environ:
        return
    home = Path.home()
    config = Path(os.environ.get("XDG_CONFIG_HOME") or home / ".config") / "matplotlib"
    cache_dir = Path(os.environ.get("XDG_CACHE_HOME") or home / ".cache") / "matplotlib"
    if not (_writable(config) and _writable(cache_dir)):
        os.environ["MPLCONFIGDIR"] = tempfile.mkdtemp(prefix="breakroom-matplotlib-")


def _writable(path: Path) -> bool:
    """Whether `path` is, or could be created as, a writable directory."""
    while not path.exists() and path != path.parent:
        path = path.parent
    return path.is_dir() and os.access(path, os.W_OK)
