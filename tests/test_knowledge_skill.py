"""Knowledge Q&A through the router: answers with sources, feedback, "not sure" and the HR
hand-off, on a real SQLite database with a recording messenger."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from bot.events import ConversationKind, ConversationRef
from bot.ownership import named_record
from bot.replies import Buttons, Form, Reply
from bot.roles import Role
from bot.runtime import Runtime, start_runtime
from bot.settings import Settings
from skills.knowledge import messages as say
from skills.knowledge.library import KnowledgeLibrary
from storage.people import Profile
from tests.fakes import RecordingMessenger
from tests.helpers import TENANT, action, command, message
from tests.kb_fixture import ARTICLES, write_article, write_kb, write_sectioned_article

HR_CHANNEL = "C-hr"


@pytest.fixture
async def kb_runtime(
    tmp_path: Path, make_settings: Callable[..., Settings]
) -> AsyncIterator[Runtime]:
    kb = write_kb(tmp_path / "kb")
    rt = await start_runtime(
        make_settings(BREAKROOM_KB_DIR=str(kb), BREAKROOM_HR_CHANNEL=HR_CHANNEL)
    )
    yield rt
    await rt.close()


@pytest.fixture
def fake(kb_runtime: Runtime) -> RecordingMessenger:
    messenger = RecordingMessenger()
    kb_runtime.services.outbound.register(messenger)
    return messenger


def buttons(reply: Reply) -> list[tuple[str, str, str]]:
    return [
        (b.label, b.action_id, b.value)
        for block in reply.blocks
        if isinstance(block, Buttons)
        for b in block.buttons
    ]


def button(reply: Reply, action_id: str) -> str:
    return next(value for _, aid, value in buttons(reply) if aid == action_id)


async def ask(rt: Runtime, text: str, user: str = "U-nurse") -> Reply:
    [reply] = await rt.router.dispatch(message(text, user=user))
    return reply


async def make_hr(rt: Runtime, user: str = "U-hr") -> None:
    person = await rt.services.people.resolve(Profile("console", TENANT, user, "Hana HR"))
    await rt.services.people.grant(person.id, Role.HR.value, granted_by="test")


async def test_a_question_gets_an_excerpt_its_source_and_feedback_buttons(
    kb_runtime: Runtime,
) -> None:
    reply = await ask(kb_runtime, "how many vacation days do i get")
    assert "Paid time off" in reply.fallback
    assert "6 hours of PTO" in reply.fallback
    assert "https://intranet.example/pto-basics" in reply.fallback
    labels = [label for label, _, _ in buttons(reply)]
    assert "Helpful" in labels
    assert "Not helpful" in labels
    assert sum(1 for label in labels if label.startswith("Related:")) <= 2

    question, _, article = named_record(button(reply, "knowledge.helpful")).partition("|")
    assert article == "pto-basics"  # named, so that the answer can be redrawn without buttons
    logged = await kb_runtime.services.questions.get(int(question))
    assert logged is not None
    assert (logged.article_id, logged.answered, logged.helpful) == ("pto-basics", True, None)


async def test_an_answer_from_one_section_names_it_and_links_to_it(
    tmp_path: Path, make_settings: Callable[..., Settings]
) -> None:
    kb = write_kb(tmp_path / "kb")
    write_sectioned_article(kb)
    rt = await start_runtime(make_settings(BREAKROOM_KB_DIR=str(kb)))
    try:
        reply = await ask(rt, "how often does the parking shuttle run")
        assert say.SECTION.format(heading="Shuttle") in reply.fallback
        assert "every 15 minutes" in reply.fallback
        assert "Garage B" not in reply.fallback
        assert "https://intranet.example/parking#shuttle" in reply.fallback
        [thanks] = await rt.router.dispatch(
            action("knowledge.helpful", button(reply, "knowledge.helpful"))
        )
        assert "every 15 minutes" in thanks.fallback, "redrawn with the same section"
        lead = await ask(rt, "where do i park")
        assert "Garage B" in lead.fallback
        assert "Section:" not in lead.fallback, "the lead needs no heading"
    finally:
        await rt.close()


async def test_feedback_is_stored_and_not_helpful_offers_hr(kb_runtime: Runtime) -> None:
    reply = await ask(kb_runtime, "does the hospital pay for my bsn")
    question_id = named_record(button(reply, "knowledge.helpful")).partition("|")[0]
    [thanks] = await kb_runtime.router.dispatch(
        action("knowledge.helpful", button(reply, "knowledge.helpful"))
    )
    assert "glad" in thanks.fallback
    [sorry] = await kb_runtime.router.dispatch(
        action("knowledge.not_helpful", button(reply, "knowledge.not_helpful"))
    )
    assert named_record(button(sorry, "knowledge.ask_hr")) == question_id
    logged = await kb_runtime.services.questions.get(int(question_id))
    assert logged is not None
    assert logged.helpful is False


async def test_unsure_answer_hands_off_to_hr_and_the_answer_comes_back_by_dm(
    kb_runtime: Runtime, fake: RecordingMessenger
) -> None:
    await make_hr(kb_runtime)
    reply = await ask(kb_runtime, "can I bring my dog to the night shift potluck")
    assert "not sure" in reply.fallback
    question_id = button(reply, "knowledge.ask_hr")

    [ack] = await kb_runtime.router.dispatch(action("knowledge.ask_hr", question_id))
    assert "ticket #1" in ack.fallback
    [post] = [sent for sent in fake.channel if sent.to == HR_CHANNEL]
    assert "potluck" in post.reply.fallback
    ticket_id = button(post.reply, "knowledge.hr_answer")

    refused = await kb_runtime.router.dispatch(action("knowledge.hr_answer", ticket_id))
    assert "Only HR can do that." in refused[0].fallback

    [form_reply] = await kb_runtime.router.dispatch(
        action("knowledge.hr_answer", ticket_id, user="U-hr")
    )
    [form] = [b for b in form_reply.blocks if isinstance(b, Form)]
    [done] = await kb_runtime.router.dispatch(
        action(
            form.submit_action_id,
            form.value,
            user="U-hr",
            values={"answer": "Only service animals, sorry!"},
        )
    )
    assert "answered" in done.fallback
    [answer] = fake.direct_to("U-nurse")
    assert "Only service animals" in answer.fallback
    assert "potluck" in answer.fallback
    ticket = await kb_runtime.services.tickets.get(int(ticket_id))
    assert ticket is not None
    assert ticket.status == "answered"
    audit = await kb_runtime.services.audit.recent(action="ticket.answer")
    assert [entry.subject for entry in audit] == [f"ticket:{ticket_id}"]


async def test_ask_hr_pressed_twice_reaches_hr_once(
    kb_runtime: Runtime, fake: RecordingMessenger
) -> None:
    reply = await ask(kb_runtime, "can I bring my dog to the night shift potluck")
    click = action("knowledge.ask_hr", button(reply, "knowledge.ask_hr"))
    [sent] = await kb_runtime.router.dispatch(click)
    [again] = await kb_runtime.router.dispatch(click)
    assert "ticket #1" in sent.fallback
    assert again.fallback == say.ALREADY_WITH_HR.format(id=1)
    assert len([post for post in fake.channel if post.to == HR_CHANNEL]) == 1


async def test_a_ticket_answered_twice_reaches_the_employee_once(
    kb_runtime: Runtime, fake: RecordingMessenger
) -> None:
    await make_hr(kb_runtime)
    await make_hr(kb_runtime, "U-hr2")
    reply = await ask(kb_runtime, "can I bring my dog to the night shift potluck")
    await kb_runtime.router.dispatch(action("knowledge.ask_hr", button(reply, "knowledge.ask_hr")))
    [done] = await kb_runtime.router.dispatch(
        command("ask", "reply 1 Only service animals.", user="U-hr")
    )
    [late] = await kb_runtime.router.dispatch(
        command("ask", "reply 1 Dogs are welcome!", user="U-hr2")
    )
    assert "answered" in done.fallback
    assert late.fallback == say.ALREADY_ANSWERED.format(id=1)
    [answer] = fake.direct_to("U-nurse")
    assert "Only service animals." in answer.fallback
    ticket = await kb_runtime.services.tickets.get(1)
    assert ticket is not None
    assert ticket.answer == "Only service animals."


async def test_helpful_pressed_twice_is_counted_once(kb_runtime: Runtime) -> None:
    reply = await ask(kb_runtime, "does the hospital pay for my bsn")
    click = action("knowledge.helpful", button(reply, "knowledge.helpful"))
    [thanks] = await kb_runtime.router.dispatch(click)
    [again] = await kb_runtime.router.dispatch(click)
    assert thanks.fallback.endswith(say.THANKS_HELPFUL)
    assert again.fallback.endswith(say.FEEDBACK_ALREADY)


async def test_in_a_channel_a_retired_card_tells_nobody_else_what_was_pressed(
    kb_runtime: Runtime,
) -> None:
    channel = ConversationRef(platform="console", kind=ConversationKind.CHANNEL)
    reply = await ask(kb_runtime, "does the hospital pay for my bsn")
    press = action("knowledge.not_helpful", button(reply, "knowledge.not_helpful"))
    retired, sorry = await kb_runtime.router.dispatch(replace(press, conversation=channel))
    assert retired.replace_original
    assert not retired.ephemeral
    assert "Tuition reimbursement" in retired.fallback
    assert not buttons(retired)
    assert "Sorry" not in retired.fallback  # that is for the asker alone
    assert sorry.ephemeral
    assert not sorry.replace_original
    hand_off = action("knowledge.ask_hr", button(sorry, "knowledge.ask_hr"))
    card, sent = await kb_runtime.router.dispatch(replace(hand_off, conversation=channel))
    assert card.replace_original
    assert not buttons(card)
    assert "ticket" not in card.fallback
    assert sent.ephemeral
    assert "ticket #1" in sent.fallback


async def test_a_pressed_feedback_button_retires_the_card_but_keeps_the_answer(
    kb_runtime: Runtime,
) -> None:
    reply = await ask(kb_runtime, "does the hospital pay for my bsn")
    [thanks] = await kb_runtime.router.dispatch(
        action("knowledge.helpful", button(reply, "knowledge.helpful"))
    )
    assert thanks.replace_original
    assert "Tuition reimbursement" in thanks.fallback  # the answer stays
    assert not buttons(thanks)  # nothing left to press again
    [sorry] = await kb_runtime.router.dispatch(
        action("knowledge.not_helpful", button(reply, "knowledge.not_helpful"))
    )
    assert sorry.replace_original
    assert [label for label, _, _ in buttons(sorry)] == ["Ask HR"]
    [sent] = await kb_runtime.router.dispatch(
        action("knowledge.ask_hr", button(sorry, "knowledge.ask_hr"))
    )
    assert sent.replace_original  # the card becomes what came of it
    assert "ticket #1" in sent.fallback
    assert not buttons(sent)


async def test_hr_can_answer_by_typed_command_and_list_open_tickets(
    kb_runtime: Runtime, fake: RecordingMessenger
) -> None:
    await make_hr(kb_runtime)
    reply = await ask(kb_runtime, "who approves parking garage reimbursement for travel nurses")
    await kb_runtime.router.dispatch(action("knowledge.ask_hr", button(reply, "knowledge.ask_hr")))
    [listing] = await kb_runtime.router.dispatch(command("ask", "tickets", user="U-hr"))
    assert "#1" in listing.fallback
    assert "parking" in listing.fallback
    [done] = await kb_runtime.router.dispatch(
        command("ask", "reply #1 Your manager approves it.", user="U-hr")
    )
    assert "answered" in done.fallback
    assert "Your manager approves it." in fake.direct_to("U-nurse")[0].fallback
    [empty] = await kb_runtime.router.dispatch(command("ask", "tickets", user="U-hr"))
    assert "No open questions" in empty.fallback


async def test_only_hr_has_an_ask_reply_for_everyone_else_it_is_a_question(
    kb_runtime: Runtime,
) -> None:
    asked = await ask(kb_runtime, "ask reply to my manager about pto days")
    assert "Paid time off" in asked.fallback
    assert not await kb_runtime.services.audit.recent(action="access.denied")
    await make_hr(kb_runtime)
    [no_answer] = await kb_runtime.router.dispatch(command("ask", "reply #1", user="U-hr"))
    assert no_answer.fallback == (
        "Please add the answer for the employee.\nUsage: `ask reply <ticket> <answer>`"
    )


async def test_clinical_questions_are_never_answered_from_outside_the_kb(
    kb_runtime: Runtime,
) -> None:
    reply = await ask(kb_runtime, "what's the max dose of tylenol for a pt with liver disease")
    assert "not medical advice" in reply.fallback.lower() or "clinical" in reply.fallback
    assert not [b for b in buttons(reply) if b[1] == "knowledge.ask_hr"]


async def test_benefit_answers_that_touch_health_carry_the_not_medical_advice_note(
    kb_runtime: Runtime,
) -> None:
    reply = await ask(
        kb_runtime,
        "is the flu vaccine required for everyone who works on site even if pregnant, is it safe",
    )
    assert "December 1" in reply.fallback, "the benefits part is answered"
    assert "not medical advice" in reply.fallback


async def test_phi_in_a_question_is_screened_before_it_is_stored(kb_runtime: Runtime) -> None:
    reply = await ask(
        kb_runtime, "can I use PTO to visit my patient John Smith, MRN 00482913, after discharge"
    )
    question_id = named_record(button(reply, "knowledge.helpful")).partition("|")[0]
    logged = await kb_runtime.services.questions.get(int(question_id))
    assert logged is not None
    assert "John" not in logged.text
    assert "00482913" not in logged.text
    assert "[MRN]" in logged.text
    assert "removed what looked like" in reply.fallback


async def test_a_patient_name_does_not_sway_the_answer(
    kb_runtime: Runtime,
) -> None:
    """Identifiers say nothing about what is asked: search reads the question without them."""
    plain = await ask(kb_runtime, "can I use PTO to visit my patient after discharge")
    named = await ask(
        kb_runtime, "can I use PTO to visit my patient Maria Gonzalez after discharge"
    )
    logged = []
    for reply in (plain, named):
        question_id = named_record(button(reply, "knowledge.helpful")).partition("|")[0]
        entry = await kb_runtime.services.questions.get(int(question_id))
        assert entry is not None
        logged.append((entry.article_id, entry.confidence, entry.answered))
    assert logged[0] == logged[1]


@pytest.mark.parametrize(
    "text",
    [
        "hi",
        "Hello there!",
        "thanks",
        "Thank you so much!",
        "helpful",
        "that helped, thanks",
        "ok",
        "no",
        "yes",
        "bye",
        "good night",
        "👍",
        ":+1:",
        ":)",
    ],
)
async def test_small_talk_gets_a_friendly_answer_and_is_never_a_gap(
    kb_runtime: Runtime, text: str
) -> None:
    reply = await ask(kb_runtime, text)
    assert say.NOT_SURE not in reply.fallback
    assert buttons(reply) == []
    since = kb_runtime.services.clock() - timedelta(days=1)
    assert await kb_runtime.services.questions.count_since(since) == 0


async def test_a_greeting_says_what_the_bot_does_and_a_question_behind_it_is_answered(
    kb_runtime: Runtime,
) -> None:
    [greeting] = await kb_runtime.router.dispatch(command("ask", "hey"))
    assert "benefits" in greeting.fallback
    assert "\n" not in greeting.fallback
    reply = await ask(kb_runtime, "hi, how many vacation days do i get?")
    assert "Paid time off" in reply.fallback


async def test_empty_and_overlong_questions_get_clear_messages(kb_runtime: Runtime) -> None:
    [empty] = await kb_runtime.router.dispatch(command("ask", ""))
    assert "What would you like to know" in empty.fallback
    [long] = await kb_runtime.router.dispatch(command("ask", "pto " * 400))
    assert "long one" in long.fallback


async def test_stats_group_failed_questions_for_hr_only(
    kb_runtime: Runtime, fake: RecordingMessenger
) -> None:
    await make_hr(kb_runtime)
    for text in (
        "is there a relocation bonus for new nurses",
        "relocation bonus for nurses moving here?",
        "do you pay relocation for new hires",
        "can my cat visit the break room",
    ):
        await ask(kb_runtime, text)
    [refused] = await kb_runtime.router.dispatch(command("ask", "stats"))
    assert "Only HR can do that." in refused.fallback
    denied = await kb_runtime.services.audit.recent(action="access.denied")
    assert [entry.subject for entry in denied] == ["command:ask stats"]
    [too_far] = await kb_runtime.router.dispatch(command("ask", "stats --days 400", user="U-hr"))
    assert too_far.fallback.startswith("Days must be a number from 1 to 365.")
    [stats] = await kb_runtime.router.dispatch(command("ask", "stats --days 7", user="U-hr"))
    assert "4 not answered" in stats.fallback
    assert "1. Relocation, bonus, nurses: 3 questions" in stats.fallback
    assert "Other: 1 question (1 unanswered, 0 not helpful), e.g. can my cat" in stats.fallback
    assert stats.fallback.startswith("Knowledge gaps, last 7 days:")
    [one_day] = await kb_runtime.router.dispatch(command("ask", "stats --days 1", user="U-hr"))
    assert one_day.fallback.startswith("Knowledge gaps, last day:")
    audit = await kb_runtime.services.audit.recent(action="ask.stats")
    assert len(audit) == 2


async def test_stats_leave_out_small_talk_and_clinical_questions(kb_runtime: Runtime) -> None:
    await make_hr(kb_runtime)
    questions = kb_runtime.services.questions
    for text in (
        "thanks",
        "helpful",
        "is it safe to take ibuprofen with tylenol",
        "me duele la cabeza desde ayer, que tomo",
    ):
        await questions.record(text, article_id=None, confidence=0.0, answered=False)
    [stats] = await kb_runtime.router.dispatch(command("ask", "stats", user="U-hr"))
    assert "none was left unanswered" in stats.fallback
    assert "thanks" not in stats.fallback


async def test_stats_name_a_topic_by_the_article_its_questions_came_closest_to(
    kb_runtime: Runtime,
) -> None:
    await make_hr(kb_runtime)
    questions = kb_runtime.services.questions
    for text in ("pto rollover for part time staff", "part time pto rollover rules"):
        await questions.record(text, article_id="pto-basics", confidence=0.1, answered=False)
    [stats] = await kb_runtime.router.dispatch(command("ask", "stats", user="U-hr"))
    assert "1. Paid time off (PTO): 2 questions" in stats.fallback
    assert "Other" not in stats.fallback


UNIFORMS = "what is the scrubs uniform allowance"


def write_uniform_article(kb: Path) -> None:
    write_article(
        kb,
        "uniform-allowance",
        "Uniform allowance",
        ["Do we get money for scrubs?"],
        ["scrubs", "uniform", "allowance"],
        "Each year you get $150 toward scrubs and uniform shoes, loaded on your badge in July.",
    )


async def test_a_changed_knowledge_base_is_picked_up_without_restart(tmp_path: Path) -> None:
    now = [0.0]
    library = KnowledgeLibrary(write_kb(tmp_path / "kb"), check_every=2.0, clock=lambda: now[0])
    first = await library.retriever()
    assert not first.answer(UNIFORMS).answered
    write_uniform_article(tmp_path / "kb")
    now[0] = 1.0  # within the throttle: the folder is not looked at yet
    assert await library.article("uniform-allowance") is None
    now[0] = 5.0
    # The look at the folder and the new index run in the background; the old index answers
    # until the new one is ready.
    assert await library.retriever() is first
    await library.refresh()
    best = (await library.retriever()).answer(UNIFORMS).best
    assert best is not None
    assert best.article.id == "uniform-allowance"
    assert await library.article("uniform-allowance") is not None


async def test_an_unchanged_folder_keeps_its_index(tmp_path: Path) -> None:
    now = [0.0]
    library = KnowledgeLibrary(write_kb(tmp_path / "kb"), clock=lambda: now[0])
    first = await library.retriever()
    now[0] = 10.0
    await library.refresh()
    assert await library.retriever() is first


async def test_a_broken_reload_keeps_the_articles_that_worked(tmp_path: Path) -> None:
    now = [0.0]
    kb = write_kb(tmp_path / "kb")
    library = KnowledgeLibrary(kb, clock=lambda: now[0])
    assert await library.article("pto-basics") is not None
    for path in kb.glob("*.md"):
        path.write_text("not an article", encoding="utf-8")
    now[0] = 10.0
    await library.refresh()
    assert await library.article("pto-basics") is not None
    assert library.problems


async def test_the_index_is_built_on_first_use_in_a_worker_thread(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    library = KnowledgeLibrary(write_kb(tmp_path / "kb"))
    assert library.article_count == 0, "nothing is read before it is needed"
    with caplog.at_level(logging.INFO, logger="skills.knowledge.library"):
        first, second = await asyncio.gather(library.retriever(), library.retriever())
    assert first is second, "callers waiting together share one reading"
    assert library.article_count == len(ARTICLES)
    [built] = [r for r in caplog.records if r.getMessage().startswith("knowledge base loaded")]
    assert built.thread != threading.get_ident(), "the index is built off the event loop"


async def test_a_runtime_reads_the_knowledge_base_when_first_asked(
    tmp_path: Path, make_settings: Callable[..., Settings]
) -> None:
    kb = write_kb(tmp_path / "kb")
    rt = await start_runtime(make_settings(BREAKROOM_KB_DIR=str(kb)))
    try:
        write_uniform_article(kb)  # after start: a runtime that read the folder then misses it
        reply = await ask(rt, UNIFORMS)
    finally:
        await rt.close()
    assert "Uniform allowance" in reply.fallback
