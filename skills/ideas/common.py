"""What the idea modules share: finding an idea by its number, quoting its text, and reading
the idea numbers, statuses and categories leaders type."""

from __future__ import annotations

import logging

from bot.arguments import Arg, Identifier, OneOf
from bot.errors import SkillError
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
CATEGORY = OneOf(
    "category",
    {**{key: key for key in say.CATEGORIES}, **{name: key for key, name in say.CATEGORIES.items()}},
    "CATEGORY",
    prefix=True,
)


async def find_idea(services: Services, idea_id: int | None) -> Idea:
    idea = await services.ideas.get(idea_id) if idea_id else None
    if idea is None:
        raise SkillError(say.NO_SUCH_IDEA.format(id=idea_id or "?"))
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


async def notify_submitter(services: Services, idea_id: int, notice: Reply) -> bool:
    """Tell the submitter, opening the sealed reference of an anonymous idea only here."""
    person_id = await submitter_of(services, idea_id)
    if person_id is None:
        return False
    try:
        await services.outbound.to_person(person_id, notice)
    except DeliveryError as exc:
        log.warning("idea=%s submitter notice not delivered: %s", idea_id, type(exc).__name__)
        return False
    return True
