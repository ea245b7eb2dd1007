"""The context a handler receives: the event, the person behind it, the services, and for a
command the typed values of what followed it. Roles are checked by the router before a handler
runs, from what the handler was declared with, so handlers hold no role checks of their own."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar
from zoneinfo import ZoneInfo

from bot.arguments import Invocation
from bot.dates import reader_zone
from bot.events import Event
from bot.i18n import Translator, translator_for
from bot.ownership import seal_value
from bot.replies import Reply
from bot.roles import Role
from bot.services import Services
from storage.admission import Admissions, CrisisCount, QuestionEntry
from storage.people import Person

E = TypeVar("E", bound=Event, covariant=True)


class DuplicateDelivery(Exception):
    """The event was handled before (a platform's redelivery): it gets no second answer."""


@dataclass
class PendingAdmission:
    """A question event whose id is not recorded yet: recorded with the question's log entry
    in one round trip when the handler logs it (`Context.log_question`), or by the router
    after the handler when it logged nothing. Either way before any reply goes out."""

    admissions: Admissions
    platform: str
    event_id: str
    identity_id: int
    done: bool = False

    async def admit(
        self, question: QuestionEntry | None = None, crisis: CrisisCount | None = None
    ) -> int | None:
        """Record the event (and log `question`, or count `crisis`); the logged question's id.
        Raises `DuplicateDelivery` when the event was recorded before."""
        admitted = await self.admissions.admit(
            self.platform,
            self.event_id,
            identity_id=self.identity_id,
            question=question,
            crisis=crisis,
        )
        if admitted is None:
            raise DuplicateDelivery(self.event_id)
        self.done = True
        return admitted.question_id


@dataclass(frozen=True)
class Context(Generic[E]):
    event: E
    person: Person
    roles: frozenset[Role]
    services: Services
    args: Invocation = field(default_factory=Invocation)
    # Set for a question event the router has not recorded yet (see `bot.router`).
    admission: PendingAdmission | None = None

    async def audit(self, action: str, subject: str = "", **detail: Any) -> None:
        await self.services.audit.record(self.person.id, action, subject, **detail)

    async def log_question(self, entry: QuestionEntry) -> int:
        """Log a question; its id. For a question event not recorded yet, in the same round
        trip as its event id (and `DuplicateDelivery` when it was a redelivery)."""
        if self.admission is not None and not self.admission.done:
            question_id = await self.admission.admit(entry)
            assert question_id is not None
            return question_id
        return await self.services.questions.record(
            entry.text,
            article_id=entry.article_id,
            confidence=entry.confidence,
            answered=entry.answered,
        )

    async def count_crisis(self, kind: str) -> None:
        """Count a message answered with crisis resources, by the hospital's day and its kind:
        nothing else of it is kept. For a question event not recorded yet, in the same round
        trip as its event id (and `DuplicateDelivery` when it was a redelivery)."""
        zone = ZoneInfo(self.services.settings.timezone)
        count = CrisisCount(self.services.clock().astimezone(zone).date(), kind)
        if self.admission is not None and not self.admission.done:
            await self.admission.admit(crisis=count)
            return
        await self.services.crisis_counts.add(count.day, count.kind)

    @property
    def t(self) -> Translator:
        """This person's language: the one they chose, else their platform's, else the
        hospital's."""
        return translator_for(self.person, self.services.settings.language)

    @property
    def language(self) -> str:
        return self.t.language

    @property
    def zone(self) -> ZoneInfo:
        """The time zone this person reads dates in: their own, else the hospital's."""
        return reader_zone(self.person.timezone, self.services.settings.timezone)

    def when(self, moment: datetime | None) -> str:
        """A scheduled moment on this person's clock, or that nothing is scheduled."""
        if moment is None:
            return self.t("none scheduled")
        return self.t.moment(moment, self.zone)

    async def seal(self, action_id: str, payload: object) -> str:
        """`payload` as the value of an `action_id` button only this person can press: for
        actions the router opens as sealed (see `bot.ownership`)."""
        key = await self.services.sealer.button_key()
        return seal_value(key, action_id, self.person.id, str(payload))


HandlerResult = Reply | Sequence[Reply] | None
Handler = Callable[[Context[Any]], Awaitable[HandlerResult]]
