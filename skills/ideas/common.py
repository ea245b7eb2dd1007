"""What the idea modules share: finding an idea by its number, quoting its text, and reading
the idea numbers, statuses and categories leaders type."""

from __future__ import annotations

from bot.arguments import Arg, Identifier, OneOf
from bot.errors import SkillError
from bot.services import Services
from skills.ideas import messages as say
from storage.ideas import Idea

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
