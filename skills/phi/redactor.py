"""`redact`: find PHI in a text and replace each identifier with a tag such as `[NAME]`."""

from __future__ import annotations

import re
from dataclasses import dataclass

from skills.phi.names import find_names
from skills.phi.patterns import find_structured


@dataclass(frozen=True)
class Entity:
    """One identifier; `start`/`end` are offsets into the original text (code points)."""

    type: str
    start: int
    end: int


@dataclass(frozen=True)
class Redaction:
    """The text to store, and what was taken out of it (sorted, never overlapping)."""

    text: str  # redacted text with tags
    entities: tuple[Entity, ...]

    @property
    def found(self) -> bool:
        return bool(self.entities)

    @property
    def types(self) -> frozenset[str]:
        return frozenset(e.type for e in self.entities)

    def cut_from(self, original: str) -> str:
        """The original text with each identifier cut out rather than tagged: what a search
        should read, since a name or a record number says nothing about what is asked."""
        parts, pos = [], 0
        for e in self.entities:
            parts.append(original[pos : e.start])
            pos = e.end
        parts.append(original[pos:])
        return " ".join(parts)


def redact(text: str) -> Redaction:
    """Structured identifiers first (an e-mail or address hides the name-like words inside it),
    then names in what is left; overlaps go to the stronger find, never to both."""
    structured = _resolve(list(find_structured(text)))
    names = _not_cities(text, structured, find_names(text, [(e.start, e.end) for e in structured]))
    entities = _merge_names(text, structured + [Entity("NAME", s, e) for s, e in names])
    parts, pos = [], 0
    for e in entities:
        parts += [text[pos : e.start], f"[{e.type}]"]
        pos = e.end
    parts.append(text[pos:])
    return Redaction("".join(parts), tuple(entities))


# What separates an address from the city written after it: "Calle Reforma 88, Tijuana",
# "Calle 10 No. 5-32 en Cali".
_CITY_GAP = re.compile(r",?\s+(?:en\s+|in\s+)?|,")


def _not_cities(
    text: str, structured: list[Entity], names: list[tuple[int, int]]
) -> list[tuple[int, int]]:
    """The names less any that directly follows an address: that is the address's city."""
    ends = [e.end for e in structured if e.type == "ADDRESS"]
    return [
        (start, end)
        for start, end in names
        if not any(a <= start and _CITY_GAP.fullmatch(text, a, start) for a in ends)
    ]


def _resolve(found: list[tuple[str, int, int, int]]) -> list[Entity]:
    """Keep the highest-priority, then longest, candidates that overlap nothing kept before;
    finds of one type that overlap are joined first."""
    joined: list[tuple[str, int, int, int]] = []
    for kind, start, end, prio in sorted(found, key=lambda f: (f[0], f[1])):
        if joined and joined[-1][0] == kind and start < joined[-1][2]:
            last = joined[-1]
            joined[-1] = (kind, last[1], max(end, last[2]), max(prio, last[3]))
        else:
            joined.append((kind, start, end, prio))
    kept: list[Entity] = []
    for kind, start, end, _ in sorted(joined, key=lambda f: (-f[3], f[1] - f[2], f[1])):
        if all(end <= k.start or k.end <= start for k in kept):
            kept.append(Entity(kind, start, end))
    return sorted(kept, key=lambda e: e.start)


def _merge_names(text: str, entities: list[Entity]) -> list[Entity]:
    """Sort, and make one NAME of two that only a space or hyphen separates."""
    out: list[Entity] = []
    for e in sorted(entities, key=lambda e: e.start):
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev.type == e.type == "NAME"
            and text[prev.end : e.start] in (" ", "-")
        ):
            out[-1] = Entity("NAME", prev.start, e.end)
        else:
            out.append(e)
    return out
