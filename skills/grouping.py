"""Grouping short texts by shared content terms: themes among ideas, gaps among questions.

Greedy single-pass grouping against each group's pooled terms is predictable (a person can see
why two texts landed together) and fast enough for the few thousand texts a hospital produces.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from skills.knowledge.text import content_terms

T = TypeVar("T")


@dataclass
class Group(Generic[T]):
    terms: set[str]
    members: list[T] = field(default_factory=list)


def group_similar(
    items: Sequence[T],
    text_of: Callable[[T], str],
    threshold: float = 0.25,
    *,
    terms: Callable[[str], set[str]] = content_terms,
) -> list[Group[T]]:
    """Groups of items whose terms overlap (Jaccard) by at least `threshold`, largest first;
    items are taken in the order given, so pass them oldest first for stable groups. `terms`
    reads a text's terms (ideas read theirs in either language: `skills.ideas.themes`)."""
    groups: list[Group[T]] = []
    for item in items:
        item_terms = terms(text_of(item))
        best: Group[T] | None = None
        best_score = 0.0
        for group in groups:
            union = item_terms | group.terms
            score = len(item_terms & group.terms) / len(union) if union else 0.0
            if score > best_score:
                best, best_score = group, score
        if best is not None and best_score >= threshold:
            best.members.append(item)
            best.terms |= item_terms
        else:
            groups.append(Group(set(item_terms), [item]))
    groups.sort(key=lambda g: len(g.members), reverse=True)
    return groups


def most_similar(
    text: str,
    items: Sequence[T],
    text_of: Callable[[T], str],
    *,
    limit: int = 3,
    threshold: float = 0.2,
    terms: Callable[[str], set[str]] = content_terms,
) -> list[tuple[T, float]]:
    """Items most like `text` by IDF-weighted cosine over their terms, best first."""
    if not items:
        return []
    documents = [terms(text_of(item)) for item in items]
    frequency: Counter[str] = Counter(term for document in documents for term in document)
    total = len(documents) + 1

    def weights(found: set[str]) -> dict[str, float]:
        return {t: math.log(1 + total / (1 + frequency.get(t, 0))) for t in found}

    query = weights(terms(text))
    query_norm = math.sqrt(sum(w * w for w in query.values())) or 1.0
    scored = []
    for item, document in zip(items, documents, strict=True):
        doc = weights(document)
        dot = sum(w * doc[t] for t, w in query.items() if t in doc)
        norm = math.sqrt(sum(w * w for w in doc.values())) or 1.0
        score = dot / (query_norm * norm)
        if score >= threshold:
            scored.append((item, score))
    scored.sort(key=lambda pair: pair[1], reverse=True)
    return scored[:limit]
