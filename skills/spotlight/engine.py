"""The life of a spotlight: on each due run, pick the next article, fire the turn once, and queue
one card per person in the audience through the outbox, at the run's wall-clock time in their
own zone and outside their quiet hours (as pulse invitations are).

A turn's messages are outbox rows of kind `spotlight.article` about `spotlight:<id>:turn:<n>`;
`SpotlightEngine.render` writes them when their batch is claimed, and `still_on` is asked right
before each one leaves. An article taken out of the knowledge base by then, or a campaign
paused meanwhile (cards waiting for the end of someone's quiet hours, say), is not sent: its
rows are skipped.
"""

from __future__ import annotations

import logging
from bisect import bisect_right
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.dates import reader_zone
from bot.i18n import translator_for
from bot.ownership import seal_value
from bot.quiet import delivery_time
from bot.replies import Button, Buttons, ButtonStyle, Reply, Text
from bot.services import Services
from skills.audience import reach
from skills.knowledge.articles import Article
from skills.knowledge.cards import ASK_ABOUT, article_blocks
from skills.knowledge.library import KnowledgeLibrary
from skills.pulse.schedule import Schedule, next_run, within_window
from skills.spotlight import messages as say
from storage.outbox_items import Recipient
from storage.spotlights import Spotlight, Turn

log = logging.getLogger(__name__)

ARTICLE = "spotlight.article"
TAG = "spotlight"
# A run missed while the bot was down still goes out within this long; older ones are skipped
# rather than sent late, in a burst.
MISSED_WINDOW = timedelta(days=1)


def tagged(articles: Sequence[Article]) -> list[str]:
    """The ids of the articles tagged `spotlight`, in the order a campaign of them rotates."""
    return sorted(a.id for a in articles if TAG in (t.lower() for t in a.tags))


def next_article(order: Sequence[str], available: set[str], last: str | None) -> str | None:
    """The article after `last` in `order`, going round, among those `available` now, and
    never `last` itself: the same article twice in a row would read as a mistake. An article
    no longer in `order` (its tag was removed) is placed where it sorted."""
    if last is None:
        return next((a for a in order if a in available), None)
    start = order.index(last) + 1 if last in order else bisect_right(sorted(order), last)
    ring = [*order[start:], *order[:start]]
    return next((a for a in ring if a in available and a != last), None)


def payload_turn(payload_key: str) -> tuple[int, int]:
    """`spotlight:3:turn:2` → (3, 2)."""
    parts = payload_key.split(":")
    if len(parts) != 4 or parts[0] != "spotlight" or parts[2] != "turn":
        raise ValueError(f"not a spotlight turn: {payload_key!r}")
    return int(parts[1]), int(parts[3])


class SpotlightEngine:
    def __init__(self, services: Services, library: KnowledgeLibrary) -> None:
        self.services = services
        self.library = library
        # Whom an audience reaches is read as pulse surveys read it.

    @property
    def hospital_tz(self) -> ZoneInfo:
        return ZoneInfo(self.services.settings.timezone)

    async def order(self, spotlight: Spotlight) -> list[str]:
        """The campaign's articles in rotation order: HR's list, or the tagged ones now."""
        if spotlight.article_ids is not None:
            return list(spotlight.article_ids)
        return tagged(await self.library.articles())

    async def upcoming(self, spotlight: Spotlight) -> Article | None:
        """The article the next turn would send, from the knowledge base as it is now."""
        available = {a.id: a for a in await self.library.articles()}
        chosen = next_article(
            await self.order(spotlight), set(available), spotlight.last_article_id
        )
        return None if chosen is None else available[chosen]

    async def audience_size(self, spotlight: Spotlight) -> int:
        return len(await reach(self.services, spotlight.audience))

    # -- the tick (leader only) -----------------------------------------------------------

    async def tick(self, now: datetime) -> None:
        """Fire due turns, and queue any turn whose messages a crash left unqueued."""
        for spotlight in await self.services.spotlights.due(now):
            await self._run_due(spotlight, now)
        for turn in await self.services.spotlights.unqueued():
            await self.queue(turn, now)

    async def _run_due(self, spotlight: Spotlight, now: datetime) -> None:
        due = spotlight.next_run_at
        assert due is not None
        following = next_run(Schedule.from_json(spotlight.schedule), now, self.hospital_tz)
        repository = self.services.spotlights
        if not within_window(due, now, MISSED_WINDOW):
            if await repository.skip_run(spotlight.id, due, following):
                log.warning("spotlight=%s run due %s missed its window; skipped", spotlight.id, due)
            return
        article = await self.upcoming(spotlight)
        if article is None:
            if await repository.skip_run(spotlight.id, due, following):
                log.warning("spotlight=%s has no article to send; turn skipped", spotlight.id)
            return
        turn = await repository.fire(
            spotlight, next_run_at=following, article_id=article.id, title=article.title, now=now
        )
        if turn is not None:
            log.info("spotlight=%s turn=%s fired", spotlight.id, turn.number)
            await self.queue(turn, now)

    async def queue(self, turn: Turn, now: datetime) -> None:
        """One card per person in the audience, at the turn's time in their own zone."""
        spotlight = await self.services.spotlights.get(turn.spotlight_id)
        if spotlight is None:
            return
        quiet = self.services.settings.quiet_hours
        tz = self.hospital_tz
        due = {
            person.person_id: delivery_time(
                turn.run_at, reader_zone(person.timezone, tz.key), tz, quiet, now
            )
            for person in await reach(self.services, spotlight.audience)
        }
        await self.services.outbox.enqueue(ARTICLE, turn.payload_key, due)
        await self.services.spotlights.mark_queued(turn.id, len(due), now)
        log.info(
            "spotlight=%s turn=%s queued for %d people", turn.spotlight_id, turn.number, len(due)
        )

    # -- messages -------------------------------------------------------------------------

    async def still_on(self, kind: str, payload_key: str) -> bool:
        """Whether the campaign a card is about is still on, asked as each one leaves."""
        spotlight_id, _ = payload_turn(payload_key)
        return await self.services.spotlights.status(spotlight_id) == "active"

    async def render(
        self, kind: str, payload_key: str, recipients: Sequence[Recipient]
    ) -> dict[int, Reply]:
        """The turn's card for a batch of its recipients: the article read once, its words
        around the article in each person's language, and the "Ask about this" button sealed
        for each person, so that only they can press theirs."""
        spotlight_id, number = payload_turn(payload_key)
        turn = await self.services.spotlights.turn(spotlight_id, number)
        article = None if turn is None else await self.library.article(turn.article_id)
        if turn is None or article is None:
            return {}
        retriever = await self.library.retriever()
        section = retriever.section_for(article, article.title)
        shown: dict[str, list[Any]] = {}  # the article's blocks, once per language in the batch
        key = await self.services.sealer.button_key()
        about = f"{turn.id}|{article.id}"
        default = self.services.settings.language
        replies: dict[int, Reply] = {}
        for person in recipients:
            t = translator_for(person, default)
            if t.language not in shown:
                version = retriever.version(article, t.language)
                shown[t.language] = article_blocks(
                    article, article.title, section, t=t, version=version
                )
            replies[person.person_id] = Reply(
                fallback=t(say.CARD_FALLBACK, title=article.title),
                blocks=(
                    Text(t(say.CARD_INTRO)),
                    *shown[t.language],
                    Buttons(
                        (
                            Button(
                                t(say.ASK_ABOUT),
                                ASK_ABOUT,
                                seal_value(key, ASK_ABOUT, person.person_id, about),
                                style=ButtonStyle.PRIMARY,
                            ),
                        )
                    ),
                ),
            )
        return replies
