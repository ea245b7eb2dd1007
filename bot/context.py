"""The context a handler receives: the event, the person behind it, the services, and for a
command the typed values of what followed it. Roles are checked by the router before a handler
runs, from what the handler was declared with, so handlers hold no role checks of their own."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from bot.arguments import Invocation
from bot.events import Event
from bot.replies import Reply
from bot.roles import Role
from bot.services import Services
from storage.people import Person

E = TypeVar("E", bound=Event, covariant=True)


@dataclass(frozen=True)
class Context(Generic[E]):
    event: E
    person: Person
    roles: frozenset[Role]
    services: Services
    args: Invocation = field(default_factory=Invocation)

    async def audit(self, action: str, subject: str = "", **detail: Any) -> None:
        await self.services.audit.record(self.person.id, action, subject, **detail)


HandlerResult = Reply | Sequence[Reply] | None
Handler = Callable[[Context[Any]], Awaitable[HandlerResult]]
