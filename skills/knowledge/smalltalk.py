"""Small talk ("hi", "thanks", "ok", "helpful", "bye", a lone emoji) is not a question: it gets a
short friendly answer, never "I'm not sure" with an offer to ask HR, and it is never logged as a
gap in the knowledge base.

The phrases are data, one phrasebook per language, so a language is added by adding its
phrasebook. A message counts as small talk only when the whole of it is made of such phrases:
"hi, how many PTO days do I get?" is a question.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum

from skills.textkit.words import strip_accents


class Kind(Enum):
    GREETING = "greeting"
    THANKS = "thanks"
    HELPFUL = "helpful"
    GOODBYE = "goodbye"
    ACKNOWLEDGE = "acknowledge"


@dataclass(frozen=True)
class Phrasebook:
    """One language: the phrases of each kind (regular expressions over lower-case words
    separated by single spaces), words that may ride along ("bot", "so much"), and the answers."""

    phrases: Mapping[Kind, tuple[str, ...]]
    filler: tuple[str, ...]
    answers: Mapping[Kind, str]


ENGLISH = Phrasebook(
    phrases={
        Kind.GREETING: (
            r"h(i+|ello+|ey+|owdy|iya)",
            r"yo",
            r"good (morning|afternoon|evening)",
            r"morning|evening",
            r"what'?s up|sup",
            r"how are (you|u)( doing)?( today)?",
            r"greetings",
        ),
        Kind.THANKS: (
            r"thank (you|u)",
            r"thanks?",
            r"thx|ty|tysm|tks",
            r"cheers",
            r"much appreciated|appreciate (it|that|you)",
        ),
        Kind.HELPFUL: (
            r"(that|this|it) (was )?help(ed|ful|s)",
            r"(very |so |super |really )?helpful",
            r"(great|perfect|awesome|excellent|nice|good|cool|amazing) (answer|info|job)",
            r"that'?s (great|perfect|awesome|what i needed)",
        ),
        Kind.GOODBYE: (
            r"(good)?bye+|bye bye",
            r"see (you|ya|u)( later| soon)?",
            r"(have a )?(good|nice|great) (day|night|shift|one|weekend)",
            r"take care",
            r"later|ttyl|cya",
        ),
        Kind.ACKNOWLEDGE: (
            r"ok(ay)?|k+|kk",
            r"y(es|eah|ep|up)|no+|nope|nah",
            r"sure|alright|all right|fine",
            r"got it|gotcha|understood|i see|makes sense|noted",
            r"cool|great|perfect|awesome|nice|sounds good|wow",
            r"lol|haha+",
        ),
    },
    filler=(
        r"there|again|all|everyone|guys|team",
        r"so much|a lot|very much|a bunch|so|very|really",
        r"bot|breakroom",
        r"and|oh|well|um+|hmm+",
    ),
    answers={
        Kind.GREETING: (
            "Hi {name}! I answer questions about benefits, pay, leave and programs, run quick "
            "surveys and take your ideas: just ask, or type `help`."
        ),
        Kind.THANKS: "You're welcome! Ask me anything else whenever you need.",
        Kind.HELPFUL: "Glad that helped! Ask me anything else whenever you need.",
        Kind.GOODBYE: "Take care! I'm here whenever you need me.",
        Kind.ACKNOWLEDGE: "Okay! I'm here if you have a question.",
    },
)

PHRASEBOOKS: Mapping[str, Phrasebook] = {"en": ENGLISH}
"""Every language's small talk, by language code; all are tried on every message."""

# Kinds in the order their answer wins when one message holds several ("ok thanks, bye").
_PRECEDENCE = (Kind.GREETING, Kind.HELPFUL, Kind.THANKS, Kind.GOODBYE, Kind.ACKNOWLEDGE)
_FILLER = "filler"
_SHORTCODE = re.compile(r":[a-z0-9_+'-]+:")
_EMOTICON = re.compile(r"[:;=]-?[()dp3]|<3")
_NOT_WORDS = re.compile(r"[^\w' ]+")


@dataclass(frozen=True)
class SmallTalk:
    kind: Kind
    answer: str


def _matcher(book: Phrasebook) -> re.Pattern[str]:
    groups = [
        f"(?P<{kind.value}>{'|'.join(f'(?:{p})' for p in patterns)})"
        for kind, patterns in book.phrases.items()
    ]
    groups.append(f"(?P<{_FILLER}>{'|'.join(f'(?:{p})' for p in book.filler)})")
    return re.compile(rf"(?:{'|'.join(groups)})(?: |$)")


_MATCHERS = {language: _matcher(book) for language, book in PHRASEBOOKS.items()}


def _kinds(matcher: re.Pattern[str], text: str) -> set[Kind] | None:
    """The kinds of phrase `text` is made of, or None when anything else is in it."""
    kinds: set[Kind] = set()
    position = 0
    while position < len(text):
        found = matcher.match(text, position)
        if found is None or found.end() == position:
            return None
        if found.lastgroup and found.lastgroup != _FILLER:
            kinds.add(Kind(found.lastgroup))
        position = found.end()
    return kinds


def small_talk(text: str, *, name: str = "there") -> SmallTalk | None:
    """The answer to `text` when it is small talk, else None."""
    lowered = strip_accents(text.lower()).replace("\u2019", "'")
    without_emoji = _SHORTCODE.sub(" ", lowered)
    words = " ".join(_NOT_WORDS.sub(" ", without_emoji).replace("_", " ").split())
    if not words:
        if _is_emoji(lowered):
            return SmallTalk(Kind.ACKNOWLEDGE, ENGLISH.answers[Kind.ACKNOWLEDGE])
        return None
    for language, matcher in _MATCHERS.items():
        kinds = _kinds(matcher, words)
        if kinds:
            kind = next(k for k in _PRECEDENCE if k in kinds)
            return SmallTalk(kind, PHRASEBOOKS[language].answers[kind].format(name=name))
    return None


def _is_emoji(text: str) -> bool:
    """Emoji, a Slack shortcode or an emoticon (a thumbs up, ":)"): a nod, not a question. A
    lone "?" is not one."""
    return (
        any(not ch.isascii() for ch in text)
        or _SHORTCODE.search(text) is not None
        or _EMOTICON.search(text) is not None
    )
