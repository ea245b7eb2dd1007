"""The index of a knowledge base that `search` ranks questions on, built once per edition.

BM25F postings over four fields of each article (title, example questions, tags, body), with
the healthcare-HR vocabulary of `text` added as concept terms, the postings of its articles'
`##` sections apart, the IDF of every term, and the words typo correction reads a question
against (`typed`). Building it is seconds of work on a large knowledge base, done in the
indexer's own process; the result is plain data (`Index.state`) that `shelf` saves and reads
back without building it again.

Nothing here knows a particular knowledge base: words found in most of the loaded articles (the
employer's name, "contact") are stop words for that index.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import astuple, dataclass
from typing import Any

from skills.knowledge.articles import Article
from skills.knowledge.markdown import MD_LINK, leaves_kb, without_links
from skills.knowledge.sections import Section, sections
from skills.knowledge.spanish import Language, spanish_index_terms
from skills.knowledge.text import STOP_WORDS, index_terms, table_words, tokenize
from skills.knowledge.typed import Typing
from skills.textkit.spelling import Speller, load_english
from skills.textkit.stemming import stem

FIELD_WEIGHTS = {"title": 3.0, "questions": 2.0, "tags": 2.0, "heading": 2.0, "body": 0.6}
"""Title, example questions, tags and a section's heading are written to be matched and say what
the article (or the section) is about; the body also mentions other things in passing ("use PTO
for the rest", "for conferences see ..."), so a body word counts for much less."""
SPANISH = "es:"
"""The fields of an article's Spanish version are the English field's name with this prefix:
weighed like it, normalized against the Spanish versions' own average length."""
SECTION_FIELDS = frozenset({"heading", "body"})
"""What tells one section of an article from another (see `search.Retriever._best_section`)."""
FIELD_B = {"title": 0.3, "questions": 0.5, "tags": 0.3, "heading": 0.3, "body": 0.75}
"""Length normalization: short fields barely vary in length, long bodies do."""
MIN_LENGTH_NORM = 0.5
"""A field much shorter than average (the two-line answer of a spreadsheet FAQ row beside long
articles) counts a word at most twice as strongly as an average one: a passing mention of
"paycheck" in a short answer about badges is still a passing mention."""
K1 = 2.0
"""BM25 saturation of the weighted term frequency: a word repeated in a long body soon stops
adding, while a word in the title, the example questions and the tags keeps its lead."""
GENERIC_SHARE = 0.75
GENERIC_MIN_ARTICLES = 12
"""A word in at least this share of the articles of a knowledge base this big (the employer's
name, "contact") tells nothing about the topic: it is a stop word for that index."""
_BOLD = re.compile(r"\*\*([^*]+)\*\*")

Postings = Mapping[str, Mapping[int, float]]
"""Term -> document -> saturated weighted frequency, 0..1."""


@dataclass(frozen=True, eq=False, repr=False)
class Index:
    articles: tuple[Article, ...]
    versions: tuple[Article, ...]
    """Spanish versions of some of the articles (`Article.translation_of`)."""
    postings: Postings
    """Of the articles."""
    idf: Mapping[str, float]
    spanish_postings: Postings
    """The same with the words of the Spanish versions added to their articles', for Spanish
    questions; English questions rank on the English articles alone."""
    spanish_idf: Mapping[str, float]
    sections: tuple[tuple[int, Section], ...]
    """The sections of every article that has more than one, with the article's index."""
    section_postings: Postings
    """Of the sections' heading and text: the article's title, example questions and tags speak
    for all its sections alike, through the article's score, and so cannot tell one section
    from another."""
    sections_of: Mapping[int, tuple[int, ...]]
    """Article -> the indexes of its sections among `sections`."""
    unseen_idf: float
    """The IDF of a word no article has."""
    generic: frozenset[str]
    """Words in most articles: stop words for this index (concept terms never are)."""
    typing: Typing

    @classmethod
    def build(cls, articles: Sequence[Article], versions: Sequence[Article] = ()) -> Index:
        articles, versions = tuple(articles), tuple(versions)
        n = len(articles)
        titles = frozenset(a.title.lower() for a in articles)
        texts = [_fields(a, whole(a), titles) for a in articles]
        english_terms = [_terms(fields) for fields in texts]
        postings = _postings(english_terms)
        idf = _idf(postings, n)
        spanish_postings, spanish_idf = postings, idf
        if versions:
            spanish = {v.translation_of: v for v in versions}
            spanish_postings = _postings(
                [
                    terms | _terms(_version_fields(spanish[a.id])) if a.id in spanish else terms
                    for a, terms in zip(articles, english_terms, strict=True)
                ]
            )
            spanish_idf = _idf(spanish_postings, n)
        parts = tuple(
            (doc, section)
            for doc, article in enumerate(articles)
            if len(found := sections(article)) > 1
            for section in found
        )
        section_postings = _postings(
            [
                _terms({name: text for name, text in fields.items() if name in SECTION_FIELDS})
                for fields in (_fields(articles[doc], section, titles) for doc, section in parts)
            ]
        )
        surface: set[str] = set()
        for doc_texts in texts:
            for text in doc_texts.values():
                surface.update(tokenize(text))
        speller = Speller((surface | table_words()) - STOP_WORDS)
        typing = Typing(
            speller,
            frozenset(stem(w) for w in speller.vocabulary | STOP_WORDS),
            frozenset(surface),
            idf,
            postings,
        )
        index = cls(
            articles,
            versions,
            postings,
            idf,
            spanish_postings,
            spanish_idf,
            parts,
            section_postings,
            _sections_of(parts),
            math.log(1 + (n + 0.5) / 0.5),
            frozenset(
                term
                for term, docs in postings.items()
                if n >= GENERIC_MIN_ARTICLES
                and len(docs) >= GENERIC_SHARE * n
                and term[:1].isalnum()
            ),
            typing,
        )
        load_english()
        return index

    def state(self) -> dict[str, Any]:
        """The index as plain data (text, numbers, tuples, lists, sets and dicts), which
        `from_state` turns back into an index without redoing the work of building it."""
        return {
            "articles": [astuple(article) for article in self.articles],
            "versions": [astuple(version) for version in self.versions],
            "sections": [(doc, astuple(section)) for doc, section in self.sections],
            "section_postings": self.section_postings,
            "postings": self.postings,
            "idf": self.idf,
            # None when there are no Spanish versions: the same as the English index.
            "spanish_postings": (
                None if self.spanish_postings is self.postings else self.spanish_postings
            ),
            "spanish_idf": None if self.spanish_idf is self.idf else self.spanish_idf,
            "unseen_idf": self.unseen_idf,
            "generic": self.generic,
            "surface": self.typing.surface,
            "vocabulary": self.typing.speller.vocabulary,
            "by_deletion": self.typing.speller.by_deletion,
            "known_stems": self.typing.known_stems,
        }

    @classmethod
    def from_state(cls, state: Mapping[str, Any]) -> Index:
        """The index whose `state()` this is."""
        parts = tuple((doc, Section(*section)) for doc, section in state["sections"])
        index = cls(
            tuple(Article(*fields) for fields in state["articles"]),
            tuple(Article(*fields) for fields in state["versions"]),
            state["postings"],
            state["idf"],
            state["spanish_postings"] or state["postings"],
            state["spanish_idf"] or state["idf"],
            parts,
            state["section_postings"],
            _sections_of(parts),
            state["unseen_idf"],
            state["generic"],
            Typing(
                Speller.restore(state["vocabulary"], state["by_deletion"]),
                state["known_stems"],
                state["surface"],
                state["idf"],
                state["postings"],
            ),
        )
        load_english()
        return index

    def ranked_on(self, language: Language) -> tuple[Postings, Mapping[str, float]]:
        """The postings and IDF a question in this language is ranked on."""
        if language == "es":
            return self.spanish_postings, self.spanish_idf
        return self.postings, self.idf


def whole(article: Article) -> Section:
    """An article as one section: what a question is first matched against."""
    return Section(None, article.body, None)


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


def _idf(postings: Postings, n: int) -> dict[str, float]:
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
