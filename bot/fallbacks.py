"""What the router says when no handler does: to an event no route takes, for a skill's
refusal, and in apology for a failure. Kept together so that every such reply is ephemeral and
carries the outcome a caller (the CLI's exit status, an adapter) reads."""

from __future__ import annotations

from bot.arguments import BadInput
from bot.errors import SkillError
from bot.events import Action, Command, Event, Message
from bot.i18n import N_, Translator
from bot.replies import Outcome, Reply

STORAGE_APOLOGY = N_(
    "I couldn't reach my database just now, so nothing was saved. Please try again in a minute."
)
CONFLICT_APOLOGY = N_(
    "That was being changed somewhere else at the same moment, so I left it as it is. "
    "Please try again."
)
FAILURE_APOLOGY = N_(
    "Sorry, something went wrong on my side and I couldn't finish that. "
    "Please try again; if it keeps happening, give IT this reference: {reference}"
)
UNKNOWN_COMMAND = N_("I don't know the command `{command}`. Type `help` to see what I can do.")
DEAD_BUTTON = N_("That button no longer works. Type `help` to start again.")
NOT_UNDERSTOOD = N_("I'm not sure what you mean. Type `help` to see what I can do.")


def unrouted(event: Event, t: Translator) -> list[Reply]:
    """The answer to an event no route takes: an unknown command, a button nothing handles
    any more, free text with no handler; nothing for other events."""
    if isinstance(event, Command):
        text = t(UNKNOWN_COMMAND, command=event.name)
    elif isinstance(event, Action):
        text = t(DEAD_BUTTON)
    elif isinstance(event, Message):
        text = t(NOT_UNDERSTOOD)
    else:
        return []
    return [Reply.text(text, ephemeral=True, outcome=Outcome.BAD_INPUT)]


def refused(exc: SkillError, t: Translator) -> Reply:
    """A skill's refusal as a reply; words the command could not read are a usage error."""
    outcome = Outcome.BAD_INPUT if isinstance(exc, BadInput) else Outcome.REFUSED
    return Reply.text(exc.text(t), ephemeral=True, outcome=outcome)


def apology(text: str) -> Reply:
    """An apology for a failure, said instead of what the handler would have replied."""
    return Reply.text(text, ephemeral=True, outcome=Outcome.FAILED)
