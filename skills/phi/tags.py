"""The redactor's tags as a person reads them.

Screened text is stored with neutral tags, the redactor's codes in English capitals ("[NAME]",
"[DATE]"), so that what is stored, exported and shown in English is the same whoever wrote it
and whoever reads it. Each tag is a catalog message, translated where the text is shown: a
Spanish speaker reads "[NOMBRE]" and "[FECHA]". Only the exact tags are replaced; a "[name]" or
"[NAMES]" that someone typed stays as typed.

Where a person edits text they were shown (an idea draft), the tags come back in their language:
`neutral` writes them back as the codes before the text is screened and stored again.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from bot.i18n import N_, Translator, languages, translator
from skills.textkit.words import strip_accents

# Every type the redactor tags (`skills.phi.patterns`, `skills.phi.names`), with its tag.
TAGS: dict[str, str] = {
    "NAME": N_("[NAME]"),
    "DATE": N_("[DATE]"),
    "MRN": N_("[MRN]"),
    "PHONE": N_("[PHONE]"),
    "ID": N_("[ID]"),
    "EMAIL": N_("[EMAIL]"),
    "SSN": N_("[SSN]"),
    "ADDRESS": N_("[ADDRESS]"),
}

_STORED = re.compile(r"\[(" + "|".join(TAGS) + r")\]")


def tag(kind: str, t: Translator) -> str:
    """The tag of one type in `t`'s language; a type with no message as the redactor writes it."""
    return t(TAGS[kind]) if kind in TAGS else f"[{kind}]"


def readable(text: str, t: Translator) -> str:
    """Stored, screened text with its tags in `t`'s language."""
    if "[" not in text:
        return text
    return _STORED.sub(lambda m: t(TAGS[m.group(1)]), text)


def without_tags(text: str) -> str:
    """Stored text with its tags taken out, for what reads its words: a tag says nothing about
    what a text is about, and its code is an English word."""
    return _STORED.sub(" ", text) if "[" in text else text


def tag_list(kinds: Iterable[str], t: Translator) -> str:
    """The tags of these types, in `t`'s language and alphabetical order, for a notice saying
    what was replaced: "[DATE], [NAME]", "[FECHA], [NOMBRE]"."""
    return ", ".join(sorted(tag(kind, t) for kind in set(kinds)))


def neutral(text: str) -> str:
    """Text a person edited, with the tags they were shown, in any language we speak (with or
    without its accents), written back as the stored codes."""
    if "[" not in text:
        return text
    shown, codes = _shown_tags()
    return shown.sub(lambda m: codes[m.group()], text)


@functools.cache
def _shown_tags() -> tuple[re.Pattern[str], dict[str, str]]:
    codes: dict[str, str] = {}
    for language in languages():
        t = translator(language)
        for kind in TAGS:
            readable_tag = tag(kind, t)
            codes.setdefault(readable_tag, f"[{kind}]")
            codes.setdefault(strip_accents(readable_tag), f"[{kind}]")
    alternatives = sorted(codes, key=len, reverse=True)
    return re.compile("|".join(re.escape(a) for a in alternatives)), codes
