"""Ideas through the router: screened submission, similar ideas and votes, anonymity, review
statuses with notices, leaders' summary, export and the weekly digest."""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import text

from bot.events import SYSTEM_ACTOR, SYSTEM_CONVERSATION, ScheduledTrigger
from bot.messenger import DeliveryError
from bot.replies import Buttons, File, Form, Reply
from bot.roles import Role
from bot.runtime import Runtime, start_runtime
from bot.settings import Settings
from skills.ideas import messages as say
from storage.people import Profile
from tests.fakes import RecordingMessenger
from tests.helpers import TENANT, action, command, message, sealed_for

LEADERS = "C-leaders"
PHI_IDEA = (
    "Mrs. Alvarez in 412 (MRN 00482913) waited 3 hours for a warm blanket; call her daughter at "
    "(555) 201-3344. We should stock blanket warmers on every unit."
)


@pytest.fixture
async def rt(make_settings: Callable[..., Settings]) -> AsyncIterator[Runtime]:
    runtime = await start_runtime(make_settings(BREAKROOM_LEADERS_CHANNEL=LEADERS))
    yield runtime
    await runtime.close()


@pytest.fixture
def fake(rt: Runtime) -> RecordingMessenger:
    messenger = RecordingMessenger()
    rt.services.outbound.register(messenger)
    return messenger


async def grant(rt: Runtime, user: str, role: Role) -> None:
    person = await rt.services.people.resolve(Profile("console", TENANT, user, user))
    await rt.services.people.grant(person.id, role.value, granted_by="test")


def buttons(reply: Reply) -> dict[str, str]:
    """Label -> action id and value, for pressing buttons by what they say."""
    return {
        b.label: f"{b.action_id}|{b.value}"
        for block in reply.blocks
        if isinstance(block, Buttons)
        for b in block.buttons
    }


async def press(rt: Runtime, reply: Reply, label: str, user: str = "U-nurse") -> Reply:
    action_id, _, value = buttons(reply)[label].partition("|")
    [answer] = await rt.router.dispatch(action(action_id, value, user=user))
    return answer


async def submit(rt: Runtime, idea: str, user: str = "U-nurse", *, anonymous: bool = False) -> int:
    [preview] = await rt.router.dispatch(command("idea", idea, user=user))
    label = "Submit anonymously" if anonymous else "Submit"
    thanks = await press(rt, preview, label, user)
    assert "Thank you" in thanks.fallback, thanks.fallback
    return int(thanks.fallback.split("#")[1].split(" ")[0])


async def vote(rt: Runtime, idea_id: int, user: str) -> list[Reply]:
    """A press of "Vote for #N" as drawn for `user` on a preview listing that idea."""
    value = await sealed_for(rt.services, user, "ideas.upvote", idea_id)
    return await rt.router.dispatch(action("ideas.upvote", value, user=user))


