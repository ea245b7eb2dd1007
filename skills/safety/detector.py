"""Telling a crisis or safety message from the words of a question: self-harm or suicidal
thoughts, violence or threats at work, domestic violence, sexual harassment or assault, an
active threat. Such a message gets resources at once, never a knowledge answer or a ticket.

The cues are data (`cues.yaml`), one section per language, read the way people type: lower
case, no accents, no apostrophes, texting shorthand. A cue is a disclosure ("my husband hits
me", "me quiero morir"), not a topic: "domestic violence leave policy?" and "a patient on
suicide watch needs a sitter" name a topic and match none. Three checks keep figures of speech
and work talk out: a negation right before a cue ("i would never kill myself"), a guard that
overlaps it ("makes me want to die", "the active shooter drill"), and laughter, which defuses
only the cues marked light ("i want to die lol").
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from functools import cache
from importlib.resources import files
from typing import Any

import yaml

from skills.textkit.words import strip_accents

CUES_FILE = "cues.yaml"
GAP = r"(?P<gap{n}>(?:\w+ ){{0,3}})"
"""Up to three words of the same clause (punctuation is set apart, so it ends the gap); named,
so that a negation in it is seen."""


MAX_READ = 4000
"""Characters read of one message: about 35 ms at most on the event loop (the check is linear,
some 8 ms per 1,000 characters), where a 40,000-character Slack message would stall it for a
third of a second. Four times the longest question, twice the longest idea."""


class Kind(Enum):
    """Kinds of crisis, in the order one wins when a message holds several: the most urgent
    danger first."""

    ACTIVE_THREAT = "active_threat"
    SEXUAL = "sexual"
    DOMESTIC_VIOLENCE = "domestic_violence"
    VIOLENCE = "violence"
    SELF_HARM = "self_harm"


class CuesError(ValueError):
    """The cue file is not in the documented shape."""


@dataclass(frozen=True)
class Crisis:
    kind: Kind
    language: str  # the code of the cue section that matched: "en", "es"
    also: tuple[Kind, ...] = ()
    """Kinds it may be as well, whose resources the reply adds: the learned reader's close
    runner-up."""


@dataclass(frozen=True)
class _Cue:
    pattern: re.Pattern[str]
    light: bool


@dataclass(frozen=True)
class _KindCues:
    cues: tuple[_Cue, ...]
    talk: tuple[re.Pattern[str], ...]
    guards: tuple[re.Pattern[str], ...]


@dataclass(frozen=True)
class _Language:
    code: str
    kinds: Mapping[Kind, _KindCues]
    negations: frozenset[str]
    glue: frozenset[str]
    laughter: re.Pattern[str]


_APOSTROPHES = re.compile("['\u2019\u2018`\u00b4]")
_PUNCTUATION = re.compile(r"([^\w\s])")


def read_as_typed(text: str) -> str:
    """The text as cues are written for: lower case, accents and apostrophes gone, punctuation
    set apart as its own word."""
    folded = _APOSTROPHES.sub("", strip_accents(text.lower()))
    return " ".join(_PUNCTUATION.sub(r" \1 ", folded).split())


def detect(text: str) -> Crisis | None:
    """The crisis `text` discloses, or None. Every language is tried: people mix them. The cues
    decide where they see anything, a disclosure or a figure of speech they defuse; only what
    they do not see at all, and that is not said laughing, goes to the learned reader."""
    cues = read_cues(text)
    if cues.crisis is not None or cues.seen:
        return cues.crisis
    # Imported here: the reader is trained on first use, and reads with this module's words.
    from skills.safety.learned import language_of, reader

    kinds = reader().read(text[:MAX_READ])
    return Crisis(kinds[0], language_of(text), kinds[1:]) if kinds else None


@dataclass(frozen=True)
class CueReading:
    crisis: Crisis | None
    seen: bool
    """The cues saw something, a disclosure or a cue they negated, guarded or laughed off, or
    the message laughs: it is theirs to decide, and the learned reader is not asked."""


def read_cues(text: str) -> CueReading:
    """What the cues alone make of `text`."""
    typed = read_as_typed(text[:MAX_READ])
    seen = False
    for kind in Kind:
        for language in _languages():
            verdict = _reading(language, kind, typed)
            if verdict is _Reading.DISCLOSED:
                return CueReading(Crisis(kind, language.code), seen=True)
            seen = seen or verdict is _Reading.DEFUSED
    laughing = any(language.laughter.search(typed) for language in _languages())
    return CueReading(None, seen=seen or laughing)


class _Reading(Enum):
    NOTHING = "nothing"
    DEFUSED = "defused"
    """A cue was there, but negated, guarded or laughed off: the cues have read it."""
    DISCLOSED = "disclosed"


def _reading(language: _Language, kind: Kind, typed: str) -> _Reading:
    cues = language.kinds.get(kind)
    if cues is None:
        return _Reading.NOTHING
    defused = language.laughter.search(typed) is not None or any(
        talk.search(typed) for talk in cues.talk
    )
    guarded = [span for guard in cues.guards for span in _spans(guard, typed)]
    reading = _Reading.NOTHING
    for cue in cues.cues:
        for found in cue.pattern.finditer(typed):
            if (
                (cue.light and defused)
                or _negated(language, found)
                or any(_overlap(found.span(), span) for span in guarded)
            ):
                reading = _Reading.DEFUSED
                continue
            return _Reading.DISCLOSED
    return reading


def _spans(pattern: re.Pattern[str], typed: str) -> Iterable[tuple[int, int]]:
    return (found.span() for found in pattern.finditer(typed))


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _negated(language: _Language, found: re.Match[str]) -> bool:
    """A negation in one of the cue's gaps ("im not suicidal"), or right before the cue past
    words that only glue it on ("i would never", "im not really going to")."""
    gaps = (words for name, words in found.groupdict().items() if name.startswith("gap"))
    if any(word in language.negations for gap in gaps if gap for word in gap.split()):
        return True
    before = found.string[: found.start()].split()
    while before and before[-1] in language.glue:
        before.pop()
    return bool(before) and before[-1] in language.negations


def parse_cues(text: str) -> list[_Language]:
    """Read and check a cue document (see the comments at the top of `cues.yaml`)."""
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise CuesError("the cues must map language codes to sections")
    return [_language(str(code), section) for code, section in data.items()]


def _language(code: str, section: Any) -> _Language:
    if not isinstance(section, dict):
        raise CuesError(f"{code} must be a mapping with words, negations, glue, laughter, kinds")
    words = section.get("words") or {}
    if not isinstance(words, dict):
        raise CuesError(f"{code}.words must map names to lists of phrases")
    alternatives = {
        str(name): "(?:" + "|".join(re.escape(str(p)) for p in _phrases(phrases, name)) + ")"
        for name, phrases in words.items()
    }

    def compiled(pattern: Any, where: str) -> re.Pattern[str]:
        if not isinstance(pattern, str):
            raise CuesError(f"{where} must be a quoted regular expression")
        gaps = itertools.count()

        def expand(name: re.Match[str]) -> str:
            if name.group(1) == "gap":
                return GAP.format(n=next(gaps))
            return alternatives[name.group(1)]

        try:
            # Written with accents or without, a pattern reads text that has none.
            return re.compile(re.sub(r"\{(\w+)\}", expand, strip_accents(pattern)))
        except (KeyError, re.error) as exc:
            raise CuesError(f"{where}: {pattern!r}: {exc}") from None

    kinds: dict[Kind, _KindCues] = {}
    for name, entry in (section.get("kinds") or {}).items():
        try:
            kind = Kind(name)
        except ValueError:
            raise CuesError(
                f"{code}.kinds.{name} is not one of {[k.value for k in Kind]}"
            ) from None
        light = [str(p) for p in entry.get("light") or []]
        strong = [str(p) for p in entry.get("cues") or [] if str(p) not in light]
        where = f"{code}.kinds.{name}"
        kinds[kind] = _KindCues(
            cues=tuple(_Cue(compiled(p, f"{where}.cues"), False) for p in strong)
            + tuple(_Cue(compiled(p, f"{where}.light"), True) for p in light),
            talk=tuple(compiled(p, f"{where}.talk") for p in entry.get("talk") or []),
            guards=tuple(compiled(p, f"{where}.guards") for p in entry.get("guards") or []),
        )
    return _Language(
        code=code,
        kinds=kinds,
        negations=frozenset(_phrases(section.get("negations"), f"{code}.negations")),
        glue=frozenset(_phrases(section.get("glue"), f"{code}.glue")),
        laughter=compiled(section.get("laughter", r"(?!)"), f"{code}.laughter"),
    )


def _phrases(value: Any, where: object) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(p, str) for p in value):
        raise CuesError(f"{where} must be a list of phrases")
    # Longest first, so that "ex husband" is tried before "ex".
    return sorted((read_as_typed(p) for p in value), key=len, reverse=True)


@cache
def _languages() -> tuple[_Language, ...]:
    resource = files("skills.safety").joinpath(CUES_FILE)
    return tuple(parse_cues(resource.read_text(encoding="utf-8")))
