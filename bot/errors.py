"""Errors a user is meant to read. Anything else is a bug and gets a generic apology."""

from __future__ import annotations


class SkillError(Exception):
    """An expected failure; `message` is shown to the user as it is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
