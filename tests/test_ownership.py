"""Buttons that name a record work only for the person they were drawn for, or for a role that
may act on any such record. Each registered action is staged as a person would reach it; then
someone else presses it with every kind of forged value (a guessed bare id, the rightful
person's button seen in a shared channel, a real seal with the id swapped in), and each press
must be refused kindly, audited once and change nothing, before the rightful press still works.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select

from bot.events import SYSTEM_ACTOR, SYSTEM_CONVERSATION, Event, ScheduledTrigger
from bot.ownership import NOT_YOURS, TAG_CHARS, NotYours, named_record, open_value, seal_value
from bot.replies import Buttons, Choice, Form, Reply
from bot.runtime import Runtime, start_runtime
from bot.sealing import Sealer
from bot.settings import Settings
from storage.announcements import Press
from storage.db import Database
from storage.models import Base, IdeaDraftRow
from storage.people import Profile
from storage.secrets import SecretStore
from tests.fakes import RecordingMessenger
from tests.helpers import TENANT, action, command, sealed_for
from tests.kb_fixture import write_kb

OWNER, OTHER, FIRST, HR, LEADER = "U-owner", "U-other", "U-first", "U-hr", "U-lead"
UNSURE = "can I bring my dog to the night shift potluck"
ANSWERED = "how many vacation days do i get"
# What any press writes, refused or not: the person pressing is resolved (and their roles
# seeded), the event id kept against redelivery, the button key made once; and the audit line.
BOOKKEEPING = frozenset(
    {"people", "identities", "role_grants", "processed_events", "secrets", "audit_log"}
)
NAMES_NO_RECORD = frozenset(
    {
        "knowledge.ask_form",
        "knowledge.ask_submit",
        "ideas.new",
        "announce.submit_form",
        "language.choose",
    }
)
NOT_YOURS_WORDS = "meant for someone else"
OLD_BUTTON_WORDS = "from an older message"
NOT_INVITED_WORDS = "wasn't sent to you"
ROLE_WORDS = "can do that"


@pytest.fixture
async def rt(tmp_path: Path, make_settings: Callable[..., Settings]) -> AsyncIterator[Runtime]:
    runtime = await start_runtime(
        make_settings(
            BREAKROOM_KB_DIR=str(write_kb(tmp_path / "kb")),
            BREAKROOM_HR_CHANNEL="C-hr",
            BREAKROOM_HR_USERS=HR,
            BREAKROOM_LEADER_USERS=LEADER,
            BREAKROOM_QUIET_HOURS="00:00-00:00",
        )
    )
    yield runtime
    await runtime.close()


@pytest.fixture
def fake(rt: Runtime) -> RecordingMessenger:
    messenger = RecordingMessenger()
    rt.services.outbound.register(messenger)
    return messenger


# -- staging: each action as the rightful person reaches it --------------------------------------


@dataclass(frozen=True)
class Stage:
    """An action with the value drawn for `rightful`, the record it names, what a forger must
    not read back, and how to tell the rightful press worked."""

    action_id: str
    value: str
    record: str
    rightful: str
    done: Callable[[Runtime, Reply], Awaitable[bool]]
    inputs: Mapping[str, str] = field(default_factory=dict)
    secrets: tuple[str, ...] = ()
    role: bool = False  # any holder of the action's role may act on any such record
    invited: bool = False  # storage knows the owner (a survey's invitees), values are bare ids

    def pressed(self, value: str, user: str) -> Event:
        return action(self.action_id, value, user=user, values=dict(self.inputs))


async def dispatch(rt: Runtime, event: Event) -> Reply:
    [reply] = await rt.router.dispatch(event)
    return reply


def values_of(reply: Reply) -> dict[str, str]:
    """The value of each button on the reply by its action id (the last, where several)."""
    return {b.action_id: b.value for x in reply.blocks if isinstance(x, Buttons) for b in x.buttons}


def by_label(reply: Reply, label: str) -> str:
    return next(
        b.value
        for x in reply.blocks
        if isinstance(x, Buttons)
        for b in x.buttons
        if b.label == label
    )


async def person_id(rt: Runtime, user: str, **profile: str) -> int:
    return (await rt.services.people.resolve(Profile("console", TENANT, user, user, **profile))).id


async def question(rt: Runtime, text: str, action_id: str) -> tuple[str, int]:
    reply = await dispatch(rt, command("ask", text, user=OWNER))
    value = values_of(reply)[action_id]
    # Each button names the question (and maybe an article) in its record, in its own order.
    return value, int(next(part for part in named_record(value).split("|") if part.isdigit()))


async def helpful_is(rt: Runtime, question_id: int, wanted: bool | None) -> bool:
    logged = await rt.services.questions.get(question_id)
    return logged is not None and logged.helpful is wanted


async def stage_feedback(rt: Runtime, action_id: str) -> Stage:
    value, question_id = await question(rt, ANSWERED, action_id)
    wanted = action_id == "knowledge.helpful"

    async def done(rt: Runtime, reply: Reply) -> bool:
        return await helpful_is(rt, question_id, wanted)

    return Stage(action_id, value, named_record(value), OWNER, done)


async def stage_show(rt: Runtime) -> Stage:
    value, _ = await question(rt, "does the hospital pay for my bsn", "knowledge.show")

    async def done(rt: Runtime, reply: Reply) -> bool:
        return "knowledge.helpful" in values_of(reply)

    return Stage("knowledge.show", value, named_record(value), OWNER, done)


async def stage_ask_hr(rt: Runtime) -> Stage:
    value, question_id = await question(rt, UNSURE, "knowledge.ask_hr")
    owner = await person_id(rt, OWNER)

    async def done(rt: Runtime, reply: Reply) -> bool:
        tickets = await rt.services.tickets.open_tickets()
        return any(t.question_id == question_id and t.person_id == owner for t in tickets)

    return Stage("knowledge.ask_hr", value, str(question_id), OWNER, done, secrets=("potluck",))


async def stage_hr(rt: Runtime, action_id: str) -> Stage:
    owner = await person_id(rt, OWNER)
    ticket, _ = await rt.services.tickets.open(owner, "Can I swap my Sunday shift?", None)

    async def done(rt: Runtime, reply: Reply) -> bool:
        if action_id == "knowledge.hr_answer":
            return any(isinstance(b, Form) for b in reply.blocks)
        answered = await rt.services.tickets.get(ticket.id)
        return answered is not None and answered.answer == "Yes, with your manager's OK."

    inputs = {"answer": "Yes, with your manager's OK."}
    return Stage(action_id, str(ticket.id), str(ticket.id), HR, done, inputs, role=True)


async def preview(rt: Runtime, text: str) -> Reply:
    return await dispatch(rt, command("idea", text, user=OWNER))


async def stage_draft(rt: Runtime, action_id: str) -> Stage:
    text = f"Offer earplugs and eye masks to patients at night ({action_id})"
    shown = await preview(rt, text)
    value = values_of(shown)[action_id]
    draft_id = int(named_record(value))
    owner = await person_id(rt, OWNER)

    async def done(rt: Runtime, reply: Reply) -> bool:
        ideas = [i for i in await rt.services.ideas.find() if i.description == text]
        if action_id == "ideas.confirm":
            return [i.submitter_person_id for i in ideas] == [owner]
        if action_id == "ideas.confirm_anonymous":
            return [i.anonymous for i in ideas] == [True]
        if action_id == "ideas.edit":
            [form] = [b for b in reply.blocks if isinstance(b, Form)]
            return form.inputs[1].initial == text
        return await rt.services.ideas.draft(draft_id, owner) is None  # cancelled

    return Stage(action_id, value, str(draft_id), OWNER, done, secrets=("earplugs",))


async def stage_submit_form(rt: Runtime) -> Stage:
    shown = await preview(rt, "Offer warm socks to patients in the ED at night")
    form_reply = await dispatch(rt, action("ideas.edit", values_of(shown)["ideas.edit"], OWNER))
    [form] = [b for b in form_reply.blocks if isinstance(b, Form)]
    draft_id = int(named_record(form.value))

    async def done(rt: Runtime, reply: Reply) -> bool:
        async with rt.services.database.engine.connect() as conn:
            drafts = (await conn.execute(select(IdeaDraftRow.description))).scalars().all()
        return "warm slippers" in reply.fallback and not any("socks" in d for d in drafts)

    inputs = {"description": "Offer warm slippers to patients in the ED", "category": "comfort"}
    return Stage("ideas.submit_form", form.value, str(draft_id), OWNER, done, inputs)


async def stage_upvote(rt: Runtime) -> Stage:
    first = await dispatch(
        rt, command("idea", "Stock warm blankets in the ED waiting room", user=FIRST)
    )
    thanks = await dispatch(rt, action("ideas.confirm", values_of(first)["ideas.confirm"], FIRST))
    idea_id = int(thanks.fallback.split("#")[1].split(" ")[0])
    shown = await preview(rt, "ED waiting room patients need warm blankets")
    value = by_label(shown, f"Vote for #{idea_id}")

    async def done(rt: Runtime, reply: Reply) -> bool:
        idea = await rt.services.ideas.get(idea_id)
        return idea is not None and idea.votes == 1

    return Stage("ideas.upvote", value, str(idea_id), OWNER, done)


async def submitted_idea(rt: Runtime, text: str) -> int:
    owner = await person_id(rt, OWNER)
    saved = await rt.services.ideas.save_draft(
        owner, title="", description=text, category="comfort", unit="", anonymous=False
    )
    idea = await rt.services.ideas.submit(saved, sealed_submitter=None)
    assert idea is not None
    return idea.id


async def stage_review(rt: Runtime, action_id: str) -> Stage:
    idea_id = await submitted_idea(rt, f"Quiet hours on 5 North ({action_id})")
    value = f"{idea_id}:under_review" if action_id == "ideas.set_status" else str(idea_id)
    wanted = {"ideas.set_status": "under_review", "ideas.decline_form": "declined"}

    async def done(rt: Runtime, reply: Reply) -> bool:
        if action_id == "ideas.decline":
            return any(isinstance(b, Form) for b in reply.blocks)
        idea = await rt.services.ideas.get(idea_id)
        return idea is not None and idea.status == wanted[action_id]

    inputs = {"reason": "We can't staff it this year."}
    return Stage(action_id, value, named_record(value), LEADER, done, inputs, role=True)


async def accepted_idea(rt: Runtime, text: str) -> int:
    idea_id = await submitted_idea(rt, text)
    assert await rt.services.ideas.set_status(idea_id, "accepted") is not None
    return idea_id


async def stage_implement(rt: Runtime) -> Stage:
    idea_id = await accepted_idea(rt, "Blanket warmers on every unit")

    async def done(rt: Runtime, reply: Reply) -> bool:
        idea = await rt.services.ideas.get(idea_id)
        return idea is not None and idea.status == "implemented"

    inputs = {"what_changed": "Warmers on all 12 units", "helped": "Facilities"}
    value = str(idea_id)
    return Stage("ideas.implement_form", value, value, LEADER, done, inputs, role=True)


async def stage_credit(rt: Runtime, fake: RecordingMessenger, action_id: str) -> Stage:
    """The submitter's "may we name you?" on the notice that their idea is in place."""
    idea_id = await accepted_idea(rt, f"Night snacks for the ED ({action_id})")
    await dispatch(rt, command("ideas", f"status {idea_id} implemented Snacks on nights", LEADER))
    await rt.delivery.run_until_idle()
    notice = next(n for n in fake.direct_to(OWNER) if f"#{idea_id} is in place" in n.fallback)
    value = values_of(notice)[action_id]

    async def done(rt: Runtime, reply: Reply) -> bool:
        outcome = await rt.services.idea_outcomes.get(idea_id)
        return outcome is not None and outcome.credit_agreed is (action_id == "ideas.credit_yes")

    return Stage(action_id, value, str(idea_id), OWNER, done)


