"""How the learned crisis reader does on examples it was not trained on, by cross-validation:
the measure its threshold and training settings were chosen with.

    python -m bench.crisis_reader

The labelled examples (`skills/safety/examples.tsv`) are cut into five folds; for each, the
reader is trained on the other four and the ordinary messages, and the whole check (the cues,
then the reader) reads the fold. Printed, for a few thresholds: the share of crises found and of
near misses flagged. The cues were written with these same examples, so the recall is flattered;
the near misses flagged, which only the reader adds, are not. The two sets the check was never
fitted to are measured by `bench/qa_accuracy.py`.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from skills.safety import detector, learned

FOLDS = 5
THRESHOLDS = (0.5, 0.6, 0.7, 0.75, 0.8, 0.9)


def main() -> None:
    labelled = learned.labelled_examples()
    ordinary = learned.ordinary_examples()
    order = list(range(len(labelled)))
    random.Random(1).shuffle(order)
    readings: list[tuple[str, dict[str, float], detector.CueReading]] = []
    """Per held-out example: its label, the reader's probabilities, what the cues made of it."""
    for fold in range(FOLDS):
        held = set(order[fold::FOLDS])
        model = learned.Reader.trained(
            [e for i, e in enumerate(labelled) if i not in held] + ordinary
        )
        for i in held:
            example = labelled[i]
            cues = detector.read_cues(example.text)
            readings.append((example.label, model.probabilities(example.text), cues))
    print(f"{len(labelled)} labelled examples, {len(ordinary)} ordinary messages, {FOLDS} folds")
    print(f"{'threshold':>10}{'crises found':>15}{'near misses flagged':>22}")
    for threshold in THRESHOLDS:
        found, flagged = _shares(readings, threshold)
        print(f"{threshold:>10.2f}{found:>15.3f}{flagged:>22.3f}")


def _shares(
    readings: Sequence[tuple[str, dict[str, float], detector.CueReading]], threshold: float
) -> tuple[float, float]:
    def flagged(probabilities: dict[str, float], cues: detector.CueReading) -> bool:
        if cues.seen:
            return cues.crisis is not None
        return 1.0 - probabilities[learned.NONE] >= threshold

    crises = [(p, c) for label, p, c in readings if label != learned.NONE]
    near = [(p, c) for label, p, c in readings if label == learned.NONE]
    found = sum(1 for p, c in crises if flagged(p, c)) / len(crises)
    wrong = sum(1 for p, c in near if flagged(p, c)) / len(near)
    return found, wrong


if __name__ == "__main__":
    main()
