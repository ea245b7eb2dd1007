"""The context a handler receives: the event, the person behind it, the services, and for a
command the typed values of what followed it. Roles are checked by the router before a handler
runs, from what the handler was declared with, so handlers hold no role checks of their own."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from bot.arguments import Invocation
from bot.events import Event
from bot.ownership import seal_value
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

    async def seal(self, action_id: str, payload: object) -> str:
        """`payload` as the value of an `action_id` button only this person can press: for
        actions the router opens as sealed (see `bot.ownership`)."""
        key = await self.services.sealer.button_key()
        return seal_value(key, action_id, self.person.id, str(payload))


HandlerResult = Reply | Sequence[Reply] | None
Handler = Callable[[Context[Any]], Awaitable[HandlerResult]]
