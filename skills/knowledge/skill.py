"""Knowledge Q&A: answers from the knowledge base with the source, an honest "not sure" below
the confidence cut-off, feedback on answers, HR's view of what was asked, and a hand-off to HR
whose answer comes back by DM (the hand-off's handlers are in `tickets`)."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.arguments import Integer, Option, Rest
from bot.context import Context
from bot.errors import SkillError
from bot.events import Action, Command, ConversationKind, Message
from bot.i18n import N_, Translator
from bot.replies import (
    Button,
    Buttons,
    Form,
    Input,
    InputKind,
    Reply,
    Text,
    plain_text,
)
from bot.roles import Role
from bot.router import Router
from skills.knowledge import messages as say
from skills.knowledge import tickets
from skills.knowledge.cards import (
    ASK_ABOUT,
    ASK_HR,
    HELPFUL,
    NOT_HELPFUL,
    SHOW,
    answer_reply,
    article_blocks,
    ask_hr_button,
    feedback_buttons,
    not_sure_reply,
)
from skills.knowledge.library import KnowledgeLibrary, bundled_kb
from skills.knowledge.smalltalk import small_talk
from skills.knowledge.spotlit import ask_about, spotlight_echoes
from skills.knowledge.stats import content_gaps, crisis_summary, spotlight_summary
from skills.phi import redact
from skills.references import parse_id
from skills.safety.responder import CrisisResponder
from storage.admission import QuestionEntry
from storage.questions import Feedback

log = logging.getLogger(__name__)

ASK_FORM = "knowledge.ask_form"
ASK_SUBMIT = "knowledge.ask_submit"

QUESTION = Rest("<question>", missing=say.EMPTY_QUESTION)
STATS_DAYS = Option("--days", Integer("days", 1, 365), default=30)


class KnowledgeSkill:
    def __init__(self, router: Router, library: KnowledgeLibrary, safety: CrisisResponder) -> None:
        self.router = router
        self.library = library
        self.safety = safety
        self.services = router.services

    def register(self) -> None:
        r = self.router
        # A question is recorded with its log entry, in one round trip (`Context.log_question`).
        r.free_text(self.on_question, name="knowledge.question", records_event=True)
        r.command(
            "ask",
            self.on_ask,
            summary=say.ASK_SUMMARY,
            args=[QUESTION],
        )
        r.subcommand(
            "ask stats",
            self.stats,
            summary=say.STATS_SUMMARY,
            roles=[Role.HR],
            options=[STATS_DAYS],
        )
        r.subcommand(
            "ask tickets",
            tickets.open_tickets,
            summary=say.TICKETS_SUMMARY,
            roles=[Role.HR],
        )
        # For anyone else `ask reply to my manager about PTO` is a question, not a refusal.
        r.subcommand(
            "ask reply",
            tickets.reply_command,
            summary=say.REPLY_SUMMARY,
            roles=[Role.HR],
            args=[tickets.TICKET, tickets.ANSWER],
            refuse_others=False,
        )
        r.action(ASK_FORM, self.on_ask_form)
        r.action(ASK_SUBMIT, self.on_ask_submit)
        # The question log keeps no person, by design: what proves a question is the
        # presser's is the seal on the value, drawn for the asker alone.
        r.action(HELPFUL, self.on_feedback, sealed=True)
        r.action(NOT_HELPFUL, self.on_feedback, sealed=True)
        r.action(SHOW, self.on_show, sealed=True)
        r.action(ASK_HR, tickets.on_ask_hr, sealed=True)
        r.action(ASK_ABOUT, self.on_ask_about, sealed=True)
        r.action(tickets.HR_ANSWER, tickets.on_hr_answer, roles=[Role.HR])
        r.action(tickets.HR_REPLY, tickets.on_hr_reply, roles=[Role.HR])

    # -- asking ---------------------------------------------------------------------------

    async def on_question(self, ctx: Context[Message]) -> Reply:
        return await self.answer(ctx, ctx.event.text)

    async def on_ask(self, ctx: Context[Command]) -> Reply:
        return await self.answer(ctx, ctx.args[QUESTION])

    async def answer(self, ctx: Context[Any], question: str) -> Reply:
        question = question.strip()
        if not question:
            return Reply.text(ctx.t(say.EMPTY_QUESTION), ephemeral=True)
        # Before anything is searched or logged: no article, no ticket, nothing kept but a count.
        crisis = await self.safety.answer(ctx, question)
        if crisis is not None:
            return crisis
        if len(question) > say.MAX_QUESTION_CHARS:
            raise SkillError(say.TOO_LONG, limit=ctx.t.number(say.MAX_QUESTION_CHARS))
        chat = small_talk(question)
        if chat is not None:
            # Not a question: nothing is logged, so "thanks" is never a gap for HR to fill.
            log.info("event=%s small talk: %s", ctx.event.id, chat.kind.value)
            return Reply.text(chat.answer(ctx.t, name=_first_name(ctx)))
        screened = redact(question)
        retriever = await self.library.retriever()
        result = retriever.answer(screened.cut_from(question))
        clinical = result.clinical
        best = result.best
        question_id = await ctx.log_question(
            QuestionEntry(
                screened.text,
                article_id=best.article.id if best else None,
                confidence=round(result.confidence, 4),
                answered=result.answered,
            )
        )
        log.info(
            "event=%s question=%s answered=%s article=%s confidence=%.2f",
            ctx.event.id,
            question_id,
            result.answered,
            best.article.id if best else "-",
            result.confidence,
        )
        notes: list[Text] = []
        if screened.found:
            types = _tag_list(screened.types, ctx.t)
            notes.append(Text(ctx.t(say.PHI_REMOVED, types=types), subtle=True))
        if result.answered and best is not None:
            return await answer_reply(
                ctx, retriever, result, question, question_id, clinical, notes
            )
        return await not_sure_reply(ctx, retriever, result, question_id, clinical, notes)

    async def on_ask_form(self, ctx: Context[Action]) -> Reply:
        """A form for the question, for surfaces where typing is not the obvious next step
        (a button on the home surface)."""
        t = ctx.t
        form = Form(
            title=t(say.FORM_TITLE),
            inputs=(
                Input(
                    "question",
                    t(say.FORM_LABEL),
                    InputKind.MULTILINE,
                    required=True,
                    placeholder=t(say.FORM_PLACEHOLDER),
                    max_length=say.MAX_QUESTION_CHARS,
                ),
            ),
            submit_action_id=ASK_SUBMIT,
            submit_label=t(say.FORM_SUBMIT),
        )
        return Reply(fallback=form.title, blocks=(form,), ephemeral=True)

    async def on_ask_submit(self, ctx: Context[Action]) -> Reply:
        """The answer takes the place of a form shown in a message (Teams), so that it is not
        asked again from there."""
        answer = await self.answer(ctx, ctx.event.values.get("question", ""))
        return replace(answer, replace_original=True)

    # -- buttons --------------------------------------------------------------------------

    async def on_feedback(self, ctx: Context[Action]) -> list[Reply]:
        """Store the feedback once, and redraw the answer with what came of it in place of
        the buttons, so that the card cannot be pressed again."""
        helpful = ctx.event.action_id == HELPFUL
        question, _, article_id = ctx.event.value.partition("|")
        question_id = parse_id(question)
        if question_id is None:
            raise SkillError(say.UNKNOWN_QUESTION)
        feedback = await self.services.questions.set_feedback(question_id, helpful)
        logged = await self.services.questions.get(question_id)
        if feedback is Feedback.UNKNOWN or logged is None:
            raise SkillError(say.UNKNOWN_QUESTION)
        outcome: list[Any] = [Text(ctx.t(say.THANKS_HELPFUL))]
        if feedback is Feedback.ALREADY:
            outcome = [Text(ctx.t(say.FEEDBACK_ALREADY))]
        elif not helpful:
            outcome = [
                Text(ctx.t(say.SORRY_NOT_HELPFUL)),
                Buttons((await ask_hr_button(ctx, question_id),)),
            ]
        answered = await self.library.article(article_id or logged.article_id or "")
        shown = []
        if answered is not None:
            retriever = await self.library.retriever()
            section = retriever.section_for(answered, logged.text)
            version = retriever.version(answered, ctx.language)
            shown = article_blocks(answered, logged.text, section, t=ctx.t, version=version)
        if ctx.event.conversation.kind is ConversationKind.DIRECT:
            return [Reply.of(*shown, *outcome, ephemeral=True, replace_original=True)]
        # In a conversation others read, the answer loses its buttons for everyone, and what
        # came of the press is for the asker alone.
        return [Reply.of(*shown, replace_original=True), Reply.of(*outcome, ephemeral=True)]

    async def on_show(self, ctx: Context[Action]) -> Reply:
        article_id, _, question = ctx.event.value.partition("|")
        article = await self.library.article(article_id)
        if article is None:
            raise SkillError(say.ARTICLE_GONE)
        question_id = parse_id(question)
        shown_for = article.questions[0] if article.questions else article.title
        retriever = await self.library.retriever()
        section = retriever.section_for(article, shown_for)
        version = retriever.version(article, ctx.language)
        blocks = article_blocks(article, shown_for, section, t=ctx.t, version=version)
        if question_id is not None:
            blocks.append(Buttons(await feedback_buttons(ctx, question_id, article.id)))
        return Reply.of(*blocks)

    async def on_ask_about(self, ctx: Context[Action]) -> Reply:
        return await ask_about(ctx, self.library, Button(ctx.t(say.FORM_TITLE), ASK_FORM))

    # -- for HR ---------------------------------------------------------------------------

    async def stats(self, ctx: Context[Command]) -> Reply:
        days = ctx.args[STATS_DAYS]
        since = self.services.clock() - timedelta(days=days)
        total = await self.services.questions.count_since(since)
        failed = await self.services.questions.needing_content(since)
        await ctx.audit("ask.stats", f"days:{days}")
        titles: dict[str, str] = {}
        for article_id in {q.article_id for q in failed if q.article_id}:
            article = await self.library.article(article_id)
            if article is not None:
                titles[article_id] = article.title
        t = ctx.t
        text = content_gaps(failed, t, total=total, days=days, titles=titles)
        # Counted by the hospital's day (`Context.count_crisis`).
        hospital_day = since.astimezone(ZoneInfo(self.services.settings.timezone)).date()
        crises = await self.services.crisis_counts.since(hospital_day)
        if crises:
            text += "\n\n" + crisis_summary(crises, t)
        echoes = await spotlight_echoes(self.services, since)
        if echoes:
            zone = ctx.zone
            text += "\n\n" + spotlight_summary(echoes, t, zone)
        return Reply(fallback=plain_text(text), blocks=(Text(text),), ephemeral=True)


def library_for(router: Router) -> KnowledgeLibrary:
    """The knowledge base the settings name (or the bundled sample), for the server to start
    and stop."""
    settings = router.services.settings
    return KnowledgeLibrary(settings.kb_dir or bundled_kb(), cache_dir=settings.kb_cache_dir)


def setup(router: Router, library: KnowledgeLibrary, safety: CrisisResponder) -> None:
    KnowledgeSkill(router, library, safety).register()


def _first_name(ctx: Context[Any]) -> str | None:
    return ctx.person.display_name.split(" ")[0] if ctx.person.display_name else None


PHI_TYPES = {
    "NAME": N_("name"),
    "DATE": N_("date"),
    "MRN": N_("medical record number"),
    "PHONE": N_("phone number"),
    "EMAIL": N_("email address"),
    "SSN": N_("social security number"),
    "ADDRESS": N_("address"),
    "ID": N_("ID number"),
}
"""What the PHI screen calls each kind of identifier, as the person reads it."""


def _tag_list(types: frozenset[str], t: Translator) -> str:
    return t.list(sorted(t(PHI_TYPES[kind]) if kind in PHI_TYPES else kind for kind in types))