async def test_phi_is_screened_shown_and_only_the_screened_text_is_stored(
    rt: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        [preview] = await rt.router.dispatch(command("idea", PHI_IDEA))
    assert "[NAME]" in preview.fallback
    assert "[MRN]" in preview.fallback
    assert "[PHONE]" in preview.fallback
    assert "Alvarez" not in preview.fallback
    assert "00482913" not in preview.fallback
    assert "replaced what looked like patient" in preview.fallback
    assert {"Submit", "Submit anonymously", "Edit", "Cancel"} <= set(buttons(preview))

    thanks = await press(rt, preview, "Submit")
    assert thanks.replace_original
    async with rt.services.database.engine.connect() as conn:
        rows: list[Any] = []
        for table in ("ideas", "idea_drafts", "questions", "audit_log"):
            rows += (await conn.execute(text(f"SELECT * FROM {table}"))).all()
    stored = " ".join(str(row) for row in rows)
    assert "blanket warmers" in stored
    for raw in ("Alvarez", "00482913", "201-3344"):
        assert raw not in stored
        assert all(raw not in record.getMessage() for record in caplog.records)


async def test_a_bare_idea_command_or_plain_words_open_the_form(rt: Runtime) -> None:
    for event in (command("idea"), message("I have an idea!"), message("idea")):
        [reply] = await rt.router.dispatch(event)
        [form] = [b for b in reply.blocks if isinstance(b, Form)]
        assert [i.name for i in form.inputs] == [
            "title",
            "description",
            "category",
            "unit",
            "anonymous",
        ]


async def test_the_form_leads_to_the_same_preview(rt: Runtime) -> None:
    [preview] = await rt.router.dispatch(
        action(
            "ideas.submit_form",
            values={
                "title": "Quiet hours",
                "description": "Dim hallway lights after 10pm so patients can sleep.",
                "category": "comfort",
                "unit": "5 North",
                "anonymous": "true",
            },
        )
    )
    assert "Quiet hours" in preview.fallback
    assert "5 North" in preview.fallback
    assert "Anonymous: yes" in preview.fallback
    assert "Submit with my name" in buttons(preview)
    thanks = await press(rt, preview, "Submit")
    assert "won't see your name" in thanks.fallback


async def test_length_limits_are_explained(rt: Runtime) -> None:
    [short] = await rt.router.dispatch(command("idea", "more tvs"))
    assert "at least a sentence" in short.fallback
    [long] = await rt.router.dispatch(command("idea", "x" * 2001))
    assert "under 2,000 characters" in long.fallback
    [bad] = await rt.router.dispatch(
        action("ideas.submit_form", values={"description": "A long enough idea.", "category": "x"})
    )
    assert "pick one of the categories" in bad.fallback


async def test_editing_and_cancelling_a_draft(rt: Runtime) -> None:
    [preview] = await rt.router.dispatch(command("idea", "Offer earplugs to patients at night"))
    edit = await press(rt, preview, "Edit")
    [form] = [b for b in edit.blocks if isinstance(b, Form)]
    assert form.inputs[1].initial == "Offer earplugs to patients at night"
    cancelled = await press(rt, preview, "Cancel")
    assert "Nothing was saved" in cancelled.fallback
    gone = await press(rt, preview, "Submit")
    assert "expired" in gone.fallback
    assert await rt.services.ideas.find() == []


async def test_someone_elses_draft_cannot_be_submitted(rt: Runtime) -> None:
    [preview] = await rt.router.dispatch(command("idea", "Offer earplugs to patients at night"))
    stolen = await press(rt, preview, "Submit", user="U-other")
    assert "meant for someone else" in stolen.fallback
    assert await rt.services.ideas.find() == []


async def test_submit_pressed_twice_makes_one_idea_and_says_so_once(rt: Runtime) -> None:
    [preview] = await rt.router.dispatch(command("idea", "Night-shift parking closer to the ED"))
    thanks = await press(rt, preview, "Submit")
    again = await press(rt, preview, "Submit")
    anonymously = await press(rt, preview, "Submit anonymously")
    assert thanks.replace_original
    assert thanks.fallback.startswith("Thank you! Your idea")
    assert again.fallback == anonymously.fallback == say.ALREADY_SENT
    assert again.replace_original, "a preview pressed again is retired too"
    assert len(await rt.services.ideas.find()) == 1


async def test_a_status_button_pressed_twice_notifies_and_audits_once(
    rt: Runtime, fake: RecordingMessenger
) -> None:
    await grant(rt, "U-lead", Role.LEADER)
    idea_id = await submit(rt, "Quiet carts for the night medication round")
    [shown] = await rt.router.dispatch(command("ideas", f"show {idea_id}", user="U-lead"))
    accepted = await press(rt, shown, "Accepted", user="U-lead")
    again = await press(rt, shown, "Accepted", user="U-lead")
    assert "is now accepted" in accepted.fallback
    assert again.fallback == f"Idea #{idea_id} is already accepted, so nothing changed."
    assert len(fake.direct_to("U-nurse")) == 1
    assert len(await rt.services.audit.recent(action="idea.status")) == 1


async def test_a_status_button_naming_no_idea_asks_which_one(rt: Runtime) -> None:
    await grant(rt, "U-lead", Role.LEADER)
    for value in ("junk:accepted", ":declined"):
        [reply] = await rt.router.dispatch(action("ideas.set_status", value, user="U-lead"))
        assert reply.fallback == say.WHICH_IDEA, value


async def test_similar_ideas_are_offered_and_votes_are_one_per_person(rt: Runtime) -> None:
    first = await submit(rt, "Stock warm blankets in the ED waiting room for patients")
    await submit(rt, "Healthier snacks in the vending machines for night staff")
    [preview] = await rt.router.dispatch(
        command("idea", "ED waiting room patients need warm blankets", user="U-tech")
    )
    assert f"#{first}" in preview.fallback
    vote_label = f"Vote for #{first}"
    assert vote_label in buttons(preview)
    assert "Vote for #2" not in buttons(preview)
    voted = await press(rt, preview, vote_label, user="U-tech")
    assert "counted (1 so far)" in voted.fallback
    again = await press(rt, preview, vote_label, user="U-tech")
    assert "already voted" in again.fallback
    idea = await rt.services.ideas.get(first)
    assert idea is not None
    assert idea.votes == 1
    [later] = await rt.router.dispatch(
        command("idea", "ED waiting room patients need warm blankets", user="U-rn")
    )
    assert "(1 vote)" in later.fallback


async def test_leaders_never_see_who_sent_an_anonymous_idea_but_the_sender_hears_back(
    rt: Runtime, fake: RecordingMessenger
) -> None:
    await grant(rt, "U-lead", Role.LEADER)
    idea_id = await submit(
        rt, "Put a whiteboard in every room with the care team names", anonymous=True
    )
    idea = await rt.services.ideas.get(idea_id)
    assert idea is not None
    assert idea.anonymous
    assert idea.submitter_person_id is None
    async with rt.services.database.engine.connect() as conn:
        row = (await conn.execute(text("SELECT * FROM ideas"))).mappings().one()
    assert row["submitter_person_id"] is None
    assert "U-nurse" not in str(dict(row))

    [shown] = await rt.router.dispatch(command("ideas", f"show {idea_id}", user="U-lead"))
    assert "From: anonymous" in shown.fallback

    [done] = await rt.router.dispatch(command("ideas", f"status {idea_id} review", user="U-lead"))
    assert "let the submitter know" in done.fallback
    [notice] = fake.direct_to("U-nurse")
    assert f"idea #{idea_id}" in notice.fallback
    assert "Under review" in notice.fallback


async def test_logs_above_debug_cannot_tie_an_anonymous_idea_to_its_sender(
    rt: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await submit(rt, "Warm blankets in the ED waiting room at night", anonymous=True)
    person = await rt.services.people.find_identity("console", "U-nurse")
    assert person is not None
    above_debug = [r.getMessage() for r in caplog.records if r.levelno > logging.DEBUG]
    assert above_debug, "the submission should leave a trace at INFO"
    assert not [line for line in above_debug if f"person={person.person_id}" in line]
    assert not [line for line in above_debug if "U-nurse" in line]
    assert [r for r in caplog.records if r.levelno == logging.DEBUG and "person=" in r.getMessage()]


async def test_status_changes_follow_the_review_path_and_are_audited(
    rt: Runtime, fake: RecordingMessenger
) -> None:
    await grant(rt, "U-lead", Role.LEADER)
    idea_id = await submit(rt, "Give discharge folders with pictures for low-literacy patients")
    for step in ("under_review", "accepted", "implemented Picture folders at every desk"):
        [reply] = await rt.router.dispatch(command("ideas", f"status {idea_id} {step}", "U-lead"))
        assert "is now" in reply.fallback
    [refused] = await rt.router.dispatch(command("ideas", f"status {idea_id} new", "U-lead"))
    assert "it can move to: `archived`" in refused.fallback
    notices = fake.direct_to("U-nurse")
    assert [n.fallback.split("now ")[1].rstrip(".") for n in notices] == [
        "Under review",
        "Accepted",
    ]
    # Implemented: the submitter hears what changed through the outbox (see test_you_said_we_did).
    [queued] = await rt.services.outbox.items("idea:1", kind="ideas.implemented")
    submitted = await rt.services.ideas.get(idea_id)
    assert submitted is not None
    assert queued.person_id == submitted.submitter_person_id
    audit = await rt.services.audit.recent(action="idea.status")
    assert [(e.detail["before"], e.detail["after"]) for e in reversed(audit)] == [
        ("new", "under_review"),
        ("under_review", "accepted"),
        ("accepted", "implemented"),
    ]


async def test_declining_needs_a_reason_that_reaches_the_submitter(
    rt: Runtime, fake: RecordingMessenger
) -> None:
    await grant(rt, "U-lead", Role.LEADER)
    idea_id = await submit(rt, "Let families order meals from the patient menu app")
    [refused] = await rt.router.dispatch(command("ideas", f"status {idea_id} declined", "U-lead"))
    assert "give a reason" in refused.fallback
    [shown] = await rt.router.dispatch(command("ideas", f"show {idea_id}", user="U-lead"))
    form_reply = await press(rt, shown, "Decline…", user="U-lead")
    [form] = [b for b in form_reply.blocks if isinstance(b, Form)]
    await rt.router.dispatch(
        action(
            form.submit_action_id,
            form.value,
            user="U-lead",
            values={"reason": "Food services can't support it this year."},
        )
    )
    [notice] = fake.direct_to("U-nurse")
    assert "Declined" in notice.fallback
    assert "can't support it" in notice.fallback


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ('"We can\'t staff it"', "We can't staff it"),
        ("We can\N{RIGHT SINGLE QUOTATION MARK}t staff it",) * 2,
        (
            "\N{LEFT DOUBLE QUOTATION MARK}We can't staff it\N{RIGHT DOUBLE QUOTATION MARK}",
            "We can't staff it",
        ),
        ("'We can't staff it", "We can't staff it"),
    ],
)
async def test_a_typed_reason_keeps_its_apostrophes(
    rt: Runtime, fake: RecordingMessenger, typed: str, stored: str
) -> None:
    await grant(rt, "U-lead", Role.LEADER)
    idea_id = await submit(rt, "Let families order meals from the patient menu app")
    [done] = await rt.router.dispatch(
        message(f"ideas status {idea_id} declined {typed}", user="U-lead")
    )
    assert "is now declined" in done.fallback
    idea = await rt.services.ideas.get(idea_id)
    assert idea is not None
    assert idea.status_reason == stored
    [notice] = fake.direct_to("U-nurse")
    assert f"Reason: {stored}" in notice.fallback


