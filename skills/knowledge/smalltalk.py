"""Small talk ("hi", "thanks", "ok", "helpful", "bye", "who are you", "how's your night going",
a lone emoji) is not a question: it gets a short friendly answer, never "I'm not sure" with an
offer to ask HR, and it is never logged as a gap in the knowledge base.

The phrases are data, one phrasebook per language, so a language is added by adding its
phrasebook. A message counts as small talk only when the whole of it is made of such phrases:
"hi, how many PTO days do I get?" is a question. The answers are catalog messages, read in the
person's own language whatever language the small talk was in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum

from bot.i18n import N_, Translator
from skills.textkit.words import strip_accents


class Kind(Enum):
    GREETING = "greeting"
    THANKS = "thanks"
    HELPFUL = "helpful"
    GOODBYE = "goodbye"
    ACKNOWLEDGE = "acknowledge"
    ABOUT = "about"
    """Questions about the bot itself: "who are you", "what can you do", "are you a person"."""
    CHAT = "chat"
    """Chit-chat that asks nothing of the knowledge base: "tell me a joke", "i'm bored"."""
    MISSED = "missed"
    """The person says an answer did not help: "not helpful", "you're useless"."""


@dataclass(frozen=True)
class Phrasebook:
    """One language: the phrases of each kind (regular expressions over lower-case words
    separated by single spaces), and words that may ride along ("bot", "so much")."""

    phrases: Mapping[Kind, tuple[str, ...]]
    filler: tuple[str, ...]


ANSWERS: Mapping[Kind, str] = {
    Kind.GREETING: N_(
        "I answer questions about benefits, pay, leave and programs, run quick surveys and "
        "take your ideas: just ask, or type `help`."
    ),
    Kind.THANKS: N_("You're welcome! Ask me anything else whenever you need."),
    Kind.HELPFUL: N_("Glad that helped! Ask me anything else whenever you need."),
    Kind.GOODBYE: N_("Take care! I'm here whenever you need me."),
    Kind.ACKNOWLEDGE: N_("Okay! I'm here if you have a question."),
    Kind.ABOUT: N_(
        "I'm Breakroom, the hospital's chat helper. I answer questions about benefits, pay, "
        "leave and programs, run quick surveys and take your ideas. I'm a bot: what I can't "
        "answer, I can pass on to HR."
    ),
    Kind.CHAT: N_("I'm better at benefits than jokes! Ask me about pay, leave or programs."),
    Kind.MISSED: N_(
        "Sorry that missed. Try asking in other words, in one short question; if I still "
        "can't find it, I'll offer to pass it on to HR."
    ),
}
"""A greeting's answer starts with `HELLO` (or `HELLO_ANYONE` when no name is known)."""
HELLO = N_("Hi {name}!")
HELLO_ANYONE = N_("Hi there!")


ENGLISH = Phrasebook(
    phrases={
        Kind.GREETING: (
            r"h(i+|ello+|ey+|owdy|iya)",
            r"yo",
            r"good (morning|afternoon|evening)",
            r"morning|evening",
            r"what'?s up|sup",
            r"how (are|r) (you|u)( doing)?( today| tonight)?",
            r"how'?s (it going|everything|life|things)",
            r"how'?s (your|ur|the) (day|night|shift|morning|evening|week|weekend)( going)?",
            r"how (is|was) (your|ur) (day|night|shift|morning|evening|week|weekend)( going)?",
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
            r"good ?night|nite|night night|gn",
        ),
        Kind.ACKNOWLEDGE: (
            r"ok(ay)?|k+|kk",
            r"y(es|eah|ep|up)|no+|nope|nah",
            r"sure|alright|all right|fine",
            r"got it|gotcha|understood|i see|makes sense|noted",
            r"cool|great|perfect|awesome|nice|sounds good|wow",
            r"lol|haha+",
        ),
        Kind.ABOUT: (
            r"who (are|r) (you|u)|what (are|r) (you|u)",
            r"what'?s (your|ur) name|what is (your|ur) name|do (you|u) have a name",
            r"what (can|do) (you|u) do|what (are|r) (you|u) for|how do (you|u) work",
            r"(are|r) (you|u) (a )?(real )?(person|human|bot|robot|ai|computer|machine)",
            r"is this (a )?(real )?(person|human|bot|robot|ai)",
            r"(are|r) (you|u) (there|awake|real)|(you|u) there",
        ),
        Kind.CHAT: (
            r"tell me (a )?joke|say something funny",
            r"i'?m (so )?(bored|tired|sleepy|hungry)",
            r"(i )?(love|like) (you|u)|(you|u) (rock|rule)",
            r"(you'?re|ur|you are) (the best|awesome|funny|cute|smart|great|amazing)",
            r"what'?s new|nothing much|not much",
        ),
        Kind.MISSED: (
            r"(that|this|it) (was )?(not|n'?t|wasn'?t|isn'?t|didn'?t|doesn'?t) (help(ful)?|it)",
            r"(that|this|it) (didn'?t|doesn'?t|did not|does not) help",
            r"not (helpful|what i (asked|meant|wanted|needed))",
            r"(you'?re|ur|you are) (useless|dumb|stupid|no help|not helpful|wrong)",
            r"(you|this) (suck|sucks|is useless)",
            r"wrong (answer|article|info)",
        ),
    },
    filler=(
        r"there|again|all|everyone|guys|team",
        r"so much|a lot|very much|a bunch|so|very|really",
        r"bot|breakroom",
        r"and|oh|well|um+|hmm+",
    ),
)

