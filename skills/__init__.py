"""Skills: one package per job. Each exposes `setup(router)` and sees only neutral types."""

from __future__ import annotations

from bot.router import Router
from skills import help as help_skill
from skills import home
from skills.ideas import skill as ideas
from skills.knowledge import skill as knowledge
from skills.pulse import skill as pulse
from skills.pulse.skill import PulseSkill


def install(router: Router) -> PulseSkill:
    """Register every skill; help goes last so it can list what the others registered.

    Returns the pulse skill, whose outbox the composition root delivers in the background."""
    knowledge.setup(router)
    ideas.setup(router)
    survey_skill = pulse.setup(router)
    home.setup(router)
    help_skill.setup(router)
    return survey_skill