async def stage_announce_idea(rt: Runtime) -> Stage:
    """The leader's offer to announce an idea just marked implemented, to everyone."""
    idea_id = await accepted_idea(rt, "Warm blankets in the ED waiting room")
    marked = await dispatch(
        rt, command("ideas", f"status {idea_id} implemented Blankets in the ED", LEADER)
    )
    value = values_of(marked)["ideas.announce"]

    async def done(rt: Runtime, reply: Reply) -> bool:
        return "You said, we did: Warm blankets" in reply.fallback + str(reply.blocks)

    return Stage("ideas.announce", value, named_record(value), LEADER, done, role=True)


async def open_round(rt: Runtime) -> int:
    """A survey round for 5 North, where the owner works; the forger works in the ICU."""
    if not await rt.services.surveys.all():
        await person_id(rt, OWNER, unit="5 North")
        await person_id(rt, OTHER, unit="ICU")
        await dispatch(rt, command("pulse", "create weekly-pulse to unit '5 North' now", user=HR))
        await rt.delivery.run_until_idle()
    [survey] = await rt.services.surveys.all()
    [round_] = await rt.services.surveys.open_rounds(survey.id)
    return round_.id


async def stage_pulse(rt: Runtime, fake: RecordingMessenger, action_id: str) -> Stage:
    round_id = await open_round(rt)
    # The survey is the owner's one message with choices (announcements and idea notices
    # reach them too).
    first = next(b for m in fake.direct_to(OWNER) for b in m.blocks if isinstance(b, Choice))
    value = first.options[0].value if action_id == "pulse.answer" else str(round_id)
    owner = await person_id(rt, OWNER)

    async def done(rt: Runtime, reply: Reply) -> bool:
        if action_id == "pulse.answer":
            return bool(await rt.services.survey_answers.own_answers(round_id, owner))
        if action_id == "pulse.comment":
            return any(isinstance(b, Form) for b in reply.blocks)
        if action_id == "pulse.comment_submit":
            return "comment is saved" in reply.fallback
        return any(isinstance(b, Choice) for b in reply.blocks)  # the survey, to answer

    inputs = {"comment": "More float nurses on nights, please."}
    return Stage(action_id, value, f"round:{round_id}", OWNER, done, inputs, invited=True)


