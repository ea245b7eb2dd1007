"""A survey definition as the bot keeps it: its questions, and every text a person reads
(title, intro, question, option, scale end, comment prompt) in English and in other languages.

An answer is stored by its value, never by the words shown: the number of a scale, the English
text of an option. So answers given in any language count together, and a survey's Spanish can
be corrected without touching a stored answer. A reader whose language a text lacks reads its
English. Definitions are written in YAML (read and checked by `skills.pulse.definition_files`)
and stored with their survey as JSON (`to_json`, `from_json`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any


class QuestionKind(StrEnum):
    RATING = "rating"
    ENPS = "enps"
    CHOICE = "choice"


@dataclass(frozen=True)
class QuestionWords:
    """A question's words in one more language; an empty text is read in English."""

    text: str = ""
    options: tuple[str, ...] = ()  # in the order of the question's options; "" for missing
    low: str = ""
    high: str = ""


@dataclass(frozen=True)
class Question:
    id: str
    kind: QuestionKind
    text: str
    options: tuple[str, ...] = ()  # the stored values of a choice: its options' English
    low: str = ""
    high: str = ""
    labels: tuple[str, ...] = ()  # the options as shown to this reader; () for the English
    translations: tuple[tuple[str, QuestionWords], ...] = ()

    @property
    def values(self) -> tuple[str, ...]:
        """The answers a person can give, as stored."""
        if self.kind is QuestionKind.RATING:
            return tuple(str(n) for n in range(1, 6))
        if self.kind is QuestionKind.ENPS:
            return tuple(str(n) for n in range(11))
        return self.options

    def label(self, value: str) -> str:
        """What a reader sees for a stored answer."""
        if self.kind is QuestionKind.CHOICE and self.labels and value in self.options:
            return self.labels[self.options.index(value)]
        return value

    def in_language(self, language: str) -> Question:
        """The question as a reader of `language` sees it: each text in that language when
        the definition gives it, else in English; the values stay as stored."""
        words = dict(self.translations).get(language)
        if words is None:
            return self
        return replace(
            self,
            text=words.text or self.text,
            low=words.low or self.low,
            high=words.high or self.high,
            labels=tuple(
                translated or english
                for english, translated in zip(
                    self.options, _padded(words.options, len(self.options)), strict=True
                )
            ),
        )


@dataclass(frozen=True)
class SurveyWords:
    """A survey's own texts in one more language; an empty text is read in English."""

    title: str = ""
    intro: str = ""
    comment: str = ""


@dataclass(frozen=True)
class SurveyDefinition:
    id: str
    title: str
    questions: tuple[Question, ...]
    intro: str = ""
    comment: str | None = None
    translations: tuple[tuple[str, SurveyWords], ...] = ()

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)

    def in_language(self, language: str) -> SurveyDefinition:
        """The survey as a reader of `language` sees it (English where it has no text)."""
        words = dict(self.translations).get(language, SurveyWords())
        return replace(
            self,
            title=words.title or self.title,
            intro=words.intro or self.intro,
            comment=(words.comment or self.comment) if self.comment is not None else None,
            questions=tuple(q.in_language(language) for q in self.questions),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "intro": self.intro,
            "comment": self.comment,
            "translations": {
                language: {"title": w.title, "intro": w.intro, "comment": w.comment}
                for language, w in self.translations
            },
            "questions": [
                {
                    "id": q.id,
                    "type": q.kind.value,
                    "text": q.text,
                    "options": list(q.options),
                    "low": q.low,
                    "high": q.high,
                    "translations": {
                        language: {
                            "text": w.text,
                            "options": list(w.options),
                            "low": w.low,
                            "high": w.high,
                        }
                        for language, w in q.translations
                    },
                }
                for q in self.questions
            ],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SurveyDefinition:
        """A stored definition; one stored before surveys had other languages is English."""
        return cls(
            id=data["id"],
            title=data["title"],
            intro=data.get("intro", ""),
            comment=data.get("comment"),
            translations=tuple(
                (
                    language,
                    SurveyWords(w.get("title", ""), w.get("intro", ""), w.get("comment", "")),
                )
                for language, w in data.get("translations", {}).items()
            ),
            questions=tuple(
                Question(
                    id=q["id"],
                    kind=QuestionKind(q["type"]),
                    text=q["text"],
                    options=tuple(q.get("options", ())),
                    low=q.get("low", ""),
                    high=q.get("high", ""),
                    translations=tuple(
                        (
                            language,
                            QuestionWords(
                                w.get("text", ""),
                                tuple(w.get("options", ())),
                                w.get("low", ""),
                                w.get("high", ""),
                            ),
                        )
                        for language, w in q.get("translations", {}).items()
                    ),
                )
                for q in data["questions"]
            ),
        )


def _padded(texts: tuple[str, ...], length: int) -> tuple[str, ...]:
    return (texts + ("",) * length)[:length]
