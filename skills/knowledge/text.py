"""Text analysis for knowledge search: normalization, tokens, stemming, stop words, and the
healthcare-HR vocabulary that links the way staff type ("pto", "diff", "403 b", "burnt out") to the
words articles use ("paid time off", "shift differential", "403(b)", "counseling").

The vocabulary itself (stop words, chat shorthand, equivalent names, topic hints, off-topic and
clinical cues) is data, not code: `vocabulary.yaml` beside this module, documented at its top, so
HR can read and extend it. It is read once, when this module is first imported.

Documents and questions go through the same `analyze`, so a synonym adds the same concept term
on both sides and BM25 weighs it with its own document frequency. Typo correction needs to know
which words are real English: that comes from pyspellchecker's English frequency list.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib.resources import files
from typing import Any

import yaml
from spellchecker import SpellChecker

VOCABULARY_FILE = "vocabulary.yaml"


def words(text: str) -> frozenset[str]:
    """The whitespace-separated words of a block of text: word lists read better that way."""
    return frozenset(text.split())


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
    data = yaml.safe_load(text)
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


# Spelling and format fixes applied to the whole text before it is split into words.
_SUBSTITUTIONS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"[\u2018\u2019\u02bc`\u00b4]", "'"),  # typographic apostrophes
        (r"\b(\d{3})\s?\(\s?([a-z])\s?\)", r"\1\2"),  # 403(b), 457 (b) -> 403b, 457b
        (r"\b(401|403|457)\s?-?\s?([abk])\b", r"\1\2"),  # 403 b, 401-k -> 403b, 401k
        (r"\b(403|457)\b(?!\.\d)", r"\1b"),  # "my 403" is the 403(b)
        (r"\b401\b(?!\.\d)", "401k"),
        (r"\b([a-z])\s?-\s?(\d{1,2})\b", r"\1\2"),  # w-4, i-9 -> w4, i9
        (r"\bw\s(2|4)\b", r"w\1"),  # w 4 -> w4
        (r"\b([a-z]{1,2})\s?&\s?([a-z]{1,2})\b", r"\1and\2"),  # ad&d -> adandd, q&a -> qanda
        (r"&", " and "),
        (r"\bw/(?=\s|$)", "with"),
        (r"\bw/o\b", "without"),
        (r"(\d)\s?(?:hrs?|hours?)\b", r"\1 hours"),  # 12hr, 12 hrs (but "hr" alone is HR)
        (r"(\d)\s?(?:wks?)\b", r"\1 weeks"),
        (r"(\d)\s?(?:mos?|mths?)\b", r"\1 months"),
        (r"(\d)\s?(?:yrs?)\b", r"\1 years"),
        (r"(\d),(\d{3})\b", r"\1\2"),  # 5,250 -> 5250
        (r"(\d)\s?%", r"\1 percent"),
        (r"'s\b", ""),  # possessive: manager's -> manager
        (r"s'(?=\s|$)", "s"),  # plural possessive: nurses' -> nurses
        (r"'", ""),  # contractions: don't -> dont, i'm -> im
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
    folded = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in folded if not unicodedata.combining(c)).lower()
    for pattern, replacement in _SUBSTITUTIONS:
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


def _porter_cons(word: str, i: int) -> bool:
    char = word[i]
    if char in "aeiou":
        return False
    if char == "y":
        return i == 0 or not _porter_cons(word, i - 1)
    return True


def _measure(stem: str) -> int:
    """Porter's m: the number of vowel-consonant sequences in the stem."""
    m = 0
    previous_vowel = False
    for i in range(len(stem)):
        vowel = not _porter_cons(stem, i)
        if previous_vowel and not vowel:
            m += 1
        previous_vowel = vowel
    return m


def _has_vowel(stem: str) -> bool:
    return any(not _porter_cons(stem, i) for i in range(len(stem)))


def _double_cons(word: str) -> bool:
    return len(word) >= 2 and word[-1] == word[-2] and _porter_cons(word, len(word) - 1)


def _cvc(word: str) -> bool:
    if len(word) < 3:
        return False
    n = len(word)
    return (
        _porter_cons(word, n - 3)
        and not _porter_cons(word, n - 2)
        and _porter_cons(word, n - 1)
        and word[-1] not in "wxy"
    )