async def test_leaders_filter_the_list_by_what_they_type(rt: Runtime) -> None:
    await grant(rt, "U-lead", Role.LEADER)
    await submit(rt, "Quiet hours on 5 North so patients can sleep at night")
    waiting = await submit(rt, "Shorter wait for discharge paperwork on weekends")
    await rt.router.dispatch(command("ideas", f"status {waiting} review", user="U-lead"))
    [listed] = await rt.router.dispatch(
        command("ideas", "list --status 'under review' --category wait", user="U-lead")
    )
    assert f"#{waiting}" in listed.fallback
    assert "Quiet hours" not in listed.fallback
    [bad] = await rt.router.dispatch(command("ideas", "list --status maybe", user="U-lead"))
    assert bad.fallback.startswith("I don't know the status `maybe`")
    assert "Usage: `ideas list [--status STATUS]" in bad.fallback


async def test_merging_carries_votes_over_once_per_person(
    rt: Runtime, fake: RecordingMessenger
) -> None:
    await grant(rt, "U-lead", Role.LEADER)
    keep = await submit(rt, "Add a quiet room for families in the ICU waiting area")
    dupe = await submit(rt, "ICU families need a quiet room to rest", user="U-tech")
    for voter, idea_id in (("U-a", keep), ("U-a", dupe), ("U-b", dupe)):
        await vote(rt, idea_id, voter)
    [merged] = await rt.router.dispatch(
        command("ideas", f"status {dupe} merged {keep}", user="U-lead")
    )
    assert "merged" in merged.fallback
    target = await rt.services.ideas.get(keep)
    old = await rt.services.ideas.get(dupe)
    assert target is not None
    assert target.votes == 2
    assert old is not None
    assert old.status == "merged"
    assert old.merged_into_id == keep
    [notice] = fake.direct_to("U-tech")
    assert f"merged into idea #{keep}" in notice.fallback
    [closed] = await vote(rt, dupe, "U-c")
    assert "can't take votes" in closed.fallback


