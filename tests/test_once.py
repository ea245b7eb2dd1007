"""Exactly once, made by the database: the same write sent several times at once (a double click,
two replicas, a newcomer's first two events) takes effect once, and each caller can tell "done
now" from "done already". On SQLite and, with BREAKROOM_TEST_DATABASE_URL, PostgreSQL; each
race runs its writers side by side on connections of their own."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable
from datetime import UTC, datetime, timedelta
from importlib.resources import files
from typing import Any, TypeVar

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import func, select

from storage.conversations import ConversationStore
from storage.db import Conflict, Database, retry_on_conflict
from storage.ideas import Draft, IdeaRepository
from storage.migrate import alembic_config, upgrade
from storage.models import (
    ConversationRefRow,
    IdeaRow,
    IdeaVoteRow,
    IdentityRow,
    ParticipationRow,
    PersonRow,
    ResponseRow,
    SurveyRoundRow,
)
from storage.people import PeopleRepository, Profile
from storage.questions import Feedback, QuestionLog
from storage.survey_answers import SurveyAnswers
from storage.surveys import SurveyRepository
from storage.tickets import TicketRepository
from tests.helpers import open_survey_round

T = TypeVar("T")
AT_ONCE = 6
NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
CLOSED = ("declined", "merged", "archived")


async def at_once(*work: Awaitable[T]) -> list[T]:
    return list(await asyncio.gather(*work))


async def count(database: Database, statement: Any) -> int:
    async with database.transaction() as session:
        return int(await session.scalar(statement) or 0)


async def people(database: Database, count: int, prefix: str = "U") -> list[int]:
    repository = PeopleRepository(database)
    return [
        (await repository.resolve(Profile("slack", "T1", f"{prefix}{n}"))).id for n in range(count)
    ]


async def a_draft(database: Database, person_id: int) -> Draft:
    return await IdeaRepository(database).save_draft(
        person_id,
        title="",
        description="Warm blankets in the ED waiting room",
        category="comfort",
        unit="",
        anonymous=False,
    )


async def an_idea(database: Database, person_id: int) -> int:
    idea = await IdeaRepository(database).submit(
        await a_draft(database, person_id), sealed_submitter=None
    )
    assert idea is not None
    return idea.id


async def an_open_round(database: Database, invited: list[int]) -> int:
    return await open_survey_round(SurveyRepository(database), invited[0], invited, opened_at=NOW)


# -- first contact -------------------------------------------------------------------------------


async def test_a_newcomer_met_on_several_replicas_at_once_is_one_person(
    database: Database,
) -> None:
    repository = PeopleRepository(database)
    newcomer = Profile("slack", "T1", "UNEW", display_name="Ana")
    met = await at_once(*(repository.resolve(newcomer, seed_roles=["hr"]) for _ in range(AT_ONCE)))
    assert len({person.id for person in met}) == 1
    assert all(person.roles == frozenset({"hr"}) for person in met)
    assert await count(database, select(func.count()).select_from(PersonRow)) == 1
    assert await count(database, select(func.count()).select_from(IdentityRow)) == 1


async def test_a_role_granted_twice_at_once_is_granted_once(database: Database) -> None:
    [person] = await people(database, 1)
    repository = PeopleRepository(database)
    granted = await at_once(
        *(repository.grant(person, "leader", granted_by="admin") for _ in range(AT_ONCE))
    )
    assert sorted(granted) == [False] * (AT_ONCE - 1) + [True]


async def test_a_conversation_first_seen_twice_at_once_is_stored_once(database: Database) -> None:
    store = ConversationStore(database)
    await at_once(
        *(store.save("teams", "aad-1", {"conversation": {"id": f"a:{n}"}}) for n in range(AT_ONCE))
    )
    assert await count(database, select(func.count()).select_from(ConversationRefRow)) == 1
    assert await store.load("teams", "aad-1") is not None


async def test_get_or_create_gives_up_after_repeated_conflicts() -> None:
    tries: list[int] = []

    async def always_taken() -> None:
        tries.append(1)
        raise Conflict("IntegrityError")

    with pytest.raises(Conflict):
        await retry_on_conflict(always_taken)
    assert len(tries) == 3


# -- ideas ---------------------------------------------------------------------------------------


async def test_a_draft_submitted_several_times_at_once_makes_one_idea(database: Database) -> None:
    [author] = await people(database, 1)
    draft = await a_draft(database, author)
    ideas = IdeaRepository(database)
    submitted = await at_once(*(ideas.submit(draft, sealed_submitter=None) for _ in range(AT_ONCE)))
    made = [idea for idea in submitted if idea is not None]
    assert len(made) == 1
    assert await count(database, select(func.count()).select_from(IdeaRow)) == 1
    assert await ideas.submitted_from(draft.id)
    assert await ideas.draft(draft.id, author) is None


async def test_someone_elses_draft_is_not_submitted(database: Database) -> None:
    author, other = await people(database, 2)
    draft = await a_draft(database, author)
    forged = Draft(**{**draft.__dict__, "person_id": other})
    assert await IdeaRepository(database).submit(forged, sealed_submitter=None) is None
    assert await count(database, select(func.count()).select_from(IdeaRow)) == 0


async def test_draft_ids_are_never_used_twice(database: Database) -> None:
    """An idea names its draft: a new draft must not take the id of one already submitted."""
    [author] = await people(database, 1)
    first = await a_draft(database, author)
    assert await IdeaRepository(database).submit(first, sealed_submitter=None) is not None
    second = await a_draft(database, author)
    assert second.id != first.id
    assert not await IdeaRepository(database).submitted_from(second.id)


async def test_a_vote_pressed_several_times_at_once_counts_once(database: Database) -> None:
    author, voter = await people(database, 2)
    idea_id = await an_idea(database, author)
    ideas = IdeaRepository(database)
    votes = await at_once(*(ideas.vote(idea_id, voter, closed=CLOSED) for _ in range(AT_ONCE)))
    assert [v is not None and v.votes for v in votes] == [1] * AT_ONCE
    assert [v is not None and v.counted for v in votes].count(True) == 1
    assert await count(database, select(func.count()).select_from(IdeaVoteRow)) == 1


async def test_votes_of_many_people_at_once_are_all_counted(database: Database) -> None:
    author, *voters = await people(database, AT_ONCE + 1)
    idea_id = await an_idea(database, author)
    ideas = IdeaRepository(database)
    votes = await at_once(*(ideas.vote(idea_id, voter, closed=CLOSED) for voter in voters))
    # Each is told the count with their own vote in it, as far as the others had landed.
    assert all(v is not None and v.counted and 1 <= v.votes <= AT_ONCE for v in votes)
    idea = await ideas.get(idea_id)
    assert idea is not None
    assert idea.votes == AT_ONCE


async def test_no_vote_is_left_behind_on_an_idea_merged_meanwhile(database: Database) -> None:
    author, *voters = await people(database, AT_ONCE + 1)
    merged, kept = await an_idea(database, author), await an_idea(database, author)
    ideas = IdeaRepository(database)
    _, votes = await asyncio.gather(
        ideas.merge(merged, kept, "same", from_status="new"),
        at_once(*(ideas.vote(merged, voter, closed=CLOSED) for voter in voters)),
    )
    left_behind = select(func.count()).where(IdeaVoteRow.idea_id == merged)
    carried = select(func.count()).where(IdeaVoteRow.idea_id == kept)
    assert await count(database, left_behind) == 0
    counted = sum(1 for v in votes if v is not None and v.counted)
    assert await count(database, carried) == counted
    assert all(v is not None and (v.counted or v.status == "merged") for v in votes)


async def test_a_status_change_pressed_twice_at_once_happens_once(database: Database) -> None:
    [author] = await people(database, 1)
    idea_id = await an_idea(database, author)
    ideas = IdeaRepository(database)
    moved = await at_once(
        *(ideas.set_status(idea_id, "accepted", from_status="new") for _ in range(AT_ONCE))
    )
    assert len([idea for idea in moved if idea is not None]) == 1
    idea = await ideas.get(idea_id)
    assert idea is not None
    assert idea.status == "accepted"


# -- questions and tickets -----------------------------------------------------------------------


async def test_ask_hr_pressed_several_times_at_once_opens_one_ticket(database: Database) -> None:
    [asker] = await people(database, 1)
    question = await QuestionLog(database).record(
        "Can I carry PTO over?", article_id=None, confidence=0.1, answered=False
    )
    tickets = TicketRepository(database)
    opened = await at_once(*(tickets.open(asker, "Can I carry PTO over?", question) for _ in "123"))
    assert [new for _, new in opened].count(True) == 1
    assert len({ticket.id for ticket, _ in opened}) == 1
    # Once answered, asking again opens a new one.
    assert await tickets.answer(opened[0][0].id, "Yes, up to 40 hours.", asker) is not None
    again, new = await tickets.open(asker, "Can I carry PTO over?", question)
    assert new
    assert again.id != opened[0][0].id


async def test_a_ticket_answered_twice_at_once_is_answered_once(database: Database) -> None:
    asker, *hr = await people(database, 3)
    ticket, _ = await TicketRepository(database).open(asker, "Is parking free?", None)
    tickets = TicketRepository(database)
    answered = await at_once(
        *(tickets.answer(ticket.id, f"Answer from {n}", n) for n in hr * (AT_ONCE // 2))
    )
    stored = [t for t in answered if t is not None]
    assert len(stored) == 1
    assert (await tickets.get(ticket.id)) == stored[0]


async def test_feedback_tells_a_repeated_press_apart(database: Database) -> None:
    log = QuestionLog(database)
    question = await log.record("PTO?", article_id="pto", confidence=0.9, answered=True)
    pressed = await at_once(*(log.set_feedback(question, True) for _ in range(AT_ONCE)))
    assert Counter(pressed) == {Feedback.RECORDED: 1, Feedback.ALREADY: AT_ONCE - 1}
    assert await log.set_feedback(question, False) is Feedback.RECORDED
    assert await log.set_feedback(question + 1, False) is Feedback.UNKNOWN


# -- surveys -------------------------------------------------------------------------------------


async def test_one_answer_pressed_several_times_at_once_makes_one_response(
    database: Database,
) -> None:
    [nurse] = await people(database, 1)
    round_id = await an_open_round(database, [nurse])
    answers = SurveyAnswers(database)
    recorded = await at_once(
        *(
            answers.record_answer(
                round_id, nurse, "recommend", "9", department="", unit="", required=["recommend"]
            )
            for _ in range(AT_ONCE)
        )
    )
    assert [r.changed for r in recorded].count(True) == 1
    assert all(r.complete and r.answers == {"recommend": "9"} for r in recorded)
    assert await count(database, select(func.count()).select_from(ResponseRow)) == 1
    [stored] = await answers.responses(round_id)
    assert stored.answers == {"recommend": "9"}
    round_ = await SurveyRepository(database).get_round(round_id)
    assert round_ is not None
    assert round_.responded == 1


async def test_two_questions_answered_at_once_share_one_response(database: Database) -> None:
    [nurse] = await people(database, 1)
    round_id = await an_open_round(database, [nurse])
    answers = SurveyAnswers(database)
    required = ["workload", "support"]
    await at_once(
        *(
            answers.record_answer(
                round_id, nurse, question, "4", department="", unit="", required=required
            )
            for question in required * 3
        )
    )
    [stored] = await answers.responses(round_id)
    assert stored.answers == {"workload": "4", "support": "4"}


async def test_a_changed_answer_is_stored_and_the_same_one_is_not(database: Database) -> None:
    [nurse] = await people(database, 1)
    round_id = await an_open_round(database, [nurse])
    answers = SurveyAnswers(database)

    async def answer(value: str) -> tuple[bool, bool]:
        recorded = await answers.record_answer(
            round_id, nurse, "recommend", value, department="", unit="", required=["recommend"]
        )
        return recorded.changed, recorded.complete

    assert await answer("9") == (True, True)
    assert await answer("9") == (False, True)
    assert await answer("10") == (True, True)
    [stored] = await answers.responses(round_id)
    assert stored.answers == {"recommend": "10"}


async def test_answers_racing_the_close_leave_no_link_to_anyone(database: Database) -> None:
    """Whatever lands before the close is counted, what comes after is refused, and the close
    erases every answer key, those written at the same moment included."""
    invited = await people(database, AT_ONCE)
    round_id = await an_open_round(database, invited)
    answers = SurveyAnswers(database)

    async def answer(person_id: int) -> bool:
        try:
            await answers.record_answer(
                round_id, person_id, "recommend", "7", department="", unit="", required=[]
            )
        except LookupError:
            return False
        return True

    results = await at_once(
        *(answer(p) for p in invited[: AT_ONCE // 2]),
        SurveyRepository(database).close_round(round_id, NOW),
        *(answer(p) for p in invited[AT_ONCE // 2 :]),
    )
    closed = results.pop(AT_ONCE // 2)
    assert closed is True
    linked = select(func.count()).where(ResponseRow.answer_key.is_not(None))
    assert await count(database, linked) == 0
    keys = select(func.count()).where(ParticipationRow.answer_key.is_not(None))
    assert await count(database, keys) == 0
    assert await count(database, select(func.count()).select_from(ResponseRow)) == sum(results)


async def test_a_round_closed_twice_at_once_closes_once(database: Database) -> None:
    invited = await people(database, 2)
    round_id = await an_open_round(database, invited)
    surveys = SurveyRepository(database)
    closed = await at_once(*(surveys.close_round(round_id, NOW) for _ in range(AT_ONCE)))
    assert closed.count(True) == 1


async def test_a_survey_run_twice_at_once_opens_one_round(database: Database) -> None:
    invited = await people(database, 2)
    surveys = SurveyRepository(database)
    first = await surveys.get_round(await an_open_round(database, invited))
    assert first is not None
    await surveys.close_round(first.id, NOW)
    opened = await at_once(
        *(
            surveys.open_round(
                first.survey_id,
                opened_at=NOW,
                remind_at=None,
                closes_at=NOW + timedelta(days=5),
                person_ids=invited,
            )
            for _ in range(AT_ONCE)
        )
    )
    assert sum(round_ is not None for round_ in opened) == 1
    assert len(await surveys.open_rounds(first.survey_id)) == 1
    invitations = select(func.count()).select_from(ParticipationRow)
    assert await count(database, invitations) == 2 * len(invited), "each invited once a round"


async def test_a_survey_paused_twice_at_once_reports_one_change(database: Database) -> None:
    invited = await people(database, 1)
    round_id = await an_open_round(database, invited)
    surveys = SurveyRepository(database)
    round_ = await surveys.get_round(round_id)
    assert round_ is not None
    changed = await at_once(*(surveys.set_status(round_.survey_id, "paused") for _ in "123"))
    assert changed.count(True) == 1


async def test_the_migration_keeps_the_newest_open_round_and_closes_the_others(
    database: Database,
) -> None:
    invited = await people(database, 2)
    surveys = SurveyRepository(database)
    first = await surveys.get_round(await an_open_round(database, invited))
    assert first is not None
    scripts = ScriptDirectory(str(files("storage") / "migrations"))
    before = scripts.get_revision("0012").down_revision
    assert isinstance(before, str)
    await _migrate(database, before, down=True)
    async with database.transaction() as session:  # as a second `pulse run` did before
        second = SurveyRoundRow(
            survey_id=first.survey_id, opened_at=NOW, closes_at=NOW + timedelta(days=5)
        )
        session.add(second)
        await session.flush()
        session.add_all(ParticipationRow(round_id=second.id, person_id=p) for p in invited)
    await SurveyAnswers(database).record_answer(
        first.id, invited[0], "recommend", "7", department="", unit="", required=["recommend"]
    )
    await upgrade(database)
    [still_open] = await surveys.open_rounds(first.survey_id)
    assert still_open.id == second.id
    older = await surveys.get_round(first.id)
    assert older is not None
    assert older.status == "closed"
    linked = select(func.count()).where(ResponseRow.answer_key.is_not(None))
    assert await count(database, linked) == 0, "closing erased the link to the answer"


async def _migrate(database: Database, revision: str, *, down: bool = False) -> None:
    config = alembic_config(database.url)

    def run(connection: Any) -> None:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)

    async with database.engine.begin() as conn:
        await conn.run_sync(run)
