"""Who writes the outbox's messages: the skill that queued them. Each skill registers a renderer
for its kinds (`pulse.invite`, `pulse.reminder`, …) and the sender asks it for a whole claimed
batch at once.

A renderer gets a kind, a payload key (`round:12`) and every recipient of that payload in the
batch, with what a message may vary by (time zone, locale), and answers with a reply per person
(a person it leaves out gets nothing: their row is skipped). So it reads what the message is
about once per batch instead of once per person, and builds one reply per variant it needs, not
one per person: a date in each reader's own time zone costs one reply per time zone.

A message is rendered when its batch is claimed, and may then wait a while for its turn at the
platform's rate limit. A kind whose messages stop being wanted (a survey round that closes)
registers a `current` check too: the sender asks it right before each send, after the wait, for
every kind alike, and a message no longer wanted is marked skipped instead of sent.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import replace

from bot.i18n import SOURCE_LANGUAGE, translator_for
from bot.replies import Reply
from storage.outbox_items import OutboxItem, Recipient

log = logging.getLogger(__name__)

# render(kind, payload_key, recipients) -> person id -> the reply for them (None: nothing to send)
Render = Callable[[str, str, Sequence[Recipient]], Awaitable[Mapping[int, Reply | None]]]
# current(kind, payload_key) -> whether messages about it may still go out now
Current = Callable[[str, str], Awaitable[bool]]


class RenderFailed(Exception):
    """A batch's messages of one kind and payload could not be rendered; the message says why
    (for the rows' `error`). Each row is tried again later."""


class Renderers:
    """Kind → renderer: filled by the skills at start-up, read by the outbox sender. `language`
    is the hospital's, for recipients whose own is not known."""

    def __init__(self, language: str = SOURCE_LANGUAGE) -> None:
        self.language = language
        self._by_kind: dict[str, Render] = {}
        self._current: dict[str, Current] = {}

    def register(self, kind: str, render: Render, *, current: Current | None = None) -> None:
        """`render` writes the kind's messages; `current`, if given, says whether they are
        still wanted at the moment each is sent."""
        if kind in self._by_kind:
            raise ValueError(f"outbox kind {kind!r} has a renderer already")
        self._by_kind[kind] = render
        if current is not None:
            self._current[kind] = current

    def checks_currency(self, kind: str) -> bool:
        return kind in self._current

    async def current(self, kind: str, payload_key: str) -> bool:
        """Whether messages of `kind` about `payload_key` may still go out; always, for a kind
        that registered no check."""
        check = self._current.get(kind)
        return True if check is None else await check(kind, payload_key)

    async def render(
        self, kind: str, payload_key: str, recipients: Sequence[Recipient]
    ) -> Mapping[int, Reply | None]:
        """The replies for these recipients, each marked with its reader's language (see
        `Reply.language`). `RenderFailed` for a kind nobody registered here: a row queued by a
        newer release, which another process may know how to render."""
        render = self._by_kind.get(kind)
        if render is None:
            raise RenderFailed(f"no renderer for {kind}")
        rendered = await render(kind, payload_key, recipients)
        readers = {recipient.person_id: recipient for recipient in recipients}
        return {
            person_id: self._in_language(reply, readers.get(person_id))
            for person_id, reply in rendered.items()
        }

    def _in_language(self, reply: Reply | None, reader: Recipient | None) -> Reply | None:
        if reply is None or reply.language or reader is None:
            return reply
        return replace(reply, language=translator_for(reader, self.language).language)


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
        self._checks: dict[tuple[str, str], _Fresh] = {}

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

    async def still_wanted(self, item: OutboxItem) -> bool:
        """Whether `item`'s message may go out now, by its kind's `current` check. Asked right
        before a send, the answer comes from a check begun after the question: sends about
        one payload waiting at once share one check. `RenderFailed` when it cannot be told."""
        key = (item.kind, item.payload_key)
        if not self._renderers.checks_currency(item.kind):
            return True
        check = self._checks.get(key)
        if check is None:
            check = self._checks[key] = _Fresh(lambda: self._renderers.current(*key))
        try:
            return await check.ask()
        except Exception as exc:
            log.warning("outbox: %s (%s): not known to be wanted still: %s", *key, exc)
            raise RenderFailed(f"cannot tell whether it is still wanted: {exc}") from exc

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


class _Fresh:
    """A check whose answer is never older than the question: a caller gets the result of a
    check that began after it asked. Callers arriving while one runs share the next one, so a
    fan-out costs a query per round trip to the database, not one per message."""

    def __init__(self, check: Callable[[], Awaitable[bool]]) -> None:
        self._check = check
        self._turn = asyncio.Lock()
        self._next: asyncio.Future[bool] | None = None  # the check the next arrivals share

    async def ask(self) -> bool:
        answer = self._next
        if answer is None:
            answer = self._next = asyncio.get_running_loop().create_future()
        async with self._turn:
            if not answer.done():
                # Ours runs now: whoever asks from here on waits for the one after it.
                if self._next is answer:
                    self._next = None
                try:
                    answer.set_result(await self._check())
                except Exception as exc:
                    answer.set_exception(exc)
        return answer.result()
