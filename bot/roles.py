"""Roles and the one rule that interprets them, so no adapter or skill re-implements it."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from bot.i18n import N_, Translator


class Role(StrEnum):
    EMPLOYEE = "employee"
    LEADER = "leader"
    HR = "hr"
    ADMIN = "admin"


def parse_roles(names: Iterable[str]) -> frozenset[Role]:
    """Known role names to roles; unknown names (from an older schema, say) are ignored."""
    known = {role.value for role in Role}
    return frozenset(Role(name) for name in names if name in known) | {Role.EMPLOYEE}


def allows(held: frozenset[Role], required: Iterable[Role]) -> bool:
    """True when `held` satisfies any of `required`; admins satisfy everything, and an empty
    requirement means every employee."""
    wanted = frozenset(required)
    return not wanted or Role.ADMIN in held or bool(held & wanted)


_PEOPLE = {
    Role.EMPLOYEE: N_("employees"),
    Role.LEADER: N_("leaders"),
    Role.HR: N_("HR"),
    Role.ADMIN: N_("admins"),
}
REFUSAL = N_("Only {people} can do that.")


def refusal(required: Iterable[Role], t: Translator) -> str:
    """What someone without the rights is told, naming who may: "Only leaders can do that."."""
    names = sorted(t(_PEOPLE[role]) for role in required)
    return t(REFUSAL, people=t.list(names))