async def stage_spotlight(rt: Runtime, fake: RecordingMessenger) -> Stage:
    """A spotlight turn for the pharmacy, due a minute ago, its card delivered: "Ask about
    this" on it. (Its reader is not the owner, whose DMs the survey stages count.)"""
    reader = await person_id(rt, FIRST, unit="Pharmacy")
    await person_id(rt, OTHER, unit="ICU")
    await rt.services.spotlights.create(
        owner_person_id=reader,
        article_ids=["flu-shots", "pto-basics"],
        audience={"kind": "unit", "value": "Pharmacy"},
        schedule={"kind": "weekly", "at": "10:00", "weekdays": ["mon"], "every_weeks": 1},
        next_run_at=rt.services.clock() - timedelta(minutes=1),
    )
    trigger = ScheduledTrigger(
        actor=SYSTEM_ACTOR, conversation=SYSTEM_CONVERSATION, job="spotlight.tick"
    )
    await rt.router.dispatch(trigger)
    await rt.delivery.run_until_idle()
    [value] = [
        values_of(card)["knowledge.ask_about"]
        for card in fake.direct_to(FIRST)
        if "knowledge.ask_about" in values_of(card)
    ]

    async def done(rt: Runtime, reply: Reply) -> bool:
        turn = await rt.services.spotlights.turn(1, 1)
        return "Flu shots" in reply.fallback and turn is not None and turn.asks == 1

    return Stage("knowledge.ask_about", value, named_record(value), FIRST, done)


