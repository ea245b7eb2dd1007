"""Rank knowledge-base articles for a question, and say how sure we are.

Ranking is BM25F over what `index` built (four fields per article, with the healthcare-HR
vocabulary of `text` as concept terms): a question is read into the same terms, concepts
included, with misspelled words mapped to the nearest word the knowledge base (or the
vocabulary) knows. With a few hundred articles, plain Python over precomputed postings answers
in well under a millisecond.

Nothing here knows a particular knowledge base: the confidence is made of signals measured
against the question and the index (what share of the best possible score the best article
reaches, how far it leads, how much of the question its title, example questions and tags
cover), so it means the same on another knowledge base.

An article with `##` sections (see `sections`) is ranked as a whole, and the section that answers
is then picked by its heading and text. Ranking by the best section alone, or by the better of the
whole and the best section, was measured and ranked no better on either evaluation knowledge base
(a short section gains from length normalization what a whole article loses).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from skills.knowledge.articles import Article
from skills.knowledge.clinical import looks_clinical
from skills.knowledge.confidence import Signals, confidence
from skills.knowledge.index import Index, Postings, whole
from skills.knowledge.sections import Section
from skills.knowledge.spanish import Language, english_reading, language_of, spanish_tokens
from skills.knowledge.text import EQUIVALENT_PREFIX, OFF_TOPIC_PREFIX, analyze, is_noise
from skills.textkit.stemming import stem

TYPO_WEIGHT = 0.8
"""A corrected word is a guess: it counts a little less than a word typed right."""
JOINED_WEIGHT = 0.5
"""A pair the knowledge base writes as one word ("life-insurance" in a tag) is extra evidence
on top of its two words, not a third full match."""
DEFAULT_CUTOFF = 0.5
"""`answered` is True at or above this confidence; below it the bot hands the question to HR.
The confidence is a logistic score centred so that 0.5 is an even chance of a useful answer."""

BREADTH_UNITS = 3
"""How many of the things a question names the best article must mention to count as fully
broad (all of them, for a shorter question): an article that shares one word with a question
("bring my dog to work" and pet insurance) is about that word, not about the question."""
MIN_CEILING = 0.5
"""The most any question could score is taken to be at least half the worth of the rarest
possible word, so a question made only of words most articles use ("when do we get paid")
cannot look fully matched."""


@dataclass(frozen=True)
class Hit:
    article: Article
    score: float
    section: Section
    """The part of the article that answers best: a `##` section, or the whole article."""


@dataclass(frozen=True)
class Answer:
    question: str
    hits: tuple[Hit, ...]
    """Best first, up to k."""
    confidence: float
    """Calibrated 0..1: about the chance that the best hit answers the question."""
    answered: bool
    """confidence >= the cut-off: below it the bot should hand the question to HR."""
    clinical: bool
    """The question reads as a clinical one (`looks_clinical`), which also lowers confidence."""
    signals: Signals | None
    """What the confidence was made of (None when nothing matched): `bench/fit_confidence.py`
    refits the weights from them."""
    evidence: int
    """How many things the question names (see `confidence`)."""
    language: Language = "en"
    """The language the question is written in, as `spanish.language_of` tells it."""

    @property
    def best(self) -> Hit | None:
        return self.hits[0] if self.hits else None


def _best_first(item: tuple[int, float]) -> tuple[float, int]:
    return -item[1], item[0]


@dataclass(frozen=True)
class _Unit:
    """One thing the question names: a content word with the concepts it is part of, or the
    words of one phrase together ("night shift", "long term care"), so that a phrase counts once
    and not once per word."""

    terms: tuple[tuple[str, float], ...]
    """Index terms that would match it, each with its weight; empty when no article has any."""
    worth: float
    """The most it can add to a score: the sum of its terms' IDF times weight (0 when no
    article has any: the `unread` signal counts those apart)."""


@dataclass(frozen=True)
class _Query:
    units: tuple[_Unit, ...]
    off_topic: bool
    """The question has an IT, building or small-talk cue."""
    language: Language
    """Which index it is ranked on (see `Index.ranked_on`)."""
    absent: bool
    """The question names something the vocabulary knows (an equivalent-name group) that no
    article of this knowledge base mentions: "severance", "union", a student loan in a knowledge
    base without a student-loan article."""


def _scores(
    query: _Query,
    idf: Mapping[str, float],
    postings: Postings,
    among: Sequence[int] | None = None,
) -> dict[int, float]:
    """The BM25F score of every document (or of those `among`) that matches the question."""
    totals: dict[int, float] = {}
    for unit in query.units:
        for term, weight in unit.terms:
            found = postings.get(term, {})
            worth = idf[term] * weight
            for doc in found if among is None else (d for d in among if d in found):
                totals[doc] = totals.get(doc, 0.0) + worth * found[doc]
    return totals


class Retriever:
    """BM25F ranking with synonyms and typo tolerance, and a calibrated confidence."""

    def __init__(
        self,
        articles: Sequence[Article],
        cutoff: float = DEFAULT_CUTOFF,
        versions: Sequence[Article] = (),
    ) -> None:
        self.index = Index.build(articles, versions)
        self.cutoff = cutoff

    @property
    def articles(self) -> tuple[Article, ...]:
        return self.index.articles

    @property
    def versions(self) -> tuple[Article, ...]:
        """Spanish versions of some of the articles (`Article.translation_of`)."""
        return self.index.versions

    def state(self) -> dict[str, Any]:
        """The built index and the cut-off as plain data (see `Index.state`), which
        `from_state` turns back into a retriever without redoing the work of building it."""
        return {**self.index.state(), "cutoff": self.cutoff}

    @classmethod
    def from_state(cls, state: Mapping[str, Any]) -> Retriever:
        """The retriever whose `state()` this is."""
        retriever = cls.__new__(cls)
        retriever.index = Index.from_state(state)
        retriever.cutoff = state["cutoff"]
        return retriever

    def version(self, article: Article, language: str) -> Article | None:
        """The article's version in that language, if it has one."""
        return next(
            (v for v in self.versions if v.translation_of == article.id and v.lang == language),
            None,
        )

    def _query(self, question: str, language: Language = "en") -> _Query:
        """The units of a question. The words of one phrase of the vocabulary ("night shift",
        "long term care") and a pair the knowledge base writes as one word make one unit, so a
        phrase is weighed once and not once per word; a word in most articles is left out. A
        Spanish question is read through the Spanish vocabulary (see `spanish`), and English
        typo correction is kept away from it."""
        _, idf = self.index.ranked_on(language)
        corrected: set[int]
        joined: list[tuple[int, str]]
        if language == "es":
            tokens, corrected, joined = spanish_tokens(question, mend=True), set(), []
        else:
            tokens, corrected, joined = self.index.typing.prepare(question)
        analysis = analyze(tokens)
        groups: list[tuple[set[int], dict[str, float], set[str]]] = []
        """Per unit: token positions, terms with weights, and the phrases it is part of."""
        attached: set[str] = set()
        for unit in analysis.units:
            if is_noise(unit.word) or (unit.stem in self.index.generic and not unit.concepts):
                continue
            factor = TYPO_WEIGHT if unit.position in corrected else 1.0
            terms: dict[str, float] = {}
            if unit.stem not in self.index.generic:
                terms[unit.stem] = factor
            for concept, weight in unit.concepts:
                attached.add(concept)
                terms[concept] = max(terms.get(concept, 0.0), weight * factor)
            if unit.bound and not any(c in idf for c in unit.bound):
                terms = {}  # part of a phrase for something no article is about
            phrases = set(unit.bound)
            if groups and phrases & groups[-1][2]:
                positions, previous, previous_phrases = groups[-1]
                positions.add(unit.position)
                for term, weight in terms.items():
                    previous[term] = max(previous.get(term, 0.0), weight)
                previous_phrases.update(phrases)
            else:
                groups.append(({unit.position}, terms, phrases))
        for position, word in joined:
            term = stem(word)
            if term not in idf:
                continue
            home = next((g for g in groups if {position, position + 1} & g[0]), None)
            if home is None:
                groups.append(({position, position + 1}, {term: JOINED_WEIGHT}, set()))
            else:
                home[1][term] = max(home[1].get(term, 0.0), JOINED_WEIGHT)
        units = [self._unit(terms, idf) for _, terms, _ in groups]
        for concept, weight in analysis.concepts:
            if concept not in attached and concept in idf:
                attached.add(concept)  # a phrase made only of stop words ("how are you")
                units.append(self._unit({concept: weight}, idf))
        return _Query(
            tuple(units),
            off_topic=any(c.startswith(OFF_TOPIC_PREFIX) for c, _ in analysis.concepts),
            language=language,
            absent=any(
                c.startswith(EQUIVALENT_PREFIX) and c not in idf for c, _ in analysis.concepts
            ),
        )

    def _unit(self, terms: dict[str, float], idf: Mapping[str, float]) -> _Unit:
        known = tuple((t, w) for t, w in terms.items() if t in idf)
        return _Unit(known, sum(idf[t] * w for t, w in known))

    # -- ranking and confidence ----------------------------------------------------------------

    def _rank(self, query: _Query) -> list[tuple[int, float]]:
        postings, idf = self.index.ranked_on(query.language)
        return sorted(_scores(query, idf, postings).items(), key=_best_first)

    def answer(self, question: str, k: int = 3) -> Answer:
        language = language_of(question)
        query = self._query(question, language)
        ranked = self._rank(query)
        hits = tuple(
            Hit(self.articles[doc], score, self._best_section(doc, query))
            for doc, score in ranked[:k]
        )
        clinical = looks_clinical(question if language == "en" else english_reading(question))
        signals = self._signals(clinical, query, ranked)
        evidence = len(query.units)
        sure = 0.0 if signals is None else confidence(signals, evidence=evidence)
        return Answer(
            question, hits, sure, sure >= self.cutoff, clinical, signals, evidence, language
        )

    def section_for(self, article: Article, question: str) -> Section:
        """The section of one article that best answers a question (see `Hit.section`), for
        an article shown again later or picked by hand rather than ranked."""
        # Compared whole, not by id: an article read before a reload may have been edited since.
        doc = next((i for i, a in enumerate(self.articles) if a == article), None)
        if doc is None:
            return whole(article)
        return self._best_section(doc, self._query(question, language_of(question)))

    def _best_section(self, doc: int, query: _Query) -> Section:
        """The section of an article that best answers the question; the first (its lead) when
        none is better, and the whole article when it has no sections."""
        candidates = self.index.sections_of.get(doc)
        if candidates is None:
            return whole(self.articles[doc])
        scores = _scores(
            query, self._rarity(candidates, query), self.index.section_postings, candidates
        )
        best = min(candidates, key=lambda unit: (-scores.get(unit, 0.0), unit))
        return self.index.sections[best][1]

    def _rarity(self, sections: Sequence[int], query: _Query) -> dict[str, float]:
        """How rare each term of the question is among these sections of one article (Robertson
        and Sparck Jones' IDF over them, never below zero): a word in half of them or more
        ("FMLA" in the FMLA article) says nothing about which one answers, so a question made of
        such words gets the lead."""
        n = len(sections)
        rarity = {}
        for unit in query.units:
            for term, _ in unit.terms:
                found = self.index.section_postings.get(term, {})
                count = sum(1 for section in sections if section in found)
                rarity[term] = max(0.0, math.log((n - count + 0.5) / (count + 0.5)))
        return rarity

    def _signals(
        self, clinical: bool, query: _Query, ranked: list[tuple[int, float]]
    ) -> Signals | None:
        if not ranked or not query.units:
            return None
        best_doc, best_score = ranked[0]
        second = ranked[1][1] if len(ranked) > 1 else 0.0
        # Strength is measured over the units some article has a word for; the units none has
        # are the `unread` signal, weighed apart: for an English question they are mostly
        # something the knowledge base lacks, for a Spanish one as often a word the Spanish
        # vocabulary lacks, and folding them into the ceiling made the two mean different things.
        read = [u for u in query.units if u.terms]
        ceiling = max(sum(u.worth for u in read), MIN_CEILING * self.index.unseen_idf)
        postings, _ = self.index.ranked_on(query.language)
        named = sum(1 for u in query.units if any(best_doc in postings[t] for t, _ in u.terms))
        return Signals(
            strength=best_score / ceiling,
            margin=(best_score - second) / best_score,
            breadth=min(named, BREADTH_UNITS) / min(len(query.units), BREADTH_UNITS),
            length=min(len(query.units), 6) / 6,
            unread=1 - len(read) / len(query.units),
            clinical=1.0 if clinical else 0.0,
            off_topic=1.0 if query.off_topic else 0.0,
            absent=1.0 if query.absent else 0.0,
        )
