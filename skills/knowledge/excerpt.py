"""The part of an article to show for a question: the paragraph or list that answers it, cut at
item and sentence boundaries to fit a chat message.

Ranking (`search`) decides which article answers; this decides what of it a nurse reads on a
phone. It looks at one article at a time and needs no index.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

from skills.knowledge.articles import Article
from skills.knowledge.markdown import MD_LINK, leaves_kb, without_links
from skills.knowledge.sections import Section
from skills.knowledge.spanish import language_of, spanish_index_terms, spanish_tokens
from skills.knowledge.text import (
    EQUIVALENT_PREFIX,
    STOP_WORDS,
    analyze,
    index_terms,
    is_noise,
    normalize,
    tokenize,
)
from skills.textkit.spelling import Speller, is_english, likely_meant

_BLANK_LINE = re.compile(r"\n\s*\n")
_BULLET = re.compile(r"\s*(?:[-*+]|\d{1,2}[.)])\s")
_LABEL = re.compile(r"\s*(?:#{1,6}\s.*|\*\*[^*]+\*\*:?|__[^_]+__:?|[^.!?]{1,80}:)\s*")
"""A line that only names a section: a heading, a bold label, or a short line ending with ":"."""
_SENTENCE_END = re.compile(
    r"(?<=[.!?])(?<!a\.m\.)(?<!p\.m\.)(?<!e\.g\.)(?<!i\.e\.)(?<!etc\.)(?<!vs\.)(?<! [A-Z]\.)"
    r"\s+(?=[\"*(\[]?[A-Z0-9])"
)
"""Where a sentence ends: after ".", "!" or "?" and before a capital or a digit, but not after
"a.m.", "e.g." and the like, or an initial."""
_ELLIPSIS = "…"
_LEAD_LABEL = re.compile(r"\s*(?:#{1,6}\s+(.+)|\*\*([^*]+)\*\*|__([^_]+)__)")


def _unlink(markdown: str) -> str:
    """Links to other files of the knowledge base become their label: staff cannot open
    "sick-leave.md". Web and e-mail links stay as they are."""

    def label(match: re.Match[str]) -> str:
        return match.group(0) if leaves_kb(match.group(2)) else match.group(1)

    return MD_LINK.sub(label, markdown)


@dataclass(frozen=True)
class _Piece:
    text: str
    joint: str
    """What goes before it when it follows another piece: a line break or a space."""
    terms: frozenset[str]
    plain: str
    """The text normalized as a question is, to look for the kind of answer asked for."""


@dataclass(frozen=True)
class _Block:
    """A paragraph, or a section label with the paragraph or list it introduces, cut into
    pieces (list items and sentences) so that a long one can be shortened at a boundary."""

    text: str
    pieces: tuple[_Piece, ...]
    terms: frozenset[str]
    plain: str
    label: frozenset[str]
    """Terms of its label: a heading, a bold line, or the bold words it starts with."""


@lru_cache(maxsize=512)
def _blocks(body: str, spanish: bool = False) -> tuple[_Block, ...]:
    """The blocks of an article body, in order. A list stays with the paragraph or label that
    introduces it, and a label alone on its line stays with what follows, so no block starts
    with a bullet that has lost its heading. A `spanish` body's words are read as Spanish."""
    terms_of = spanish_index_terms if spanish else index_terms
    merged: list[str] = []
    for paragraph in _BLANK_LINE.split(_unlink(body).strip()):
        paragraph = paragraph.strip("\n")
        if not paragraph.strip():
            continue
        follows = merged and (
            _BULLET.match(paragraph) is not None or _LABEL.fullmatch(merged[-1]) is not None
        )
        if follows:
            merged[-1] += "\n" + paragraph
        else:
            merged.append(paragraph)
    blocks = []
    for text in merged:
        pieces: list[_Piece] = []
        for line in text.splitlines():
            if not line.strip():
                continue
            for i, sentence in enumerate(_SENTENCE_END.split(line)):
                terms = frozenset(terms_of(without_links(sentence)))
                plain = normalize(sentence)
                pieces.append(_Piece(sentence, " " if i else "\n", terms, plain))
        if pieces:
            terms = frozenset().union(*(p.terms for p in pieces))
            label = _LEAD_LABEL.match(text)
            label_text = next((g for g in label.groups() if g), "") if label else ""
            label_terms = frozenset(terms_of(label_text))
            plain = normalize(text)
            blocks.append(_Block(text, tuple(pieces), terms, plain, label_terms))
    return tuple(blocks)


