"""Builders for neutral events, so tests read as what a person did."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.events import Action, Actor, Command, ConversationKind, ConversationRef, Message
from bot.ownership import seal_value
from bot.services import Services
from skills.pulse.definition_files import load_template
from storage.people import Profile
from storage.surveys import SurveyRepository

TENANT = "T-test"


def actor(user: str = "U-nurse", platform: str = "console", **extra: Any) -> Actor:
    return Actor(platform=platform, tenant=TENANT, user_id=user, display_name=user, **extra)


def dm(platform: str = "console") -> ConversationRef:
    return ConversationRef(platform=platform, kind=ConversationKind.DIRECT)


def message(text: str, user: str = "U-nurse", **kw: Any) -> Message:
    return Message(actor=actor(user), conversation=dm(), text=text, **kw)


def command(name: str, text: str = "", user: str = "U-nurse", **kw: Any) -> Command:
    return Command(actor=actor(user), conversation=dm(), name=name, text=text, **kw)


def action(action_id: str, value: str = "", user: str = "U-nurse", **kw: Any) -> Action:
    return Action(actor=actor(user), conversation=dm(), action_id=action_id, value=value, **kw)


async def sealed_for(services: Services, user: str, action_id: str, payload: object) -> str:
    """The value a button drawn for `user` would carry, for set-ups that skip the message it
    sat on (votes cast by many people, say)."""
    person = await services.people.resolve(Profile("console", TENANT, user, user))
    key = await services.sealer.button_key()
    return seal_value(key, action_id, person.id, str(payload))


async def open_survey_round(
    surveys: SurveyRepository,
    owner: int,
    people: list[int],
    *,
    opened_at: datetime,
    days: int = 5,
) -> int:
    """A one-off weekly pulse, its round open since `opened_at` with `people` invited."""
    definition = load_template("weekly-pulse").definition
    assert definition is not None
    survey = await surveys.create(
        name=definition.title,
        definition=definition.to_json(),
        owner_person_id=owner,
        audience={"kind": "everyone"},
        schedule={"kind": "once"},
        next_run_at=None,
        open_days=days,
        reminder_after_days=2,
        threshold=5,
    )
    round_ = await surveys.open_round(
        survey.id,
        opened_at=opened_at,
        remind_at=None,
        closes_at=opened_at + timedelta(days=days),
        person_ids=people,
    )
    assert round_ is not None
    return round_.id