async def announcement_preview(rt: Runtime, action_id: str) -> Reply:
    """HR's preview of an announcement to 5 North, where the owner works."""
    await person_id(rt, OWNER, unit="5 North")
    await person_id(rt, OTHER, unit="ICU")
    words = f'"Parking ({action_id})" "Garage B closes Friday." to unit "5 North" now'
    return await dispatch(rt, command("announce", f"{words} --link https://x.org", user=HR))


async def stage_announce_preview(rt: Runtime, action_id: str) -> Stage:
    value = values_of(await announcement_preview(rt, action_id))[action_id]
    announcement_id = int(named_record(value))
    wanted = "queued" if action_id == "announce.send" else "cancelled"

    async def done(rt: Runtime, reply: Reply) -> bool:
        announcement = await rt.services.announcements.get(announcement_id)
        return announcement is not None and announcement.status == wanted

    return Stage(action_id, value, named_record(value), HR, done, role=True)


async def stage_announcement(rt: Runtime, fake: RecordingMessenger, action_id: str) -> Stage:
    preview = await announcement_preview(rt, action_id)
    await dispatch(rt, action("announce.send", values_of(preview)["announce.send"], HR))
    await rt.delivery.run_until_idle()
    message = fake.direct_to(OWNER)[-1]
    value = values_of(message)[action_id]
    press = "got_it" if action_id == "announce.got_it" else "learn_more"

    async def done(rt: Runtime, reply: Reply) -> bool:
        counts = await rt.services.announcements.presses(int(value))
        return counts[Press(press)] == 1

    return Stage(action_id, value, f"announcement:{value}", OWNER, done, invited=True)