@lru_cache(maxsize=512)
def _about(title: str, spanish: bool = False) -> frozenset[str]:
    """What the whole article is about: the terms of its title."""
    return frozenset(spanish_index_terms(title) if spanish else index_terms(title))


@lru_cache(maxsize=512)
def _article_speller(body: str) -> Speller:
    """The article's own words, to read a misspelled question word ("juneteeth") as the word
    the article uses."""
    return Speller(w for w in tokenize(without_links(body)) if w not in STOP_WORDS)


_ANSWER_TYPES: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...] = tuple(
    (re.compile(cue), re.compile(answer))
    for cue, answer in (
        (  # when: dates, days, times, deadlines
            r"\b(when|whens|deadline|due|date|what day|how soon|how long|how often|schedule|"
            r"cuando|fecha|plazo|que dia|cada cuando)\b",
            r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d|\b(monday|tuesday|"
            r"wednesday|thursday|friday|saturday|sunday)\b|\b\d{1,2}:\d\d\b|\b\d+ (days?|weeks?|"
            r"months?|minutes?|hours?)\b|\b(every|within|by|before|after) |\b\d{1,2} de (ene|feb|"
            r"mar|abr|may|jun|jul|ago|sep|oct|nov|dic)|\b(lunes|martes|miercoles|jueves|viernes|"
            r"sabado|domingo)\b|\b\d+ (dias?|semanas?|meses|mes|minutos?|horas?)\b|"
            r"\b(cada|dentro de|antes de|despues de) ",
        ),
        (  # how much / how many: amounts
            r"\b(how (much|many)|cost|costs|price|rate|rates|amount|limit|max|maximum|minimum|"
            r"cuanto|cuanta|cuantos|cuantas|costo|cuesta|precio|monto|limite|maximo|minimo)\b",
            r"\$\s?\d|\d percent|\b\d+(\.\d+)? (hours?|days?|weeks?|shifts?|times)\b|"
            r"\d ?por ?ciento|\b\d+(\.\d+)? (horas?|dias?|semanas?|turnos?|veces)\b",
        ),
        (  # who, where, how to reach
            r"\b(who|where|whom|contact|phone|number|call|email|reach|quien|donde|contacto|"
            r"telefono|numero|llamar|correo)\b",
            r"\b\d{3}-\d{4}\b|\bext\.? ?\d|@|\b(room|level|suite|building|floor|office|sala|"
            r"piso|edificio|oficina|nivel)\b| > ",
        ),
    )
)
ANSWER_TYPE_BONUS = 0.5
"""Added to a block or sentence that holds the kind of answer the question asks for: a date
for "when", an amount for "how much", a phone number or a place for "who" and "where"."""
LEAD_BONUS = 1.0
"""The lead paragraph is the article's summary: another block must match the question better
by about one distinctive word to be shown instead."""
LABEL_BONUS = 2.0
"""A question word in a block's label ("**Grades:**") says the block is about it."""


def _fix_typos(question: str, speller: Speller) -> list[str]:
    """The question's words, a misspelled one replaced by the nearest word of the article."""
    tokens = tokenize(question)
    fixed = []
    for token in tokens:
        if token.isalpha() and token not in STOP_WORDS and token not in speller.vocabulary:
            nearest = speller.nearest(token)
            if is_english(token):
                nearest = likely_meant(token, nearest)
            token = nearest[0] if nearest else token
        fixed.append(token)
    return fixed


def excerpt(
    article: Article, question: str, max_chars: int = 400, section: Section | None = None
) -> str:
    """The part of the body (or of the `section` search found best) that best answers the
    question, Markdown kept (links to other articles reduced to their label), at most
    `max_chars` long. The section's heading is not part of it: the answer shows it apart.

    A question that only names what the article is about (the words of its title, as in "how
    much PTO do I get" on the PTO article) gets the lead paragraph, which is written as the
    summary. A question that asks about a detail gets the block that mentions it: each of its
    words is weighed by how few blocks of the article contain it, more when it is in the block's
    label, and a block holding the kind of answer asked for (a date for "when", an amount for
    "how much") gets a little more. A block too long to show whole keeps its first line or
    sentence (its label or intro), then the items and sentences that match the question, cut
    only at item and sentence boundaries; "…" marks what was left out.
    """
    spanish = article.lang == "es"
    blocks = _blocks(article.body if section is None else section.text, spanish)
    if not blocks:
        return ""
    about = _about(article.title, spanish)
    if language_of(question) == "es":
        analysis = analyze(spanish_tokens(question, mend=True))
    else:
        analysis = analyze(_fix_typos(question, _article_speller(article.body)))
    asked = [  # one set of terms per word of the question
        terms
        for unit in analysis.units
        if not is_noise(unit.word)
        and (
            terms := frozenset(
                {unit.stem} | {c for c, _ in unit.concepts if c.startswith(EQUIVALENT_PREFIX)}
            )
            - about
        )
    ]
    # The question's words with their equivalent names, less what the title names (a question
    # only about that gets the lead paragraph). Loose topic hints are left out: they would match
    # everywhere.
    wanted_terms = frozenset().union(*asked)
    frequency = Counter(t for block in blocks for t in block.terms if t in wanted_terms)
    weight = {t: math.log(1 + len(blocks) / count) for t, count in frequency.items()}
    text = normalize(question)
    wanted = [answer for cue, answer in _ANSWER_TYPES if cue.search(text)]

    def score(terms: frozenset[str], plain: str, label: frozenset[str] = frozenset()) -> float:
        total = 0.0
        for unit in asked:
            matched = unit & terms
            if matched:
                best = max(weight[t] for t in matched)
                total += best * (LABEL_BONUS if unit & label else 1.0)
        if total and any(answer.search(plain) for answer in wanted):
            total += ANSWER_TYPE_BONUS
        return total

    scores = [score(b.terms, b.plain, b.label) for b in blocks]
    best = max(range(len(blocks)), key=lambda i: (scores[i] + (LEAD_BONUS if i == 0 else 0), -i))
    chosen = blocks[best] if scores[best] > 0 else blocks[0]
    return _shorten(chosen, lambda piece: score(piece.terms, piece.plain), max_chars)


def _shorten(block: _Block, score: Callable[[_Piece], float], max_chars: int) -> str:
    if len(block.text) <= max_chars:
        return block.text
    pieces = block.pieces
    if len(_render(pieces, [0])) > max_chars:
        return _cut(pieces[0].text, max_chars)
    ranked = sorted(range(1, len(pieces)), key=lambda i: (-score(pieces[i]), i))
    kept = [0]
    for i in ranked:
        trial = sorted([*kept, i])
        if len(_render(pieces, trial)) <= max_chars:
            kept = trial
    return _render(pieces, kept)


def _render(pieces: Sequence[_Piece], kept: Sequence[int]) -> str:
    """The kept pieces in order, with "…" where pieces were left out."""
    out = pieces[kept[0]].text
    for previous, i in pairwise(kept):
        if i > previous + 1:
            out += pieces[previous + 1].joint + _ELLIPSIS
        out += pieces[i].joint + pieces[i].text
    if kept[-1] < len(pieces) - 1:
        out += pieces[kept[-1] + 1].joint + _ELLIPSIS
    return out


def _cut(text: str, max_chars: int) -> str:
    """Text cut at the last sentence end that fits, else at a word boundary, with "…"."""
    room = text[: max_chars - 1]
    ends = [m.start() for m in _SENTENCE_END.finditer(room)]
    if ends:
        return room[: ends[-1]].rstrip() + " " + _ELLIPSIS
    cut = room.rsplit(" ", 1)[0] if " " in room else room
    return cut.rstrip(",;:") + _ELLIPSIS
