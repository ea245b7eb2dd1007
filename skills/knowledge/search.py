"""Rank knowledge-base articles for a question, and say how sure we are.

Ranking is BM25F over four fields (title, example questions, tags, body) with the healthcare-HR
vocabulary of `text` added as concept terms on both sides, and misspelled words mapped to the
nearest word the knowledge base (or the vocabulary) knows. With a few hundred articles, plain
Python over precomputed postings answers in well under a millisecond.

Nothing here knows a particular knowledge base. Words found in most of the loaded articles (the
employer's name, "contact") are stop words for that index, and the confidence is made of signals
measured against the question and the index (what share of the best possible score the best
article reaches, how far it leads, how much of the question its title, example questions and
tags cover), so it means the same on another knowledge base.

An article with `##` sections (see `sections`) is ranked as a whole, and the section that answers
is then picked by its heading and text. Ranking by the best section alone, or by the better of the
whole and the best section, was measured and ranked no better on either evaluation knowledge base
(a short section gains from length normalization what a whole article loses).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import astuple, dataclass
from typing import Any

from skills.knowledge.articles import Article
from skills.knowledge.clinical import looks_clinical
from skills.knowledge.confidence import Signals, confidence
from skills.knowledge.markdown import MD_LINK, leaves_kb, without_links
from skills.knowledge.sections import Section, sections
from skills.knowledge.spanish import (
    Language,
    english_reading,
    language_of,
    spanish_index_terms,
    spanish_tokens,
)
from skills.knowledge.text import (
    EQUIVALENT_PREFIX,
    OFF_TOPIC_PREFIX,
    STOP_WORDS,
    analyze,
    index_terms,
    is_noise,
    table_words,
    tokenize,
)
from skills.knowledge.typed import Typing
from skills.textkit.spelling import (
    Speller,
    load_english,
)
from skills.textkit.stemming import stem

FIELD_WEIGHTS = {"title": 3.0, "questions": 2.0, "tags": 2.0, "heading": 2.0, "body": 0.6}
"""Title, example questions, tags and a section's heading are written to be matched and say what
the article (or the section) is about; the body also mentions other things in passing ("use PTO
for the rest", "for conferences see ..."), so a body word counts for much less."""
SPANISH = "es:"
"""The fields of an article's Spanish version are the English field's name with this prefix:
weighed like it, normalized against the Spanish versions' own average length."""
SECTION_FIELDS = frozenset({"heading", "body"})
"""What tells one section of an article from another (see `Retriever._best_section`)."""
FIELD_B = {"title": 0.3, "questions": 0.5, "tags": 0.3, "heading": 0.3, "body": 0.75}
"""Length normalization: short fields barely vary in length, long bodies do."""
MIN_LENGTH_NORM = 0.5
"""A field much shorter than average (the two-line answer of a spreadsheet FAQ row beside long
articles) counts a word at most twice as strongly as an average one: a passing mention of
"paycheck" in a short answer about badges is still a passing mention."""
K1 = 2.0
"""BM25 saturation of the weighted term frequency: a word repeated in a long body soon stops
adding, while a word in the title, the example questions and the tags keeps its lead."""
TYPO_WEIGHT = 0.8
"""A corrected word is a guess: it counts a little less than a word typed right."""
JOINED_WEIGHT = 0.5
"""A pair the knowledge base writes as one word ("life-insurance" in a tag) is extra evidence
on top of its two words, not a third full match."""
GENERIC_SHARE = 0.75
GENERIC_MIN_ARTICLES = 12
"""A word in at least this share of the articles of a knowledge base this big (the employer's
name, "contact") tells nothing about the topic: it is a stop word for that index."""

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
_BOLD = re.compile(r"\*\*([^*]+)\*\*")


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


def _fields(article: Article, section: Section, titles: frozenset[str]) -> dict[str, str]:
    """The text of each field of one section: the article's title, example questions and tags
    speak for every section of it, the heading and text for that section alone (the whole
    article is a section with no heading). A cross-reference in the body, as a link to another
    file of the knowledge base ("see [Sick leave](sick-leave.md)") or as a bold mention of
    another article's title ("for conferences see **CEU and conference allowance**"), points
    away from this article, so it is left out of this article's terms."""

    def keep(match: re.Match[str]) -> str:
        inner = match.group(1)
        return " " if inner.lower() in titles and inner.lower() != article.title.lower() else inner

    def cross_reference(match: re.Match[str]) -> str:
        return match.group(0) if leaves_kb(match.group(2)) else " "

    body = MD_LINK.sub(cross_reference, section.text)
    return {
        "title": article.title,
        "questions": "\n".join(article.questions),
        "tags": " ".join(article.tags),
        "heading": section.heading or "",
        "body": _BOLD.sub(keep, without_links(body)),
    }


def _version_fields(version: Article) -> dict[str, str]:
    """The fields of an article's Spanish version, which count for the article."""
    return {
        SPANISH + "title": version.title,
        SPANISH + "questions": "\n".join(version.questions),
        SPANISH + "tags": " ".join(version.tags),
        SPANISH + "body": without_links(version.body),
    }


def _terms(fields: Mapping[str, str]) -> dict[str, list[str]]:
    """Index terms of each field, each read in its own language."""
    return {
        name: spanish_index_terms(text) if name.startswith(SPANISH) else index_terms(text)
        for name, text in fields.items()
    }


def _whole(article: Article) -> Section:
    """An article as one section: what a question is first matched against."""
    return Section(None, article.body, None)


def _postings(field_terms: Sequence[Mapping[str, list[str]]]) -> dict[str, dict[int, float]]:
    """BM25F postings of documents given as the terms of their fields: term -> document ->
    saturated weighted frequency (0..1)."""
    average = {
        name: sum(len(f.get(name, ())) for f in field_terms) / len(field_terms)
        if field_terms
        else 1.0
        for name in FIELD_WEIGHTS
    }
    for name in FIELD_WEIGHTS:
        spanish = [len(f[SPANISH + name]) for f in field_terms if SPANISH + name in f]
        average[SPANISH + name] = sum(spanish) / len(spanish) if spanish else 1.0
    postings: dict[str, dict[int, float]] = {}
    for doc, doc_fields in enumerate(field_terms):
        pseudo: dict[str, float] = {}
        for name, terms in doc_fields.items():
            if not terms:
                continue
            field = name.removeprefix(SPANISH)
            norm = 1 - FIELD_B[field] + FIELD_B[field] * len(terms) / (average[name] or 1.0)
            norm = max(norm, MIN_LENGTH_NORM)
            for term, count in Counter(terms).items():
                pseudo[term] = pseudo.get(term, 0.0) + FIELD_WEIGHTS[field] * count / norm
        for term, tf in pseudo.items():
            postings.setdefault(term, {})[doc] = tf / (K1 + tf)
    return postings


def _idf(postings: Mapping[str, Mapping[int, float]], n: int) -> dict[str, float]:
    """Lucene's IDF of every term over n documents."""
    return {
        term: math.log(1 + (n - len(docs) + 0.5) / (len(docs) + 0.5))
        for term, docs in postings.items()
    }


def _sections_of(units: Sequence[tuple[int, Section]]) -> dict[int, tuple[int, ...]]:
    """Article -> the indexes of its sections among `units`."""
    grouped: dict[int, list[int]] = {}
    for unit, (doc, _) in enumerate(units):
        grouped.setdefault(doc, []).append(unit)
    return {doc: tuple(found) for doc, found in grouped.items()}


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
    """Which index it is ranked on (see `Retriever._index`)."""
    absent: bool
    """The question names something the vocabulary knows (an equivalent-name group) that no
    article of this knowledge base mentions: "severance", "union", a student loan in a knowledge
    base without a student-loan article."""


def _scores(
    query: _Query,
    idf: Mapping[str, float],
    postings: Mapping[str, Mapping[int, float]],
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
        self.articles = tuple(articles)
        self.versions = tuple(versions)
        """Spanish versions of some of the articles (`Article.translation_of`)."""
        self.cutoff = cutoff
        n = len(self.articles)
        titles = frozenset(a.title.lower() for a in self.articles)
        texts = [_fields(a, _whole(a), titles) for a in self.articles]
        english_terms = [_terms(fields) for fields in texts]
        self._postings = _postings(english_terms)
        """Term -> article -> saturated weighted frequency, 0..1."""
        self._spanish_postings = self._postings
        """The same with the words of the Spanish versions added to their articles', for
        Spanish questions; English questions rank on the English articles alone."""
        if self.versions:
            spanish = {v.translation_of: v for v in self.versions}
            self._spanish_postings = _postings(
                [
                    terms | _terms(_version_fields(spanish[a.id])) if a.id in spanish else terms
                    for a, terms in zip(self.articles, english_terms, strict=True)
                ]
            )
        self._sections = tuple(
            (doc, section)
            for doc, article in enumerate(self.articles)
            if len(parts := sections(article)) > 1
            for section in parts
        )
        """The sections of every article that has more than one, with the article's index."""
        self._section_postings = _postings(
            [
                _terms({name: text for name, text in fields.items() if name in SECTION_FIELDS})
                for fields in (
                    _fields(self.articles[doc], section, titles) for doc, section in self._sections
                )
            ]
        )
        """Term -> section -> saturated weighted frequency, 0..1, of the section's heading and
        text: the article's title, example questions and tags speak for all its sections alike,
        through the article's score, and so cannot tell one section from another."""
        self._sections_of = _sections_of(self._sections)
        self._idf = _idf(self._postings, n)
        self._spanish_idf = (
            self._idf
            if self._spanish_postings is self._postings
            else _idf(self._spanish_postings, n)
        )
        self._unseen_idf = math.log(1 + (n + 0.5) / 0.5)
        self._generic = frozenset(
            term
            for term, docs in self._postings.items()
            if n >= GENERIC_MIN_ARTICLES and len(docs) >= GENERIC_SHARE * n and term[:1].isalnum()
        )
        """Words in most articles: stop words for this index (concept terms never are)."""
        surface: set[str] = set()
        for doc_texts in texts:
            for text in doc_texts.values():
                surface.update(tokenize(text))
        speller = Speller((surface | table_words()) - STOP_WORDS)
        self._typing = Typing(
            speller,
            frozenset(stem(w) for w in speller.vocabulary | STOP_WORDS),
            frozenset(surface),
            self._idf,
            self._postings,
        )
        load_english()

    def state(self) -> dict[str, Any]:
        """The built index as plain data (text, numbers, tuples, lists, sets and dicts), which
        `from_state` turns back into a retriever without redoing the work of building it."""
        return {
            "articles": [astuple(article) for article in self.articles],
            "versions": [astuple(version) for version in self.versions],
            "sections": [(doc, astuple(section)) for doc, section in self._sections],
            "section_postings": self._section_postings,
            "cutoff": self.cutoff,
            "postings": self._postings,
            "idf": self._idf,
            # None when there are no Spanish versions: the same as the English index.
            "spanish_postings": (
                None if self._spanish_postings is self._postings else self._spanish_postings
            ),
            "spanish_idf": None if self._spanish_idf is self._idf else self._spanish_idf,
            "unseen_idf": self._unseen_idf,
            "generic": self._generic,
            "surface": self._typing.surface,
            "vocabulary": self._typing.speller.vocabulary,
            "by_deletion": self._typing.speller.by_deletion,
            "known_stems": self._typing.known_stems,
        }

    @classmethod
    def from_state(cls, state: Mapping[str, Any]) -> Retriever:
        """The retriever whose `state()` this is."""
        retriever = cls.__new__(cls)
        retriever.articles = tuple(Article(*fields) for fields in state["articles"])
        retriever.versions = tuple(Article(*fields) for fields in state["versions"])
        retriever._sections = tuple((doc, Section(*section)) for doc, section in state["sections"])
        retriever._section_postings = state["section_postings"]
        retriever._sections_of = _sections_of(retriever._sections)
        retriever.cutoff = state["cutoff"]
        retriever._postings = state["postings"]
        retriever._idf = state["idf"]
        retriever._spanish_postings = state["spanish_postings"] or retriever._postings
        retriever._spanish_idf = state["spanish_idf"] or retriever._idf
        retriever._unseen_idf = state["unseen_idf"]
        retriever._generic = state["generic"]
        retriever._typing = Typing(
            Speller.restore(state["vocabulary"], state["by_deletion"]),
            state["known_stems"],
            state["surface"],
            retriever._idf,
            retriever._postings,
        )
        load_english()
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
        _, idf = self._index(language)
        corrected: set[int]
        joined: list[tuple[int, str]]
        if language == "es":
            tokens, corrected, joined = spanish_tokens(question, mend=True), set(), []
        else:
            tokens, corrected, joined = self._typing.prepare(question)
        analysis = analyze(tokens)
        groups: list[tuple[set[int], dict[str, float], set[str]]] = []
        """Per unit: token positions, terms with weights, and the phrases it is part of."""
        attached: set[str] = set()
        for unit in analysis.units:
            if is_noise(unit.word) or (unit.stem in self._generic and not unit.concepts):
                continue
            factor = TYPO_WEIGHT if unit.position in corrected else 1.0
            terms: dict[str, float] = {}
            if unit.stem not in self._generic:
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

    def _index(
        self, language: Language
    ) -> tuple[Mapping[str, Mapping[int, float]], Mapping[str, float]]:
        """The postings and IDF a question in this language is ranked on."""
        if language == "es":
            return self._spanish_postings, self._spanish_idf
        return self._postings, self._idf

    def _unit(self, terms: dict[str, float], idf: Mapping[str, float]) -> _Unit:
        known = tuple((t, w) for t, w in terms.items() if t in idf)
        return _Unit(known, sum(idf[t] * w for t, w in known))

    # -- ranking and confidence ----------------------------------------------------------------

    def _rank(self, query: _Query) -> list[tuple[int, float]]:
        postings, idf = self._index(query.language)
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
            return _whole(article)
        return self._best_section(doc, self._query(question, language_of(question)))

    def _best_section(self, doc: int, query: _Query) -> Section:
        """The section of an article that best answers the question; the first (its lead) when
        none is better, and the whole article when it has no sections."""
        candidates = self._sections_of.get(doc)
        if candidates is None:
            return _whole(self.articles[doc])
        scores = _scores(query, self._rarity(candidates, query), self._section_postings, candidates)
        best = min(candidates, key=lambda unit: (-scores.get(unit, 0.0), unit))
        return self._sections[best][1]

    def _rarity(self, sections: Sequence[int], query: _Query) -> dict[str, float]:
        """How rare each term of the question is among these sections of one article (Robertson
        and Sparck Jones' IDF over them, never below zero): a word in half of them or more
        ("FMLA" in the FMLA article) says nothing about which one answers, so a question made of
        such words gets the lead."""
        n = len(sections)
        rarity = {}
        for unit in query.units:
            for term, _ in unit.terms:
                found = self._section_postings.get(term, {})
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
        ceiling = max(sum(u.worth for u in read), MIN_CEILING * self._unseen_idf)
        named = sum(
            1
            for u in query.units
            if any(best_doc in self._index(query.language)[0][t] for t, _ in u.terms)
        )
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