Stager = Callable[[Runtime, RecordingMessenger], Awaitable[Stage]]


def _each(make: Callable[[Runtime, str], Awaitable[Stage]], *ids: str) -> dict[str, Stager]:
    def bind(action_id: str) -> Stager:
        return lambda rt, fake: make(rt, action_id)

    return {action_id: bind(action_id) for action_id in ids}


def _pulse(*ids: str) -> dict[str, Stager]:
    def bind(action_id: str) -> Stager:
        return lambda rt, fake: stage_pulse(rt, fake, action_id)

    return {action_id: bind(action_id) for action_id in ids}


STAGES: dict[str, Stager] = {
    **_each(stage_feedback, "knowledge.helpful", "knowledge.not_helpful"),
    "knowledge.show": lambda rt, fake: stage_show(rt),
    "knowledge.ask_hr": lambda rt, fake: stage_ask_hr(rt),
    "knowledge.ask_about": stage_spotlight,
    **_each(stage_hr, "knowledge.hr_answer", "knowledge.hr_reply"),
    **_each(stage_draft, "ideas.confirm", "ideas.confirm_anonymous", "ideas.edit", "ideas.cancel"),
    "ideas.submit_form": lambda rt, fake: stage_submit_form(rt),
    "ideas.upvote": lambda rt, fake: stage_upvote(rt),
    **_each(stage_review, "ideas.set_status", "ideas.decline", "ideas.decline_form"),
    "ideas.implement_form": lambda rt, fake: stage_implement(rt),
    "ideas.credit_yes": lambda rt, fake: stage_credit(rt, fake, "ideas.credit_yes"),
    "ideas.credit_no": lambda rt, fake: stage_credit(rt, fake, "ideas.credit_no"),
    "ideas.announce": lambda rt, fake: stage_announce_idea(rt),
    **_pulse("pulse.answer", "pulse.change", "pulse.open", "pulse.comment", "pulse.comment_submit"),
    **_each(stage_announce_preview, "announce.send", "announce.discard"),
    "announce.got_it": lambda rt, fake: stage_announcement(rt, fake, "announce.got_it"),
    "announce.learn_more": lambda rt, fake: stage_announcement(rt, fake, "announce.learn_more"),
}


# -- forging: what someone else can send --------------------------------------------------------


@dataclass(frozen=True)
class Forgery:
    """A press or a typed line by someone else, the words of its kind refusal, what its audit
    line must name besides the forger, and what the forger must not read back."""

    name: str
    event: Event
    words: str
    names: frozenset[str]
    secrets: tuple[str, ...] = ()


