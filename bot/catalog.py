"""Keeping the message catalogs in step with the code: `breakroom catalog update` and `check`.

Every literal given to a translator (`t("...")`, `t.plural("...", "...", n)`) or marked with
`N_("...")` in bot/, adapters/ and skills/ is a message. So are the literals of what a command
declares for people to read, which the core translates where it shows them: a command's
`summary="..."`, and the labels and placeholders of its arguments (`Identifier("idea")`,
`Rest("TEXT", label="comment")`, `Phrase("unit", "UNIT")`). Babel finds only a function's
arguments, so these are found by reading the code's syntax tree. `update` adds the new ones to each
catalog with an empty translation, keeps every translation still used and drops the rest, and
writes the catalog sorted by message with its source files but no line numbers, so that moving
code does not touch it. `check` names every message a person would read untranslated, and every
translation whose placeholders differ from its message's (it would fail when filled in).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from bot.i18n import DOMAIN, SOURCE_LANGUAGE

PACKAGES = ("bot", "adapters", "skills")
KEYWORDS = {"t": None, "N_": None, "plural": (1, 2)}
_PLACEHOLDER = re.compile(r"\{(\w*)[^{}]*\}")
# Declarations whose literals a person reads: a command's summary, and the labels and
# placeholders of `bot.arguments` readers and arguments, by keyword or position.
SUMMARY = "summary"
DECLARED_KEYWORDS = frozenset({"label", "metavar", "missing"})
DECLARED_POSITIONS = {
    "Identifier": (0,),
    "Integer": (0,),
    "OneOf": (0, 2),
    "Phrase": (0, 1),
    "Rest": (0,),
    "Words": (0,),
}


@dataclass(frozen=True)
class Problem:
    language: str
    message: str
    why: str

    def __str__(self) -> str:
        return f"{self.language}: {self.why}: {self.message!r}"


def source_root() -> Path:
    """The folder holding bot/, adapters/ and skills/."""
    return Path(__file__).resolve().parents[1]


def catalog_path(language: str, root: Path | None = None) -> Path:
    base = root or source_root()
    return base / "bot" / "locale" / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def languages(root: Path | None = None) -> list[str]:
    base = (root or source_root()) / "bot" / "locale"
    return sorted(p.parent.parent.name for p in base.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def extract(root: Path | None = None) -> Catalog:
    """Every message in the code, with the files it is in."""
    base = root or source_root()
    template = Catalog(domain=DOMAIN, locale=SOURCE_LANGUAGE)
    for package in PACKAGES:
        found = extract_from_dir(
            base / package, method_map=[("**.py", "python")], keywords=KEYWORDS
        )
        for filename, _lineno, message, _comments, context in found:
            template.add(message, locations=[(f"{package}/{filename}", 0)], context=context)
        for path in sorted((base / package).rglob("*.py")):
            location = (f"{package}/{path.relative_to(base / package).as_posix()}", 0)
            for message in declared_messages(path.read_text(encoding="utf-8")):
                existing = template.get(message)
                if existing is None:
                    template.add(message, locations=[location])
                elif location not in existing.locations:
                    existing.locations.append(location)
    return template


def declared_messages(source: str) -> Iterator[str]:
    """The literals a command declares for people to read (see the module's docstring)."""
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else ""
        declared = name in DECLARED_POSITIONS
        wanted = DECLARED_KEYWORDS | {SUMMARY} if declared else {SUMMARY}
        texts = [_text(k.value) for k in node.keywords if k.arg in wanted]
        positions = DECLARED_POSITIONS.get(name, ())
        texts += [_text(node.args[p]) for p in positions if p < len(node.args)]
        yield from (text for text in texts if text)


def _text(node: ast.expr) -> str | None:
    """The string a node writes out, when it is a literal."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def update(root: Path | None = None) -> dict[str, int]:
    """Bring every catalog up to the code; how many messages each still lacks."""
    template = extract(root)
    missing: dict[str, int] = {}
    for language in languages(root):
        path = catalog_path(language, root)
        with path.open("rb") as po:
            catalog = read_po(po, locale=language, domain=DOMAIN)
        created = catalog.creation_date
        catalog.update(template, no_fuzzy_matching=True, update_header_comment=False)
        catalog.obsolete.clear()
        # The header stays as it was: a run that changes no message changes no byte.
        catalog.creation_date = created
        with path.open("wb") as po:
            write_po(po, catalog, width=100, sort_output=True, include_lineno=False)
        missing[language] = sum(1 for problem in check(root) if problem.language == language)
    return missing


def check(root: Path | None = None) -> list[Problem]:
    """What a person would read untranslated or broken, in every catalog; and what a catalog
    keeps that the code no longer says (`catalog update` drops it)."""
    template = extract(root)
    problems: list[Problem] = []
    for language in languages(root):
        with catalog_path(language, root).open("rb") as po:
            catalog = read_po(po, locale=language, domain=DOMAIN)
        for message in template:
            if not message.id:
                continue
            problems += _problems(language, message.id, catalog.get(message.id))
        unused = {_label(m.id) for m in catalog if m.id} - {_label(m.id) for m in template if m.id}
        problems += [Problem(language, label, "no longer in the code") for label in sorted(unused)]
    return problems


def _label(msgid: object) -> str:
    return str(msgid[0] if isinstance(msgid, tuple) else msgid)


def _problems(language: str, msgid: object, found: object) -> list[Problem]:
    ids = msgid if isinstance(msgid, tuple) else (msgid,)
    label = str(ids[0])
    strings = getattr(found, "string", None)
    if found is None or getattr(found, "fuzzy", False):
        return [Problem(language, label, "not in the catalog")]
    if isinstance(getattr(found, "id", None), tuple) != isinstance(msgid, tuple):
        return [Problem(language, label, "plural in one of the code and the catalog only")]
    translations = strings if isinstance(strings, tuple) else (strings,)
    if not all(translations):
        return [Problem(language, label, "not translated")]
    wanted = set().union(*(_placeholders(str(i)) for i in ids))
    if any(_placeholders(str(text)) - wanted for text in translations):
        return [Problem(language, label, "placeholders differ from the message's")]
    return []


def _placeholders(text: str) -> set[str]:
    return {match.group(1) for match in _PLACEHOLDER.finditer(text)}
