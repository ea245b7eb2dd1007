"""Who writes the outbox's messages: the skill that queued them. Each skill registers a renderer
for its kinds (`pulse.invite`, `pulse.reminder`, …) and the sender asks it for a whole claimed
batch at once.

A renderer gets a kind, a payload key (`round:12`) and every recipient of that payload in the
batch, with what a message may vary by (time zone, locale), and answers with a reply per person
(a person it leaves out gets nothing: their row is skipped). So it reads what the message is
about once per batch instead of once per person, and builds one reply per variant it needs, not
one per person: a date in each reader's own time zone costs one reply per time zone.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence

from bot.replies import Reply
from storage.outbox import OutboxItem, Recipient

log = logging.getLogger(__name__)

# render(kind, payload_key, recipients) -> person id -> the reply for them (None: nothing to send)
Render = Callable[[str, str, Sequence[Recipient]], Awaitable[Mapping[int, Reply | None]]]


class RenderFailed(Exception):
    """A batch's messages of one kind and payload could not be rendered; the message says why
    (for the rows' `error`). Each row is tried again later."""


class Renderers:
    """Kind → renderer: filled by the skills at start-up, read by the outbox sender."""

    def __init__(self) -> None:
        self._by_kind: dict[str, Render] = {}

    def register(self, kind: str, render: Render) -> None:
        if kind in self._by_kind:
            raise ValueError(f"outbox kind {kind!r} has a renderer already")
        self._by_kind[kind] = render

    async def render(
        self, kind: str, payload_key: str, recipients: Sequence[Recipient]
    ) -> Mapping[int, Reply | None]:
        """The replies for these recipients. `RenderFailed` for a kind nobody registered here:
        a row queued by a newer release, which another process may know how to render."""
        render = self._by_kind.get(kind)
        if render is None:
            raise RenderFailed(f"no renderer for {kind}")
        return await render(kind, payload_key, recipients)


class BatchReplies:
    """The replies for one claimed batch, each (kind, payload key) rendered once, when a row of
    it is first about to be sent (a row blocked or found sent already needs none)."""

    def __init__(
        self,
        renderers: Renderers,
        items: Iterable[OutboxItem],
        recipients: Mapping[int, Recipient],
    ) -> None:
        self._renderers = renderers
        self._audiences: dict[tuple[str, str], list[Recipient]] = {}
        for item in items:
            audience = self._audiences.setdefault((item.kind, item.payload_key), [])
            audience.append(recipients[item.person_id])
        self._locks: dict[tuple[str, str], asyncio.Lock] = {}
        # The replies of each rendered (kind, payload key), or why they could not be rendered.
        self._rendered: dict[tuple[str, str], Mapping[int, Reply | None] | RenderFailed] = {}

    async def reply_for(self, item: OutboxItem) -> Reply | None:
        """`item`'s reply; None when there is nothing to send. `RenderFailed` when rendering
        failed: the failure is logged once and shared by every row of the batch it was for."""
        key = (item.kind, item.payload_key)
        async with self._locks.setdefault(key, asyncio.Lock()):
            if key not in self._rendered:
                self._rendered[key] = await self._render(*key)
        rendered = self._rendered[key]
        if isinstance(rendered, RenderFailed):
            raise RenderFailed(*rendered.args)
        return rendered.get(item.person_id)

    async def _render(
        self, kind: str, payload_key: str
    ) -> Mapping[int, Reply | None] | RenderFailed:
        audience = self._audiences[kind, payload_key]
        try:
            return await self._renderers.render(kind, payload_key, audience)
        except RenderFailed as exc:
            log.warning("outbox: %s (%s): %s", kind, payload_key, exc)
            return exc
        except Exception as exc:
            # Not the platform's answer (a bug, the database): every row of it is tried again
            # later, counted, so that rows that always fail this way end as failed.
            log.exception("outbox: rendering %s (%s) failed", kind, payload_key)
            return RenderFailed(type(exc).__name__)
