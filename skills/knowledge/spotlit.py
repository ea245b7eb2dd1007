"""The knowledge skill's side of program spotlights: "Ask about this" on a spotlight card opens
the article as an answer, and `ask stats` counts the questions asked after each spotlight."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.context import Context
from bot.errors import SkillError
from bot.replies import Button, Buttons, Reply, Text
from bot.services import Services
from skills.knowledge import messages as say
from skills.knowledge.cards import article_blocks, feedback_buttons
from skills.knowledge.library import KnowledgeLibrary
from skills.knowledge.stats import SPOTLIGHT_WINDOW, SpotlightEcho
from skills.references import parse_id
from storage.admission import QuestionEntry


async def ask_about(ctx: Context[Any], library: KnowledgeLibrary, ask_more: Button) -> Reply:
    """The article of the spotlight turn the button names (`<turn id>|<article id>`, sealed
    for the presser), as its answer card: feedback buttons, and `ask_more` to go on. The press
    is logged as a question on the article, answered, and counted on the turn."""
    turn_id, _, article_id = ctx.event.value.partition("|")
    number = parse_id(turn_id)
    turn = await ctx.services.spotlights.turn_by_id(number) if number else None
    article = await library.article(article_id)
    if turn is None or turn.article_id != article_id or article is None:
        raise SkillError(say.SPOTLIGHT_GONE)
    shown_for = article.questions[0] if article.questions else article.title
    retriever = await library.retriever()
    section = retriever.section_for(article, shown_for)
    version = retriever.version(article, ctx.language)
    question_id = await ctx.log_question(
        QuestionEntry(
            say.ASKED_ABOUT.format(title=article.title),
            article_id=article.id,
            confidence=1.0,  # the person chose the article: nothing was guessed
            answered=True,
        )
    )
    await ctx.services.spotlights.count_ask(turn.id)
    return Reply.of(
        *article_blocks(article, shown_for, section, t=ctx.t, version=version),
        Text(ctx.t(say.FOLLOW_UP), subtle=True),
        Buttons((*await feedback_buttons(ctx, question_id, article.id), ask_more)),
    )


async def spotlight_echoes(services: Services, since: datetime) -> list[SpotlightEcho]:
    """For each spotlight turn fired since `since`: who it reached (a count) and the
    questions asked in the days after it, overall and on its article."""
    now = services.clock()
    questions = services.questions
    echoes = []
    for turn in await services.spotlights.turns_since(since):
        end = min(turn.fired_at + SPOTLIGHT_WINDOW, now)
        echoes.append(
            SpotlightEcho(
                spotlight_id=turn.spotlight_id,
                title=turn.title,
                fired_at=turn.fired_at,
                sent=(await services.outbox.progress(turn.payload_key)).sent,
                questions=await questions.count_between(turn.fired_at, end),
                on_article=await questions.count_between(
                    turn.fired_at, end, article_id=turn.article_id
                ),
                asks=turn.asks,
                complete=end < now,
            )
        )
    return echoes