async def test_leader_comments_are_screened_and_reach_the_submitter(
    rt: Runtime, fake: RecordingMessenger
) -> None:
    await grant(rt, "U-lead", Role.LEADER)
    idea_id = await submit(rt, "Bedside tablets so patients can see their schedule for the day")
    [saved] = await rt.router.dispatch(
        command("ideas", f"comment {idea_id} Great idea, ask John Carter in IT", user="U-lead")
    )
    assert "Comment added" in saved.fallback
    [notice] = fake.direct_to("U-nurse")
    assert "[NAME]" in notice.fallback
    assert "Carter" not in notice.fallback


async def test_ideas_commands_are_for_leaders_only(rt: Runtime) -> None:
    [refused] = await rt.router.dispatch(command("ideas", "summary"))
    assert "Only leaders can do that." in refused.fallback
    [typed] = await rt.router.dispatch(message("ideas list"))
    assert "Only leaders can do that." in typed.fallback


async def test_summary_compares_periods_and_shows_top_ideas_and_themes(rt: Runtime) -> None:
    await grant(rt, "U-lead", Role.LEADER)
    ids = [
        await submit(rt, "Warm blankets in the ED waiting room please", user="U-1"),
        await submit(rt, "ED waiting room is cold, offer warm blankets", user="U-2"),
        await submit(rt, "Blankets for the cold ED waiting room", user="U-3"),
        await submit(rt, "Menu with pictures for patients who don't read English", user="U-4"),
    ]
    for voter in ("U-5", "U-6"):
        await vote(rt, ids[3], voter)
    [summary] = await rt.router.dispatch(command("ideas", "summary --days 7", user="U-lead"))
    out = summary.fallback
    assert "4 new ideas, +4 against the 7 days before" in out
    assert "New 4" in out
    assert out.index(f"#{ids[3]}") < out.index(f"#{ids[1]}"), "most voted first"
    assert "3 ideas like" in out
    [food] = await rt.router.dispatch(command("ideas", "summary --category food", user="U-lead"))
    assert "1 new idea," in food.fallback
    [bad] = await rt.router.dispatch(command("ideas", "summary --days x", user="U-lead"))
    assert "Days must be a number" in bad.fallback
    assert await rt.services.audit.recent(action="ideas.summary")


