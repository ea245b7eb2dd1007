"""Skills: one package per job. Each exposes `setup(router)` and sees only neutral types."""

from __future__ import annotations

from bot.router import Router
from skills import help as help_skill


def install(router: Router) -> None:
    """Register every skill; help goes last so it can list what the others registered."""
    help_skill.setup(router)
