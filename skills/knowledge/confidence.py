"""How sure the bot is that the best article answers a question: measured signals, each 0..1,
combined by a logistic function into a probability read against one cut-off.

The signals are measured by `search.Retriever`; the weights and their calibration are here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields

CONFIDENCE_BIAS = -8.1
CONFIDENCE_WEIGHTS = {
    "strength": 10.6,
    "unread": -3.7,
    "margin": 1.4,
    "breadth": 2.6,
    "length": 3.3,
    "clinical": -1.4,
    "off_topic": -7.8,
    "absent": -9.4,
}
"""Logistic weights of the `Signals`, rounded from `bench/fit_confidence.py`: a fit of "the
best hit is right" in which each signal keeps the sign its meaning gives it, over seven
question sets on two knowledge bases (the shared development questions and the project's own
sets in `tests/data`: two written blind, one of near misses, one of two-word questions, and the
Spanish development questions), each set weighted equally and out-of-scope questions twice.
Weights fitted without a set carry to it within a few questions, and to a third knowledge base
and to Spanish questions written blind, never fitted on (see the bench). A cue that the
knowledge base has no content for the question (off-topic, absent) all but vetoes an answer."""

PRIOR_UNITS = 0.25
"""How sure a short question can make us: the logistic estimate is pulled toward 0.5 as if a
quarter of a unit of neutral evidence were added to the units the question names. A one-word
question never scores above 0.9, a six-word one not above 0.98, and since the pull is toward
0.5 the cut-off decisions do not change."""


@dataclass(frozen=True)
class Signals:
    """What the confidence is made of, each 0..1 (see `confidence`)."""

    strength: float
    """The best score over the most this question could score (every unit some article has a
    word for fully matched)."""
    unread: float
    """The share of the things the question names that no article has a word for: something
    the knowledge base lacks ("severance", "netflix"), or a word the Spanish vocabulary lacks.
    Kept apart from strength so that strength means the same in both languages."""
    margin: float
    """The same lead as a share of the best score: 0 when two articles tie."""
    breadth: float
    """How many of the things the question names the best article mentions, up to three (or
    all, for a shorter question): a near miss shares one strong word with an article and
    nothing else."""
    length: float
    """How many things the question names, up to six: a two-word question that matches well
    is still a thin piece of evidence."""
    clinical: float
    """1 when the question reads as clinical or personal health (see `clinical`)."""
    off_topic: float
    """1 when the question has an IT, building or small-talk cue."""
    absent: float
    """1 when the question names something no article mentions."""


def confidence(
    signals: Signals,
    *,
    evidence: int,
    bias: float = CONFIDENCE_BIAS,
    weights: Mapping[str, float] = CONFIDENCE_WEIGHTS,
) -> float:
    """How likely the best article answers the question, from `Signals` that each catch a
    different way lexical search fails: a question matched only in part (strength), one that
    matches several articles about equally and so is about none of them (margin), one
    that shares a single word with an article and nothing else (breadth), a match made of very
    few words (length), and questions the knowledge base has no content for (clinical,
    off-topic, or naming something no article mentions).

    Every signal is relative to the question and the index, never an absolute score, so the
    same weights hold on another knowledge base. A logistic function combines them because
    each shifts the odds on its own scale and the result must read as a probability against
    one cut-off. `bias` and `weights` are given only by `bench/fit_confidence.py`, which
    judges new ones.

    `evidence` is how many things the question names: the fewer, the more the estimate is
    pulled toward 0.5 (`PRIOR_UNITS`).
    """
    z = bias + sum(weights[f.name] * getattr(signals, f.name) for f in fields(signals))
    probability = 1 / (1 + math.exp(-z))
    return (evidence * probability + 0.5 * PRIOR_UNITS) / (evidence + PRIOR_UNITS)
