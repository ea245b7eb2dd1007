"""The one way every skill answers a crisis message: resources at once, and a count. Questions,
ideas and survey comments all come through here, so that a person who writes the same words in
any of them reads the same resources."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from typing import Any

from bot.context import Context
from bot.events import ConversationKind
from bot.i18n import Translator, languages, translator
from bot.replies import Reply
from skills.knowledge.articles import Article
from skills.knowledge.text import vocabulary
from skills.safety.contacts import program_line
from skills.safety.detector import Crisis, detect
from skills.safety.replies import Resources, crisis_text

log = logging.getLogger(__name__)

# The vocabulary's concepts whose articles give the EAP's and HR's numbers.
EAP_CONCEPT = "eap"
HR_CONCEPT = "hr"


class CrisisResponder:
    def __init__(self, articles: Callable[[], Awaitable[Sequence[Article]]]) -> None:
        self._articles = articles

    async def answer(self, ctx: Context[Any], *texts: str, kept: bool = False) -> Reply | None:
        """The crisis reply when any of `texts` discloses a crisis, else None. The message is
        counted by day and kind; unless `kept` (the caller stores it as sent), its words go
        nowhere: not to storage, not to the logs."""
        crisis = _first_crisis(texts)
        if crisis is None:
            return None
        await ctx.count_crisis(crisis.kind.value)
        log.debug("event=%s crisis: %s", ctx.event.id, crisis.kind.value)
        t = reader_of(ctx, crisis)
        text = crisis_text(crisis, await self.resources(ctx), t, kept=kept)
        # Where others read along, only the person sees the resources.
        private = ctx.event.conversation.kind is not ConversationKind.DIRECT
        return replace(Reply.text(text, ephemeral=private), language=t.language)

    async def ahead_of(self, ctx: Context[Any], reply: Reply, *texts: str) -> Reply:
        """`reply` with the crisis resources above it when any of `texts` discloses a crisis:
        for what a person means to keep (an idea, a survey comment), which still goes where
        they send it, since a report of violence may be exactly the idea or the comment."""
        resources = await self.answer(ctx, *texts, kept=True)
        if resources is None:
            return reply
        return replace(
            reply,
            fallback=f"{resources.fallback}\n\n{reply.fallback}",
            blocks=(*resources.blocks, *reply.blocks),
        )

    async def resources(self, ctx: Context[Any]) -> Resources:
        settings = ctx.services.settings
        articles = await self._articles()
        concepts = vocabulary().equivalents
        return Resources(
            emergency=settings.emergency_number,
            security=settings.security_number,
            eap=program_line(articles, concepts.get(EAP_CONCEPT, ())),
            hr=program_line(articles, concepts.get(HR_CONCEPT, ())),
        )


def reader_of(ctx: Context[Any], crisis: Crisis) -> Translator:
    """The language to answer a crisis in: the one the person chose, else the one they wrote
    in (someone who writes "me quiero morir" reads the lines in Spanish at once), else their
    platform's or the hospital's."""
    if ctx.person.language:
        return ctx.t
    written = crisis.language if crisis.language in languages() else None
    return translator(written, ctx.person.locale) if written else ctx.t


def _first_crisis(texts: Sequence[str]) -> Crisis | None:
    return next((found for text in texts if (found := detect(text))), None)
