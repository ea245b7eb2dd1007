"""What the terminal can do with an event's replies: print them. The core decides where each
reply goes (`bot.answering`); here every place is the one conversation on the screen.

A form is asked input by input once the answer is out (`ConsoleChat` does that), so that its
submission is a new event in the person's turn, not one inside the turn still answering.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from adapters.console.render import UPDATED, Pick, render
from bot.answering import Capabilities, Openings, Source, Surface
from bot.events import Action, Event, Platform
from bot.i18n import translator
from bot.patience import Patience
from bot.replies import Form, Reply

CONSOLE = Capabilities(platform=Platform.CONSOLE.value, patience=Patience(attempts=1))


class ConsoleSurface(Surface):
    def __init__(self, event: Event, write: Callable[[str], None], exports: Path) -> None:
        self._event = event
        self._write = write
        self._exports = exports
        self.picks: list[Pick] = []  # the buttons of the last reply shown that had any
        self.forms: list[Form] = []  # forms to fill once the answer is out

    def openings(self) -> Openings:
        # A picked number pressed a button of a message on the screen.
        return Openings(source=Source.SHARED if isinstance(self._event, Action) else Source.NONE)

    async def post(self, reply: Reply) -> None:
        self._show(reply, "")

    async def update(self, reply: Reply) -> None:
        self._show(reply, translator(reply.language)(UPDATED) + " ")

    def _show(self, reply: Reply, prefix: str) -> None:
        rendered = render(reply, self._exports)
        self._write(f"bot> {prefix}{rendered.text}")
        if rendered.picks:
            self.picks = rendered.picks
        self.forms += rendered.forms
