"""Skills: one package per job. Each exposes `setup(router)` and sees only neutral types."""

from __future__ import annotations

from bot.router import Router
from skills import help as help_skill
from skills.ideas import skill as ideas
from skills.knowledge import skill as knowledge


def install(router: Router) -> None:
    """Register every skill; help goes last so it can list what the others registered."""
    knowledge.setup(router)
    ideas.setup(router)
    help_skill.setup(router)
