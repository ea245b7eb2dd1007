"""The home surface through the router: open surveys still waiting for the person, their own
ideas with statuses, and quick actions that lead somewhere real."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

import pytest

from bot.context import Context
from bot.events import Actor, HomeOpened
from bot.replies import Button, Buttons, Choice, Form, Reply
from bot.router import Router
from bot.runtime import Runtime, start_runtime
from bot.settings import Settings
from skills.pulse.definition_files import load_template
from storage.people import Person, Profile
from storage.surveys import SurveyRepository
from tests.helpers import TENANT, action, command, dm, open_survey_round
from tests.spanish import english_on_screen, screen_text

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # Monday 10:00 in New York


@pytest.fixture
async def rt(make_settings: Callable[..., Settings]) -> AsyncIterator[Runtime]:
    runtime = await start_runtime(make_settings(BREAKROOM_TIMEZONE="America/New_York"))
    runtime.services.clock = lambda: NOW
    yield runtime
    await runtime.close()


def opened(user: str = "U-nurse") -> HomeOpened:
    """As Slack's app_home_opened says it: a user id and nothing else about the person."""
    return HomeOpened(actor=Actor("console", TENANT, user), conversation=dm())


async def person(rt: Runtime, user: str = "U-nurse", **profile: str) -> Person:
    return await rt.services.people.resolve(Profile("console", TENANT, user, **profile))


async def survey_round(
    surveys: SurveyRepository, owner: int, people: list[int], *, days: int = 5
) -> int:
    return await open_survey_round(surveys, owner, people, opened_at=NOW, days=days)


def buttons(reply: Reply) -> list[Button]:
    return [b for block in reply.blocks if isinstance(block, Buttons) for b in block.buttons]


async def home(rt: Runtime, user: str = "U-nurse") -> Reply:
    [reply] = await rt.router.dispatch(opened(user))
    return reply


async def test_a_newcomer_sees_a_greeting_quick_actions_and_nothing_waiting(rt: Runtime) -> None:
    await person(rt, display_name="Rosa Díaz")
    reply = await home(rt)
    assert reply.fallback.startswith("Hi Rosa!")
    assert "No surveys are open for you right now." in reply.fallback
    assert "haven't shared an idea" in reply.fallback
    assert [(b.label, b.action_id) for b in buttons(reply)] == [
        ("Ask a question", "knowledge.ask_form"),
        ("Share an idea", "ideas.new"),
        ("English", "language.choose"),
        ("Español", "language.choose"),
    ]
    assert "I write to you in English. Tap a language to change it." in reply.fallback


async def test_someone_known_only_by_user_id_is_greeted_plainly(rt: Runtime) -> None:
    assert (await home(rt, "U0NEW")).fallback.startswith("Hi there!")


async def test_every_home_button_reaches_a_registered_handler(rt: Runtime) -> None:
    nurse = await person(rt)
    await survey_round(rt.services.surveys, nurse.id, [nurse.id])
    reply = await home(rt)
    assert {b.action_id for b in buttons(reply)} <= rt.router.action_ids


async def test_only_surveys_still_waiting_are_offered_with_their_closing_day(rt: Runtime) -> None:
    nurse = await person(rt, timezone="America/Los_Angeles")
    other = await person(rt, "U-other")
    surveys = rt.services.surveys
    waiting = await survey_round(surveys, nurse.id, [nurse.id], days=3)
    answered = await survey_round(surveys, nurse.id, [nurse.id])
    not_mine = await survey_round(surveys, nurse.id, [other.id])
    closed = await survey_round(surveys, nurse.id, [nurse.id])
    await surveys.close_round(closed, NOW)
    definition = load_template("weekly-pulse").definition
    assert definition is not None
    required = [q.id for q in definition.questions]
    for question in required:
        await rt.services.survey_answers.record_answer(
            answered, nurse.id, question, "4", department="", unit="", required=required
        )

    invitations = await surveys.open_rounds_for(nurse.id)
    assert [(i.round_id, i.responded) for i in invitations] == [(waiting, False), (answered, True)]
    assert {i.title for i in invitations} == {definition.title}
    assert not_mine not in {i.round_id for i in await surveys.open_rounds_for(nurse.id)}

    reply = await home(rt)
    answer_now = [b for b in buttons(reply) if b.label == "Answer now"]
    assert [b.value for b in answer_now] == [str(waiting)]
    # Closes Thursday 15:00 UTC: 07:00 on Thursday in Los Angeles, the nurse's own zone.
    assert "open until Thu 26 Nov, 07:00" in reply.fallback
    assert "Weekly pulse" in reply.fallback

    await rt.services.people.set_language(nurse.id, "es")
    spanish = await home(rt)
    assert "Pulso semanal: anónima, abierta hasta el jue 26 nov, 07:00." in spanish.fallback


