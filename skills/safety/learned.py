"""A learned second reader of crisis messages, for the wordings the cues (`detector`) do not
foresee: "i have the pills ready", "mi esposo me dejó moretones".

Hand-written cues are exact but brittle: on messages written after them they found about two
crises in three. This reader is a small logistic model over word stems, word pairs and pieces
of words, trained once per machine (a few seconds) on the labelled examples beside this
module (`examples.tsv`: crises of every kind, and near misses such as hyperbole, work talk
about patients and policy questions) and on the example questions of the bundled knowledge
base and the phrases of the search vocabulary (pay, benefits, IT, the building) as ordinary
messages. It is trusted only when it is clearly sure (`THRESHOLD`), and only where the cues
saw nothing: a cue they negated, guarded or laughed off is not read again.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from itertools import pairwise
from pathlib import Path

import numpy as np

from skills.knowledge.articles import load
from skills.knowledge.library import bundled_kb, default_cache_dir
from skills.knowledge.text import vocabulary
from skills.safety import detector
from skills.safety.detector import Kind, read_as_typed
from skills.textkit import stemming
from skills.textkit.stemming import stem
from skills.textkit.words import words

EXAMPLES_FILE = "examples.tsv"
NONE = "none"
THRESHOLD = 0.75
"""How sure the model must be that a message is a crisis. Chosen by five-fold cross-validation
on the examples (`bench/crisis_reader.py`): the lowest that keeps the near misses flagged, by
the cues and the reader together, under one in twenty."""
LABELS = (NONE, *(kind.value for kind in Kind))
SECOND_KIND = 0.5
"""A second kind is answered too when the model finds it at least half as likely as the first:
told domestic violence from violence at work, or either from an active threat, the reader is
least sure, and a reply with both kinds' resources is right where one alone would miss (about
one reply in eight has two; the right kind's resources are in 93% of them instead of 89%, by
the same cross-validation)."""
L2 = 0.01
STEPS = 200
RATE = 10.0
MOMENTUM = 0.9
"""Gradient descent with momentum: two hundred steps, past which the cross-validated figures no
longer move."""
SPANISH_WORDS = words(
    "de la que el en y los las me mi se por con una un es lo le esta estoy quiero tengo "
    "hay porque pero muy ya su al del nos yo ella tu te"
)
"""Common Spanish words: a message with more of them than of English ones is answered in
Spanish."""
ENGLISH_WORDS = words(
    "the a an and is are to of in my me i it this that with for on at was have im dont "
    "he she they you your not be"
)


@dataclass(frozen=True)
class Example:
    text: str
    label: str  # a `Kind` value, or "none"


def read_examples(lines: Iterable[str]) -> list[Example]:
    """`text<TAB>label` lines; blank lines and `#` comments are skipped."""
    examples = []
    for line in lines:
        if not line.strip() or line.startswith("#"):
            continue
        text, _, label = line.rstrip("\n").rpartition("\t")
        examples.append(Example(text, label.strip()))
    return examples


def features(text: str) -> set[str]:
    """Word stems, pairs of neighbouring stems, and pieces of three to five letters of each
    word: pieces carry a meaning across typos, endings and the two languages ("suicid",
    "golpe", "pills")."""
    typed = [w for w in read_as_typed(text).split() if w.isalnum()]
    stems = [stem(w) for w in typed]
    found = {f"w:{s}" for s in stems}
    found.update(f"p:{a}_{b}" for a, b in pairwise(stems))
    for word in typed:
        marked = f"<{word}>"
        for n in (3, 4, 5):
            found.update(f"c:{marked[i : i + n]}" for i in range(len(marked) - n + 1))
    return found


class Reader:
    """A multinomial logistic model: "none" and every `Kind`."""

    def __init__(self, index: Mapping[str, int], weights: np.ndarray) -> None:
        self.index = index
        self.weights = weights

    @classmethod
    def trained(cls, examples: Sequence[Example]) -> Reader:
        rows = [features(e.text) for e in examples]
        index = {f: i for i, f in enumerate(sorted({f for row in rows for f in row}))}
        target = np.array([LABELS.index(e.label) for e in examples])
        columns = [[index[f] for f in row] for row in rows]
        return cls(index, _fit(columns, target, len(index), len(LABELS)))

    def save(self, path: Path) -> None:
        """Write the model atomically: it appears under its name complete or not at all."""
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            with partial.open("wb") as handle:
                np.savez(handle, features=np.array(list(self.index)), weights=self.weights)
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)

    @classmethod
    def load(cls, path: Path) -> Reader:
        with np.load(path, allow_pickle=False) as saved:
            names = saved["features"].tolist()
            return cls({name: i for i, name in enumerate(names)}, saved["weights"])

    def probabilities(self, text: str) -> dict[str, float]:
        """Scaled as in training, by all the message's features, those never seen included: a
        message mostly of unknown words says little."""
        found = features(text)
        columns = [self.index[f] for f in found if f in self.index]
        scores = self.weights[-1] + (
            self.weights[columns].sum(axis=0) / math.sqrt(len(found)) if columns else 0.0
        )
        exp = np.exp(scores - scores.max())
        return dict(zip(LABELS, (float(p) for p in exp / exp.sum()), strict=True))

    def read(self, text: str) -> tuple[Kind, ...]:
        """The kinds of crisis the model is sure the message is, most likely first: none, one,
        or two when the runner-up is close (`SECOND_KIND`)."""
        probabilities = self.probabilities(text)
        if 1.0 - probabilities[NONE] < THRESHOLD:
            return ()
        (first, best), (second, runner_up) = sorted(
            ((p, label) for label, p in probabilities.items() if label != NONE), reverse=True
        )[:2]
        if second >= SECOND_KIND * first:
            return Kind(best), Kind(runner_up)
        return (Kind(best),)


def _fit(rows: list[list[int]], target: np.ndarray, width: int, classes: int) -> np.ndarray:
    """Full-batch gradient descent on the cross-entropy; the last row of the result is the
    bias. Weighing the rarer crisis examples up was measured and flagged more ordinary
    questions for no more crises found. Sums over the sparse rows are `reduceat` over the
    entries sorted once by row and once by feature: a few seconds for three thousand examples."""
    sizes = np.array([len(r) for r in rows])
    kept = sizes > 0
    flat = np.array([c for r in rows for c in r], dtype=np.int64)
    owner = np.repeat(np.arange(len(rows)), sizes)
    row_starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))[kept]
    by_feature = np.argsort(flat, kind="stable")
    features_seen, feature_starts = np.unique(flat[by_feature], return_index=True)
    scale = 1.0 / np.sqrt(np.maximum(sizes, 1))
    onehot = np.eye(classes)[target]
    weights = np.zeros((width + 1, classes))
    velocity = np.zeros_like(weights)
    for _ in range(STEPS):
        scores = np.zeros((len(rows), classes))
        scores[kept] = np.add.reduceat(weights[flat], row_starts, axis=0)
        scores = scores * scale[:, None] + weights[-1]
        scores -= scores.max(axis=1, keepdims=True)
        predicted = np.exp(scores)
        predicted /= predicted.sum(axis=1, keepdims=True)
        error = (predicted - onehot) / len(rows)
        contributions = (error * scale[:, None])[owner[by_feature]]
        gradient = L2 * weights / len(rows)
        gradient[features_seen] += np.add.reduceat(contributions, feature_starts, axis=0)
        gradient[-1] = error.sum(axis=0)
        velocity = MOMENTUM * velocity - RATE * gradient
        weights += velocity
    return weights


def language_of(text: str) -> str:
    """ "es" when the message has more common Spanish words than English ones, else "en"."""
    typed = read_as_typed(text).split()
    spanish = sum(1 for w in typed if w in SPANISH_WORDS)
    english = sum(1 for w in typed if w in ENGLISH_WORDS)
    return "es" if spanish > english else "en"


def training_examples() -> list[Example]:
    return labelled_examples() + ordinary_examples()


def labelled_examples() -> list[Example]:
    """Crises of every kind and near misses, labelled (`examples.tsv`)."""
    text = files("skills.safety").joinpath(EXAMPLES_FILE).read_text(encoding="utf-8")
    return read_examples(text.splitlines())


def ordinary_examples() -> list[Example]:
    """Ordinary messages: the bundled knowledge base's titles and example questions, and what
    staff type about pay, benefits, IT and the building (the search vocabulary's phrases)."""
    ordinary = [
        Example(line, NONE)
        for article in load(bundled_kb()).articles
        for line in (article.title, *article.questions)
    ]
    terms = vocabulary()
    ordinary += [
        Example(phrase, NONE)
        for groups in (terms.equivalents, terms.topics, terms.off_topic)
        for phrases in groups.values()
        for phrase in phrases
    ]
    return ordinary


@cache
def reader() -> Reader:
    """The model, trained once and saved under a name made of everything it depends on (the
    examples, the vocabulary, this code), so that every later process on the machine (each
    replica, each terminal chat) reads it back in milliseconds. Where the cache cannot be
    written, each process trains its own."""
    examples = training_examples()
    path = _saved_path(examples)
    with contextlib.suppress(OSError, ValueError, KeyError):
        return Reader.load(path)
    built = Reader.trained(examples)
    with contextlib.suppress(OSError):
        built.save(path)
    return built


def _saved_path(examples: Sequence[Example]) -> Path:
    digest = hashlib.sha256()
    for module in (__file__, detector.__file__, stemming.__file__):
        digest.update(Path(str(module)).read_bytes())
    for example in examples:
        digest.update(f"{example.text}\t{example.label}\n".encode())
    return default_cache_dir().parent / "safety" / f"crisis-reader-{digest.hexdigest()[:20]}.npz"
