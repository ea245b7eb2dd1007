"""Closing the loop on a survey through the router: HR shares a closed round's results with the
people it was sent to (once, only what may be shown), keeps an action plan, and the next round's
invitation opens with what came of the last one."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from bot.replies import Reply, Text
from bot.runtime import Runtime
from skills.pulse import messages as say
from skills.pulse.sharing import SHARE
from storage.outbox_items import OutboxStatus
from tests.clocks import START, clock, clocked_runtime, recording_messenger  # noqa: F401
from tests.fakes import RecordingMessenger
from tests.helpers import action, command
from tests.test_pulse import choices, deliver, hr, pulse, staff


async def answer(rt: Runtime, invite: Reply, user: str, picks: tuple[int, ...]) -> None:
    """`user` picks the option at each index, question by question (0 is the lowest rating,
    or the first choice); questions past the picks stay unanswered."""
    for choice, pick in zip(choices(invite), picks, strict=False):
        await rt.router.dispatch(action(choice.action_id, choice.options[pick].value, user=user))


async def answered_round(
    rt: Runtime, fake: RecordingMessenger, picks: Sequence[tuple[int, ...]], options: str = ""
) -> list[str]:
    """HR runs the weekly pulse (workload and support rated 1-5, then how often breaks were
    taken) for 5 North now; one person per entry of `picks` answers; the round is closed."""
    await hr(rt)
    users = await staff(rt, len(picks))
    await pulse(rt, f"create weekly-pulse to unit '5 North' now {options}")
    await deliver(rt)
    for user, chosen in zip(users, picks, strict=True):
        await answer(rt, fake.direct_to(user)[0], user, chosen)
    clock(rt).now = START + timedelta(days=4)
    await pulse(rt, "close 1")
    return users


FIVE = [(0, 3, 0), (0, 3, 1), (1, 4, 1), (2, 4, 1), (3, 4, 2)]  # workload 2.2, support 4.6


def shared_with(fake: RecordingMessenger, user: str) -> list[Reply]:
    return [r for r in fake.direct_to(user) if r.fallback.startswith("What you told us")]


async def test_shared_results_reach_everyone_invited_once(
    rt: Runtime, fake: RecordingMessenger
) -> None:
    users = await answered_round(rt, fake, FIVE)
    sharing = await pulse(rt, "share 1")
    assert sharing.fallback.startswith("Sharing survey #1's results with 5 people")
    await deliver(rt)
    for user in users:
        [summary] = shared_with(fake, user)
        assert "5 of 5 answered (100%), Mon 23 Nov to Fri 27 Nov." in summary.fallback
        assert "- “My workload this week was manageable”: 2.2 of 5" in summary.fallback
        assert "- “Were you able to take your breaks?”: most said Most shifts (60%)" in (
            summary.fallback
        )
        assert "Comments" not in summary.fallback, "comments stay in the owner's report"
    assert not shared_with(fake, "U-hr"), "HR was not sent the survey"

    again = await pulse(rt, "share 1")
    assert "shared already" in again.fallback
    await deliver(rt)
    assert all(len(shared_with(fake, user)) == 1 for user in users)
    items = await rt.services.outbox.items("round:1", kind=SHARE)
    assert [i.status for i in items] == [OutboxStatus.SENT.value] * 5
    audited = await rt.services.audit.recent(action="pulse.share")
    assert [entry.subject for entry in audited] == ["round:1", "round:1"]


async def test_a_question_fewer_than_the_threshold_answered_stays_hidden(
    rt: Runtime, fake: RecordingMessenger
) -> None:
    await hr(rt)
    users = await staff(rt, 4)
    await pulse(rt, "create weekly-pulse to unit '5 North' now --threshold 3")
    await deliver(rt)
    for n, user in enumerate(users):
        # Two of the four leave the last question (about breaks) unanswered.
        await answer(rt, fake.direct_to(user)[0], user, (1, 1, 1) if n < 2 else (1, 1))
    await pulse(rt, "close 1")
    await pulse(rt, "share 1")
    await deliver(rt)
    [summary] = shared_with(fake, users[0])
    hidden = "“Were you able to take your breaks?”: fewer than 3 answered, so this one stays hidden"
    assert hidden in summary.fallback
    assert "Most shifts" not in summary.fallback


async def test_nothing_is_shared_while_open_or_when_too_few_answered(
    rt: Runtime, fake: RecordingMessenger
) -> None:
    await hr(rt)
    users = await staff(rt, 4)
    await pulse(rt, "create weekly-pulse to unit '5 North' now")
    await deliver(rt)
    still_open = await pulse(rt, "share 1")
    assert still_open.fallback.startswith("Survey #1's round is still open, until ")
    for user in users:
        await answer(rt, fake.direct_to(user)[0], user, (1, 1, 1))
    await pulse(rt, "close 1")
    refused = await pulse(rt, "share 1")
    assert refused.fallback.startswith("Nothing was shared from survey #1. Results are hidden")
    assert "fewer than 5 people" in refused.fallback
    await deliver(rt)
    assert not any(shared_with(fake, user) for user in users)
    assert await rt.services.outbox.items("round:1", kind=SHARE) == []


async def test_actions_are_recorded_moved_on_listed_and_shared(
    rt: Runtime, fake: RecordingMessenger
) -> None:
    users = await answered_round(rt, fake, FIVE)
    added = await pulse(rt, 'action 1 Float nurse on nights --owner "Ana Ruiz"')
    assert added.fallback.startswith("Action #1 for survey #1 is recorded: “Float nurse on nights”")
    mine = await pulse(rt, "action 1 Break room rota that covers nights")
    assert "owned by U-hr" in mine.fallback  # the author, by default
    assert "now in progress (it was planned)" in (await pulse(rt, "action 1 started 1")).fallback
    assert "now done (it was in progress)" in (await pulse(rt, "action 1 done #1")).fallback
    assert "is done already" in (await pulse(rt, "action 1 done 1")).fallback
    assert (
        "`--owner` goes with a new action"
        in (await pulse(rt, "action 1 planned 1 --owner Sam")).fallback
    )
    assert "keep an action to 300 characters" in (await pulse(rt, "action 1 " + "x" * 301)).fallback
    assert (await pulse(rt, "action 1 done 9")).fallback == say.NO_SUCH_ACTION.format(
        id=1, action=9
    )
    listed = (await pulse(rt, "actions 1")).fallback
    assert "#1 Float nurse on nights: done (Ana Ruiz)" in listed
    assert "#2 Break room rota that covers nights: planned (U-hr)" in listed
    audited = await rt.services.audit.recent(action="pulse.action_status")
    assert [(e.subject, e.detail["status"]) for e in audited] == [
        ("action:1", "done"),
        ("action:1", "in progress"),
    ]

    await pulse(rt, "share 1")
    await deliver(rt)
    [summary] = shared_with(fake, users[0])
    assert "What we're doing about it" in summary.fallback
    assert "- Float nurse on nights: done (Ana Ruiz)" in summary.fallback


async def test_the_next_invitation_says_what_came_of_the_last_round(
    rt: Runtime, fake: RecordingMessenger
) -> None:
    users = await answered_round(rt, fake, FIVE)
    await pulse(rt, 'action 1 Float nurse on nights --owner "Ana Ruiz"')
    await pulse(rt, "action 1 done 1")
    await pulse(rt, "share 1")
    await deliver(rt)
    await pulse(rt, "run 1")
    await deliver(rt)
    invite = fake.direct_to(users[0])[-1]
    first, second = invite.blocks[:2]
    assert isinstance(first, Text)
    assert isinstance(second, Text)
    assert first.markdown == (
        "**Last time you told us:** “My workload this week was manageable” scored lowest, "
        "2.2 of 5; “I felt supported by my team and my manager this week” highest, 4.6 of 5."
    )
    assert (
        second.markdown == "**Here is what we did:**\n- Float nurse on nights: **done** (Ana Ruiz)"
    )
    assert invite.fallback.startswith("Last time you told us:")
    assert choices(invite), "the survey follows"


async def test_an_unshared_round_is_not_recalled_in_the_next_invitation(
    rt: Runtime, fake: RecordingMessenger
) -> None:
    users = await answered_round(rt, fake, FIVE)
    await pulse(rt, "action 1 Float nurse on nights")
    await pulse(rt, "run 1")
    await deliver(rt)
    invite = fake.direct_to(users[0])[-1]
    assert "Last time" not in invite.fallback
    assert "Float nurse" not in invite.fallback


async def test_a_survey_created_to_share_shares_each_round_as_it_closes(
    rt: Runtime, fake: RecordingMessenger
) -> None:
    users = await answered_round(rt, fake, FIVE, options="--share")
    assert "results shared when each round closes" in (await pulse(rt, "list")).fallback
    await deliver(rt)
    assert all(len(shared_with(fake, user)) == 1 for user in users)
    assert "shared already" in (await pulse(rt, "share 1")).fallback
    await deliver(rt)
    assert all(len(shared_with(fake, user)) == 1 for user in users)
    by_hand, on_close = await rt.services.audit.recent(action="pulse.share")
    assert (on_close.actor_person_id, on_close.detail) == (None, {"via": "close", "people": 5})
    assert by_hand.actor_person_id is not None


async def test_sharing_and_actions_are_for_hr_only(rt: Runtime, fake: RecordingMessenger) -> None:
    await answered_round(rt, fake, FIVE)
    for words in ("share 1", "action 1 Free pizza", "action 1 done 1", "actions 1"):
        [refused] = await rt.router.dispatch(command("pulse", words, user="U0"))
        assert "Only HR can do that." in refused.fallback
    assert await rt.services.survey_actions.for_survey(1) == []
    assert await rt.services.outbox.items("round:1", kind=SHARE) == []