async def test_answered_everything_says_thanks(rt: Runtime) -> None:
    nurse = await person(rt)
    round_id = await survey_round(rt.services.surveys, nurse.id, [nurse.id])
    definition = load_template("weekly-pulse").definition
    assert definition is not None
    required = [q.id for q in definition.questions]
    for question in required:
        await rt.services.survey_answers.record_answer(
            round_id, nurse.id, question, "4", department="", unit="", required=required
        )
    assert "answered every open survey" in (await home(rt)).fallback


async def test_answer_now_opens_the_survey_as_a_new_message(rt: Runtime) -> None:
    nurse = await person(rt)
    round_id = await survey_round(rt.services.surveys, nurse.id, [nurse.id])
    [survey] = await rt.router.dispatch(action("pulse.open", str(round_id)))
    assert not survey.replace_original, "the home surface has no message to replace"
    assert [b for b in survey.blocks if isinstance(b, Choice)]
    [again] = await rt.router.dispatch(action("pulse.change", str(round_id)))
    assert again.replace_original, "Change my answers still redraws the thank-you in place"


async def test_own_ideas_are_listed_with_status_but_anonymous_ones_are_not(rt: Runtime) -> None:
    await person(rt, display_name="Rosa")
    for text, anonymous in (
        ("Warm blankets stocked on every unit, please.", False),
        ("Quiet hours after 10pm on the medical floors.", True),
    ):
        [preview] = await rt.router.dispatch(command("idea", text))
        label = "Submit anonymously" if anonymous else "Submit"
        [press] = [b for b in buttons(preview) if b.label == label]
        await rt.router.dispatch(action(press.action_id, press.value))
    [named] = await rt.services.ideas.by_submitter((await person(rt)).id)
    await rt.services.ideas.set_status(named.id, "under_review")

    reply = await home(rt)
    assert f"#{named.id} Warm blankets stocked on every unit, please.: Under review" in (
        reply.fallback
    )
    assert "Quiet hours" not in reply.fallback
    assert "shared anonymously aren't listed" in reply.fallback


async def test_own_ideas_show_the_phi_tags_in_the_persons_language(rt: Runtime) -> None:
    rosa = await person(rt, display_name="Rosa")
    [preview] = await rt.router.dispatch(
        command("idea", "Dr. Okafor asked for warm blankets on 3/4/2026 for every bed.")
    )
    [submit] = [b for b in buttons(preview) if b.label == "Submit"]
    await rt.router.dispatch(action(submit.action_id, submit.value))
    [idea] = await rt.services.ideas.by_submitter(rosa.id)
    assert idea.description.startswith("Dr. [NAME] asked for warm blankets on [DATE]")

    assert f"#{idea.id} Dr. [NAME] asked for warm blankets on [DATE]" in (await home(rt)).fallback
    await rt.services.people.set_language(rosa.id, "es")
    spanish = await home(rt)
    assert f"#{idea.id} Dr. [NOMBRE] asked for warm blankets on [FECHA]" in spanish.fallback


async def test_quick_actions_open_forms_that_work(rt: Runtime) -> None:
    [ask] = await rt.router.dispatch(action("knowledge.ask_form"))
    [form] = ask.forms()
    assert form.submit_action_id == "knowledge.ask_submit"
    [answer] = await rt.router.dispatch(
        action(form.submit_action_id, values={"question": "How many PTO days do I get?"})
    )
    assert "PTO" in answer.fallback

    [idea] = await rt.router.dispatch(action("ideas.new"))
    [idea_form] = idea.forms()
    assert isinstance(idea_form, Form)
    assert idea_form.submit_action_id == "ideas.submit_form"


async def test_the_home_hook_is_single_and_optional(rt: Runtime) -> None:
    with pytest.raises(ValueError, match="twice"):
        rt.router.home(_blank)
    bare = Router(rt.services)
    assert await bare.dispatch(opened()) == [], "no home handler: nothing to draw, no error"


async def _blank(ctx: Context[HomeOpened]) -> Reply:
    return Reply.text("")


async def test_the_home_is_in_the_persons_language_with_a_button_per_language(
    rt: Runtime,
) -> None:
    rosa = await person(rt, display_name="Rosa Díaz")
    await rt.services.people.set_language(rosa.id, "es")
    reply = await home(rt)
    assert reply.fallback.startswith("¡Hola, Rosa!")
    assert "Le escribo en español. Toque un idioma para cambiarlo." in reply.fallback
    chosen = [b for b in buttons(reply) if b.action_id == "language.choose"]
    assert [(b.label, b.value, b.style.value) for b in chosen] == [
        ("English", "en", "default"),
        ("Español", "es", "primary"),
    ]
    assert not english_on_screen([reply]), screen_text(reply)

    [done] = await rt.router.dispatch(action("language.choose", "en", user="U-nurse"))
    assert done.fallback.startswith("Done: from now on I write to you in English")
    assert (await home(rt)).fallback.startswith("Hi ")
