"""Errors a user is meant to read. Anything else is a bug and gets a generic apology."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.i18n import Translator


class SkillError(Exception):
    """An expected failure, told to the person in their language: `message` is an English
    catalog message (a literal marked with `N_`), `values` fill its placeholders."""

    def __init__(self, message: str, /, **values: object) -> None:
        super().__init__(message)
        self.message = message
        self.values = values

    def text(self, t: Translator) -> str:
        return t(self.message, **self.values)
