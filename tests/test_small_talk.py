"""Small talk in English and Spanish, read from a set of typed lines beside questions that
merely start or end like small talk ("hi, how many pto days do i get?")."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.i18n import translator
from skills.knowledge.smalltalk import ANSWERS, PHRASEBOOKS, Kind, small_talk

SET = Path(__file__).parent / "data" / "small_talk.tsv"
QUESTION = "question"


def _lines() -> list[tuple[str, str]]:
    rows = (line.split("\t") for line in SET.read_text(encoding="utf-8").splitlines() if line)
    return [(text, kind) for text, kind in rows]


@pytest.mark.parametrize(("text", "kind"), _lines())
def test_small_talk_is_told_from_questions(text: str, kind: str) -> None:
    found = small_talk(text)
    assert (found.kind.value if found else QUESTION) == kind


def test_the_set_covers_every_kind_in_both_languages_and_as_many_questions() -> None:
    lines = _lines()
    assert {kind for _, kind in lines} == {k.value for k in Kind} | {QUESTION}
    questions = sum(1 for _, kind in lines if kind == QUESTION)
    assert questions >= 20


@pytest.mark.parametrize(
    ("text", "english", "spanish"),
    [
        ("thanks", "You're welcome!", "¡Con gusto!"),
        ("gracias", "You're welcome!", "¡Con gusto!"),
        ("quien eres", "I'm Breakroom", "Soy Breakroom"),
    ],
)
def test_the_answer_is_in_the_readers_language_whatever_it_was_said_in(
    text: str, english: str, spanish: str
) -> None:
    found = small_talk(text)
    assert found is not None
    assert found.answer(translator("en")).startswith(english)
    assert found.answer(translator("es")).startswith(spanish)


@pytest.mark.parametrize(
    ("name", "english", "spanish"),
    [("Ana", "Hi Ana! I answer", "¡Hola, Ana! Respondo"), (None, "Hi there! I", "¡Hola! Respondo")],
)
def test_a_greeting_names_the_person_when_known(
    name: str | None, english: str, spanish: str
) -> None:
    hello, hola = small_talk("hello"), small_talk("hola")
    assert hello is not None
    assert hello.answer(translator("en"), name=name).startswith(english)
    assert hola is not None
    assert hola.answer(translator("es"), name=name).startswith(spanish)


def test_every_phrasebook_answers_every_kind() -> None:
    assert set(ANSWERS) == set(Kind)
    for book in PHRASEBOOKS.values():
        assert set(book.phrases) == set(Kind)