SPANISH = Phrasebook(
    phrases={
        Kind.GREETING: (
            r"hola+|buenas( tardes| noches)?|buen dia|buenos dias",
            r"que tal|que onda|que hubo|quiubo",
            r"como (esta|estas|le va|te va)( usted)?( hoy)?",
            r"saludos",
        ),
        Kind.THANKS: (
            r"(muchas |mil )?gracias( a usted)?",
            r"se (lo |le |te )?agradece|le agradezco|te agradezco",
        ),
        Kind.HELPFUL: (
            r"(eso |esto )?me (ayudo|sirvio)( mucho)?",
            r"(muy |super )?util",
            r"(muy )?buena (respuesta|informacion)",
        ),
        Kind.GOODBYE: (
            r"adios|chao|chau|bye",
            r"hasta (luego|manana|pronto|la proxima)|nos vemos",
            r"cuidese|cuidate|que (descanse|descanses)",
            r"(que tenga |que tengas )?(buen|feliz) (turno|dia|fin de semana)",
        ),
        Kind.ACKNOWLEDGE: (
            r"ok(ay|a)?|vale|va|sale|listo|bueno|ya",
            r"si|no|claro|de acuerdo|entendido|entiendo|perfecto|excelente|genial",
            r"jaja+|jeje+",
        ),
        Kind.ABOUT: (
            r"quien (eres|es usted|es)|que eres",
            r"como te llamas|como se llama( usted)?|cual es (tu|su) nombre",
            r"que (puedes|puede) hacer|para que sirves|para que sirve",
            r"(eres|es usted|es) (una )?(persona|robot|bot|humano|maquina)( real)?",
        ),
        Kind.CHAT: (
            r"cuentame un chiste|dime un chiste",
            r"estoy (muy )?(aburrido|aburrida|cansado|cansada)",
            r"te quiero",
        ),
        Kind.MISSED: (
            r"no (me )?(ayudo|sirvio|sirve|es (util|eso|lo que pregunte))",
            r"(respuesta|informacion) (equivocada|incorrecta)",
        ),
    },
    filler=(
        r"a todos|todos|amigo|amiga",
        r"y|pues|oye|oiga|eh+|mmm+",
        r"bot|breakroom",
        r"muy|mucho|tan",
    ),
)

PHRASEBOOKS: Mapping[str, Phrasebook] = {"en": ENGLISH, "es": SPANISH}
"""Every language's small talk, by language code; all are tried on every message, in this order
("ok" and "no" are English first)."""

# Kinds in the order their answer wins when one message holds several ("ok thanks, bye").
_PRECEDENCE = (
    Kind.MISSED,
    Kind.ABOUT,
    Kind.GREETING,
    Kind.HELPFUL,
    Kind.THANKS,
    Kind.GOODBYE,
    Kind.CHAT,
    Kind.ACKNOWLEDGE,
)
_FILLER = "filler"
_SHORTCODE = re.compile(r":[a-z0-9_+'-]+:")
_EMOTICON = re.compile(r"[:;=]-?[()dp3]|<3")
_NOT_WORDS = re.compile(r"[^\w' ]+")


@dataclass(frozen=True)
class SmallTalk:
    kind: Kind

    def answer(self, t: Translator, *, name: str | None = None) -> str:
        """The answer in the reader's language; a greeting names them when `name` is known."""
        if self.kind is not Kind.GREETING:
            return t(ANSWERS[self.kind])
        hello = t(HELLO, name=name) if name else t(HELLO_ANYONE)
        return f"{hello} {t(ANSWERS[self.kind])}"


def _matcher(book: Phrasebook) -> re.Pattern[str]:
    """One pattern for a phrasebook, its kinds tried in `_PRECEDENCE` order so the longer,
    stronger phrase wins where a shorter one would also start ("no me sirvió" is not "no")."""
    groups = [
        f"(?P<{kind.value}>{'|'.join(f'(?:{p})' for p in book.phrases[kind])})"
        for kind in _PRECEDENCE
        if kind in book.phrases
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


def small_talk(text: str) -> SmallTalk | None:
    """What kind of small talk `text` is, or None when it is not small talk."""
    lowered = strip_accents(text.lower()).replace("\u2019", "'")
    without_emoji = _SHORTCODE.sub(" ", lowered)
    words = " ".join(_NOT_WORDS.sub(" ", without_emoji).replace("_", " ").split())
    if not words:
        if _is_emoji(lowered):
            return SmallTalk(Kind.ACKNOWLEDGE)
        return None
    for matcher in _MATCHERS.values():
        kinds = _kinds(matcher, words)
        if kinds:
            return SmallTalk(next(k for k in _PRECEDENCE if k in kinds))
    return None


def _is_emoji(text: str) -> bool:
    """Emoji, a Slack shortcode or an emoticon (a thumbs up, ":)"): a nod, not a question. A
    lone "?" is not one."""
    return (
        any(not ch.isascii() for ch in text)
        or _SHORTCODE.search(text) is not None
        or _EMOTICON.search(text) is not None
    )
