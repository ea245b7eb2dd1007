"""Announcements through the router and the real outbox sender: HR writes one, previews it
exactly as staff will see it, sends or schedules it (each person at their own clock, never in
quiet hours), cancels it, reads a report of counts, and resends to the failed only. The buttons
are checked against the person pressing them, and presses count once per person."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.delivery import OutboxSender
from bot.messenger import DeliveryError
from bot.replies import Button, Buttons, Facts, Outcome, Reply, Text
from bot.roles import Role
from bot.runtime import Runtime
from skills.announce.announcer import AnnouncementDraft, Announcer
from skills.knowledge.library import KnowledgeLibrary
from skills.knowledge.skill import library_for
from storage.announcements import Press, announcement_key
from storage.people import Profile
from tests.cli import run
from tests.clocks import START, clock, clocked_runtime, recording_messenger  # noqa: F401
from tests.fakes import RecordingMessenger
from tests.helpers import TENANT, action, command

NIGHT = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)  # Monday 22:00 in New York, 20:00 in Denver


async def person(
    rt: Runtime, user: str, *, unit: str = "5 North", zone: str = "America/New_York"
) -> int:
    found = await rt.services.people.resolve(
        Profile("console", TENANT, user, user.title(), timezone=zone, unit=unit)
    )
    return found.id


async def hr(rt: Runtime, user: str = "U-hr") -> int:
    person_id = await person(rt, user, unit="HR")
    await rt.services.people.grant(person_id, Role.HR.value, granted_by="test")
    return person_id


async def announce(rt: Runtime, words: str, user: str = "U-hr") -> Reply:
    [reply] = await rt.router.dispatch(command("announce", words, user=user))
    return reply


def button(reply: Reply, label: str) -> Button:
    return next(
        b
        for block in reply.blocks
        if isinstance(block, Buttons)
        for b in block.buttons
        if b.label == label
    )


async def press(rt: Runtime, reply: Reply, label: str, user: str = "U-hr") -> Reply:
    pressed = button(reply, label)
    [answer] = await rt.router.dispatch(action(pressed.action_id, pressed.value, user=user))
    return answer


def facts(reply: Reply) -> dict[str, str]:
    return dict(next(b for b in reply.blocks if isinstance(b, Facts)).items)


async def test_a_typed_announcement_is_previewed_as_staff_see_it_and_sent_on_send(
    rt: Runtime, fake: RecordingMessenger
) -> None:
    await hr(rt)
    for user in ("U-ana", "U-ben"):
        await person(rt, user)
    await person(rt, "U-far", unit="ICU")
    preview = await announce(
        rt,
        '"Flu shots" "Free flu shots in the **lobby** all week." to unit "5 North" now '
        "--link https://intranet.example.org/flu",
    )
    assert preview.ephemeral
    assert "exactly what 2 people will see" in preview.fallback
    assert facts(preview)["To"] == "unit 5 North (2 people)"
    assert fake.direct == [], "nothing goes out before Send"

    sent = await press(rt, preview, "Send now")
    assert sent.replace_original
    assert "Announcement #1 is on its way to 2 people" in sent.fallback
    await rt.delivery.run_until_idle()
    [to_ana] = fake.direct_to("U-ana")
    assert fake.direct_to("U-far") == []
    assert fake.direct_to("U-hr") == []
    # The preview showed exactly this message, between its own lines.
    shown = [b for b in preview.blocks if isinstance(b, Text | Buttons)]
    assert all(block in shown for block in to_ana.blocks)
    assert button(to_ana, "Got it").action_id == "announce.got_it"
    assert button(to_ana, "Learn more").action_id == "announce.learn_more"

    again = await press(rt, preview, "Send now")
    assert "was sent already; nothing was sent twice" in again.fallback
    await rt.delivery.run_until_idle()
    assert len(fake.direct_to("U-ana")) == 1


async def test_presses_count_once_per_person_and_button_and_the_report_counts_only(
    rt: Runtime, fake: RecordingMessenger
) -> None:
    await hr(rt)
    for user in ("U-ana", "U-ben", "U-cat"):
        await person(rt, user)
    fake.blocked.add("U-cat")
    preview = await announce(rt, '"Parking" "Garage B closes Friday." now --link https://x.org')
    await press(rt, preview, "Send now")
    await rt.delivery.run_until_idle()
    [message] = fake.direct_to("U-ana")
    for _ in range(2):
        assert (await press(rt, message, "Got it", "U-ana")).fallback == "Thanks for reading."
    more = await press(rt, message, "Learn more", "U-ben")
    assert "https://x.org" in more.fallback

    report = await announce(rt, "report 1")
    counts = facts(report)
    assert counts["Sent"] == "3"  # HR is in "everyone" too
    assert counts["Unreachable (blocked the bot or left)"] == "1"
    assert counts["Failed"] == "0"
    assert counts["Still to go"] == "0"
    assert counts["Got it"] == "1 (33% of those sent)"
    assert counts["Learn more"] == "1 (33% of those sent)"
    assert "U-ana" not in report.fallback
    assert "Ana" not in report.fallback
    audit = [e.action for e in await rt.services.audit.recent(20)]
    assert {"announce.draft", "announce.send", "announce.report"} <= set(audit)


async def test_employees_are_refused_and_buttons_are_checked_against_the_presser(
    rt: Runtime, fake: RecordingMessenger
) -> None:
    await hr(rt)
    await hr(rt, "U-hr2")
    await person(rt, "U-ana")
    await person(rt, "U-new", unit="ICU")
    refused = await announce(rt, '"Hi" "Free pizza" now', user="U-ana")
    assert refused.fallback == "Only HR and leaders can do that."
    assert refused.outcome is Outcome.REFUSED

    preview = await announce(rt, '"Pizza" "Free pizza tonight." to unit "5 North" now')
    send = button(preview, "Send now")
    for user in ("U-ana", "U-hr2"):  # the author's sealed button, pressed by someone else
        [answer] = await rt.router.dispatch(action(send.action_id, send.value, user=user))
        assert answer.outcome is Outcome.REFUSED
    [forged] = await rt.router.dispatch(action(send.action_id, "1", user="U-hr2"))
    assert forged.outcome is Outcome.REFUSED
    draft = await rt.services.announcements.get(1)
    assert draft is not None
    assert draft.status == "draft"

    await press(rt, preview, "Send now")
    await rt.delivery.run_until_idle()
    [message] = fake.direct_to("U-ana")
    got_it = button(message, "Got it")
    [stranger] = await rt.router.dispatch(action(got_it.action_id, got_it.value, user="U-new"))
    assert "wasn't sent to you" in stranger.fallback
    assert (await rt.services.announcements.presses(1))[Press.GOT_IT] == 0
    denied = [e.action for e in await rt.services.audit.recent(20)]
    assert "access.denied" in denied
    assert "access.refused" in denied


async def test_a_scheduled_announcement_reaches_each_clock_outside_quiet_hours_and_cancels(
    rt: Runtime, fake: RecordingMessenger
) -> None:
    await hr(rt)
    ana = await person(rt, "U-ana")
    ben = await person(rt, "U-ben", zone="America/Denver")
    cat = await person(rt, "U-cat", zone="Asia/Tokyo")
    preview = await announce(
        rt, '"Town hall" "Join us in the auditorium." to unit "5 North" tomorrow 9:30'
    )
    assert facts(preview)["When"].startswith("Goes out Tue 24 Nov, 09:30")
    scheduled = await press(rt, preview, "Schedule")
    assert "scheduled for Tue 24 Nov, 09:30" in scheduled.fallback
    due = {i.person_id: i.due_at for i in await rt.services.outbox.items(announcement_key(1))}
    # 09:30 on each person's own clock.
    assert due[ana] == datetime(2026, 11, 24, 14, 30, tzinfo=UTC)
    assert due[ben] == datetime(2026, 11, 24, 16, 30, tzinfo=UTC)
    assert due[cat] == datetime(2026, 11, 24, 0, 30, tzinfo=UTC)

    assert (
        await announce(rt, "cancel 1")
    ).fallback == "Announcement #1 is cancelled: 3 people will not get it."
    clock(rt).now = START + timedelta(days=2)
    await rt.delivery.run_until_idle()
    assert fake.direct == []
    again = await announce(rt, "cancel 1")
    assert again.fallback == "Announcement #1 was cancelled already."
    listed = await announce(rt, "list")
    assert "#1 Town hall to unit 5 North, cancelled Mon 23 Nov, 10:00" in listed.fallback


async def test_an_early_time_waits_for_the_end_of_each_persons_quiet_hours(
    rt: Runtime, fake: RecordingMessenger
) -> None:
    await hr(rt)
    ana = await person(rt, "U-ana")
    cat = await person(rt, "U-cat", zone="Asia/Tokyo")
    preview = await announce(rt, '"Snow" "Leave early." to unit "5 North" tomorrow 6:00')
    await press(rt, preview, "Schedule")
    due = {i.person_id: i.due_at for i in await rt.services.outbox.items(announcement_key(1))}
    assert due[ana] == datetime(2026, 11, 24, 12, 0, tzinfo=UTC)  # 07:00 New York
    assert due[cat] == datetime(2026, 11, 23, 22, 0, tzinfo=UTC)  # 07:00 Tokyo


async def test_sent_now_waits_for_the_end_of_quiet_hours(
    rt: Runtime, fake: RecordingMessenger
) -> None:
    clock(rt).now = NIGHT
    await hr(rt)
    ana = await person(rt, "U-ana")
    ben = await person(rt, "U-ben", zone="America/Denver")
    preview = await announce(rt, '"Snow" "Roads are icy; leave early." to unit "5 North"')
    await press(rt, preview, "Send now")
    due = {i.person_id: i.due_at for i in await rt.services.outbox.items(announcement_key(1))}
    assert due[ana] == datetime(2026, 11, 24, 12, 0, tzinfo=UTC)  # 07:00 New York
    assert due[ben] == NIGHT  # 20:00 in Denver: not quiet yet


async def test_resend_goes_to_the_failed_only_and_once(
    rt: Runtime, fake: RecordingMessenger
) -> None:
    await hr(rt)
    for user in ("U-ana", "U-ben"):
        await person(rt, user)
    fake.failures["U-ben"] = [DeliveryError("server error")]
    preview = await announce(rt, '"Badges" "New badges at security." to unit "5 North" now')
    await press(rt, preview, "Send now")
    services = rt.services
    once = OutboxSender(services.outbox, services.outbound, services.renderers, max_attempts=1)
    await once.run_until_idle()
    assert facts(await announce(rt, "report 1"))["Failed"] == "1"

    resent = await announce(rt, "resend 1")
    assert resent.fallback == "Sending announcement #1 again to the 1 person it failed for."
    nothing = await announce(rt, "resend 1")
    assert nothing.fallback == "Announcement #1 failed for nobody, so there is nothing to resend."
    await rt.delivery.run_until_idle()
    assert len(fake.direct_to("U-ana")) == 1
    assert len(fake.direct_to("U-ben")) == 1
    assert facts(await announce(rt, "report 1"))["Sent"] == "2"


async def test_bad_words_are_answered_kindly(rt: Runtime, fake: RecordingMessenger) -> None:
    await hr(rt)
    await person(rt, "U-ana")
    cases = {
        '"Only a title"': "Give a title and the text",
        '"T" "X" every monday 10:00': "An announcement goes out once",
        '"T" "X" to unit Nowhere now': "Nobody is in unit Nowhere",
        '"T" "X" now --link ftp://x': "The link must start with https://",
        '"T" "X" now --article no-such-article': "There is no knowledge-base article",
        '"T" "X" once 2020-01-01 10:00': "in the past",
        "report 99": "There is no announcement #99.",
    }
    for words, expected in cases.items():
        reply = await announce(rt, words)
        assert expected in reply.fallback, words
        assert reply.outcome in (Outcome.BAD_INPUT, Outcome.REFUSED)


async def test_the_api_drafts_for_another_skill_without_a_chat(
    rt: Runtime, fake: RecordingMessenger
) -> None:
    author_id = await hr(rt)
    await person(rt, "U-ana")
    author = await rt.services.people.get(author_id)
    assert author is not None
    announcer = Announcer(rt.services, _library(rt))
    drafted = await announcer.draft(
        author, AnnouncementDraft("You said, we did", "Quiet hours start at 10pm.")
    )
    assert drafted.id == 1
    assert "exactly what 2 people will see" in drafted.preview.fallback
    await press(rt, drafted.preview, "Send now")
    await rt.delivery.run_until_idle()
    assert len(fake.direct_to("U-ana")) == 1


def _library(rt: Runtime) -> KnowledgeLibrary:
    return library_for(rt.router)


def test_announce_from_the_command_line(tmp_path: Path) -> None:
    no_quiet = "00:00-00:00"  # the test must not depend on the hour
    drafted = run(
        ["announce", "Flu shots", "Free in the lobby, all week.", "to", "everyone", "now"],
        cwd=tmp_path,
        BREAKROOM_QUIET_HOURS=no_quiet,
    )
    assert drafted.returncode == 0, drafted.stderr
    assert "exactly what 1 person will see" in drafted.stdout
    assert "announce send 1" in drafted.stdout
    sent = run(["announce", "send", "1"], cwd=tmp_path, BREAKROOM_QUIET_HOURS=no_quiet)
    assert sent.returncode == 0, sent.stderr
    assert "Announcement #1 is on its way to 1 person" in sent.stdout
    assert run(["announce", "Only a title"], cwd=tmp_path).returncode == 2
