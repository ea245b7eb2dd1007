"""Stemmers: Porter's for English, so that "policies", "policy" and "deployed", "deployment"
meet; Snowball's for Spanish, so that "vacaciones", "vacación" and "pagan", "pagado" do.

Porter's is written out here rather than taken from a library: two small changes at the end suit
the short, informal questions staff type (see `stem`). The Spanish one is Snowball's own
(`snowballstemmer`, pure Python, the stemmer Sphinx searches with): Spanish verbs and plurals
take far more rules than English ones, and it needs no change. Both run in microseconds with a
cache.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

import snowballstemmer

_SPANISH = snowballstemmer.stemmer("spanish")


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


@lru_cache(maxsize=65536)
def stem_spanish(word: str) -> str:
    """Snowball's Spanish stem of a lowercase word, accents folded or not: "días" and "dias"
    give "dias", "pagan" and "pagado" give "pag"."""
    if len(word) <= 3 or not word.isalpha():
        return word
    stemmed: str = _SPANISH.stemWord(word)
    return stemmed