async def test_summary_counts_the_previous_period(rt: Runtime) -> None:
    await grant(rt, "U-lead", Role.LEADER)
    await submit(rt, "Warm blankets in the ED waiting room please")
    real_clock = rt.services.clock
    rt.services.clock = lambda: real_clock() + timedelta(days=8)
    [summary] = await rt.router.dispatch(command("ideas", "summary", user="U-lead"))
    assert "0 new ideas, -1 against the 7 days before" in summary.fallback


async def test_export_is_a_csv_sent_by_dm_with_anonymity_kept(
    rt: Runtime, fake: RecordingMessenger
) -> None:
    await grant(rt, "U-lead", Role.LEADER)
    await submit(rt, "Wheelchairs at the main entrance at 6am shift change", anonymous=True)
    await submit(rt, '=HYPERLINK("x") translate signage into Spanish', user="U-tech")
    [ack] = await rt.router.dispatch(command("ideas", "export", user="U-lead"))
    assert "sent you the export (2 ideas)" in ack.fallback
    [sent] = fake.direct_to("U-lead")
    [file] = [b for b in sent.blocks if isinstance(b, File)]
    rows = list(csv.DictReader(io.StringIO(file.data.decode())))
    assert {row["submitter"] for row in rows} == {"anonymous", "U-tech"}
    assert all(not row["description"].startswith("=") for row in rows)
    assert await rt.services.audit.recent(action="ideas.export")


async def test_an_export_that_cannot_be_delivered_says_so(
    rt: Runtime, fake: RecordingMessenger
) -> None:
    await grant(rt, "U-lead", Role.LEADER)
    fake.failures["U-lead"] = [DeliveryError("teams: HTTP 502")]
    [refusal] = await rt.router.dispatch(command("ideas", "export", user="U-lead"))
    assert "couldn't send you the export" in refusal.fallback
    assert refusal.ephemeral
    assert not fake.direct_to("U-lead")


async def test_weekly_digest_goes_to_the_leaders_channel(
    rt: Runtime, fake: RecordingMessenger
) -> None:
    await submit(rt, "Warm blankets in the ED waiting room please")
    trigger = ScheduledTrigger(
        actor=SYSTEM_ACTOR, conversation=SYSTEM_CONVERSATION, job="ideas.digest"
    )
    assert await rt.router.dispatch(trigger) == []
    [digest] = fake.channel
    assert digest.to == LEADERS
    assert "Weekly ideas digest" in digest.reply.fallback
    assert "1 new idea," in digest.reply.fallback
    assert "ideas.digest" in rt.router.recurring_jobs
