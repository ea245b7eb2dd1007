"""The redactor's tags in the reader's language: stored neutral ("[NAME]"), read as "[NOMBRE]" by
a Spanish speaker and as "[NAME]" in English; only the exact tags change, and a person's edit of
text they were shown in Spanish is stored with the neutral tags again."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.i18n import languages, translator
from skills.phi import redact
from skills.phi.tags import TAGS, neutral, readable, tag, tag_list

PHI_ES_DEV = Path(__file__).resolve().parent / "data" / "phi_es_dev.jsonl"
SPANISH = translator("es")
ENGLISH = translator("en")


def test_every_type_the_redactor_tags_has_a_tag_to_read() -> None:
    annotated = {
        entity["type"]
        for line in PHI_ES_DEV.read_text(encoding="utf-8").splitlines()
        if line.strip()
        for entity in json.loads(line)["entities"]
    }
    assert annotated <= set(TAGS)
    assert all(message == f"[{kind}]" for kind, message in TAGS.items()), "stored as the codes"


def test_a_spanish_reader_reads_spanish_tags_and_an_english_reader_the_stored_ones() -> None:
    stored = redact(
        "Dr. Okafor saw the patient on 3/4/2024, MRN 00482913, call (555) 201-3344"
    ).text
    assert stored == "Dr. [NAME] saw the patient on [DATE], MRN [MRN], call [PHONE]"
    assert readable(stored, SPANISH) == (
        "Dr. [NOMBRE] saw the patient on [FECHA], MRN [EXPEDIENTE], call [TELÉFONO]"
    )
    assert readable(stored, ENGLISH) == stored


@pytest.mark.parametrize(
    ("kind", "spanish"),
    [
        ("NAME", "[NOMBRE]"),
        ("DATE", "[FECHA]"),
        ("MRN", "[EXPEDIENTE]"),
        ("PHONE", "[TELÉFONO]"),
        ("ID", "[IDENTIFICACIÓN]"),
        ("EMAIL", "[CORREO]"),
        ("SSN", "[SEGURO SOCIAL]"),
        ("ADDRESS", "[DIRECCIÓN]"),
    ],
)
def test_each_tag_in_spanish(kind: str, spanish: str) -> None:
    assert readable(f"a [{kind}] b", SPANISH) == f"a {spanish} b"
    assert tag(kind, SPANISH) == spanish


def test_only_the_exact_tags_are_replaced() -> None:
    typed = "[name] [NAMES] [ NAME ] NAME [DATE [Name] [MRN]]"
    assert readable(typed, SPANISH) == "[name] [NAMES] [ NAME ] NAME [DATE [Name] [EXPEDIENTE]]"
    assert readable("", SPANISH) == ""
    assert readable("no tags here", SPANISH) == "no tags here"


def test_what_a_person_edits_is_stored_with_the_neutral_tags_again() -> None:
    stored = "Ask [NAME] about [DATE]; [SSN], [ADDRESS], [ID], [EMAIL], [PHONE], [MRN]"
    for language in languages():
        assert neutral(readable(stored, translator(language))) == stored
    # Retyped without its accents, a tag is still the tag; a word in brackets is left alone.
    assert neutral("[TELEFONO] [DIRECCION] [nombre] [NOMBRES]") == (
        "[PHONE] [ADDRESS] [nombre] [NOMBRES]"
    )


def test_a_notice_lists_the_tags_in_the_readers_language() -> None:
    assert tag_list({"NAME", "DATE"}, ENGLISH) == "[DATE], [NAME]"
    assert tag_list(["NAME", "DATE", "NAME"], SPANISH) == "[FECHA], [NOMBRE]"
    assert tag_list({"SOMETHING"}, SPANISH) == "[SOMETHING]", "a type with no message as is"
