"""Text analysis for knowledge search: normalization, tokens, stop words, and the healthcare-HR
vocabulary that links the way staff type ("pto", "diff", "403 b", "burnt out") to the
words articles use ("paid time off", "shift differential", "403(b)", "counseling").

The vocabulary itself (stop words, chat shorthand, equivalent names, topic hints, off-topic and
clinical cues) is data, not code: `vocabulary.yaml` beside this module, documented at its top, so
HR can read and extend it. It is read once, when this module is first imported.

Documents and questions go through the same `analyze`, so a synonym adds the same concept term
on both sides and BM25 weighs it with its own document frequency. The stemmer and the spelling
help are not about this vocabulary: they are in `skills.textkit`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

import yaml

from skills.textkit.stemming import stem
from skills.textkit.words import strip_accents, words

# libyaml's parser when PyYAML was built with it (the wheels are): the vocabulary is read at
# every start, and the pure-Python parser takes ten times as long. Articles keep the pure-Python
# parser, whose error marks point authors at the line that is wrong.
_FAST_SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

VOCABULARY_FILE = "vocabulary.yaml"


@dataclass(frozen=True)
class Vocabulary:
    """The contents of `vocabulary.yaml` (see the comments at the top of that file)."""

    stop_words: frozenset[str]
    determiners: frozenset[str]
    shorthand: Mapping[str, str]
    equivalents: Mapping[str, tuple[str, ...]]
    topics: Mapping[str, tuple[str, ...]]
    off_topic: Mapping[str, tuple[str, ...]]
    clinical: Mapping[str, frozenset[str]]


class VocabularyError(ValueError):
    """The vocabulary file is not in the documented shape."""


def parse_vocabulary(text: str) -> Vocabulary:
    """Read and check a vocabulary document; every entry must be text."""
    data = yaml.load(text, Loader=_FAST_SAFE_LOADER)
    if not isinstance(data, dict):
        raise VocabularyError("the vocabulary must be a mapping of sections")

    def word_list(value: Any, where: str) -> frozenset[str]:
        if not isinstance(value, str):
            raise VocabularyError(f"{where} must be a block of space-separated words")
        return words(value.lower())

    def groups(name: str) -> dict[str, tuple[str, ...]]:
        section = data.get(name) or {}
        if not isinstance(section, dict):
            raise VocabularyError(f"{name} must map group names to lists of phrases")
        table: dict[str, tuple[str, ...]] = {}
        for group, phrases in section.items():
            if not isinstance(phrases, list) or not all(isinstance(p, str) for p in phrases):
                raise VocabularyError(f"{name}.{group} must be a list of quoted-if-needed phrases")
            table[str(group)] = tuple(p.lower() for p in phrases)
        return table

    shorthand = data.get("shorthand") or {}
    if not isinstance(shorthand, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in shorthand.items()
    ):
        raise VocabularyError("shorthand must map words to their spelled-out text")
    clinical = data.get("clinical") or {}
    if not isinstance(clinical, dict):
        raise VocabularyError("clinical must map cue kinds to word lists")
    return Vocabulary(
        stop_words=word_list(data.get("stop_words", ""), "stop_words"),
        determiners=word_list(data.get("determiners", ""), "determiners"),
        shorthand={k.lower(): v.lower() for k, v in shorthand.items()},
        equivalents=groups("equivalents"),
        topics=groups("topics"),
        off_topic=groups("off_topic"),
        clinical={str(k): word_list(v, f"clinical.{k}") for k, v in clinical.items()},
    )


@cache
def vocabulary() -> Vocabulary:
    """The vocabulary shipped with the package, loaded once."""
    resource = files("skills.knowledge").joinpath(VOCABULARY_FILE)
    return parse_vocabulary(resource.read_text(encoding="utf-8"))


# Spelling and format fixes applied to the whole text before it is split into words, each
# with the characters it needs: a fix is skipped for text with none of them (most questions
# have no digit, "&", "/", "%" or apostrophe): running ~20 patterns over every text was a
# large share of the CPU a question costs.
_DIGITS = "0123456789"
_QUOTES = "\u2018\u2019\u02bc`\u00b4"
_SUBSTITUTIONS: tuple[tuple[frozenset[str], re.Pattern[str], str], ...] = tuple(
    (frozenset(needs), re.compile(pattern), replacement)
    for needs, pattern, replacement in (
        (_QUOTES, f"[{_QUOTES}]", "'"),  # typographic apostrophes
        (_DIGITS, r"\b(\d{3})\s?\(\s?([a-z])\s?\)", r"\1\2"),  # 403(b), 457 (b) -> 403b, 457b
        (_DIGITS, r"\b(401|403|457)\s?-?\s?([abk])\b", r"\1\2"),  # 403 b, 401-k -> 403b, 401k
        (_DIGITS, r"\b(403|457)\b(?!\.\d)", r"\1b"),  # "my 403" is the 403(b)
        (_DIGITS, r"\b401\b(?!\.\d)", "401k"),
        (_DIGITS, r"\b([a-z])\s?-\s?(\d{1,2})\b", r"\1\2"),  # w-4, i-9 -> w4, i9
        (_DIGITS, r"\bw\s(2|4)\b", r"w\1"),  # w 4 -> w4
        ("&", r"\b([a-z]{1,2})\s?&\s?([a-z]{1,2})\b", r"\1and\2"),  # ad&d -> adandd, q&a -> qanda
        ("&", r"&", " and "),
        ("/", r"\bw/(?=\s|$)", "with"),
        ("/", r"\bw/o\b", "without"),
        (_DIGITS, r"(\d)\s?(?:hrs?|hours?)\b", r"\1 hours"),  # 12hr, 12 hrs (but "hr" alone is HR)
        (_DIGITS, r"(\d)\s?(?:wks?)\b", r"\1 weeks"),
        (_DIGITS, r"(\d)\s?(?:mos?|mths?)\b", r"\1 months"),
        (_DIGITS, r"(\d)\s?(?:yrs?)\b", r"\1 years"),
        (_DIGITS, r"(\d),(\d{3})\b", r"\1\2"),  # 5,250 -> 5250
        ("%", r"(\d)\s?%", r"\1 percent"),
        ("'", r"'s\b", ""),  # possessive: manager's -> manager
        ("'", r"s'(?=\s|$)", "s"),  # plural possessive: nurses' -> nurses
        ("'", r"'", ""),  # contractions: don't -> dont, i'm -> im
    )
)

_VOCABULARY = vocabulary()
STOP_WORDS = _VOCABULARY.stop_words
SHORTHAND = _VOCABULARY.shorthand
"""Chat shorthand, rewritten word for word before analysis."""
EQUIVALENTS = _VOCABULARY.equivalents
"""Equivalent names: each group adds the concept term "=<name>" wherever one of its phrases
appears."""
TOPICS = _VOCABULARY.topics
"""Looser topic links: they add "~<name>" and count for less than an equivalent name does."""
OFF_TOPIC = _VOCABULARY.off_topic
"""IT, building and small-talk cues: they add "!<name>", which is never indexed."""
_DETERMINERS = _VOCABULARY.determiners

EQUIVALENT_PREFIX = "="
OFF_TOPIC_PREFIX = "!"
"""Off-topic cues become concept terms with this prefix; they are never indexed."""


_WORD = re.compile(r"[a-z0-9]+(?:\.\d+)?(?:-[a-z0-9]+)*")


def normalize(text: str) -> str:
    """Lowercase, fold accents and typographic marks, and unify how codes are written."""
    text = strip_accents(text).lower()
    for needs, pattern, replacement in _SUBSTITUTIONS:
        if not needs.isdisjoint(text):
            text = pattern.sub(replacement, text)
    return text


def tokenize(text: str) -> list[str]:
    """Words of the normalized text. A hyphenated word gives its parts and, after them, the
    joined form, so "on-call", "on call" and "oncall" all meet."""
    tokens: list[str] = []
    for match in _WORD.finditer(normalize(text)):
        word = match.group()
        if word in SHORTHAND:
            tokens.extend(SHORTHAND[word].split())
            continue
        if "-" in word:
            parts = word.split("-")
            tokens.extend(p for p in parts if p)
            tokens.append("".join(parts))
        else:
            tokens.append(word)
    return tokens


@dataclass(frozen=True)
class _Phrase:
    stems: tuple[str, ...]
    concept: str
    weight: float


EQUIVALENT_WEIGHT = 1.0
"""An equivalent name counts like the word the article uses: it means the same thing."""
TOPIC_WEIGHT = 0.4
"""A topic link is a hint, not a match: it must not outweigh a word the question really shares."""


def _phrase_table() -> dict[str, list[_Phrase]]:
    table: dict[str, list[_Phrase]] = {}
    for prefix, groups, weight in (
        (EQUIVALENT_PREFIX, EQUIVALENTS, EQUIVALENT_WEIGHT),
        ("~", TOPICS, TOPIC_WEIGHT),
        (OFF_TOPIC_PREFIX, OFF_TOPIC, 0.0),
    ):
        for name, phrases in groups.items():
            for phrase in phrases:
                stems = tuple(stem(t) for t in tokenize(phrase) if t not in _DETERMINERS)
                if stems:
                    entry = _Phrase(stems, prefix + name, weight)
                    table.setdefault(stems[0], []).append(entry)
    for entries in table.values():
        entries.sort(key=lambda p: -len(p.stems))
    return table


_PHRASES = _phrase_table()


def table_words() -> frozenset[str]:
    """Every word the synonym tables know, so typo correction can reach them too."""
    words: set[str] = set()
    for groups in (EQUIVALENTS, TOPICS, OFF_TOPIC):
        for phrases in groups.values():
            for phrase in phrases:
                words.update(tokenize(phrase))
    return frozenset(words)


@dataclass(frozen=True)
class Unit:
    """One content word of a text: its surface form, its stem, and the concepts it is part of."""

    word: str
    stem: str
    concepts: tuple[tuple[str, float], ...]
    bound: tuple[str, ...] = ()
    """Concepts of phrases of two or more content words that this word is part of: the word
    means that thing, not itself ("care" in "long term care")."""
    position: int = -1
    """Index of the word in the token sequence."""


@dataclass(frozen=True)
class Analysis:
    units: tuple[Unit, ...]
    concepts: tuple[tuple[str, float], ...]
    """One (concept, weight) per phrase occurrence, in text order."""


def analyze(tokens: Sequence[str]) -> Analysis:
    """Stems and concepts of a token sequence. Phrases are matched on stems before stop words
    are dropped ("time off", "on call"), longest phrase first, skipping determiners ("pick my
    benefits" is "pick benefits"); each concept found is attached to the words of its phrase."""
    stems = [stem(t) for t in tokens]
    attached: list[dict[str, float]] = [{} for _ in tokens]
    bound: list[list[str]] = [[] for _ in tokens]
    covered_until: dict[str, int] = {}
    found: list[tuple[str, float]] = []
    kept = [i for i, t in enumerate(tokens) if t not in _DETERMINERS]
    sequence = [stems[i] for i in kept]
    for i, first in enumerate(sequence):
        for phrase in _PHRASES.get(first, ()):
            end = i + len(phrase.stems)
            if tuple(sequence[i:end]) != phrase.stems or covered_until.get(phrase.concept, -1) > i:
                continue
            covered_until[phrase.concept] = end
            found.append((phrase.concept, phrase.weight))
            span = range(kept[i], kept[end - 1] + 1)
            content = [j for j in span if tokens[j] not in STOP_WORDS]
            for j in span:
                attached[j].setdefault(phrase.concept, phrase.weight)
                if len(content) > 1:
                    bound[j].append(phrase.concept)
    units = tuple(
        Unit(token, stems[i], tuple(attached[i].items()), tuple(bound[i]), i)
        for i, token in enumerate(tokens)
        if token not in STOP_WORDS
    )
    return Analysis(units, tuple(found))


def index_terms(text: str) -> list[str]:
    """Index terms of a document field: content stems plus one concept term per phrase."""
    return token_terms(tokenize(text))


def token_terms(tokens: Sequence[str]) -> list[str]:
    """Index terms of a text already split into tokens (see `index_terms`)."""
    analysis = analyze(tokens)
    concepts = [c for c, _ in analysis.concepts if not c.startswith(OFF_TOPIC_PREFIX)]
    return [u.stem for u in analysis.units if not is_noise(u.word)] + concepts


def is_noise(token: str) -> bool:
    """Short numbers ("3 days", "$5", "102") say nothing about the topic; years and codes
    such as "2027", "403b" and "w4" do."""
    return token.replace(".", "").isdigit() and len(token) < 4


def content_terms(text: str) -> set[str]:
    """Stems of the content words of a text and the things it names, for grouping questions by
    likeness: "relocation bonus" and "pay relocation for new hires" share more than a word.
    Loose topic hints are left out: they would join questions that merely sound alike."""
    analysis = analyze(tokenize(text))
    stems = {u.stem for u in analysis.units if not is_noise(u.word)}
    return stems | {c for c, _ in analysis.concepts if c.startswith(EQUIVALENT_PREFIX)}
