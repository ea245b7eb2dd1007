"""The confidence fit keeps its hands off the question sets that measure unseen questions."""

from __future__ import annotations

from bench.fit_confidence import NEVER_FITTED
from bench.qa_accuracy import SETS


def test_blind_and_second_hospital_sets_are_never_fitted() -> None:
    """A set written blind, or on the second hospital's knowledge base, in any language, is
    only ever measured: fitting the weights on it would make it no measure at all."""
    unseen = {
        name
        for name, kb, questions in SETS
        if "blind" in questions.name or "harbor" in f"{kb.name} {questions.name}"
    }
    assert {"blind", "harbor", "Spanish blind", "Harbor Spanish blind"} <= unseen
    assert unseen <= NEVER_FITTED
