"""How an answer is shown: the article's part that answers with its source, related articles
and feedback buttons, or an honest "not sure" with the closest articles and Ask HR.

Every button names its question and article sealed (`Context.seal`), so a press is checked
against the person it was shown to.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bot.context import Context
from bot.i18n import SOURCE_LANGUAGE, Translator
from bot.replies import Button, Buttons, ButtonStyle, Reply, Text
from skills.knowledge import messages as say
from skills.knowledge.articles import Article
from skills.knowledge.excerpt import excerpt
from skills.knowledge.search import Answer, Hit, Retriever
from skills.knowledge.sections import Section, link, sections

HELPFUL = "knowledge.helpful"
NOT_HELPFUL = "knowledge.not_helpful"
SHOW = "knowledge.show"
ASK_HR = "knowledge.ask_hr"
# "Ask about this" on a spotlight card: the value names the spotlight's turn and its article.
ASK_ABOUT = "knowledge.ask_about"


async def answer_reply(
    ctx: Context[Any],
    retriever: Retriever,
    result: Answer,
    question: str,
    question_id: int,
    clinical: bool,
    notes: list[Text],
) -> Reply:
    """The answer, in the reader's language: from the article's version in it when there is
    one."""
    best = result.best
    assert best is not None
    article = best.article
    t = ctx.t
    version = retriever.version(article, ctx.language)
    blocks: list[Any] = article_blocks(article, question, best.section, t=t, version=version)
    if clinical:
        blocks.append(Text(t(say.NOT_MEDICAL_ADVICE), subtle=True))
    blocks.extend(notes)
    related = [
        Button(
            t(say.RELATED, title=_title(retriever, hit.article, ctx.language)),
            SHOW,
            await _show_value(ctx, hit, question_id),
        )
        for hit in result.hits[1:3]
    ]
    if related:
        blocks.append(Buttons(tuple(related)))
    blocks.append(Buttons(await feedback_buttons(ctx, question_id, article.id)))
    return Reply.of(*blocks)


def article_blocks(
    article: Article,
    question: str,
    section: Section,
    *,
    t: Translator,
    version: Article | None = None,
) -> list[Any]:
    """An article as an answer shows it: its title (and the heading of the section that
    answers, so the excerpt reads in its place), the part that answers, and its source, opened
    at that section where the source allows.

    For a reader of another language (`t`), the article's `version` in that language is shown
    when there is one (at the section of the same place); otherwise the English text, with a
    short note in the reader's language that the article is only in English so far."""
    note: list[Any] = []
    if t.language != SOURCE_LANGUAGE:
        if version is not None:
            article, section = version, version_section(article, section, version)
        else:
            note = [Text(t(say.ONLY_IN_ENGLISH), subtle=True)]
    title = f"**{article.title}**"
    if section.heading:
        title += f"\n{t(say.SECTION, heading=section.heading)}"
    blocks: list[Any] = [Text(title), *note, Text(excerpt(article, question, section=section))]
    source = link(article, section)
    if source:
        blocks.append(Text(t(say.SOURCE, title=article.title, link=source), subtle=True))
    return blocks


def version_section(article: Article, section: Section, version: Article) -> Section:
    """The part of a version that stands where `section` stands in its article: the section in
    the same place when both have the same number of sections, else the whole version."""
    whole = Section(None, version.body, None)
    if section.heading is None:
        return whole
    parts, translated = sections(article), sections(version)
    place = next((i for i, part in enumerate(parts) if part.anchor == section.anchor), None)
    if place is None or len(parts) != len(translated):
        return whole
    if version.link == article.link:
        # The version is read at the article's own page, where the headings are English.
        return replace(translated[place], anchor=section.anchor)
    return translated[place]


async def not_sure_reply(
    ctx: Context[Any],
    retriever: Retriever,
    result: Answer,
    question_id: int,
    clinical: bool,
    notes: list[Text],
) -> Reply:
    t = ctx.t
    if clinical:
        blocks: list[Any] = [Text(t(say.CLINICAL_DECLINE)), *notes]
        return Reply.of(*blocks)
    closest = [
        Button(
            _title(retriever, hit.article, ctx.language),
            SHOW,
            await _show_value(ctx, hit, question_id),
        )
        for hit in result.hits[:3]
    ]
    blocks = [Text(t(say.NOT_SURE))]
    if closest:
        blocks += [Text(t(say.CLOSEST)), Buttons(tuple(closest))]
    else:
        blocks.append(Text(t(say.NOTHING_CLOSE)))
    blocks += [*notes, Text(t(say.OFFER_HR)), Buttons((await ask_hr_button(ctx, question_id),))]
    return Reply.of(*blocks)


def _title(retriever: Retriever, article: Article, language: str) -> str:
    """An article's title in the reader's language when it has a version in it."""
    version = retriever.version(article, language)
    return (version or article).title


async def _show_value(ctx: Context[Any], hit: Hit, question_id: int) -> str:
    return await ctx.seal(SHOW, f"{hit.article.id}|{question_id}")


async def feedback_buttons(
    ctx: Context[Any], question_id: int, article_id: str
) -> tuple[Button, ...]:
    """Feedback on the answer to a question; the article shown is named too, so that the
    answer can be redrawn without the buttons once one is pressed."""
    about = f"{question_id}|{article_id}"
    return (
        Button(ctx.t(say.HELPFUL_BUTTON), HELPFUL, await ctx.seal(HELPFUL, about)),
        Button(ctx.t(say.NOT_HELPFUL_BUTTON), NOT_HELPFUL, await ctx.seal(NOT_HELPFUL, about)),
    )


async def ask_hr_button(ctx: Context[Any], question_id: int) -> Button:
    value = await ctx.seal(ASK_HR, question_id)
    return Button(ctx.t(say.ASK_HR_BUTTON), ASK_HR, value, style=ButtonStyle.PRIMARY)
