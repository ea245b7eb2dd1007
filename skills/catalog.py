"""The skills this bot runs, installed on a router in one place.

Kept apart from `skills/__init__.py` so that importing the package binds no names over its own
subpackages: `skills.knowledge` stays the knowledge package, not its skill module.
"""

from __future__ import annotations

from bot.router import Router
from skills import help as help_skill
from skills import home
from skills.announce import skill as announce_skill
from skills.ideas import skill as ideas_skill
from skills.knowledge import skill as knowledge_skill
from skills.knowledge.library import KnowledgeLibrary
from skills.language import skill as language_skill
from skills.pulse import skill as pulse_skill
from skills.safety.responder import CrisisResponder
from skills.spotlight import skill as spotlight_skill


def install(router: Router) -> KnowledgeLibrary:
    """Register every skill; help goes last so it can list what the others registered. The
    knowledge library is returned for the server to start and stop."""
    knowledge = knowledge_skill.library_for(router)
    # Questions, ideas and survey comments answer a crisis alike, with the EAP's line from
    # this library.
    safety = CrisisResponder(knowledge.articles)
    knowledge_skill.setup(router, knowledge, safety)
    announcer = announce_skill.setup(router, knowledge)
    ideas_skill.setup(router, safety, announcer)
    pulse_skill.setup(router, safety)
    spotlight_skill.setup(router, knowledge)
    home.setup(router)
    language_skill.setup(router)
    help_skill.setup(router)
    return knowledge
