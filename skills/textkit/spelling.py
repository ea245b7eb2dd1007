"""Spelling help: which words are real English, how far apart two spellings are, and the nearest
known words for a misspelled one.

Which words are real English comes from pyspellchecker's English frequency list, loaded once on
first use (about 0.15 s).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache, partial

from spellchecker import SpellChecker

ENGLISH_MIN_COUNT = 20
"""A word seen at least this often in pyspellchecker's English frequency list is a real word:
misspellings ("vaction", "reqest") are absent from it, rare words ("coder", "strep") are not."""
RARE_SHARE = 0.02
"""A real English word used less than this share as often as a word one edit away from it is
more often that word mistyped than meant: "cary" beside "carry" (1 to 100)."""


@lru_cache(maxsize=1)
def _english() -> dict[str, int]:
    checker = SpellChecker(language="en", distance=1)
    return dict(checker.word_frequency.dictionary)


def load_english() -> None:
    """Load the English word list now, so the first question does not pay for it."""
    _english()


def english_count(word: str) -> int:
    """How often the word occurs in the English frequency list (loaded once, about 0.15 s)."""
    return _english().get(word, 0)


def is_english(word: str) -> bool:
    """True for a correctly spelled English word."""
    return english_count(word) >= ENGLISH_MIN_COUNT


def likely_meant(word: str, candidates: Iterable[str]) -> tuple[str, ...]:
    """The candidates that a real English word is most likely a typo of: those it is a rare
    neighbour of (`RARE_SHARE`). Empty for a word used in its own right ("severance")."""
    count = english_count(word)
    return tuple(
        c
        for c in candidates
        if count < RARE_SHARE * english_count(c) and edit_distance(word, c, 1) <= 1
    )


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance (a swap of two neighbours costs one), or limit + 1
    as soon as it must exceed `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                value = min(value, previous2[j - 2] + 1)
            current[j] = value
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def allowed_typos(word: str) -> int:
    """How many edits a misspelling of this length may carry: short words have too many
    neighbours to guess safely."""
    if len(word) < 4:
        return 0
    return 1 if len(word) < 8 else 2


def _deletions(word: str, depth: int) -> set[str]:
    found = {word}
    frontier = {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        found |= frontier
    return found


class Speller:
    """Nearest known words for a misspelled one, by symmetric deletion (SymSpell): each known
    word is indexed under its deletions, so a lookup costs a few dictionary probes instead of
    an edit distance against the whole vocabulary."""

    def __init__(self, vocabulary: Iterable[str]) -> None:
        self.vocabulary = frozenset(w for w in vocabulary if w.isalpha())
        by_deletion: dict[str, list[str]] = {}
        for word in self.vocabulary:
            if len(word) >= 3:
                for key in _deletions(word, 2 if len(word) >= 7 else 1):
                    by_deletion.setdefault(key, []).append(word)
        self.by_deletion = {key: tuple(found) for key, found in by_deletion.items()}
        """Deletion -> known words it comes from: the whole index, as plain data so a saved
        index reads back without redoing this. Tuples of text, unlike lists, are soon left out
        of the garbage collector's scans: a large knowledge base has hundreds of thousands."""
        self.nearest = _cached_lookup(self.by_deletion)

    @classmethod
    def restore(
        cls, vocabulary: frozenset[str], by_deletion: dict[str, tuple[str, ...]]
    ) -> Speller:
        """A speller from the `vocabulary` and `by_deletion` of one built earlier."""
        speller = cls.__new__(cls)
        speller.vocabulary = vocabulary
        speller.by_deletion = by_deletion
        speller.nearest = _cached_lookup(by_deletion)
        return speller


def _cached_lookup(
    by_deletion: dict[str, tuple[str, ...]],
) -> Callable[[str], tuple[str, ...]]:
    """`_nearest` over one index, with the answers cached. The cache holds the index, not the
    speller: no reference cycle, so a speller replaced by a newer one is freed at once, even
    when the garbage collector has been told to leave it alone (see `KnowledgeLibrary`)."""
    return lru_cache(maxsize=4096)(partial(_nearest, by_deletion))


def _nearest(by_deletion: dict[str, tuple[str, ...]], word: str) -> tuple[str, ...]:
    """Known words at the smallest distance within `allowed_typos`, or () if none."""
    limit = allowed_typos(word)
    if limit == 0 or not word.isalpha():
        return ()
    best: list[str] = []
    best_distance = limit + 1
    seen: set[str] = set()
    for key in _deletions(word, limit):
        for candidate in by_deletion.get(key, ()):
            if candidate in seen or candidate == word:
                continue
            seen.add(candidate)
            distance = edit_distance(word, candidate, limit)
            if distance < best_distance:
                best, best_distance = [candidate], distance
            elif distance == best_distance:
                best.append(candidate)
    return tuple(sorted(best))
