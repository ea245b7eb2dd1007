"""How sure the bot is that the best article answers a question: measured signals, each 0..1,
combined by a logistic function into a probability read against one cut-off.

The signals are measured by `search.Retriever`; the weights and their calibration are here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

CONFIDENCE_BIAS = -3.9
CONFIDENCE_WEIGHTS = {
    "strength": 4.5,
    "lead": 1.2,
    "margin": 1.8,
    "head": 2.5,
    "specificity": 1.1,
    "length": 2.6,
    "clinical": -2.4,
    "off_topic": -3.4,
    "absent": -3.6,
}
"""Logistic weights of the `Signals`, rounded from a fit of "the best hit is right" over two
knowledge bases: the shared development questions, the project's own question sets in
`tests/data` (one of them for the bundled sample knowledge base) and fifty harder situational
phrasings, each set weighted equally and out-of-scope questions three times, so that declining
them counts as much as answering. Leaving any one set out of the fit moves its results by a
question or two. See `confidence`."""

PRIOR_UNITS = 0.25
"""How sure a short question can make us: the logistic estimate is pulled toward 0.5 as if a
quarter of a unit of neutral evidence were added to the units the question names. A one-word
question never scores above 0.9, a six-word one not above 0.98, and since the pull is toward
0.5 the cut-off decisions do not change."""


@dataclass(frozen=True)
class Signals:
    """What the confidence is made of, each 0..1 (see `confidence`)."""

    strength: float
    """The best score over the most this question could score (every unit fully matched)."""
    lead: float
    """How far the best is ahead of the runner-up, on the same scale as strength."""
    margin: float
    """The same lead as a share of the best score: 0 when two articles tie."""
    head: float
    """Share of the question (by worth) found in the best article's title, example questions
    or tags rather than only in passing in its body."""
    specificity: float
    """The strongest single piece of evidence, against the rarest possible word: a match made
    only of common words ("pay", "time", "work") is weak."""
    length: float
    """How many things the question names, up to six: a two-word question that matches well
    is still a thin piece of evidence."""
    clinical: float
    """1 when the question reads as clinical or personal health (see `clinical`)."""
    off_topic: float
    """1 when the question has an IT, building or small-talk cue."""
    absent: float
    """1 when the question names something no article mentions."""


def confidence(signals: Signals, *, evidence: int) -> float:
    """How likely the best article answers the question, from `Signals` that each catch a
    different way lexical search fails: a question matched only in part or only in passing
    (strength, head), one that matches several articles about equally and so is about none
    of them (lead, margin), a match made of common words or of very few (specificity,
    length), and questions the knowledge base has no content for (clinical, off-topic, or
    naming something no article mentions).

    Every signal is relative to the question and the index, never an absolute score, so the
    same weights hold on another knowledge base. A logistic function combines them because
    each shifts the odds on its own scale and the result must read as a probability against
    one cut-off; the weights are round numbers from a fit over questions on two different
    knowledge bases (ten numbers for all questions, no per-question rule).

    `evidence` is how many things the question names: the fewer, the more the estimate is
    pulled toward 0.5 (`PRIOR_UNITS`).
    """
    z = CONFIDENCE_BIAS + sum(
        CONFIDENCE_WEIGHTS[f.name] * getattr(signals, f.name) for f in fields(signals)
    )
    probability = 1 / (1 + math.exp(-z))
    return (evidence * probability + 0.5 * PRIOR_UNITS) / (evidence + PRIOR_UNITS)
