"""Program spotlights through the router: HR and leaders set up a campaign, each turn fires once
and sends one article in rotation to its audience, "Ask about this" opens the article, and
`ask stats` counts the questions that followed; plus the database's guard that fires a turn
once, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.replies import Button, Buttons, Outcome, Reply
from bot.roles import Role
from bot.runtime import Runtime, start_runtime
from bot.settings import Settings
from skills.knowledge.cards import ASK_ABOUT
from skills.spotlight.engine import next_article
from storage.db import Database
from storage.people import PeopleRepository, Profile
from storage.spotlights import Spotlight, SpotlightRepository
from tests.clocks import Clock
from tests.fakes import RecordingMessenger
from tests.helpers import TENANT, action, command
from tests.spotlights import clock_of, due_just_now, spotlight_kb, tick

START = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # Monday 10:00 in New York
WEEK = timedelta(days=7)


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    return spotlight_kb(tmp_path / "kb")


@pytest.fixture
def spotlight_settings(make_settings: Callable[..., Settings], kb: Path) -> Settings:
    # No quiet hours: some tests run at the real time of day, whatever it is.
    return make_settings(BREAKROOM_KB_DIR=str(kb), BREAKROOM_QUIET_HOURS="00:00-00:00")


async def started(settings: Settings, now: datetime = START) -> Runtime:
    runtime = await start_runtime(settings)
    runtime.services.clock = Clock(now)
    return runtime


@pytest.fixture
async def rt(spotlight_settings: Settings) -> AsyncIterator[Runtime]:
    runtime = await started(spotlight_settings, START - timedelta(hours=1))
    yield runtime
    await runtime.close()


@pytest.fixture
def fake(rt: Runtime) -> RecordingMessenger:
    messenger = RecordingMessenger()
    rt.services.outbound.register(messenger)
    return messenger


async def person(rt: Runtime, user: str, *, role: Role | None = None, **profile: str) -> str:
    found = await rt.services.people.resolve(Profile("console", TENANT, user, user, **profile))
    if role is not None:
        await rt.services.people.grant(found.id, role.value, granted_by="test")
    return user


async def spotlight(rt: Runtime, words: str, user: str = "U-hr") -> Reply:
    [reply] = await rt.router.dispatch(command("spotlight", words, user=user))
    return reply


def titles(fake: RecordingMessenger, user: str) -> list[str]:
    return [reply.fallback.removeprefix("In the spotlight: ") for reply in fake.direct_to(user)]


def ask_button(reply: Reply) -> Button:
    return next(b for block in reply.blocks if isinstance(block, Buttons) for b in block.buttons)


async def test_hr_creates_a_campaign_and_each_turn_reaches_everyone_once_in_rotation(
    rt: Runtime, fake: RecordingMessenger
) -> None:
    await person(rt, "U-hr", role=Role.HR)
    nurse = await person(rt, "U-nurse", timezone="America/New_York")
    created = await spotlight(rt, "create to everyone every monday 10:00")
    assert created.fallback.startswith("Spotlight #1 for everyone: every Monday at 10:00.")
    assert "First: Flu shots at Employee Health on Mon 23 Nov, 10:00." in created.fallback
    [audit] = await rt.services.audit.recent(action="spotlight.create")
    assert audit.subject == "spotlight:1"

    for week in range(4):
        await tick(rt, START + week * WEEK + timedelta(minutes=1))
        await tick(rt, rt.services.clock())  # a second tick finds nothing due
        await rt.delivery.run_until_idle()
    assert titles(fake, nurse) == [
        "Flu shots at Employee Health",
        "Paid time off (PTO)",
        "Tuition reimbursement",
        "Flu shots at Employee Health",
    ]
    assert len(titles(fake, "U-hr")) == 4, "everyone is everyone, HR too"
    card = fake.direct_to(nurse)[2]
    assert "up to $5,250 a year" in str(card.blocks)
    assert ask_button(card).action_id == ASK_ABOUT


async def test_a_listed_campaign_rotates_in_hrs_order_and_skips_articles_taken_out(
    spotlight_settings: Settings, kb: Path
) -> None:
    rt = await started(spotlight_settings, START - timedelta(hours=1))
    fake = RecordingMessenger()
    rt.services.outbound.register(fake)
    try:
        await person(rt, "U-hr", role=Role.HR)
        nurse = await person(rt, "U-nurse")
        await spotlight(
            rt, "create every monday 10:00 --articles eap-counseling,flu-shots,pto-basics"
        )
        await tick(rt, START + timedelta(minutes=1))
        await rt.delivery.run_until_idle()
    finally:
        await rt.close()
    (kb / "flu-shots.md").unlink()  # taken out of the knowledge base; read again on restart
    rt = await started(spotlight_settings, START + WEEK + timedelta(minutes=1))
    rt.services.outbound.register(fake)
    try:
        await tick(rt, START + WEEK + timedelta(minutes=1))
        await rt.delivery.run_until_idle()
        listed = await spotlight(rt, "list")
        assert "#1 (on) for everyone, every Monday at 10:00; 3 articles; 2 articles sent" in (
            listed.fallback
        )
        assert "next: Employee Assistance Program (EAP) on Mon 7 Dec, 10:00" in listed.fallback
    finally:
        await rt.close()
    assert titles(fake, nurse) == ["Employee Assistance Program (EAP)", "Paid time off (PTO)"]


def test_rotation_never_sends_the_same_article_twice_in_a_row() -> None:
    order = ["a", "b", "c"]
    assert next_article(order, {"a", "b", "c"}, None) == "a"
    assert next_article(order, {"a", "b", "c"}, "c") == "a"
    assert next_article(order, {"a", "c"}, "a") == "c", "b was taken out"
    assert next_article(order, {"a"}, "a") is None, "only the last one is left"
    assert next_article(["a", "c"], {"a", "c"}, "b") == "c", "b lost its tag: after where it was"


async def test_each_person_gets_it_at_that_time_their_own_day_outside_quiet_hours(
    make_settings: Callable[..., Settings], kb: Path
) -> None:
    settings = make_settings(BREAKROOM_KB_DIR=str(kb), BREAKROOM_QUIET_HOURS="21:00-07:00")
    rt = await started(settings, START - timedelta(hours=1))
    try:
        await quiet_hours_respected(rt)
    finally:
        await rt.close()


async def quiet_hours_respected(rt: Runtime) -> None:
    fake = RecordingMessenger()
    rt.services.outbound.register(fake)
    await person(rt, "U-hr", role=Role.HR)
    await person(rt, "U-denver", timezone="America/Denver")
    await person(rt, "U-tokyo", timezone="Asia/Tokyo")  # 10:00 in New York is midnight there
    await spotlight(rt, "create every monday 10:00 --articles pto-basics,flu-shots")
    await tick(rt, START + timedelta(minutes=1))
    await rt.delivery.run_until_idle()
    assert fake.direct_to("U-denver") == []
    assert fake.direct_to("U-tokyo") == []
    ids = {}
    for user in ("U-denver", "U-tokyo"):
        identity = await rt.services.people.find_identity("console", user)
        assert identity is not None
        ids[user] = identity.person_id
    items = {i.person_id: i.due_at for i in await rt.services.outbox.items("spotlight:1:turn:1")}
    assert items[ids["U-denver"]] == START + timedelta(hours=2), "10:00 in Denver"
    assert items[ids["U-tokyo"]] == datetime(2026, 11, 23, 22, 0, tzinfo=UTC), "07:00 in Tokyo"

    clock_of(rt).now = START + timedelta(hours=2)
    await rt.delivery.run_until_idle()
    assert len(fake.direct_to("U-denver")) == 1
    # Paused before Tokyo's morning: the card still waiting for it does not go out.
    await spotlight(rt, "pause 1")
    clock_of(rt).now = datetime(2026, 11, 23, 22, 0, tzinfo=UTC)
    await rt.delivery.run_until_idle()
    assert fake.direct_to("U-tokyo") == []
    progress = await rt.services.outbox.progress("spotlight:1:turn:1")
    assert (progress.sent, progress.skipped) == (2, 1), "HR's and Denver's sent, Tokyo's not"


async def test_ask_about_this_opens_the_article_and_ask_stats_counts_what_followed(
    rt: Runtime, fake: RecordingMessenger
) -> None:
    await person(rt, "U-hr", role=Role.HR)
    nurse = await person(rt, "U-nurse")
    await person(rt, "U-tech")
    schedule, run = due_just_now()
    clock_of(rt).now = run - timedelta(minutes=1)
    await spotlight(rt, f"create {schedule} --articles tuition-help,pto-basics")
    await tick(rt, run + timedelta(minutes=1))
    await rt.delivery.run_until_idle()
    button = ask_button(fake.direct_to(nurse)[0])

    [answer] = await rt.router.dispatch(action(button.action_id, button.value, user=nurse))
    assert "Tuition reimbursement" in answer.fallback
    offered = [
        b.action_id for block in answer.blocks if isinstance(block, Buttons) for b in block.buttons
    ]
    assert offered == ["knowledge.helpful", "knowledge.not_helpful", "knowledge.ask_form"]
    # The button was sealed for the nurse: pressed by someone else, it does nothing.
    [refused] = await rt.router.dispatch(action(button.action_id, button.value, user="U-tech"))
    assert refused.outcome is Outcome.REFUSED
    assert "meant for someone else" in refused.fallback
    [turn] = await rt.services.spotlights.turns_since(run)
    assert turn.asks == 1, "the refused press is not counted"

    await rt.router.dispatch(command("ask", "does the hospital pay for my BSN?", user="U-tech"))
    await rt.router.dispatch(command("ask", "where do I get my flu shot", user="U-tech"))
    clock_of(rt).now = datetime.now(UTC) + timedelta(minutes=1)
    [stats] = await rt.router.dispatch(command("ask", "stats", user="U-hr"))
    [line] = [line for line in stats.fallback.splitlines() if line.startswith("- #1 ")]
    assert line.startswith("- #1 Tuition reimbursement, ")
    assert line.endswith(
        "sent to 3 people. Since then: 3 questions asked, 2 about this article (1 through "
        '"Ask about this").'
    )
    assert "U-nurse" not in stats.fallback
    assert "U-tech" not in stats.fallback


async def test_employees_are_refused_and_bad_words_are_explained(rt: Runtime) -> None:
    await person(rt, "U-hr", role=Role.HR)
    await person(rt, "U-lead", role=Role.LEADER)
    refused = await spotlight(rt, "create every monday 10:00", user="U-nurse")
    assert refused.outcome is Outcome.REFUSED
    assert refused.fallback == "Only HR and leaders can do that."
    assert await rt.services.spotlights.all() == []
    bare = await spotlight(rt, "create to everyone", user="U-lead")
    assert bare.outcome is Outcome.BAD_INPUT
    assert bare.fallback.startswith("Say when it goes out, e.g. `every other tuesday 10:00`.")
    daily = await spotlight(rt, "create every day 10:00", user="U-lead")
    assert daily.outcome is Outcome.BAD_INPUT
    assert "every other tuesday" in daily.fallback
    unknown = await spotlight(rt, "create every monday 10:00 --articles pto-basics,nope")
    assert "I can't find `nope`" in unknown.fallback
    lone = await spotlight(rt, "create every monday 10:00 --articles pto-basics")
    assert "at least two articles" in lone.fallback
    assert await rt.services.spotlights.all() == []


async def test_pause_next_and_resume(rt: Runtime, fake: RecordingMessenger) -> None:
    await person(rt, "U-hr", role=Role.HR)
    await person(rt, "U-nurse")
    await spotlight(rt, "create to unit ICU every other monday 10:00")
    nobody = await spotlight(rt, "next 1")
    assert nobody.fallback == (
        "Next for spotlight #1: Flu shots at Employee Health on Mon 23 Nov, 10:00, "
        "to unit ICU (0 people now)."
    )
    assert (await spotlight(rt, "pause 1")).fallback.startswith("Spotlight #1 is paused")
    assert "paused already" in (await spotlight(rt, "pause 1")).fallback
    await tick(rt, START + timedelta(minutes=1))
    assert await rt.services.spotlights.turns_since(START - WEEK) == []
    paused = await spotlight(rt, "next 1")
    assert paused.fallback.endswith("the next article is Flu shots at Employee Health.")
    resumed = await spotlight(rt, "resume 1")
    assert resumed.fallback == "Spotlight #1 is on again. Next article: Mon 7 Dec, 10:00."
    actions = [entry.action for entry in await rt.services.audit.recent()]
    assert {"spotlight.create", "spotlight.pause", "spotlight.resume"} <= set(actions)


async def test_a_turn_fired_but_not_queued_before_a_crash_is_queued_by_the_next_tick(
    rt: Runtime, fake: RecordingMessenger
) -> None:
    await person(rt, "U-hr", role=Role.HR)
    await person(rt, "U-nurse")
    await spotlight(rt, "create every monday 10:00 --articles pto-basics,flu-shots")
    [created] = await rt.services.spotlights.all()
    turn = await rt.services.spotlights.fire(
        created, next_run_at=START + WEEK, article_id="pto-basics", title="PTO", now=START
    )
    assert turn is not None  # ... and the process died before queueing its messages
    await tick(rt, START + timedelta(minutes=2))
    await rt.delivery.run_until_idle()
    assert len(fake.direct_to("U-nurse")) == 1
    assert (await rt.services.spotlights.turn(1, 1)).recipients == 2  # type: ignore[union-attr]


async def test_two_ticks_at_once_fire_a_turn_once(database: Database) -> None:
    owner = await PeopleRepository(database).resolve(Profile("console", TENANT, "U-hr"))
    repository = SpotlightRepository(database)
    created = await repository.create(
        owner_person_id=owner.id,
        article_ids=["a", "b"],
        audience={"kind": "everyone"},
        schedule={"kind": "weekly", "at": "10:00", "weekdays": ["mon"], "every_weeks": 1},
        next_run_at=START,
    )

    async def fire(replica: Spotlight) -> object:
        return await repository.fire(
            replica, next_run_at=START + WEEK, article_id="a", title="A", now=START
        )

    fired = await asyncio.gather(*(fire(created) for _ in range(4)))
    assert len([turn for turn in fired if turn is not None]) == 1
    [turn] = await repository.turns_since(START - WEEK)
    assert (turn.number, turn.payload_key) == (1, "spotlight:1:turn:1")
    again = await repository.get(created.id)
    assert again is not None
    assert (again.turns, again.next_run_at) == (1, START + WEEK)
