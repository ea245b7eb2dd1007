"""How the knowledge base's Markdown is read, by search and by excerpts alike: a link to another
file of the knowledge base is a cross-reference, a link with a scheme leaves it, and link
targets and bare addresses are noise to a word index."""

from __future__ import annotations

import re

MD_LINK = re.compile(r"\[([^\]]*)\]\(\s*([^)\s]*)(?:\s+\"[^\"]*\")?\s*\)")
"""A Markdown link: group 1 is its label, group 2 its target."""
_SCHEME = re.compile(r"[a-z][a-z0-9+.-]*:", re.IGNORECASE)
_LINK_TARGET = re.compile(r"\]\([^)]*\)")
_URL = re.compile(r"https?://\S+|\S+@\S+")


def leaves_kb(target: str) -> bool:
    """A link target with a scheme (https:, mailto:) leaves the knowledge base; one without
    points at another of its files."""
    return _SCHEME.match(target) is not None


def without_links(markdown: str) -> str:
    """Text without link targets, URLs and e-mail addresses, which only add noise."""
    return _URL.sub(" ", _LINK_TARGET.sub("]", markdown))
