"""What the idea modules share: finding an idea by its number, quoting its text, and reading
the idea numbers, statuses and categories leaders type."""

from __future__ import annotations

import logging
from collections.abc import Callable

from bot.arguments import Arg, Identifier, OneOf
from bot.errors import SkillError
from bot.i18n import Translator, languages, translator, translator_for
from bot.messenger import DeliveryError
from bot.replies import Reply
from bot.sealing import SealBroken
from bot.services import Services
from skills.ideas import messages as say
from storage.ideas import Idea

log = logging.getLogger(__name__)

IDEA = Arg(Identifier("idea"))
STATUS = OneOf(
    "status",
    {
        **{key: key for key in say.STATUSES},
        "review": "under_review",
        "reviewing": "under_review",
        "accept": "accepted",
        "decline": "declined",
        "merge": "merged",
        "done": "implemented",
        "archive": "archived",
    },
    "STATUS",
)
# A category may be typed by its key or its name in any language we speak (`comida`).
CATEGORY = OneOf(
    "category",
    {
        **{key: key for key in say.CATEGORIES},
        **{
            translator(language)(name): key
            for language in languages()
            for key, name in say.CATEGORIES.items()
        },
    },
    "CATEGORY",
    prefix=True,
)


def category_name(t: Translator, category: str) -> str:
    """A category's name in the reader's language; an unknown one as stored."""
    name = say.CATEGORIES.get(category)
    return t(name) if name else category


def status_name(t: Translator, status: str) -> str:
    name = say.STATUSES.get(status)
    return t(name) if name else status


def idea_text(idea: Idea) -> str:
    """What an idea says, for finding ideas like it."""
    return f"{idea.title} {idea.description}"


async def find_idea(services: Services, idea_id: int | None) -> Idea:
    if idea_id is None:
        raise SkillError(say.WHICH_IDEA)
    idea = await services.ideas.get(idea_id)
    if idea is None:
        raise SkillError(say.NO_SUCH_IDEA, id=idea_id)
    return idea


def quote(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.splitlines())


async def submitter_of(services: Services, idea_id: int) -> int | None:
    """Who shared the idea, opening the sealed reference of an anonymous one: for telling them
    about it only, never to show or store."""
    person_id, sealed = await services.ideas.sealed_submitter(idea_id)
    if person_id is None and sealed is not None:
        try:
            person_id = await services.sealer.open(sealed)
        except SealBroken:
            log.error("idea=%s sealed submitter cannot be opened with the current key", idea_id)
            return None
    return person_id


async def speaker_of(services: Services, person_id: int) -> Translator:
    """The translator of the person a notice goes to: their language, else the hospital's."""
    person = await services.people.get(person_id)
    default = services.settings.language
    return translator(default) if person is None else translator_for(person, default)


async def notify_submitter(
    services: Services, idea_id: int, notice: Callable[[Translator], Reply]
) -> bool:
    """Tell the submitter in their language, opening the sealed reference of an anonymous
    idea only here."""
    person_id = await submitter_of(services, idea_id)
    if person_id is None:
        return False
    try:
        await services.outbound.to_person(person_id, notice(await speaker_of(services, person_id)))
    except DeliveryError as exc:
        log.warning("idea=%s submitter notice not delivered: %s", idea_id, type(exc).__name__)
        return False
    return True
