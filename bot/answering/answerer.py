"""Answering an event, the same way on every platform: the person's turn, the router, a place
for every reply, one catch, and the background work an adapter leaves running.

An adapter hands over the neutral event and a `Surface` of its primitives; the `Answerer` does
the rest with the adapter's `Capabilities`. Nothing raised while answering reaches the adapter's
HTTP layer: a failure placing a reply tries the next place in its chain, and anything else is
logged with the event id. Message text never appears in these logs.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import AbstractAsyncContextManager
from dataclasses import replace
from typing import Any

from bot.answering.forms import FORM_GONE, FORM_NOT_OPENED, OPEN_OFFERED_FORM
from bot.answering.placement import Capabilities, Place, Step, placements
from bot.answering.surface import Surface
from bot.answering.turns import Turns
from bot.events import Action, Actor, Event
from bot.fallbacks import STORAGE_APOLOGY
from bot.i18n import Translator
from bot.messenger import DeliveryError, RateLimited
from bot.patience import patiently
from bot.replies import Reply
from bot.router import Router
from storage.db import StorageUnavailable

log = logging.getLogger(__name__)

# How long answers and background work still running get to finish when the server stops.
DRAIN_SECONDS = 10.0


class Answerer:
    """One adapter's answering: its capabilities, its people's turns, its background work."""

    def __init__(self, router: Router, capabilities: Capabilities) -> None:
        self._router = router
        self._can = capabilities
        self._turns = Turns()
        self._work: set[asyncio.Task[Any]] = set()

    def turn(self, actor: Actor) -> AbstractAsyncContextManager[None]:
        """One person's events one at a time, in the order they came, in this process: answers
        arrive in the order things were asked (effects are once-only by the database)."""
        return self._turns.of(f"{actor.tenant}:{actor.user_id}")

    @contextlib.asynccontextmanager
    async def guarded(self, event_id: str, what: str) -> AsyncIterator[None]:
        """The one catch: whatever the block raises is logged with the event id and goes no
        further (cancellation aside)."""
        try:
            yield
        except Exception:
            log.exception("event=%s %s: %s failed", event_id, self._can.platform, what)

    async def answer(self, event: Event, surface: Surface) -> list[Reply]:
        """Answer in the actor's turn; the replies the event got (placed or not)."""
        async with self.turn(event.actor):
            return await self.answer_in_turn(event, surface)

    async def answer_in_turn(self, event: Event, surface: Surface) -> list[Reply]:
        """`answer`, for an adapter that holds the actor's turn already (`turn`)."""
        replies: list[Reply] = []
        async with self.guarded(event.id, "answer"):
            if isinstance(event, Action) and event.action_id == OPEN_OFFERED_FORM:
                replies = await self._offered_form(event, surface)
            else:
                replies = await self._router.dispatch(event)
            for reply in replies:
                await self.place(event, reply, surface)
        return replies

    def answer_later(self, event: Event, surface: Surface) -> None:
        """Answer in the background, e.g. once the platform has been acknowledged."""
        self.in_background(self.answer(event, surface), f"answer {event.id}")

    async def place(self, event: Event, reply: Reply, surface: Surface) -> None:
        """Put one reply in the first place of its chain that takes it."""
        steps = placements(event, reply, self._can, surface.openings())
        platform = self._can.platform
        if not steps:
            log.info("event=%s %s: a reply had nowhere to go", event.id, platform)
            return
        for step in steps:
            try:
                await patiently(functools.partial(self._put, step, surface), self._can.patience)
            except RateLimited as exc:
                # Another place would only add calls to a platform asking for fewer.
                log.warning(
                    "event=%s %s: reply not delivered (%s): %s", event.id, platform, step.place, exc
                )
                return
            except (DeliveryError, StorageUnavailable) as exc:
                log.info("event=%s %s: %s failed (%s)", event.id, platform, step.place, exc)
            except Exception:
                log.exception("event=%s %s: %s failed", event.id, platform, step.place)
            else:
                if step is not steps[0]:
                    log.info("event=%s %s: reply placed by %s", event.id, platform, step.place)
                return
        log.warning(
            "event=%s %s: reply not delivered: %s all failed",
            event.id,
            platform,
            ", ".join(step.place for step in steps),
        )

    async def _put(self, step: Step, surface: Surface) -> None:
        primitives: dict[Place, Callable[[Reply], Awaitable[None]]] = {
            Place.RESPOND: surface.respond,
            Place.FORM: surface.open_form,
            Place.UPDATE: surface.update,
            Place.POST: surface.post,
            Place.PRIVATE: surface.post_private,
            Place.DIRECT: surface.direct,
            Place.HOME: surface.publish_home,
        }
        await primitives[step.place](step.reply)

    async def _offered_form(self, event: Action, surface: Surface) -> list[Reply]:
        """Open the form a button offered; the replies to place instead when it cannot be."""
        services = self._router.services
        platform = self._can.platform
        try:
            view = await services.forms.get(platform, event.value, services.clock())
        except StorageUnavailable as exc:
            log.warning("event=%s %s: offered form not read: %s", event.id, platform, exc)
            return [_said(await self._router.reader(event.actor), STORAGE_APOLOGY)]
        if view is None:
            return [_said(await self._router.reader(event.actor), FORM_GONE)]
        if self._can.modal_forms and surface.openings().form_now:
            try:
                await patiently(lambda: surface.open_offered_form(view), self._can.patience)
                return []
            except DeliveryError as exc:
                log.info("event=%s %s: offered form not opened (%s)", event.id, platform, exc)
        return [_said(await self._router.reader(event.actor), FORM_NOT_OPENED)]

    # -- background work --------------------------------------------------------------------

    def in_background(self, work: Coroutine[Any, Any, Any], what: str) -> None:
        """Run `work` in a task kept until done (so it is not collected midway) and waited for
        at shutdown; a failure is logged."""
        task = asyncio.create_task(work, name=what)
        self._work.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._work.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error(
                "%s: %s failed", self._can.platform, task.get_name(), exc_info=task.exception()
            )

    async def settle(self) -> None:
        """Wait until every answer and background job started so far has finished."""
        while self._work:
            await asyncio.wait(set(self._work))

    async def drain(self, deadline: float = DRAIN_SECONDS) -> None:
        """At shutdown: let work still running finish within `deadline` seconds, then cancel
        what is left, before the clients and the database it uses close."""
        try:
            async with asyncio.timeout(deadline):
                await self.settle()
        except TimeoutError:
            late = set(self._work)
            for task in late:
                task.cancel()
            if late:
                await asyncio.wait(late)
            log.warning(
                "%s: %d answers or jobs cut short by the shutdown", self._can.platform, len(late)
            )


def _said(t: Translator, message: str) -> Reply:
    """A notice of the answering path itself, to the person alone, in their language."""
    return replace(Reply.text(t(message), ephemeral=True), language=t.language)
