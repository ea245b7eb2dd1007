"""The redactor's tags in the reader's language: stored neutral ("[NAME]"), read as "[NOMBRE]" by
a Spanish speaker and as "[NAME]" in English; only the exact tags change, and a person's edit of
text they were shown in Spanish is stored with the neutral tags again."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.i18n import languages, translator
from skills.knowledge.stats import content_gaps
from skills.phi import redact
from skills.phi.tags import TAGS, neutral, readable, tag, tag_list, without_tags
from storage.questions import LoggedQuestion

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


def test_what_reads_the_words_of_a_text_reads_it_without_its_tags() -> None:
    assert without_tags("Can [NAME] swap with me on [DATE]?").split() == [
        "Can",
        "swap",
        "with",
        "me",
        "on",
        "?",
    ]
    assert without_tags("[name] stays") == "[name] stays"


def test_questions_that_share_only_tags_are_not_a_topic_named_after_them() -> None:
    """`ask stats` names a group of questions by the words they share; "name" and "date" are
    the tags' codes, not words anyone asked."""
    asked = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
    texts = [
        "can I swap my parking spot with [NAME] from [DATE]",
        "who approves a parking spot swap with [NAME] on [DATE]",
    ]
    questions = [
        LoggedQuestion(n, asked, text, None, 0.1, answered=False, helpful=None)
        for n, text in enumerate(texts, start=1)
    ]
    report = content_gaps(questions, SPANISH, total=2, days=7, titles={})
    assert "1. **Parking, spot, swap**:" in report, report
    assert "[NOMBRE]" in report
    assert "[NAME]" not in report
