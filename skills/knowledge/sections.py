"""The sections of an article: the parts a question can be answered from, and the link to each.

A Markdown article is cut at its `##` headings: the text before the first heading (its lead) is
one section, and each heading with the text under it, down to the next `##` heading, is another.
Deeper headings (`###`) stay inside their section, and a `##` line inside a fenced code block is
not a heading. An article without `##` headings, and every row of a spreadsheet FAQ, is one
section with no heading.

A section's link is the article's link with the heading's anchor added, when the article is not
a spreadsheet row and its link is a web address (http or https) without a fragment of its own:
intranet pages rendered from Markdown name their headings by the usual slug rule (GitHub's, and
most site generators' default), so the link opens at the part that answers. Any other link (a
file share, a page that already points at a part of itself, a spreadsheet row's) is kept as is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from skills.knowledge.articles import Article

_HEADING = re.compile(r"##[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*")
"""A level-two ATX heading line; closing hashes ("## Pay ##") are not part of its text."""
_FENCE = re.compile(r"[ ]{0,3}(```|~~~)")
_WEB_LINK = re.compile(r"https?://[^#\s]+", re.IGNORECASE)
_INLINE_MARKUP = re.compile(r"[*_`]|\[([^\]]*)\]\([^)]*\)")
_NOT_IN_SLUG = re.compile(r"[^\w\- ]")
_ROW_SOURCE = re.compile(r"\.csv:\d+$", re.IGNORECASE)
"""How the loader names a spreadsheet row's source: "faq.csv:12"."""


@dataclass(frozen=True)
class Section:
    heading: str | None
    """The `##` heading's text, or None for an article's lead or an article without headings."""
    text: str
    """The section's Markdown, without its heading line."""
    anchor: str | None
    """The heading's slug, unique within the article (a repeated heading gets "-1", "-2")."""


@lru_cache(maxsize=1024)
def _split(body: str) -> tuple[Section, ...]:
    parts: list[tuple[str | None, list[str]]] = [(None, [])]
    fenced = False
    for line in body.splitlines():
        if _FENCE.match(line):
            fenced = not fenced
        found = None if fenced else _HEADING.fullmatch(line)
        if found is not None:
            parts.append((found.group(1).strip(), []))
        else:
            parts[-1][1].append(line)
    sections: list[Section] = []
    used: dict[str, int] = {}
    for heading, lines in parts:
        text = "\n".join(lines).strip()
        if heading is None:
            if text:
                sections.append(Section(None, text, None))
            continue
        slug = anchor(heading)
        count = used.get(slug, 0)
        used[slug] = count + 1
        sections.append(Section(heading, text, f"{slug}-{count}" if count else slug))
    return tuple(sections) or (Section(None, body.strip(), None),)


def sections(article: Article) -> tuple[Section, ...]:
    """The article's sections in order (see the module's docstring); never empty."""
    if _is_spreadsheet_row(article):
        return (Section(None, article.body.strip(), None),)
    return _split(article.body)


def anchor(heading: str) -> str:
    """The slug of a heading: its text without markup, lowercased, punctuation dropped and
    spaces made hyphens ("Pay during leave" -> "pay-during-leave")."""
    plain = _INLINE_MARKUP.sub(lambda m: m.group(1) or "", heading).strip().lower()
    return _NOT_IN_SLUG.sub("", plain).replace(" ", "-")


def link(article: Article, section: Section) -> str:
    """Where to read the section: the article's link, at the heading where the source allows."""
    if section.anchor is None or not _WEB_LINK.fullmatch(article.link.strip()):
        return article.link
    return f"{article.link.strip()}#{section.anchor}"


def _is_spreadsheet_row(article: Article) -> bool:
    """A spreadsheet row's answer is one section, whatever its text looks like."""
    return _ROW_SOURCE.search(article.source) is not None