async def forgeries(rt: Runtime, stage: Stage) -> list[Forgery]:
    """Every value someone else can send: the rightful person's own (seen in a channel, or
    bare ids of a survey), the bare id, and a seal of their own with the record swapped in."""
    record = named_record(stage.value)
    names = frozenset({stage.action_id, stage.record})

    def forged(name: str, value: str, words: str) -> Forgery:
        return Forgery(name, stage.pressed(value, OTHER), words, names, stage.secrets)

    if stage.role:
        return [forged("a reviewer's button", stage.value, ROLE_WORDS)]
    if stage.invited:
        return [forged("a round not sent to them", stage.value, NOT_INVITED_WORDS)]
    own = await sealed_for(rt.services, OTHER, stage.action_id, "0")  # no record has id 0
    return [
        forged("the rightful button", stage.value, NOT_YOURS_WORDS),
        forged("a guessed bare id", record, OLD_BUTTON_WORDS),
        forged("their own seal, record swapped", own[: 1 + TAG_CHARS] + record, NOT_YOURS_WORDS),
    ]


async def typed(rt: Runtime) -> list[Forgery]:
    """Typed commands that name a record, by an employee: only the role may act on them."""
    idea_id = await submitted_idea(rt, "Quiet hours on 5 North, typed")
    await open_round(rt)
    [survey] = await rt.services.surveys.all()
    lines = {
        "ideas": [
            f"show {idea_id}",
            f"status {idea_id} accepted",
            f"status {idea_id} implemented Done",
            f"comment {idea_id} Yes!",
            "digest monthly to everyone",
        ],
        "pulse": [f"{verb} {survey.id}" for verb in ("results", "close", "pause", "resume", "run")],
        "announce": [f"{verb} 1" for verb in ("send", "report", "resend", "cancel")],
    }
    return [
        Forgery(f"`{name} {words}`", command(name, words, user=OTHER), ROLE_WORDS, names)
        for name, typed_lines in lines.items()
        for names in [frozenset({f"command:{name}"})]
        for words in typed_lines
    ]


async def snapshot(rt: Runtime) -> dict[str, list[Any]]:
    """Every record a press could change, table by table."""
    async with rt.services.database.engine.connect() as conn:
        return {
            table.name: list(
                (await conn.execute(select(table).order_by(*table.primary_key.columns))).all()
            )
            for table in Base.metadata.sorted_tables
            if table.name not in BOOKKEEPING
        }


async def problems(rt: Runtime, fake: RecordingMessenger, forgery: Forgery) -> list[str]:
    """What went wrong with a forged press: empty when it was refused kindly, audited once
    (naming the action, the forger and the record) and changed nothing."""
    found: list[str] = []
    records, sent = await snapshot(rt), len(fake.direct) + len(fake.channel) + len(fake.updates)
    audited = len(await rt.services.audit.recent(limit=100_000))
    replies = await rt.router.dispatch(forgery.event)
    if await snapshot(rt) != records:
        found.append("records changed")
    if len(fake.direct) + len(fake.channel) + len(fake.updates) != sent:
        found.append("a message went out")
    said = " ".join(f"{r.fallback} {r.blocks!r}" for r in replies)
    if len(replies) != 1 or not replies[0].ephemeral or forgery.words not in said:
        found.append(f"not refused kindly: {said[:200]!r}")
    found += [f"leaked {secret!r}" for secret in forgery.secrets if secret in said]
    new = await rt.services.audit.recent(limit=100_000)
    lines = new[: len(new) - audited]
    forger = await person_id(rt, OTHER)
    named = [
        line
        for line in lines
        if line.actor_person_id == forger
        and line.action in ("access.refused", "access.denied")
        and forgery.names <= {line.subject, *map(str, line.detail.values())}
    ]
    if len(lines) != 1 or len(named) != 1:
        found.append(f"audit lines: {[(a.action, a.subject, a.detail) for a in lines]}")
    return found