_STEP2 = (
    ("ational", "ate"),
    ("tional", "tion"),
    ("enci", "ence"),
    ("anci", "ance"),
    ("izer", "ize"),
    ("bli", "ble"),
    ("alli", "al"),
    ("entli", "ent"),
    ("eli", "e"),
    ("ousli", "ous"),
    ("ization", "ize"),
    ("ation", "ate"),
    ("ator", "ate"),
    ("alism", "al"),
    ("iveness", "ive"),
    ("fulness", "ful"),
    ("ousness", "ous"),
    ("aliti", "al"),
    ("iviti", "ive"),
    ("biliti", "ble"),
    ("logi", "log"),
)
_STEP3 = (
    ("icate", "ic"),
    ("ative", ""),
    ("alize", "al"),
    ("iciti", "ic"),
    ("ical", "ic"),
    ("ful", ""),
    ("ness", ""),
)
_STEP4 = (
    "al",
    "ance",
    "ence",
    "er",
    "ic",
    "able",
    "ible",
    "ant",
    "ement",
    "ment",
    "ent",
    "ion",
    "ou",
    "ism",
    "ate",
    "iti",
    "ous",
    "ive",
    "ize",
)


def _longest(word: str, suffixes: Iterable[str]) -> str | None:
    found = [s for s in suffixes if word.endswith(s)]
    return max(found, key=len) if found else None


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Porter's stemmer, with two changes at the end: a final "i" made of "y" turns back into
    "y", so "deployed", "deployment" and "deploy" (and "policies", "policy") meet; and "-ify"
    loses its "y", so "certify" and "certified" meet "certification"."""
    if len(word) <= 3 or not word.isalpha():
        return word
    w = word
    # Step 1a: plurals.
    if w.endswith(("sses", "ies")):
        w = w[:-2]
    elif w.endswith("s") and not w.endswith("ss"):
        w = w[:-1]
    # Step 1b: -ed, -ing.
    if w.endswith("eed"):
        if _measure(w[:-3]) > 0:
            w = w[:-1]
    else:
        for suffix in ("ed", "ing"):
            if w.endswith(suffix) and _has_vowel(w[: -len(suffix)]):
                w = w[: -len(suffix)]
                if w.endswith(("at", "bl", "iz")):
                    w += "e"
                elif _double_cons(w) and w[-1] not in "lsz":
                    w = w[:-1]
                elif _measure(w) == 1 and _cvc(w):
                    w += "e"
                break
    # Step 1c.
    if w.endswith("y") and _has_vowel(w[:-1]):
        w = w[:-1] + "i"
    # Steps 2 and 3: double suffixes to single ones.
    for table in (_STEP2, _STEP3):
        rule = _longest(w, (s for s, _ in table))
        if rule is not None and _measure(w[: -len(rule)]) > 0:
            w = w[: -len(rule)] + dict(table)[rule]
    # Step 4: remove a suffix when the rest is long enough.
    last = _longest(w, _STEP4)
    if last is not None:
        rest = w[: -len(last)]
        if _measure(rest) > 1 and (last != "ion" or rest.endswith(("s", "t"))):
            w = rest
    # Step 5.
    if w.endswith("e"):
        m = _measure(w[:-1])
        if m > 1 or (m == 1 and not _cvc(w[:-1])):
            w = w[:-1]
    if w.endswith("ll") and _measure(w) > 1:
        w = w[:-1]
    if w.endswith("i") and len(w) > 3:
        w = w[:-1] + "y"
    if w.endswith("ify") and len(w) > 5:
        w = w[:-1]
    return w


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
    analysis = analyze(tokenize(text))
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


ENGLISH_MIN_COUNT = 20
"""A word seen at least this often in pyspellchecker's English frequency list is a real word:
misspellings ("vaction", "reqest") are absent from it, rare words ("coder", "strep") are not."""


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
        self._by_deletion: dict[str, list[str]] = {}
        for word in self.vocabulary:
            if len(word) >= 3:
                for key in _deletions(word, 2 if len(word) >= 7 else 1):
                    self._by_deletion.setdefault(key, []).append(word)
        self.nearest = lru_cache(maxsize=4096)(self._nearest)

    def _nearest(self, word: str) -> tuple[str, ...]:
        """Known words at the smallest distance within `allowed_typos`, or () if none."""
        limit = allowed_typos(word)
        if limit == 0 or not word.isalpha():
            return ()
        best: list[str] = []
        best_distance = limit + 1
        seen: set[str] = set()
        for key in _deletions(word, limit):
            for candidate in self._by_deletion.get(key, ()):
                if candidate in seen or candidate == word:
                    continue
                seen.add(candidate)
                distance = edit_distance(word, candidate, limit)
                if distance < best_distance:
                    best, best_distance = [candidate], distance
                elif distance == best_distance:
                    best.append(candidate)
        return tuple(sorted(best))
