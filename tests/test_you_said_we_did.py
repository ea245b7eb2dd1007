""" "You said, we did" through the real Slack adapter over the loopback fake Slack API and the real
Teams adapter over the fake connector: a leader marks an idea implemented (a form, or words),
the submitter and every voter are told once through the outbox, the submitter is credited only
when the idea is not anonymous and they agree, and a monthly digest can be scheduled."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.events import SYSTEM_ACTOR, SYSTEM_CONVERSATION, ScheduledTrigger
from bot.i18n import translator
from bot.services import Services
from bot.settings import Settings
from skills.ideas.implemented import screen_helped
from skills.ideas.monthly import TICK_JOB
from skills.ideas.story import you_said_we_did
from storage.db import Database, StorageUnavailable
from storage.idea_outcomes import IdeaDigests, IdeaOutcomes, Implemented, Outcome
from storage.ideas import Idea, IdeaRepository
from storage.outbox import OutboxRepository
from storage.people import PeopleRepository, Profile
from tests.fake_slack import TEAM_ID, FakeSlack
from tests.slack_harness import LEADER, NURSE, Json, Slack, serve_slack, slack_env
from tests.slack_payloads import block_actions, view_submission
from tests.teams_harness import HR as TEAMS_HR
from tests.teams_harness import LEADER as TEAMS_LEADER
from tests.teams_harness import NURSE as TEAMS_NURSE
from tests.teams_harness import TENANT, Teams, action, inputs, known, text_of

VOTERS = ("U0VOTER1", "U0VOTER2")
ENGLISH = translator("en")
IDEA_TEXT = "Keep a blanket warmer on every unit so patients are not cold after surgery."


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as slack:
        yield slack


@pytest.fixture
async def slack(
    make_settings: Callable[..., Settings], fake: FakeSlack, tmp_path: Path
) -> AsyncIterator[Slack]:
    async with serve_slack(make_settings(**slack_env(fake, tmp_path / "kb")), fake) as served:
        yield served


async def person(services: Services, platform: str, user: str, name: str) -> int:
    tenant = TEAM_ID if platform == "slack" else TENANT
    found = await services.people.resolve(Profile(platform, tenant, user, display_name=name))
    return found.id


async def accepted_idea(
    services: Services, submitter: int, *, anonymous: bool = False, unit: str = "5 North"
) -> int:
    """An idea staff shared and leaders accepted (how it got there is tested elsewhere)."""
    draft = await services.ideas.save_draft(
        submitter,
        title="Blanket warmers",
        description=IDEA_TEXT,
        category="comfort",
        unit=unit,
        anonymous=anonymous,
    )
    sealed = await services.sealer.seal(submitter) if anonymous else None
    idea = await services.ideas.submit(draft, sealed_submitter=sealed)
    assert idea is not None
    assert await services.ideas.set_status(idea.id, "accepted") is not None
    return idea.id


def elements(blocks: list[Json]) -> list[Json]:
    return [e for b in blocks if b["type"] == "actions" for e in b["elements"]]


def button(blocks: list[Json], action_id: str, value: str | None = None) -> Json:
    return next(
        e
        for e in elements(blocks)
        if e.get("action_id", "").startswith(action_id) and value in (None, e.get("value"))
    )


def shown(blocks: list[Json]) -> str:
    return json.dumps(blocks, ensure_ascii=False)


def press(slack: Slack, pressed: Json, user: str, key: str, **extra: Any) -> Json:
    return block_actions(
        pressed["action_id"],
        pressed["value"],
        user,
        channel=extra.pop("channel", f"D{user}"),
        message_ts=extra.pop("message_ts", "1700000000.000900"),
        response_url=slack.fake.response_url(key),
        **extra,
    )


async def slack_voters(slack: Slack, idea_id: int) -> None:
    services = slack.runtime.services
    for user in VOTERS:
        vote = await services.ideas.vote(idea_id, await person(services, "slack", user, user))
        assert vote is not None
        assert vote.counted


# -- Slack -------------------------------------------------------------------------------------


async def test_marking_implemented_in_a_modal_tells_the_submitter_and_voters_once(
    slack: Slack,
) -> None:
    services = slack.runtime.services
    submitter = await person(services, "slack", NURSE, "Rosa Díaz")
    idea_id = await accepted_idea(services, submitter)
    await slack_voters(slack, idea_id)

    await slack.command("/ideas", f"show {idea_id}", LEADER, "show")
    [card] = await slack.responses("show")
    done = button(card["blocks"], "ideas.set_status", f"{idea_id}:implemented")
    await slack.click(press(slack, done, LEADER, "mark", channel="C0LEAD", ephemeral=True))
    [opened] = await slack.fake.wait_for_call("views.open")
    view = opened.args["view"]
    assert [b["block_id"] for b in view["blocks"]] == ["what_changed", "helped"]
    values = {
        "what_changed": {
            "what_changed": {
                "type": "plain_text_input",
                "value": "Warmers on all 12 units since Monday; ask the charge nurse.",
            }
        },
        "helped": {"helped": {"type": "plain_text_input", "value": "Sam Lee and Facilities"}},
    }
    assert await slack.click(view_submission(view, LEADER, values)) == 200
    [marked] = await slack.responses("mark")
    text = shown(marked["blocks"])
    assert "Idea #1 is now implemented" in marked["text"]
    assert "3 people" in text  # the submitter and two voters
    assert "You said, we did: Blanket warmers" in text
    assert "a colleague, 5 North" in text  # not named: the submitter has not agreed
    assert "Rosa" not in text
    assert "Sam Lee and Facilities" in text  # who helped keeps its names

    await slack.runtime.delivery.run_until_idle()
    assert slack.fake.dm_counts() == {NURSE: 1, VOTERS[0]: 1, VOTERS[1]: 1}
    [to_submitter] = slack.fake.posted_to(NURSE)
    assert "your idea #1 is in place" in to_submitter["text"]
    assert "Warmers on all 12 units" in shown(to_submitter["blocks"])
    button(to_submitter["blocks"], "ideas.credit_yes")
    [to_voter] = slack.fake.posted_to(VOTERS[0])
    assert "An idea you voted for is in place" in to_voter["text"]
    assert "Sam Lee and Facilities" in shown(to_voter["blocks"])
    assert not [e for e in elements(to_voter["blocks"]) if "credit" in e["action_id"]]

    # A repeat (a second leader, a typed command) changes nothing and tells nobody again.
    await slack.command("/ideas", f"status {idea_id} implemented Again", LEADER, "again")
    [again] = await slack.responses("again")
    assert "is already implemented, so nothing changed" in again["text"]
    await slack.runtime.delivery.run_until_idle()
    assert slack.fake.dm_counts() == {NURSE: 1, VOTERS[0]: 1, VOTERS[1]: 1}
    [audited] = await services.audit.recent(action="idea.status")
    assert (audited.detail["after"], audited.detail["told"]) == ("implemented", 3)


async def test_the_submitter_is_credited_only_once_they_agree_and_only_they_can_agree(
    slack: Slack,
) -> None:
    services = slack.runtime.services
    submitter = await person(services, "slack", NURSE, "Rosa Díaz")
    idea_id = await accepted_idea(services, submitter)
    await slack_voters(slack, idea_id)
    await slack.command(
        "/ideas",
        f'status {idea_id} implemented --helped "Facilities" Warmers on every unit',
        LEADER,
        "mark",
    )
    [marked] = await slack.responses("mark")
    assert "a colleague" in shown(marked["blocks"])
    await slack.runtime.delivery.run_until_idle()
    [notice] = slack.fake.posted_to(NURSE)
    agree = button(notice["blocks"], "ideas.credit_yes")

    # A voter replaying the submitter's button (a forwarded or copied value) is refused.
    await slack.click(press(slack, agree, VOTERS[0], "forged"))
    [refused] = await slack.responses("forged")
    assert "meant for someone else" in refused["text"]
    outcome = await services.idea_outcomes.get(idea_id)
    assert outcome is not None
    assert outcome.credit_agreed is None
    [forged] = await services.audit.recent(action="access.refused")
    assert (forged.subject, forged.detail["reason"]) == (str(idea_id), "forged")

    await slack.click(press(slack, agree, NURSE, "agree", message_ts=notice["ts"]))
    [updated] = await slack.fake.wait_for_call("chat.update")
    assert "we'll say it was your idea" in shown(updated.args["blocks"])
    button(updated.args["blocks"], "ideas.credit_no")  # and they can change their mind
    idea = await services.ideas.get(idea_id)
    outcome = await services.idea_outcomes.get(idea_id)
    assert idea is not None
    assert outcome is not None
    assert outcome.credit_agreed is True
    assert "Rosa Díaz, 5 North" in you_said_we_did(idea, outcome, ENGLISH).markdown
    await slack.command("/ideas", f"show {idea_id}", LEADER, "show")
    [card] = await slack.responses("show")
    assert "agreed to be named" in shown(card["blocks"])


async def test_the_leader_announces_it_to_the_unit_with_the_credit_given_since(
    slack: Slack,
) -> None:
    services = slack.runtime.services
    submitter = await services.people.resolve(
        Profile("slack", TEAM_ID, NURSE, display_name="Rosa Díaz", unit="5 North")
    )
    await services.people.resolve(Profile("slack", TEAM_ID, VOTERS[0], unit="5 North"))
    await services.people.resolve(Profile("slack", TEAM_ID, VOTERS[1], unit="ICU"))
    idea_id = await accepted_idea(services, submitter.id)
    await slack.command(
        "/ideas", f"status {idea_id} implemented Warmers on every unit", LEADER, "mark"
    )
    [marked] = await slack.responses("mark")
    offered = [e for e in elements(marked["blocks"]) if e["action_id"].startswith("ideas.announce")]
    labels = [e["text"]["text"] for e in offered]
    assert labels == ["Announce to 5 North", "Announce to everyone"]
    to_unit = offered[0]
    await slack.runtime.delivery.run_until_idle()
    [notice] = slack.fake.posted_to(NURSE)
    agree = button(notice["blocks"], "ideas.credit_yes")
    await slack.click(press(slack, agree, NURSE, "agree", message_ts=notice["ts"]))
    await slack.fake.wait_for_call("chat.update")

    # The submitter replaying the leader's button is refused, and nothing is drafted.
    await slack.click(press(slack, to_unit, NURSE, "forged"))
    [refused] = await slack.responses("forged")
    assert refused["text"] == "Only leaders can do that."
    assert await services.announcements.get(1) is None

    # Pressed by the leader, it is a draft: previewed, named as agreed since, for the unit.
    await slack.click(press(slack, to_unit, LEADER, "draft", channel="C0LEAD"))
    [preview] = await slack.responses("draft")
    assert "You said, we did: Blanket warmers" in shown(preview["blocks"])
    assert "Rosa Díaz, 5 North" in shown(preview["blocks"])
    assert slack.fake.dm_counts() == {NURSE: 1}  # nothing goes out before Send
    [audited] = await services.audit.recent(action="idea.announce")
    assert (audited.subject, audited.detail["announcement"]) == (f"idea:{idea_id}", 1)

    send = button(preview["blocks"], "announce.send")
    await slack.click(press(slack, send, LEADER, "sent", channel="C0LEAD"))
    [sent] = await slack.responses("sent")
    assert "2 people" in sent["text"]
    await slack.runtime.delivery.run_until_idle()
    assert slack.fake.dm_counts() == {NURSE: 2, VOTERS[0]: 1}  # 5 North only
    [announced] = slack.fake.posted_to(VOTERS[0])
    assert "Warmers on every unit" in shown(announced["blocks"])


async def test_employees_cannot_mark_ideas_implemented_or_schedule_digests(slack: Slack) -> None:
    services = slack.runtime.services
    submitter = await person(services, "slack", NURSE, "Rosa Díaz")
    idea_id = await accepted_idea(services, submitter)
    await slack.command("/ideas", f"status {idea_id} implemented Done it", NURSE, "status")
    await slack.command("/ideas", "digest monthly to everyone", NURSE, "digest")
    form = {"action_id": "ideas.implement_form", "value": str(idea_id)}
    await slack.click(press(slack, form, NURSE, "form"))
    for key in ("status", "digest", "form"):
        [refused] = await slack.responses(key)
        assert "leader" in refused["text"].lower()
    idea = await services.ideas.get(idea_id)
    assert idea is not None
    assert idea.status == "accepted"
    assert await services.idea_digests.all() == []


# -- Teams -------------------------------------------------------------------------------------


async def test_an_anonymous_idea_is_never_credited_and_its_submitter_never_asked(
    teams: Teams,
) -> None:
    services = teams.runtime.services
    await known(teams, TEAMS_NURSE, TEAMS_LEADER, TEAMS_HR)
    submitter = await person(services, "teams", TEAMS_NURSE.aad, TEAMS_NURSE.name)
    voter = await person(services, "teams", TEAMS_HR.aad, TEAMS_HR.name)
    idea_id = await accepted_idea(services, submitter, anonymous=True)
    assert await services.ideas.vote(idea_id, voter) is not None
    before = len(teams.fake.calls)

    words = f"ideas status {idea_id} implemented --helped Facilities Warmers on every unit"
    assert await teams.activity(teams.message(words, "m-mark", by=TEAMS_LEADER)) in (200, 201)
    [reply] = [c for c in teams.fake.calls[before:] if c.conversation_id == TEAMS_LEADER.personal]
    preview = text_of(reply)
    assert "never names who had it" in preview
    assert "a colleague, 5 North" in preview
    assert TEAMS_NURSE.name not in preview
    await teams.runtime.delivery.run_until_idle()
    told = [c for c in teams.fake.calls[before:] if c.kind == "send"]
    [to_submitter] = [c for c in told if c.conversation_id == TEAMS_NURSE.personal]
    assert "your idea #1 is in place" in text_of(to_submitter)
    assert "stays anonymous" in text_of(to_submitter)
    assert "name me" not in json.dumps(to_submitter.body).lower()  # never asked
    [to_voter] = [c for c in told if c.conversation_id == TEAMS_HR.personal]
    assert "An idea you voted for" in text_of(to_voter)
    # No outbox row ties the anonymous submitter to their idea.
    queued = await services.outbox.items(f"idea:{idea_id}")
    assert [item.person_id for item in queued] == [voter]
    outcome = await services.idea_outcomes.get(idea_id)
    assert outcome is not None
    assert outcome.credit_agreed is None


async def test_the_submitter_agrees_to_be_named_in_teams_and_no_one_else_can(
    teams: Teams,
) -> None:
    services = teams.runtime.services
    await known(teams, TEAMS_NURSE, TEAMS_LEADER, TEAMS_HR)
    submitter = await person(services, "teams", TEAMS_NURSE.aad, TEAMS_NURSE.name)
    voter = await person(services, "teams", TEAMS_HR.aad, TEAMS_HR.name)
    idea_id = await accepted_idea(services, submitter)
    assert await services.ideas.vote(idea_id, voter) is not None
    card = await teams.answer(teams.message(f"ideas show {idea_id}", "m-show", by=TEAMS_LEADER))
    pressed = teams.click(action(card, "Implemented"), card, "m-done", by=TEAMS_LEADER)
    form = await teams.answer(pressed, kinds=("reply", "send", "update"))
    assert set(inputs(form)) == {"what_changed", "helped"}
    before = len(teams.fake.calls)
    submitted = teams.click(
        action(form, "Mark implemented"),
        form,
        "m-mark",
        by=TEAMS_LEADER,
        what_changed="Warmers on every unit",
        helped="Facilities",
    )
    marked = await teams.answer(submitted, kinds=("reply", "send", "update"))
    assert "2 people" in text_of(marked)
    assert "Thanks to: Facilities" in text_of(marked)
    await teams.runtime.delivery.run_until_idle()
    [notice] = [
        c
        for c in teams.fake.calls[before:]
        if c.kind == "send" and c.conversation_id == TEAMS_NURSE.personal
    ]
    agree = action(notice, "Yes, name me")

    forged = teams.click(agree, notice, "m-forged", by=TEAMS_HR)
    assert await teams.activity(forged) in (200, 201)
    outcome = await services.idea_outcomes.get(idea_id)
    assert outcome is not None
    assert outcome.credit_agreed is None

    assert await teams.activity(teams.click(agree, notice, "m-agree")) in (200, 201)
    outcome = await services.idea_outcomes.get(idea_id)
    assert outcome is not None
    assert outcome.credit_agreed is True
    [credited] = await services.audit.recent(action="idea.credit")
    assert credited.detail == {"agreed": True}


async def test_a_monthly_digest_is_scheduled_and_sent_once_on_the_first(
    teams: Teams, monkeypatch: pytest.MonkeyPatch
) -> None:
    services = teams.runtime.services
    await known(teams, TEAMS_NURSE, TEAMS_LEADER, TEAMS_HR)
    submitter = await person(services, "teams", TEAMS_NURSE.aad, TEAMS_NURSE.name)
    services.clock = lambda: datetime(2026, 11, 10, 15, 0, tzinfo=UTC)
    ours = await accepted_idea(services, submitter)
    elsewhere = await accepted_idea(services, submitter, unit="ICU")
    for idea_id in (ours, elsewhere):
        words = f"ideas status {idea_id} implemented Done in November"
        await teams.answer(teams.message(words, f"m-mark-{idea_id}", by=TEAMS_LEADER))
        # The submitter's notice, out of the way before the next answer is read.
        await teams.runtime.delivery.run_until_idle()

    refused = await teams.answer(
        teams.message("ideas digest monthly to everyone", "m-refused", by=TEAMS_NURSE)
    )
    assert "leader" in text_of(refused).lower()
    scheduled = await teams.answer(
        teams.message('ideas digest monthly to unit "5 North"', "m-digest", by=TEAMS_LEADER)
    )
    assert "first on Tue 1 Dec, 09:00" in text_of(scheduled)
    assert "Blanket warmers" in text_of(scheduled)  # what it would say so far
    again = await teams.answer(
        teams.message('ideas digest monthly to unit "5 north"', "m-again", by=TEAMS_LEADER)
    )
    assert "already" in text_of(again)
    [digest] = await services.idea_digests.all()
    [audited] = await services.audit.recent(action="ideas.digest_schedule")
    assert audited.subject == f"digest:{digest.id}"

    nurse = await services.people.resolve(Profile("teams", TENANT, TEAMS_NURSE.aad, unit="5 North"))
    assert nurse.id == submitter
    services.clock = lambda: datetime(2026, 12, 1, 14, 30, tzinfo=UTC)  # 09:30 in New York
    before = len(teams.fake.calls)
    trigger = ScheduledTrigger(actor=SYSTEM_ACTOR, conversation=SYSTEM_CONVERSATION, job=TICK_JOB)

    async def dies(*args: object) -> Any:
        raise StorageUnavailable("the database went away")

    # A tick that dies before its queueing is done, then one that dies right after it.
    for broken, step in ((services.outbox, "enqueue"), (services.idea_digests, "claim_run")):
        with monkeypatch.context() as crash:
            crash.setattr(broken, step, dies)
            await teams.runtime.router.dispatch(trigger)
    for _ in range(2):  # the next tick finishes; another (a leader overlapping) adds nothing
        await teams.runtime.router.dispatch(trigger)
        await teams.runtime.delivery.run_until_idle()
    sent = [c for c in teams.fake.calls[before:] if c.kind == "send"]
    [to_nurse] = [c for c in sent if c.conversation_id == TEAMS_NURSE.personal]
    assert len(sent) == 1  # the unit's audience: the nurse of 5 North only
    body = text_of(to_nurse)
    assert "You said, we did: November 2026 on 5 North" in body
    assert "Comfort and environment" in body
    assert "Done in November" in body
    assert "ICU" not in body
    [run] = await services.audit.recent(action="ideas.monthly_digest")
    assert run.detail == {"month": "2026-11", "ideas": 1, "people": 1}


# -- storage, on SQLite and PostgreSQL ---------------------------------------------------------


async def test_marking_implemented_and_digest_runs_happen_once_on_either_database(
    database: Database,
) -> None:
    people, ideas = PeopleRepository(database), IdeaRepository(database)
    outcomes, digests = IdeaOutcomes(database), IdeaDigests(database)
    ids = [
        (await people.resolve(Profile("slack", TEAM_ID, user, display_name=user))).id
        for user in (NURSE, *VOTERS)
    ]
    draft = await ideas.save_draft(
        ids[0], title="", description=IDEA_TEXT, category="comfort", unit="", anonymous=False
    )
    idea = await ideas.submit(draft, sealed_submitter=None)
    assert idea is not None
    for voter in (*ids[1:], ids[0]):  # the submitter's own vote: still told once
        await ideas.vote(idea.id, voter)
    now = datetime(2026, 11, 10, 15, 0, tzinfo=UTC)

    async def mark() -> Implemented | None:
        return await outcomes.implement(
            idea.id,
            from_status="new",
            what_changed="Warmers on every unit",
            helped="",
            by_person_id=ids[1],
            now=now,
            notice_kind="ideas.implemented",
            due=lambda zone: now,
        )

    results = await asyncio.gather(mark(), mark())
    [done] = [r for r in results if r is not None]
    assert done.told == 3
    queued = await OutboxRepository(database).items(f"idea:{idea.id}")
    assert sorted(item.person_id for item in queued) == sorted(ids)
    assert await mark() is None  # a repeat: nothing changes, nobody is queued again

    made = await asyncio.gather(
        *(
            digests.create(
                audience={"kind": "everyone"},
                audience_key="everyone",
                schedule={},
                next_run_at=now,
                by_person_id=ids[1],
            )
            for _ in range(2)
        )
    )
    [digest] = [d for d in made if d is not None]
    claims = await asyncio.gather(*(digests.claim_run(digest.id, now, None) for _ in range(2)))
    assert sorted(claims) == [False, True]


# -- the words ---------------------------------------------------------------------------------


def test_the_story_names_the_submitter_only_for_a_named_idea_they_agreed_for() -> None:
    now = datetime(2026, 11, 10, tzinfo=UTC)
    named = Idea(1, "Blanket warmers", IDEA_TEXT, "comfort", "5 North", "implemented", "", None,
                 False, 7, "Rosa Díaz", 2, now, now)  # fmt: skip
    anonymous = replace(named, anonymous=True, submitter_person_id=None, submitter_name=None)
    said = Outcome(1, "Warmers on every unit", "Facilities", now, credit_agreed=None)
    agreed = replace(said, credit_agreed=True)
    assert "Rosa" not in you_said_we_did(named, said, ENGLISH).markdown
    assert "(Rosa Díaz, 5 North)" in you_said_we_did(named, agreed, ENGLISH).markdown
    assert "(a colleague, 5 North)" in you_said_we_did(anonymous, agreed, ENGLISH).markdown
    story = you_said_we_did(named, agreed, ENGLISH)
    assert story.title == "You said, we did: Blanket warmers"
    assert "**We did:** Warmers on every unit" in story.markdown
    assert "**Thanks to:** Facilities" in story.markdown


def test_who_helped_keeps_colleagues_names_but_not_patient_identifiers() -> None:
    assert screen_helped("Sam Lee and Facilities") == "Sam Lee and Facilities"
    assert screen_helped("Sam Lee, for MRN 00482913") == "Sam Lee, for MRN [MRN]"


async def test_typed_without_what_changed_it_opens_the_form(slack: Slack) -> None:
    services = slack.runtime.services
    idea_id = await accepted_idea(services, await person(services, "slack", NURSE, "Rosa"))
    await slack.command("/ideas", f"status {idea_id} implemented", LEADER, "form")
    [opened] = await slack.fake.wait_for_call("views.open")
    assert [b["block_id"] for b in opened.args["view"]["blocks"]] == ["what_changed", "helped"]
    idea = await services.ideas.get(idea_id)
    assert idea is not None
    assert idea.status == "accepted"


async def test_an_anonymous_submitter_who_voted_is_told_once_as_the_submitter(
    teams: Teams,
) -> None:
    services = teams.runtime.services
    await known(teams, TEAMS_NURSE, TEAMS_LEADER)
    submitter = await person(services, "teams", TEAMS_NURSE.aad, TEAMS_NURSE.name)
    idea_id = await accepted_idea(services, submitter, anonymous=True)
    assert await services.ideas.vote(idea_id, submitter) is not None
    before = len(teams.fake.calls)
    words = f"ideas status {idea_id} implemented Warmers on every unit"
    assert await teams.activity(teams.message(words, "m-mark", by=TEAMS_LEADER)) in (200, 201)
    await teams.runtime.delivery.run_until_idle()
    [told] = [c for c in teams.fake.calls[before:] if c.conversation_id == TEAMS_NURSE.personal]
    assert "your idea #1 is in place" in text_of(told)
    assert "stays anonymous" in text_of(told)
