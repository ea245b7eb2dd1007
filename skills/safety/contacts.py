"""Phone numbers the knowledge base gives for a program, such as the EAP's 24/7 line or HR's
desk: each hospital writes its own articles, so the number is read from them, not configured.

The program's article is the one that names the program's concept (from the vocabulary) most
in its title, id and tags; its number is the one written nearest to "24/7" or "24 hours" when
there is one (a line that answers at 3 a.m.), else the first in the article.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from phonenumbers import Leniency, PhoneNumberMatcher

from skills.knowledge.articles import Article

PHONE_REGION = "US"
"""Where a number written without a country code is read as dialled."""
ROUND_THE_CLOCK = re.compile(
    r"24/7|24 hours|24-hour|around the clock|any time|anytime|day or night|at any hour",
    re.IGNORECASE,
)
MIN_SCORE = 2  # the concept named at least twice (title, id or tags): an article about it


def program_line(articles: Iterable[Article], concept: Iterable[str]) -> str | None:
    """The program's phone number as written in its article, or None when no article is
    about the program or it gives no number."""
    article = program_article(articles, concept)
    if article is None:
        return None
    best: tuple[int, int, str] | None = None
    for position, line in enumerate(article.body.splitlines()):
        # phonenumbers' matcher, not a pattern of our own: it knows every way a number is
        # written, and that "ext. 4455" is not one. POSSIBLE admits a seven-digit local number
        # and the 555 numbers of sample articles.
        for found in PhoneNumberMatcher(line, PHONE_REGION, leniency=Leniency.POSSIBLE):
            rank = (0 if ROUND_THE_CLOCK.search(line) else 1, position, found.raw_string)
            best = rank if best is None or rank < best else best
    return best[2] if best else None


def program_article(articles: Iterable[Article], concept: Iterable[str]) -> Article | None:
    phrases = [phrase.lower() for phrase in concept]
    best: tuple[int, Article] | None = None
    for article in articles:
        named = [_words(article.title), _words(article.id), *(_words(t) for t in article.tags)]
        score = sum(1 for place in named for phrase in phrases if _names(place, phrase))
        if score >= MIN_SCORE and (best is None or score > best[0]):
            best = (score, article)
    return best[1] if best else None


def _words(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9/]+", " ", text.lower()).split())


def _names(place: str, phrase: str) -> bool:
    return re.search(rf"(?<!\S){re.escape(phrase)}(?!\S)", place) is not None
