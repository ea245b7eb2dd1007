"""Does a question read as clinical or personal-health? Then the bot says it is not medical
advice (and a low-confidence one is declined rather than handed to HR).

The cue words are in the `clinical` section of `vocabulary.yaml`. Cues are weighed, not matched
one by one: hospital staff talk about health all the time in a
benefits sense ("does my plan cover physical therapy", "FMLA for my surgery", "flu shot at
employee health"). A question counts as clinical when its clinical cues (medicines, doses,
symptoms, vital signs and labs, "is it safe to take", care protocols) clearly outweigh its
benefits cues (plan, coverage, leave, pay, PTO, EAP, claim, report).
"""

from __future__ import annotations

import re
from functools import lru_cache

from skills.knowledge.text import normalize, tokenize, vocabulary
from skills.textkit.spelling import Speller, is_english

_CUES = vocabulary().clinical
# Medicines, by generic and common brand name; a name is a strong cue on its own.
_MEDICINES = _CUES.get("medicines", frozenset())
# Symptoms, vital signs, labs and clinical procedures: strong cues.
_CLINICAL_WORDS = _CUES.get("clinical_words", frozenset())
# Weaker cues: clinical in many questions, but common in benefits questions too.
_WEAK_CLINICAL = _CUES.get("weak_clinical", frozenset())

_CLINICAL_PHRASES = tuple(
    re.compile(p)
    for p in (
        r"\b(is it|is this|it is|its) (safe|normal|ok|okay)\b",
        r"\bsafe (to|for) (take|give|use|mix)\b",
        r"\bshould (i|we|she|he|they) (give|hold|push|mix|hang)\b",
        r"\bwhat (should|can) i take\b",
        r"\bhow (much|many|often) .{0,20}\b(should|can|do) (i|you) (take|give)\b",
        r"\bnormal (range|level|value)s?\b",
        r"\b(range|level|value)s? for (adults|kids|children|peds|pediatrics)\b",
        r"\b(side effects?|drug interactions?)\b",
        r"\bby weight\b|\bper kg\b|\bmg ?/ ?kg\b",
        r"\bsame (iv )?line\b",
        r"\b(is|was) (he|she|it|this|that) (high|low|bad|serious)\b",
        r"\bhigh enough\b|\blow enough\b",
        r"\b(lower|raise|reduce|bring down) (my|his|her|their) \w+\b",
        r"\bgo to (the )?(er|ed|urgent care|emergency)\b",
        r"\b(pt|patient)s? (bp|heart rate|sats|temp|glucose|labs?|potassium)\b",
        r"\b\d{2,3}/\d{2,3}\b",  # a blood pressure reading
    )
)

# Benefits cues: a question about coverage, leave, pay or programs is not clinical even when it
# names an illness, a surgery or a medicine.
_BENEFIT_WORDS = _CUES.get("benefit_words", frozenset())
_BENEFIT_PHRASES = tuple(
    re.compile(p)
    for p in (
        r"\b(call|calling|called) (out|in)\b",
        r"\bsick (time|bank|day|days|leave|hours|pay)\b",
        r"\btime off\b|\bdays? off\b|\bout of work\b|\breturn to work\b",
        r"\bemployee health\b|\bworkers comp",
        r"\b(vision|dental|medical|health) (plan|insurance|coverage|benefits?)\b",
        r"\bdoctors? note\b",
        r"\bflu (shot|vaccine)\b",
        r"\b(put in|file|submit|fill out|turn in) (a |an |the )?(report|claim|request|form)\b",
    )
)

_TAKING = re.compile(
    r"\b(?:take|taking|took|give|giving|mix|mixing|push|hang) (?:a |an |some |my |the |his |her )?"
    r"(\w+)"
)
"""Taking or giving a medicine ("can i take benadryl before my shift") is clinical whatever else
the question says."""

STRONG = 2.0
WEAK = 1.0
THRESHOLD = 2.0
"""One strong cue (a medicine, a symptom, "is it safe to take") is enough when nothing in the
question is about benefits; every benefits cue cancels a point."""


@lru_cache(maxsize=1)
def _speller() -> Speller:
    return Speller(_MEDICINES | _CLINICAL_WORDS)


def _clinical_word_weight(word: str) -> float:
    if word in _MEDICINES or word in _CLINICAL_WORDS:
        return STRONG
    if word in _WEAK_CLINICAL:
        return WEAK
    if len(word) >= 6 and not is_english(word) and _speller().nearest(word):
        return STRONG  # a misspelled medicine or symptom: "contagous", "potasium"
    return 0.0


def clinical_score(question: str) -> float:
    """Clinical cues minus benefits cues."""
    text = normalize(question)
    words = tokenize(question)
    clinical = sum(_clinical_word_weight(w) for w in words)
    clinical += STRONG * sum(1 for p in _CLINICAL_PHRASES if p.search(text))
    clinical += STRONG * sum(1 for m in _TAKING.finditer(text) if m.group(1) in _MEDICINES)
    benefits = sum(1.0 for w in words if w in _BENEFIT_WORDS)
    benefits += sum(STRONG for p in _BENEFIT_PHRASES if p.search(text))
    return clinical - benefits


def looks_clinical(question: str) -> bool:
    """True when the question reads as clinical or personal-health rather than as benefits."""
    return clinical_score(question) >= THRESHOLD
