"""Refit the confidence weights of knowledge search, and show how well they carry to questions
they were not fitted on.

    python -m bench.fit_confidence

The confidence (`skills/knowledge/confidence.py`) is a logistic function of measured signals.
This script measures the signals of every question of the fitting sets, fits the weights, and
prints them beside a leave-one-set-out table: each fitting set judged by weights fitted on the
others, and the sets that are never fitted on (the second hospital's knowledge base and every set
written blind, in English or Spanish) judged by weights fitted on all of them. Copy the rounded
weights into `confidence.py` only when the table says they carry over.

The fit is a logistic regression in which every signal keeps the sign its meaning gives it (a
stronger match can only make the bot surer, a clinical cue only less sure): weights that flip
sign to exploit a quirk of one question set are what does not carry to another knowledge base.
Each set counts equally, whatever its size, and within a set an out-of-scope question counts
`OUT_OF_SCOPE_WEIGHT` times: declining what the knowledge base does not cover matters as much
as answering what it does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np

from bench.qa_accuracy import SETS, read_questions
from skills.knowledge.articles import load
from skills.knowledge.confidence import CONFIDENCE_BIAS, CONFIDENCE_WEIGHTS, Signals, confidence
from skills.knowledge.search import DEFAULT_CUTOFF, Retriever
from skills.knowledge.smalltalk import small_talk

NEVER_FITTED = frozenset({"harbor", "blind", "Spanish blind", "Harbor Spanish blind"})
"""The sets `bench/qa_accuracy.py` measures that the weights are never fitted on: the second
hospital's and every blind one, so that they stay a measure of questions nothing was shaped by."""
OUT_OF_SCOPE_WEIGHT = 2.0
FIT_STEPS = 20_000
FIT_RATE = 2.0
"""Enough steps that the weights stop moving in their first decimal."""
SIGNS = {
    "strength": 1,
    "unread": -1,
    "margin": 1,
    "breadth": 1,
    "length": 1,
    "clinical": -1,
    "off_topic": -1,
    "absent": -1,
}
"""The direction each signal may push the confidence."""
NAMES = tuple(f.name for f in fields(Signals))


@dataclass(frozen=True)
class Row:
    signals: Signals | None
    """None for small talk and for questions nothing matched: never answered."""
    expected: str
    best: str | None
    units: int
    """How many things the question names: the evidence the confidence is shrunk with."""


def measure(kb: Path, questions: Path) -> list[Row]:
    loaded = load(kb)
    retriever = Retriever(loaded.articles, versions=loaded.versions)
    rows = []
    for question, expected in read_questions(questions):
        answer = retriever.answer(question)
        signals = None if small_talk(question) else answer.signals
        best = answer.best.article.id if answer.best else None
        rows.append(Row(signals, expected, best, answer.evidence))
    return rows


def fit(sets: Sequence[list[Row]]) -> tuple[float, dict[str, float]]:
    """Sign-constrained logistic regression by projected gradient descent."""
    features, labels, weights = [], [], []
    for rows in sets:
        usable = [(row, row.signals) for row in rows if row.signals is not None]
        for row, signals in usable:
            features.append([1.0, *(getattr(signals, name) for name in NAMES)])
            labels.append(1.0 if row.expected != "none" and row.best == row.expected else 0.0)
            outside = row.expected == "none"
            weights.append((OUT_OF_SCOPE_WEIGHT if outside else 1.0) / len(usable))
    x, y, w = np.array(features), np.array(labels), np.array(weights)
    w /= w.sum()
    signs = np.array([0.0, *(SIGNS[name] for name in NAMES)])
    beta = np.zeros(x.shape[1])
    for _ in range(FIT_STEPS):
        predicted = 1 / (1 + np.exp(-x @ beta))
        beta -= FIT_RATE * (x.T @ (w * (predicted - y)))
        beta[1:] = np.where(signs[1:] * beta[1:] < 0, 0.0, beta[1:])
    return float(beta[0]), dict(zip(NAMES, (float(b) for b in beta[1:]), strict=True))


def judge(rows: Sequence[Row], bias: float, weights: Mapping[str, float]) -> tuple[float, float]:
    """Answered correctly (share of in-scope questions) and out-of-scope declined."""

    def answered(row: Row) -> bool:
        if row.signals is None:
            return False
        sure = confidence(row.signals, evidence=row.units, bias=bias, weights=weights)
        return sure >= DEFAULT_CUTOFF

    inside = [r for r in rows if r.expected != "none"]
    outside = [r for r in rows if r.expected == "none"]
    right = sum(1 for r in inside if r.best == r.expected and answered(r)) / len(inside)
    declined = sum(1 for r in outside if not answered(r)) / len(outside)
    return right, declined


def main() -> None:
    available = [(name, kb, q) for name, kb, q in SETS if kb.is_dir() and q.is_file()]
    measured = {name: measure(kb, q) for name, kb, q in available}
    fitted = [name for name in measured if name not in NEVER_FITTED]
    print(f"{'set':<14}{'now':>14}{'refit':>14}   (answered correctly / out-of-scope declined)")
    for name, rows in measured.items():
        others = [measured[n] for n in fitted if n != name]
        bias, weights = fit(others)
        now = judge(rows, CONFIDENCE_BIAS, CONFIDENCE_WEIGHTS)
        new = judge(rows, bias, weights)
        tag = "" if name in fitted else "  never fitted on"
        print(f"{name:<14}{now[0]:>8.3f}/{now[1]:.3f}{new[0]:>8.3f}/{new[1]:.3f}{tag}")
    bias, weights = fit([measured[n] for n in fitted])
    print(f"\nfitted on {', '.join(fitted)}:")
    print(f"CONFIDENCE_BIAS = {bias:.1f}")
    print("CONFIDENCE_WEIGHTS = {")
    for name, value in weights.items():
        print(f'    "{name}": {value:.1f},')
    print("}")


if __name__ == "__main__":
    main()
