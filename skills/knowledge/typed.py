"""How staff type, read back against the words of one knowledge base: run-together words split
("paystub"), typos corrected to the word an article uses ("clinical lader" -> "ladder"), and
neighbour pairs the knowledge base writes as one word found ("on call" -> "oncall").

Kept apart from ranking: this decides which words a question says, and `search` how well
each article matches them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import pairwise

from skills.knowledge.text import STOP_WORDS, tokenize
from skills.textkit.spelling import Speller, english_count, is_english, likely_meant
from skills.textkit.stemming import stem


class Typing:
    """The words of one knowledge base, to read a question's words against."""

    def __init__(
        self,
        speller: Speller,
        known_stems: frozenset[str],
        surface: frozenset[str],
        idf: Mapping[str, float],
        postings: Mapping[str, Mapping[int, float]],
    ) -> None:
        self.speller = speller
        self.known_stems = known_stems
        """Stems of every word the speller knows, and of the stop words."""
        self.surface = surface
        """Every word the articles use, as written."""
        self._idf = idf
        self._postings = postings

    def _known(self, token: str) -> bool:
        return token in self.speller.vocabulary or stem(token) in self.known_stems

    def _split(self, token: str) -> list[str] | None:
        """An unknown run-together word made of two known ones: "paystub", "workweek"."""
        for i in range(3, len(token) - 2):
            left, right = token[:i], token[i:]
            if left in self.surface and right in self.surface:
                return [left, right]
        return None

    def _correct(
        self, token: str, context: Sequence[str], neighbours: tuple[str, str]
    ) -> str | None:
        """The nearest known word. Typists rarely miss the first letter, so a candidate that
        keeps it goes first; then one that makes a word the knowledge base writes as one with
        the word before or after it ("cary over" -> "carry over", written "carryover"); then
        the one whose best article shares the most (rarity-weighted) words with the rest of the
        question ("clinical lader" -> "ladder", not "later"); then the more common English
        word."""
        before, after = neighbours

        def joins(word: str) -> bool:
            return before + word in self.surface or word + after in self.surface

        context_stems = {stem(w) for w in context} & self._idf.keys()

        def support(word: str) -> float:
            docs = self._postings.get(stem(word), {})
            return max(
                (sum(self._idf[t] for t in context_stems if d in self._postings[t]) for d in docs),
                default=0.0,
            )

        candidates = self.speller.nearest(token)
        if is_english(token):
            # A real word is read as a typo only for a far more common word that an article
            # uses with the rest of the question: "cary over my pto", not "heparin drip".
            candidates = tuple(w for w in likely_meant(token, candidates) if support(w) > 0)
        if len(candidates) <= 1:
            return candidates[0] if candidates else None

        return min(
            candidates,
            key=lambda w: (w[0] != token[0], not joins(w), -support(w), -english_count(w), w),
        )

    def prepare(self, question: str) -> tuple[list[str], set[int], list[tuple[int, str]]]:
        """Tokens with run-together words split and typos corrected, the positions of the
        corrected ones, and the joined forms of neighbour pairs the knowledge base writes as
        one word ("on call" -> "oncall", "life insurance" -> "lifeinsurance" from a tag).

        A word the knowledge base does not know but English does ("severance", "flight") is
        left alone: it is a real word that no article uses, not a typo; unless it is a rare word
        one typo from a far more common one the knowledge base uses ("cary", "carry")."""
        tokens: list[str] = []
        for token in tokenize(question):
            if self._correctable(token) and not is_english(token):
                tokens.extend(self._split(token) or [token])
            else:
                tokens.append(token)
        known = [t for t in tokens if t not in STOP_WORDS and self._known(t)]
        corrected: set[int] = set()
        for position, token in enumerate(tokens):
            if self._correctable(token):
                neighbours = (
                    tokens[position - 1] if position else "",
                    tokens[position + 1] if position + 1 < len(tokens) else "",
                )
                fix = self._correct(token, known, neighbours)
                if fix is not None:
                    tokens[position] = fix
                    corrected.add(position)
        joined = [
            (i, a + b)
            for i, (a, b) in enumerate(pairwise(tokens))
            if a + b in self.surface and a + b not in STOP_WORDS
        ]
        return tokens, corrected, joined

    def _correctable(self, token: str) -> bool:
        return token.isalpha() and token not in STOP_WORDS and not self._known(token)
