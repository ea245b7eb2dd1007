"""Spanish questions, and Spanish versions of articles, read into the terms the index uses.

Knowledge search is built on English: its vocabulary, its concepts ("=pto") and most articles.
A Spanish text is read in three steps (see `spanish.yaml`, beside this module, for HR): the
phrases of the Spanish vocabulary become the English words they stand for ("días libres" ->
"days off"), which then bring the same concepts an English question would; Spanish stop words are
dropped; the other Spanish words are kept as Snowball stems, which match a Spanish version of an
article and often an English word of the same root. A Spanish question therefore finds an
article whether or not it has a Spanish version, and its words are never "corrected" into
English ones: a Spanish typo is only mended towards a word of the Spanish vocabulary.

Whether a question is Spanish is told cheaply, from its words: Spanish stop words and
vocabulary against English stop words, and the marks only Spanish writes (ñ, ¿, ¡, accents).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any, Literal

import yaml

from skills.knowledge.text import (
    STOP_WORDS,
    VocabularyError,
    normalize,
    table_words,
    token_terms,
)
from skills.textkit.spelling import Speller, english_count, is_english
from skills.textkit.stemming import stem_spanish

SPANISH_FILE = "spanish.yaml"
Language = Literal["en", "es"]

_WORD = re.compile(r"[a-z0-9]+")
_SPANISH_MARKS = frozenset("ñ¿¡áéíóúü")
"""Letters and signs English does not write: one of them is a Spanish cue."""
ENGLISH_WORD_MIN_COUNT = 2000
"""An English word this common ("shuttle", "scrubs") typed in a Spanish question is kept as it
is, not stemmed as Spanish: staff say many benefits words in English. Below it, a word of the
Spanish vocabulary is a Spanish cue."""
SHARED_STOP_WORD_COUNT = 60000
"""Spanish stop words at least this common in English text ("me", "no", "a", "son") are words
of both languages, and no cue; "que", "el", "la" are far rarer there (names, borrowings)."""
MEND_MIN_LENGTH = 7
"""Only a long word is mended: a short one is as likely a Spanish word the vocabulary lacks
("pinche", one letter from "ponche") as a typo."""


@dataclass(frozen=True)
class SpanishVocabulary:
    """The contents of `spanish.yaml` (see the comments at its top)."""

    stop_words: frozenset[str]
    determiners: frozenset[str]
    terms: Mapping[str, tuple[str, ...]]
    """English words -> the Spanish phrases that mean them."""


def parse_spanish(text: str) -> SpanishVocabulary:
    """Read and check a Spanish vocabulary document."""
    data: Any = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise VocabularyError("the Spanish vocabulary must be a mapping of sections")

    def word_list(name: str) -> frozenset[str]:
        value = data.get(name, "")
        if not isinstance(value, str):
            raise VocabularyError(f"{name} must be a block of space-separated words")
        return frozenset(normalize(value).split())

    terms = data.get("terms") or {}
    if not isinstance(terms, dict):
        raise VocabularyError("terms must map English words to lists of Spanish phrases")
    table: dict[str, tuple[str, ...]] = {}
    for english, phrases in terms.items():
        if not isinstance(phrases, list) or not all(isinstance(p, str) for p in phrases):
            raise VocabularyError(f"terms.{english} must be a list of quoted-if-needed phrases")
        table[str(english).lower()] = tuple(normalize(p) for p in phrases)
    return SpanishVocabulary(word_list("stop_words"), word_list("determiners"), table)


@cache
def spanish_vocabulary() -> SpanishVocabulary:
    """The Spanish vocabulary shipped with the package, loaded once."""
    resource = files("skills.knowledge").joinpath(SPANISH_FILE)
    return parse_spanish(resource.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class _Phrase:
    words: tuple[str, ...]
    stems: tuple[str, ...]
    english: tuple[str, ...]


def words_of(text: str) -> list[str]:
    """The words of a text, lowercase with accents folded ("Días" -> "dias")."""
    return _WORD.findall(normalize(text))


class _Reader:
    """The Spanish vocabulary made ready to read texts with."""

    def __init__(self, vocabulary: SpanishVocabulary) -> None:
        self.vocabulary = vocabulary
        phrases: dict[str, list[_Phrase]] = {}
        known: set[str] = set()
        for english, spanish in vocabulary.terms.items():
            for phrase in spanish:
                words = [w for w in words_of(phrase) if w not in vocabulary.determiners]
                known.update(words)
                if words:
                    stems = tuple(self._key(w) for w in words)
                    entry = _Phrase(tuple(words), stems, tuple(english.split()))
                    phrases.setdefault(stems[0], []).append(entry)
        self.phrases = phrases
        """First word's key -> the phrases that start with it."""
        self.known = frozenset(known | vocabulary.stop_words)
        """Every word of the Spanish vocabulary: what a Spanish typo may be mended to."""
        self.known_stems = frozenset(
            stem for entries in phrases.values() for p in entries for stem in p.stems
        )
        self.speller = Speller(w for w in known if len(w) >= 4)
        self.english_terms = table_words()
        self.cues = frozenset(
            w
            for w in self.known
            if w not in STOP_WORDS
            and w not in self.english_terms
            and english_count(w)
            < (SHARED_STOP_WORD_COUNT if w in vocabulary.stop_words else ENGLISH_WORD_MIN_COUNT)
        )
        """Words that make a text Spanish: the vocabulary's, less those English uses too."""
        self.english_cues = STOP_WORDS - vocabulary.stop_words

    def _key(self, word: str) -> str:
        """What a word is matched on inside phrases: its stem, but a stop word as it is
        ("como" is not "comida", though both stem to "com")."""
        return word if word in self.vocabulary.stop_words else stem_spanish(word)

    def language_of(self, text: str) -> Language:
        """See the module-level `language_of`."""
        marks = sum(1 for c in _SPANISH_MARKS if c in text.lower())
        words = words_of(text)
        spanish = marks + sum(1 for w in words if w in self.cues)
        english = sum(1 for w in words if w in self.english_cues)
        return "es" if spanish > english else "en"

    def _mend(self, word: str) -> str:
        """A word neither language knows, one or two typos from a word of the Spanish
        vocabulary, is read as that word ("vacasiones" -> "vacaciones")."""
        if (
            word in self.known
            or len(word) < MEND_MIN_LENGTH
            or not word.isalpha()
            or stem_spanish(word) in self.known_stems
            or is_english(word)
        ):
            return word
        candidates = self.speller.nearest(word)
        if not candidates:
            return word
        return min(candidates, key=lambda w: (w[0] != word[0], w))

    def tokens(self, text: str, *, mend: bool) -> list[str]:
        """The words an English reading of the text would have: the English words of every
        Spanish phrase found, then each remaining content word as a Spanish stem (or as it
        is, for an English word or a term of the English vocabulary)."""
        words = words_of(text)
        if mend:
            words = [self._mend(w) for w in words]
        kept = [w for w in words if w not in self.vocabulary.determiners]
        stems = [self._key(w) for w in kept]
        tokens: list[str] = []
        i = 0
        while i < len(kept):
            # The longest phrase here; of two as long, the one written as typed ("mareada" is
            # dizzy, not "marido", though both stem to "mar").
            match = max(
                (
                    p
                    for p in self.phrases.get(stems[i], ())
                    if tuple(stems[i : i + len(p.stems)]) == p.stems
                ),
                key=lambda p: (len(p.stems), tuple(kept[i : i + len(p.words)]) == p.words),
                default=None,
            )
            if match is not None:
                tokens.extend(match.english)
                i += len(match.stems)
                continue
            word = kept[i]
            i += 1
            if word in self.vocabulary.stop_words:
                continue
            if word in self.english_terms or english_count(word) >= ENGLISH_WORD_MIN_COUNT:
                tokens.append(word)
            else:
                tokens.append(stem_spanish(word))
        return tokens


@cache
def _reader() -> _Reader:
    return _Reader(spanish_vocabulary())


def language_of(text: str) -> Language:
    """ "es" for a text written in Spanish, else "en": more Spanish cues (stop words, words of
    the Spanish vocabulary, ñ ¿ ¡ and accents) than English stop words."""
    return _reader().language_of(text)


def spanish_tokens(text: str, *, mend: bool = False) -> list[str]:
    """A Spanish text as the tokens its English reading would have (see the module's doc);
    `mend` corrects typos towards the Spanish vocabulary, for questions."""
    return _reader().tokens(text, mend=mend)


def english_reading(text: str) -> str:
    """A Spanish text as the English words it is read as, for checks written in English (is
    the question clinical?)."""
    return " ".join(spanish_tokens(text, mend=True))


def spanish_index_terms(text: str) -> list[str]:
    """Index terms of a Spanish text, as `text.index_terms` gives for an English one."""
    return token_terms(spanish_tokens(text))
