"""Errors a user is meant to read. Anything else is a bug and gets a generic apology."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.i18n import Translator


class Term:
    """A word a message names (a record's kind, an argument's label), translated with the
    message: `capital` when it starts the sentence, `lower` for a metavar read as a word."""

    def __init__(self, message: str, *, capital: bool = False, lower: bool = False) -> None:
        self.message = message
        self.capital = capital
        self.lower = lower

    def text(self, t: Translator) -> str:
        word = t(self.message)
        if self.lower:
            word = word.lower()
        return word[:1].upper() + word[1:] if self.capital else word


class SkillError(Exception):
    """An expected failure, told to the person in their language: `message` is an English
    catalog message (a literal marked with `N_`), `values` fill its placeholders. A value that
    is itself a `SkillError` or a `Term` is translated too, so a message can wrap another (a
    problem, then the usage line) and each part reaches the reader in their language."""

    def __init__(self, message: str, /, **values: object) -> None:
        super().__init__(message)
        self.message = message
        self.values = values

    def text(self, t: Translator) -> str:
        values = {
            name: value.text(t) if isinstance(value, SkillError | Term) else value
            for name, value in self.values.items()
        }
        return t(self.message, **values)
