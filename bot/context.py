"""The context a handler receives: the event, the person behind it, and the services."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from bot.errors import PermissionDenied
from bot.events import Event
from bot.roles import Role, allows, describe
from bot.services import Services
from storage.people import Person

E = TypeVar("E", bound=Event, covariant=True)


@dataclass(frozen=True)
class Context(Generic[E]):
    event: E
    person: Person
    roles: frozenset[Role]
    services: Services

    def has(self, *roles: Role) -> bool:
        return allows(self.roles, roles)

    def require(self, *roles: Role) -> None:
        """Refuse politely unless the actor holds one of `roles` (admins hold all)."""
        if not self.has(*roles):
            raise PermissionDenied(f"Sorry, that is only open to {describe(roles)}.")

    async def audit(self, action: str, subject: str = "", **detail: Any) -> None:
        await self.services.audit.record(self.person.id, action, subject, **detail)
