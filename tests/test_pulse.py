"""Pulse surveys through the router: HR schedules, staff answer with buttons, results stay
anonymous, reminders reach only non-responders, and closing erases the person-answer link."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import event, text

from bot.delivery import OutboxSender
from bot.events import SYSTEM_ACTOR, SYSTEM_CONVERSATION, ScheduledTrigger
from bot.messenger import SentMessage
from bot.pacing import RateLimit, RateLimiters
from bot.replies import Buttons, Choice, Form, Image, Outcome, Reply, Text
from bot.roles import Role
from bot.runtime import Runtime
from skills.pulse import messages as say
from storage.people import Identity, Profile
from tests.cli import run
from tests.clocks import START, clock, clocked_runtime, recording_messenger  # noqa: F401
from tests.fakes import RecordingMessenger
from tests.helpers import TENANT, action, command


async def staff(rt: Runtime, count: int, unit: str = "5 North", prefix: str = "U") -> list[str]:
    users = [f"{prefix}{n}" for n in range(count)]
    for user in users:
        await rt.services.people.resolve(
            Profile("console", TENANT, user, user, timezone="America/New_York", unit=unit)
        )
    return users


async def hr(rt: Runtime, user: str = "U-hr") -> str:
    person = await rt.services.people.resolve(Profile("console", TENANT, user, "Hana"))
    await rt.services.people.grant(person.id, Role.HR.value, granted_by="test")
    return user


async def pulse(rt: Runtime, words: str, user: str = "U-hr") -> Reply:
    """The first reply to a pulse command (closing in one's own chat also gives the results)."""
    first, *_ = await rt.router.dispatch(command("pulse", words, user=user))
    return first


async def deliver(rt: Runtime) -> None:
    await rt.delivery.run_until_idle()


async def tick(rt: Runtime, now: datetime) -> None:
    """Move time on and run the scheduler's pulse job, as the leader would."""
    clock(rt).now = now
    trigger = ScheduledTrigger(
        actor=SYSTEM_ACTOR, conversation=SYSTEM_CONVERSATION, job="pulse.tick"
    )
    assert await rt.router.dispatch(trigger) == []


def choices(reply: Reply) -> list[Choice]:
    return [b for b in reply.blocks if isinstance(b, Choice)]


async def answer_all(rt: Runtime, invite: Reply, user: str, pick: int = 0) -> Reply:
    last = invite
    for choice in choices(invite):
        [last] = await rt.router.dispatch(
            action(choice.action_id, choice.options[pick].value, user=user)
        )
    return last


async def test_hr_creates_a_survey_and_staff_get_it_by_dm(
    rt: Runtime, fake: RecordingMessenger
) -> None:
    await hr(rt)
    users = await staff(rt, 3)
    created = await pulse(rt, "create weekly-pulse to unit '5 North' now")
    assert "Survey **#1**" in created.fallback or "Survey #1" in created.fallback
    await deliver(rt)
    for user in users:
        [invite] = fake.direct_to(user)
        assert next(c.label for c in choices(invite)).startswith("My workload")
        assert len(choices(invite)) == 3
    assert fake.direct_to("U-hr") == [], "HR is not in 5 North"


async def test_a_curly_quoted_audience_from_a_phone_is_one_name(
    rt: Runtime, fake: RecordingMessenger
) -> None:
    await hr(rt)
    users = await staff(rt, 2, unit="St. Mary's 5 North")
    created = await pulse(
        rt,
        "create weekly-pulse to unit \N{LEFT DOUBLE QUOTATION MARK}St. Mary's 5 North"
        "\N{RIGHT DOUBLE QUOTATION MARK} now \N{EM DASH}open-days 3",
    )
    assert "unit St. Mary's 5 North" in created.fallback
    await deliver(rt)
    assert all(len(fake.direct_to(user)) == 1 for user in users)
    [survey] = await rt.services.surveys.all()
    assert survey.open_days == 3


async def test_answering_updates_the_message_then_thanks_and_allows_changes(
    rt: Runtime, fake: RecordingMessenger
) -> None:
    await hr(rt)
    [user] = await staff(rt, 1)
    await pulse(rt, "create weekly-pulse to everyone now")
    await deliver(rt)
    [invite] = fake.direct_to(user)
    first = choices(invite)[0]
    [partial] = await rt.router.dispatch(action(first.action_id, first.options[3].value, user=user))
    assert partial.replace_original
    assert choices(partial)[0].selected == first.options[3].value
    assert "1 of 3 answered" in " ".join(
        b.markdown for b in partial.blocks if hasattr(b, "markdown")
    )
    thanks = await answer_all(rt, invite, user, pick=1)
    assert thanks.replace_original
    assert "Thank you" in thanks.fallback
    labels = [
        b.label for block in thanks.blocks if isinstance(block, Buttons) for b in block.buttons
    ]
    assert labels == ["Change my answers", "Add a comment"]

    [again] = await rt.router.dispatch(action("pulse.change", "1", user=user))
    assert choices(again)[0].selected == first.options[1].value
    await rt.router.dispatch(action(first.action_id, first.options[4].value, user=user))
    [stored] = await rt.services.survey_answers.responses(1)
    assert stored.answers["workload"] == "5"
    assert len(await rt.services.survey_answers.responses(1)) == 1, "one answer set per person"


async def test_the_same_answer_twice_thanks_once_and_keeps_one_response(
    rt: Runtime, fake: RecordingMessenger
) -> None:
    await hr(rt)
    [user] = await staff(rt, 1)
    await pulse(rt, "create monthly-enps now")
    await deliver(rt)
    [choice] = choices(fake.direct_to(user)[0])
    click = action(choice.action_id, choice.options[9].value, user=user)
    [thanks] = await rt.router.dispatch(click)
    [again] = await rt.router.dispatch(click)
    assert thanks.replace_original
    assert "Thank you" in thanks.fallback
    assert again.fallback.startswith(say.ALREADY_ANSWERED)
    assert again.replace_original  # the card pressed again becomes the thank-you too
    assert len(await rt.services.survey_answers.responses(1)) == 1


async def test_each_reader_sees_the_closing_time_on_their_own_clock_in_one_form(
    rt: Runtime, fake: RecordingMessenger
) -> None:
    await hr(rt)
    [east] = await staff(rt, 1)
    await rt.services.people.resolve(
        Profile("console", TENANT, "U-west", "U-west", timezone="Europe/London")
    )
    await pulse(rt, "create monthly-enps now")  # open for 5 days: closes Sat 28 Nov, 15:00 UTC
    await deliver(rt)
    [invite_east], [invite_west] = fake.direct_to(east), fake.direct_to("U-west")
    assert "until Sat 28 Nov, 10:00." in _notes(invite_east)
    assert "until Sat 28 Nov, 15:00." in _notes(invite_west)
    thanks = await answer_all(rt, invite_west, "U-west")
    assert "until Sat 28 Nov, 15:00." in thanks.fallback  # the same words as the card


def _notes(reply: Reply) -> str:
    return " ".join(b.markdown for b in reply.blocks if isinstance(b, Text))


async def comment_after_answering(rt: Runtime, fake: RecordingMessenger, comment: str) -> Reply:
    """One employee answers a survey that just opened, then sends `comment` from its form."""
    await hr(rt)
    [user] = await staff(rt, 1)
    await pulse(rt, "create weekly-pulse now")
    await deliver(rt)
    await answer_all(rt, fake.direct_to(user)[0], user)
    [form_reply] = await rt.router.dispatch(action("pulse.comment", "1", user=user))
    [form] = [b for b in form_reply.blocks if isinstance(b, Form)]
    [saved] = await rt.router.dispatch(
        action(form.submit_action_id, form.value, user=user, values={"comment": comment})
    )
    return saved


async def test_comments_are_screened_for_phi(rt: Runtime, fake: RecordingMessenger) -> None:
    saved = await comment_after_answering(
        rt, fake, "Mr. Okafor in bed 12 waited an hour for pain meds"
    )
    assert "NAME" in saved.fallback
    [stored] = await rt.services.survey_answers.responses(1)
    assert stored.comment == "Mr. [NAME] in bed 12 waited an hour for pain meds"


async def test_a_comment_in_crisis_is_kept_and_answered_with_resources(
    rt: Runtime, fake: RecordingMessenger
) -> None:
    """The comment goes to the survey as written (a report of violence is what leaders need
    to read), and its writer gets the resources at once."""
    comment = "a patient punched me last week and nobody followed up"
    saved = await comment_after_answering(rt, fake, comment)
    assert "call hospital security" in saved.fallback
    assert say.COMMENT_SAVED in saved.fallback
    assert "I don't keep what you wrote" not in saved.fallback  # this one is kept
    [stored] = await rt.services.survey_answers.responses(1)
    assert stored.comment == comment
    assert await rt.services.crisis_counts.since(START.date()) == {"violence": 1}


async def test_closing_erases_every_link_between_people_and_answers(
    rt: Runtime, fake: RecordingMessenger
) -> None:
    await hr(rt)
    users = await staff(rt, 5)
    await pulse(rt, "create weekly-pulse now")
    await deliver(rt)
    for user in users:
        await answer_all(rt, fake.direct_to(user)[0], user)
    db = rt.services.database.engine
    async with db.connect() as conn:
        keys = (await conn.execute(text("SELECT answer_key FROM survey_participation"))).all()
    assert sum(1 for (key,) in keys if key) == 5, "while open, people can change their answers"

    closed = await pulse(rt, "close 1")
    assert "Closed" in closed.fallback
    async with db.connect() as conn:
        participation = (await conn.execute(text("SELECT * FROM survey_participation"))).mappings()
        assert all(row["answer_key"] is None for row in participation)
        responses = (await conn.execute(text("SELECT * FROM survey_responses"))).mappings().all()
        assert responses
        assert all(row["answer_key"] is None for row in responses)
        columns = set(responses[0].keys())
    assert not columns & {"person_id", "user_id", "identity_id", "submitted_at", "created_at"}
    [late] = await rt.router.dispatch(
        action("pulse.answer", choices(fake.direct_to(users[0])[0])[0].options[0].value, users[0])
    )
    assert "closed" in late.fallback


async def test_results_go_to_the_owner_at_close_with_a_chart(
    rt: Runtime, fake: RecordingMessenger
) -> None:
    await hr(rt)
    users = await staff(rt, 5)
    await pulse(rt, "create monthly-enps to unit '5 North' now")
    await deliver(rt)
    for n, user in enumerate(users):
        await answer_all(rt, fake.direct_to(user)[0], user, pick=[10, 9, 8, 3, 10][n])
    closed, results = await rt.router.dispatch(command("pulse", "close 1", user="U-hr"))
    # The owner closing in their own chat hears that it closed first, then the results.
    assert closed.fallback == say.CLOSED.format(id=1, sent=say.RESULTS_FOLLOW)
    assert not fake.direct_to("U-hr")
    assert "+40" in results.fallback  # 3 promoters, 1 passive, 1 detractor of 5
    assert any(isinstance(b, Image) and b.png for b in results.blocks)


async def test_results_for_a_group_of_four_are_refused(
    rt: Runtime, fake: RecordingMessenger
) -> None:
    await hr(rt)
    users = await staff(rt, 4)
    await pulse(rt, "create monthly-enps now")
    await deliver(rt)
    for user in users:
        await answer_all(rt, fake.direct_to(user)[0], user, pick=10)
    await pulse(rt, "close 1")
    refused = await pulse(rt, "results 1")
    assert "anonym" in refused.fallback.lower()
    assert "+100" not in refused.fallback


async def test_a_breakdown_that_would_expose_two_people_by_subtraction_is_refused(
    rt: Runtime, fake: RecordingMessenger
) -> None:
    await hr(rt)
    north = await staff(rt, 6, unit="5 North", prefix="N")
    icu = await staff(rt, 2, unit="ICU", prefix="I")
    await pulse(rt, "create monthly-enps now")
    await deliver(rt)
    for user in north + icu:
        await answer_all(rt, fake.direct_to(user)[0], user, pick=9)
    await pulse(rt, "close 1")
    shown = await pulse(rt, "results 1")
    assert "8" in shown.fallback
    refused = await pulse(rt, "results 1 --by unit --group '5 North'")
    assert "hidden" in refused.fallback.lower()
    assert "fewer than 5" in refused.fallback
    breakdown = await pulse(rt, "results 1 --by unit")
    assert "ICU" not in breakdown.fallback


async def test_one_reminder_reaches_only_non_responders(
    rt: Runtime, fake: RecordingMessenger
) -> None:
    await hr(rt)
    done, pending = await staff(rt, 2)
    await pulse(rt, "create weekly-pulse now")
    await deliver(rt)
    await answer_all(rt, fake.direct_to(done)[0], done)
    await tick(rt, START + timedelta(days=2, minutes=1))
    await deliver(rt)
    await tick(rt, START + timedelta(days=3))
    await deliver(rt)
    assert len(fake.direct_to(done)) == 1
    reminders = fake.direct_to(pending)
    assert len(reminders) == 2
    assert "Reminder" in reminders[1].fallback


class Statements(list[str]):
    """The SQL the runtime's database runs while it is installed, as the driver gets it."""

    def __init__(self, rt: Runtime) -> None:
        super().__init__()
        self._engine = rt.services.database.engine.sync_engine

    def __enter__(self) -> Statements:
        event.listen(self._engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self._engine, "before_cursor_execute", self._record)

    def _record(self, conn: object, cursor: object, statement: str, *rest: object) -> None:
        self.append(" ".join(statement.split()))

    def reading(self, table: str) -> list[str]:
        return [s for s in self if s.startswith("SELECT") and f" FROM {table} " in f"{s} "]


async def test_a_batch_of_invitations_reads_the_round_and_survey_once(
    rt: Runtime, fake: RecordingMessenger
) -> None:
    """Not once per person: the message is the same for everyone in the batch."""
    await hr(rt)
    users = await staff(rt, 12)
    await pulse(rt, "create weekly-pulse to unit '5 North' now")

    with Statements(rt) as statements:
        result = await rt.delivery.run_once()

    assert result.sent == len(users) == len(fake.direct)
    rounds = statements.reading("survey_rounds")
    # Its status alone is read again just before sends leave, by sends waiting at once together.
    checks = [s for s in rounds if s.startswith("SELECT survey_rounds.status FROM")]
    assert len(rounds) - len(checks) == 1
    assert 1 <= len(checks) <= len(users)
    assert len(statements.reading("surveys")) == 1


async def test_no_invitation_leaves_after_its_round_closed(
    rt: Runtime, fake: RecordingMessenger
) -> None:
    """Invitations are written when their batch is claimed and then wait for the platform's
    rate limit: HR closing the round during that wait stops the ones still waiting."""
    await hr(rt)
    users = await staff(rt, 6)
    await pulse(rt, "create monthly-enps to unit '5 North' now")
    turn = asyncio.Event()  # the rate limit's wait, ended once the round is closed
    send = fake.send_direct

    async def wait_for_turn(seconds: float) -> None:
        await turn.wait()

    async def send_then_close(
        identity: Identity, reply: Reply, *, dedupe_key: str | None = None
    ) -> SentMessage:
        sent = await send(identity, reply, dedupe_key=dedupe_key)
        if identity.user_id in users and not turn.is_set():
            await pulse(rt, "close 1")
            turn.set()
        return sent

    fake.send_direct = send_then_close  # type: ignore[method-assign]
    sender = OutboxSender(
        rt.services.outbox,
        rt.services.outbound,
        rt.services.renderers,
        # One message at once, and every later one waits for its turn, however slow the machine.
        limiters=RateLimiters({"console": RateLimit(rate=0.001, burst=1)}, sleep=wait_for_turn),
        clock=clock(rt),
        flush_interval=0.01,
        idle_poll=0.01,
    )
    await sender.run_until_idle()

    assert len([sent for sent in fake.direct if sent.to in users]) == 1
    invitations = await rt.services.outbox.items("round:1", kind="pulse.invite")
    assert sorted(i.status for i in invitations) == ["sent"] + ["skipped"] * 5


async def test_closing_a_round_withdraws_its_invitations_still_waiting(
    rt: Runtime, fake: RecordingMessenger
) -> None:
    await hr(rt)
    await staff(rt, 3)
    clock(rt).now = START.replace(hour=3)  # 22:00 in New York: quiet hours, invitations wait
    await pulse(rt, "create monthly-enps to unit '5 North' now")
    await pulse(rt, "close 1")
    progress = await rt.services.outbox.progress("round:1")
    assert (progress.pending, progress.skipped) == (0, 3)
    clock(rt).now = START + timedelta(days=1)
    await deliver(rt)
    assert not fake.direct  # no invitation (the results came as replies to the close)


async def test_rounds_close_on_time_and_a_missed_run_runs_once(
    rt: Runtime, fake: RecordingMessenger
) -> None:
    await hr(rt)
    [user] = await staff(rt, 1)
    created = await pulse(rt, "create monthly-enps every monday 10:00 --open-days 3")
    assert "Mon" in created.fallback
    # The bot was down over the Monday 10:00 run; it starts an hour late, inside the window.
    await tick(rt, START + timedelta(days=7, hours=1))
    await tick(rt, clock(rt).now)
    await deliver(rt)
    assert len(fake.direct_to(user)) == 1, "a missed run runs once"
    await tick(rt, START + timedelta(days=10, hours=2))
    [round_] = await rt.services.surveys.rounds(1)
    assert round_.status == "closed"
    # Down for more than the window: that run is skipped, the next one is scheduled.
    await tick(rt, START + timedelta(days=18))
    assert len(await rt.services.surveys.rounds(1)) == 1
    survey = await rt.services.surveys.get(1)
    assert survey is not None
    assert survey.next_run_at == START + timedelta(days=21)


async def test_pause_list_and_resume(rt: Runtime, fake: RecordingMessenger) -> None:
    await hr(rt)
    await staff(rt, 1)
    await pulse(rt, "create weekly-pulse every other monday 10:00")
    assert "paused" in (await pulse(rt, "pause 1")).fallback
    await tick(rt, START + timedelta(days=15))
    assert await rt.services.surveys.rounds(1) == []
    listing = await pulse(rt, "list")
    assert "#1" in listing.fallback
    assert "paused" in listing.fallback
    assert "active again" in (await pulse(rt, "resume 1")).fallback


async def test_pausing_or_resuming_twice_says_it_was_done_already(rt: Runtime) -> None:
    await hr(rt)
    await staff(rt, 1)
    await pulse(rt, "create weekly-pulse every other monday 10:00")
    assert (await pulse(rt, "pause 1")).fallback == say.PAUSED.format(id=1)
    assert (await pulse(rt, "pause 1")).fallback == say.ALREADY_PAUSED.format(id=1)
    assert "active again" in (await pulse(rt, "resume 1")).fallback
    assert (await pulse(rt, "resume 1")).fallback.startswith("Survey #1 is active already.")
    audit = await rt.services.audit.recent()
    assert [e.action for e in audit if e.action in ("pulse.pause", "pulse.resume")] == [
        "pulse.resume",
        "pulse.pause",
    ]


async def test_two_closes_at_once_close_once_and_send_the_results_once(
    rt: Runtime, fake: RecordingMessenger
) -> None:
    await hr(rt)
    await staff(rt, 2)
    await pulse(rt, "create monthly-enps now")
    close = command("pulse", "close 1", user="U-hr")
    answers = await asyncio.gather(rt.router.dispatch(close), rt.router.dispatch(close))
    closed = say.CLOSED.format(id=1, sent=say.RESULTS_FOLLOW)
    [[_, results]] = [replies for replies in answers if replies[0].fallback == closed]
    [[other]] = [replies for replies in answers if replies[0].fallback != closed]
    # Second to close, or second to look: either way it is told there was nothing to close.
    assert other.fallback in (say.ALREADY_CLOSED.format(id=1), say.NOTHING_OPEN.format(id=1))
    assert "anonymity" in results.fallback, "the results (hidden for two), once"
    assert not fake.direct_to("U-hr")
    audit = await rt.services.audit.recent(action="pulse.close")
    assert len(audit) == 1


async def test_pulse_is_for_hr_only_and_bad_input_is_explained(rt: Runtime) -> None:
    await hr(rt)
    [refused] = await rt.router.dispatch(command("pulse", "list", user="U-nurse"))
    assert "Only HR can do that." in refused.fallback
    assert (await pulse(rt, "create nope now")).fallback == (
        "No bundled survey is called `nope`: `pulse templates` lists them."
    )
    assert "every" in (await pulse(rt, "create weekly-pulse sometime soonish")).fallback.lower()
    assert "--threshold" in (await pulse(rt, "create weekly-pulse now --threshold 1")).fallback
    assert (await pulse(rt, "run \u0661")).fallback.startswith(
        "Please type the survey number with the digits 0 to 9"
    )
    overview = (await pulse(rt, "")).fallback
    assert "`pulse results ID [--by department|unit] [--group NAME]`" in overview
    assert "--file" not in overview, "chat users cannot name files on the bot's machine"


def test_survey_validate_reports_lines(tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(
        "id: quick\ntitle: Quick\nquestions:\n  - id: q1\n    type: rating\n    text: Fine?\n"
    )
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "id: quick\ntitle: Quick\nquestions:\n  - id: q1\n    type: stars\n    text: Fine?\n"
        "  - id: q2\n    type: choice\n    text: Pick\n"
    )
    ok = run(["survey", "validate", str(good)], cwd=tmp_path)
    assert ok.returncode == 0
    assert "is valid" in ok.stdout
    failed = run(["survey", "validate", str(bad)], cwd=tmp_path)
    assert failed.returncode == 1
    assert f"{bad}:5: type must be one of" in failed.stdout
    assert f"{bad}:7: a choice question needs options" in failed.stdout


def test_pulse_from_the_command_line(tmp_path: Path) -> None:
    created = run(
        ["pulse", "create", "weekly-pulse", "to", "unit", "St. Mary's", "every", "monday", "10:00"],
        cwd=tmp_path,
    )
    assert created.returncode == 0, created.stderr
    assert "for unit St. Mary's:" in created.stdout
    listing = run(["pulse", "list"], cwd=tmp_path)
    assert "Weekly pulse" in listing.stdout
    survey = tmp_path / "mine.yaml"
    survey.write_text(
        "id: huddle\ntitle: Huddle check\nquestions:\n  - id: q1\n    type: enps\n"
        "    text: Would you recommend this unit?\n"
    )
    no_quiet = "00:00-00:00"  # the test must not depend on the hour
    from_file = run(
        ["pulse", "create", "--file", str(survey), "to", "everyone", "now"],
        tmp_path,
        BREAKROOM_QUIET_HOURS=no_quiet,
    )
    assert "Huddle check" in from_file.stdout, from_file.stderr
    sent = run(["pulse", "send"], cwd=tmp_path, BREAKROOM_QUIET_HOURS=no_quiet)
    assert sent.returncode == 0, sent.stderr
    assert "sent 1, failed 0" in sent.stdout
    # The one person invited is `cli` itself: the invitation waits for their own chat.
    assert "Would you recommend this unit?" not in sent.stdout
    opened = run(["chat", "--user", "cli"], cwd=tmp_path)
    assert "Would you recommend this unit?" in opened.stdout


async def staff_in(rt: Runtime, zones: dict[str, str]) -> None:
    for user, zone in zones.items():
        await rt.services.people.resolve(
            Profile("console", TENANT, user, user, timezone=zone, unit="5 North")
        )


async def test_now_is_now_in_every_time_zone_except_where_it_is_night(
    rt: Runtime, fake: RecordingMessenger
) -> None:
    await hr(rt)
    # Monday 10:00 in New York is 08:00 in Denver, 07:00 in Los Angeles (quiet hours just
    # over) and midnight in Tokyo (quiet until 07:00 there, 22:00 UTC).
    await staff_in(
        rt,
        {
            "U-ny": "America/New_York",
            "U-denver": "America/Denver",
            "U-la": "America/Los_Angeles",
            "U-tokyo": "Asia/Tokyo",
        },
    )
    created = await pulse(rt, "create weekly-pulse to unit '5 North' now")
    assert created.fallback.endswith(
        "Invitations go out now to 3 people; 1 is in quiet hours (21:00-07:00 their time), "
        "so theirs go out at 07:00 their time."
    ), created.fallback
    await deliver(rt)
    assert sorted(sent.to for sent in fake.direct) == ["U-denver", "U-la", "U-ny"]
    items = await rt.services.outbox.items("round:1")
    assert sorted(item.due_at for item in items) == [START] * 3 + [
        datetime(2026, 11, 23, 22, 0, tzinfo=UTC)
    ]
    clock(rt).now = datetime(2026, 11, 23, 22, 0, tzinfo=UTC)
    await deliver(rt)
    assert len(fake.direct_to("U-tokyo")) == 1


async def test_run_now_is_now_for_everyone_and_says_who_waits(
    rt: Runtime, fake: RecordingMessenger
) -> None:
    await hr(rt)
    await staff_in(rt, {"U-denver": "America/Denver", "U-tokyo": "Asia/Tokyo"})
    await pulse(rt, "create weekly-pulse to unit '5 North' every monday 09:00")
    started = await pulse(rt, "run 1")
    assert started.fallback == (
        "Started a round of survey #1. Invitations go out now to 1 person; 1 is in quiet "
        "hours (21:00-07:00 their time), so theirs go out at 07:00 their time."
    )
    await deliver(rt)
    assert [sent.to for sent in fake.direct] == ["U-denver"]


async def test_run_while_a_round_is_open_is_refused_and_nobody_is_invited_twice(
    rt: Runtime, fake: RecordingMessenger
) -> None:
    await hr(rt)
    users = await staff(rt, 2)
    await pulse(rt, "create weekly-pulse every monday 09:00")
    assert (await pulse(rt, "run 1")).outcome is Outcome.DONE
    again = await pulse(rt, "run 1")
    assert again.outcome is Outcome.REFUSED
    assert again.fallback.startswith(
        "Survey #1 already has a round open, closing Sat 28 Nov, 10:00;"
    )
    assert "pulse close 1" in again.fallback
    await deliver(rt)
    assert all(len(fake.direct_to(user)) == 1 for user in users)
    assert len(await rt.services.surveys.rounds(1)) == 1
    assert len(await rt.services.audit.recent(action="pulse.run")) == 1


async def test_a_scheduled_run_closes_the_round_still_open_then_opens_the_next(
    rt: Runtime, fake: RecordingMessenger
) -> None:
    await hr(rt)
    [user] = await staff(rt, 1)
    await pulse(rt, "create weekly-pulse every monday 11:00 --open-days 10")
    await tick(rt, START + timedelta(hours=1))
    await deliver(rt)
    await tick(rt, START + timedelta(days=7, hours=1))
    first, second = sorted(await rt.services.surveys.rounds(1), key=lambda r: r.id)
    assert (first.status, second.status) == ("closed", "open")
    await deliver(rt)
    assert len(fake.direct_to(user)) == 2, "one invitation a round"


async def test_an_audience_with_nobody_in_it_is_said_so(rt: Runtime) -> None:
    await hr(rt)
    await staff(rt, 2, unit="5 North")
    now = await pulse(rt, "create weekly-pulse to unit '7 West' now")
    assert now.outcome is Outcome.REFUSED
    assert now.fallback == (
        "Nobody is in unit 7 West yet, so no survey was started and nobody was invited."
    )
    assert await rt.services.surveys.all() == []
    later = await pulse(rt, "create weekly-pulse to unit '7 West' every monday 09:00")
    assert later.fallback.endswith(say.NOBODY_YET)
    run = await pulse(rt, "run 1")
    assert run.outcome is Outcome.REFUSED
    assert run.fallback == (
        "Nobody is in survey #1's audience (unit 7 West) yet, so no round was started."
    )


async def test_a_group_without_a_breakdown_says_how_to_ask(
    rt: Runtime, fake: RecordingMessenger
) -> None:
    await hr(rt)
    await staff(rt, 5)
    await pulse(rt, "create weekly-pulse now")
    asked = await pulse(rt, 'results 1 --group "5 North"')
    assert asked.outcome is Outcome.BAD_INPUT
    assert asked.fallback == (
        "Say whether 5 North is a unit or a department: `pulse results 1 --by unit --group "
        '"5 North"` or `pulse results 1 --by department --group "5 North"`.'
    )


def test_pulse_exit_status_tells_done_from_refused_and_usage(tmp_path: Path) -> None:
    missing = run(["pulse", "run", "999"], cwd=tmp_path)
    assert (missing.returncode, missing.stdout.strip()) == (1, "bot> There is no survey #999.")
    created = run(["pulse", "create", "weekly-pulse", "every", "monday", "10:00"], cwd=tmp_path)
    assert created.returncode == 0, created.stderr
    grouped = run(["pulse", "results", "1", "--group", "5 North"], cwd=tmp_path)
    assert grouped.returncode == 2, grouped.stderr
    assert "Traceback" not in grouped.stderr
    assert "--by unit --group" in grouped.stdout
    assert run(["pulse", "frobnicate"], cwd=tmp_path).returncode == 2
    assert run(["pulse", "list"], cwd=tmp_path).returncode == 0


async def test_a_channel_audience_reaches_its_members_only(
    rt: Runtime, fake: RecordingMessenger
) -> None:
    await hr(rt)
    members = await staff(rt, 2, prefix="M")
    others = await staff(rt, 2, prefix="O")
    fake.members["C-night"] = members
    await pulse(rt, "create monthly-enps to channel C-night now")
    await deliver(rt)
    assert all(len(fake.direct_to(user)) == 1 for user in members)
    assert all(fake.direct_to(user) == [] for user in others)