async def stage_and_check(rt: Runtime, fake: RecordingMessenger, action_id: str) -> list[str]:
    stage = await STAGES[action_id](rt, fake)
    found = [
        f"{action_id}, {forgery.name}: {problem}"
        for forgery in await forgeries(rt, stage)
        for problem in await problems(rt, fake, forgery)
    ]
    reply = await dispatch(rt, stage.pressed(stage.value, stage.rightful))
    if not await stage.done(rt, reply):
        found.append(f"{action_id}: the rightful press by {stage.rightful} did not work")
    return found


# -- the tests ----------------------------------------------------------------------------------


async def test_a_seal_opens_for_its_person_and_action_on_any_replica_and_nothing_else(
    make_settings: Callable[..., Settings],
) -> None:
    db = Database(make_settings().database_url)
    try:
        # Two replicas without BREAKROOM_SEAL_KEY share the key generated into the database.
        one, two = Sealer(None, SecretStore(db)), Sealer(None, SecretStore(db))
        value = seal_value(await one.button_key(), "knowledge.ask_hr", 7, "12")
        key = await two.button_key()
        assert open_value(key, "knowledge.ask_hr", 7, value) == "12"
        elsewhere = await Sealer(Fernet.generate_key().decode(), SecretStore(db)).button_key()
        forged = [
            (key, "knowledge.ask_hr", 8, value),  # someone else
            (key, "knowledge.helpful", 7, value),  # another button
            (key, "knowledge.ask_hr", 7, value[:-2] + "13"),  # another record
            (elsewhere, "knowledge.ask_hr", 7, value),  # another deployment's key
        ]
        for args in forged:
            with pytest.raises(NotYours) as refused:
                open_value(*args)
            assert (refused.value.reason, refused.value.message) == ("forged", NOT_YOURS)
        with pytest.raises(NotYours) as bare:
            open_value(key, "knowledge.ask_hr", 7, "12")
        assert (bare.value.reason, bare.value.record) == ("unsealed", "12")
    finally:
        await db.dispose()


async def test_a_button_from_before_seals_fails_kindly_even_for_its_owner(rt: Runtime) -> None:
    """Nothing tells whose a bare id was, so the owner of an old message is told to start
    again, like anyone else."""
    _, question_id = await question(rt, ANSWERED, "knowledge.helpful")
    [old] = await rt.router.dispatch(action("knowledge.helpful", str(question_id), user=OWNER))
    assert OLD_BUTTON_WORDS in old.fallback
    assert old.ephemeral
    assert await helpful_is(rt, question_id, None)
    [audited] = await rt.services.audit.recent(action="access.refused")
    assert (audited.subject, audited.detail) == (
        str(question_id),
        {"route": "knowledge.helpful", "reason": "unsealed"},
    )


@pytest.mark.parametrize("action_id", sorted(STAGES))
async def test_only_the_rightful_person_or_role_can_press(
    rt: Runtime, fake: RecordingMessenger, action_id: str
) -> None:
    assert await stage_and_check(rt, fake, action_id) == []


async def test_every_action_is_staged_and_no_forged_press_is_accepted(
    rt: Runtime, fake: RecordingMessenger, capsys: pytest.CaptureFixture[str]
) -> None:
    """All stages in one database, so each forged press meets everyone else's records too."""
    assert rt.router.action_ids == frozenset(STAGES) | NAMES_NO_RECORD
    attempts = accepted = 0
    for action_id in sorted(STAGES):
        stage = await STAGES[action_id](rt, fake)
        for forgery in await forgeries(rt, stage):
            attempts += 1
            accepted += bool(await problems(rt, fake, forgery))
    for forgery in await typed(rt):
        attempts += 1
        accepted += bool(await problems(rt, fake, forgery))
    with capsys.disabled():
        print(
            f"\nforged-record attempts: {attempts} ({len(STAGES)} actions, typed commands too);"
            f" accepted: {accepted}"
        )
    assert attempts >= 2 * len(STAGES)
    assert accepted == 0
