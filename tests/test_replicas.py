"""Two `breakroom serve` processes on one PostgreSQL database, as several replicas behind a load
balancer run: the same double click sent to both at once has its effect once, the person reads
one confirmation and one kind "already done", and a newcomer's first two events, one on each
replica, never end in "I couldn't reach my database"."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from bot.fallbacks import CONFLICT_APOLOGY, STORAGE_APOLOGY
from bot.ownership import seal_value
from bot.sealing import Sealer
from skills.ideas import messages as ideas_say
from skills.ideas.actions import CONFIRM, UPVOTE
from skills.pulse import messages as pulse_say
from skills.pulse.definition_files import load_template
from skills.pulse.engine import ANSWER
from skills.pulse.schedule import Schedule
from storage.db import Database
from storage.ideas import IdeaRepository
from storage.migrate import upgrade
from storage.models import IdeaRow, IdeaVoteRow, IdentityRow, PersonRow, ResponseRow
from storage.people import PeopleRepository, Profile
from storage.secrets import SecretStore
from storage.surveys import SurveyRepository
from tests.cli import Served, serving
from tests.conftest import POSTGRES_URL
from tests.fake_slack import TEAM_ID, Call, FakeSlack
from tests.slack_payloads import FORM, SIGNING_SECRET, block_actions, dm_event, interaction, signed

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        POSTGRES_URL is None,
        reason="BREAKROOM_TEST_DATABASE_URL is not set (replicas share one PostgreSQL database)",
    ),
]

PEOPLE = 20  # each double-clicks once per kind of button
NEWCOMERS = 30  # each writes to both replicas at once, never met before


@asynccontextmanager
async def fresh_database() -> AsyncIterator[str]:
    """A database of its own on the test server, migrated; its URL. The servers' DATABASE_URL
    can name a database but not a schema, so each run gets a database and drops it after."""
    assert POSTGRES_URL is not None
    name = f"breakroom_replicas_{uuid.uuid4().hex[:12]}"
    admin = Database(POSTGRES_URL)
    try:
        async with admin.engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
        db = Database(url)
        await upgrade(db)
        await db.dispose()
        yield url
    finally:
        async with admin.engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


@asynccontextmanager
async def replicas(tmp_path: Path, url: str, fake: FakeSlack) -> AsyncIterator[list[Served]]:
    """Two `breakroom serve` processes on one database, started side by side."""
    env = {
        "DATABASE_URL": url,
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake.url,
    }
    async with AsyncExitStack() as stack:
        folders = [tmp_path / "a", tmp_path / "b"]
        for folder in folders:
            folder.mkdir()
        served = await asyncio.gather(
            *(stack.enter_async_context(serving(folder, **env)) for folder in folders)
        )
        yield list(served)
    for server in served:
        assert "Traceback" not in server.log


class World:
    """What the servers find in the database before the clicks: people, a draft each, an idea
    to vote for, an open survey round that invited everyone."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.users = [f"U{n:04d}" for n in range(PEOPLE)]
        self.person_ids: dict[str, int] = {}
        self.drafts: dict[str, int] = {}
        self.idea_id = 0
        self.round_id = 0
        self.button_key = b""

    async def build(self) -> None:
        people = PeopleRepository(self.db)
        ideas = IdeaRepository(self.db)
        ids = self.person_ids
        for user in [*self.users, "UAUTHOR", "UHR"]:
            ids[user] = (await people.resolve(Profile("slack", TEAM_ID, user))).id
        # The servers derive the same key from the seal key they find in the database.
        self.button_key = await Sealer(None, SecretStore(self.db)).button_key()
        for user in self.users:
            draft = await ideas.save_draft(
                ids[user],
                title="",
                description=f"Warm blankets in the waiting room, asked for by {user}",
                category="comfort",
                unit="",
                anonymous=False,
            )
            self.drafts[user] = draft.id
        author = await ideas.save_draft(
            ids["UAUTHOR"],
            title="Quiet hours",
            description="Dim the corridor lights at night on 5 North",
            category="comfort",
            unit="",
            anonymous=False,
        )
        submitted = await ideas.submit(author, sealed_submitter=None)
        assert submitted is not None
        self.idea_id = submitted.id
        definition = load_template("monthly-enps").definition
        assert definition is not None
        now = datetime.now(UTC)
        surveys = SurveyRepository(self.db)
        survey = await surveys.create(
            name=definition.title,
            definition=definition.to_json(),
            owner_person_id=ids["UHR"],
            audience={"kind": "everyone"},
            schedule=Schedule.once(now.date(), now.time().replace(microsecond=0)).to_json(),
            next_run_at=None,
            open_days=5,
            reminder_after_days=2,
            threshold=5,
        )
        round_ = await surveys.open_round(
            survey.id,
            opened_at=now,
            remind_at=None,
            closes_at=now + timedelta(days=5),
            person_ids=[ids[user] for user in self.users],
        )
        assert round_ is not None
        self.round_id = round_.id

    def sealed(self, action_id: str, user: str, payload: int) -> str:
        """The value of a button drawn for `user`, as the servers seal it."""
        return seal_value(self.button_key, action_id, self.person_ids[user], str(payload))

    async def count(self, statement: Any) -> int:
        async with self.db.transaction() as session:
            return int(await session.scalar(statement) or 0)


async def send_to_both(
    http: aiohttp.ClientSession, servers: list[Served], bodies: list[tuple[str, str]]
) -> None:
    """Each (body, content type) to its replica, all at once; every one must be acknowledged."""

    async def post(base: str, body: str, content_type: str) -> int:
        headers = signed(body, content_type=content_type)
        async with http.post(f"{base}/slack/events", data=body, headers=headers) as response:
            return response.status

    statuses = await asyncio.gather(
        *(
            post(servers[n % 2].base, body, content_type)
            for n, (body, content_type) in enumerate(bodies)
        )
    )
    assert set(statuses) == {200}


def double_clicks(
    fake: FakeSlack, world: World, action_id: str, value: Callable[[str], str], tag: str
) -> list[tuple[str, str]]:
    """Every person's two clicks of one button, each with a response_url of its own."""
    bodies = []
    for user in world.users:
        for replica in ("a", "b"):
            payload = block_actions(
                action_id,
                value(user),
                user,
                channel=f"D{user}",
                message_ts="1700000000.000100",
                response_url=fake.response_url(f"{tag}-{user}-{replica}"),
                trigger_id=f"{tag}.{user}.{replica}",
            )
            bodies.append((interaction(payload), FORM))
    return bodies


def replies_by_user(calls: list[Call], tag: str) -> dict[str, list[str]]:
    replies: dict[str, list[str]] = {}
    for call in calls:
        key = str(call.args["key"])
        if key.startswith(f"{tag}-"):
            user = key.split("-")[1]
            replies.setdefault(user, []).append(str(call.args.get("text", "")))
    return replies


async def wait_for_replies(fake: FakeSlack, tag: str, count: int) -> dict[str, list[str]]:
    def arrived() -> bool:
        found = replies_by_user(fake.calls["response_url"], tag)
        return sum(len(texts) for texts in found.values()) >= count

    await fake.wait_until(arrived, timeout=30)
    return replies_by_user(fake.calls["response_url"], tag)


def tally(replies: dict[str, list[str]], done: Callable[[str], bool]) -> tuple[int, int, int]:
    """(people with exactly one confirmation, confirmations in all, apologies: for the database
    or for a conflict)."""
    once = sum(1 for texts in replies.values() if sum(map(done, texts)) == 1)
    confirmations = sum(sum(map(done, texts)) for texts in replies.values())
    apologies = sum(apologised(t) for texts in replies.values() for t in texts)
    return once, confirmations, apologies


def apologised(text: str) -> bool:
    return STORAGE_APOLOGY in text or CONFLICT_APOLOGY in text


async def test_double_clicks_and_first_contact_on_two_replicas_have_their_effect_once(
    tmp_path: Path,
) -> None:
    async with fresh_database() as url, FakeSlack() as fake:
        world = World(Database(url))
        await world.build()
        async with replicas(tmp_path, url, fake) as servers, aiohttp.ClientSession() as http:
            await run_races(world, fake, servers, http)
        await world.db.dispose()


async def run_races(
    world: World, fake: FakeSlack, servers: list[Served], http: aiohttp.ClientSession
) -> None:
    """Every race at once, as a busy shift change would have them: each person double-clicks
    Submit on their draft, their survey answer and a vote, and each newcomer writes twice."""
    newcomers = [f"UNEW{n:04d}" for n in range(NEWCOMERS)]
    first_contact = [
        (json.dumps(dm_event("help", user, f"Ev{user}{replica}")), "application/json")
        for user in newcomers
        for replica in ("a", "b")
    ]
    await send_to_both(
        http,
        servers,
        [
            *double_clicks(
                fake, world, CONFIRM, lambda u: world.sealed(CONFIRM, u, world.drafts[u]), "idea"
            ),
            *double_clicks(fake, world, ANSWER, lambda _: f"{world.round_id}|recommend|9", "pulse"),
            *double_clicks(
                fake, world, UPVOTE, lambda u: world.sealed(UPVOTE, u, world.idea_id), "vote"
            ),
            *first_contact,
        ],
    )
    ideas = await wait_for_replies(fake, "idea", 2 * PEOPLE)
    answers = await wait_for_replies(fake, "pulse", 2 * PEOPLE)
    votes_replies = await wait_for_replies(fake, "vote", 2 * PEOPLE)
    await fake.wait_until(
        lambda: sum(len(fake.posted_to(user)) for user in newcomers) >= 2 * NEWCOMERS, timeout=30
    )

    figures: dict[str, str] = {}
    stored_ideas = await world.count(select(func.count()).select_from(IdeaRow)) - 1
    once, confirmations, apologies = tally(ideas, lambda t: t.startswith("Thank you! Your idea"))
    figures["ideas"] = (
        f"{stored_ideas} ideas from {PEOPLE} drafts, {confirmations} thank-yous, "
        f"{apologies} apologies"
    )
    responses = await world.count(
        select(func.count()).select_from(ResponseRow).where(ResponseRow.round_id == world.round_id)
    )
    survey_once, survey_thanks, survey_apologies = tally(
        answers, lambda t: t.startswith("Thank you! Your answers to")
    )
    figures["survey"] = (
        f"{responses} responses from {PEOPLE} people, {survey_thanks} thank-yous, "
        f"{survey_apologies} apologies"
    )
    votes = await world.count(
        select(func.count()).select_from(IdeaVoteRow).where(IdeaVoteRow.idea_id == world.idea_id)
    )
    counted = ideas_say.VOTED.split(",")[0].format(id=world.idea_id)
    vote_once, vote_confirmations, vote_apologies = tally(
        votes_replies, lambda t: t.startswith(counted)
    )
    figures["votes"] = (
        f"{votes} votes from {PEOPLE} people, {vote_confirmations} confirmations, "
        f"{vote_apologies} apologies"
    )
    welcomed = [m["text"] for user in newcomers for m in fake.posted_to(user)]
    first_contact_apologies = sum(STORAGE_APOLOGY in t for t in welcomed)
    first_contact_conflicts = sum(CONFLICT_APOLOGY in t for t in welcomed)
    people = await world.count(
        select(func.count())
        .select_from(PersonRow)
        .join(IdentityRow, IdentityRow.person_id == PersonRow.id)
        .where(IdentityRow.user_id.like("UNEW%"))
    )
    figures["first contact"] = (
        f"{first_contact_apologies} of {2 * NEWCOMERS} replies said the database was "
        f"unreachable; {people} people for {NEWCOMERS} newcomers"
    )
    print("\nreplicas: " + "; ".join(f"{k}: {v}" for k, v in figures.items()))

    assert stored_ideas == PEOPLE
    assert (once, confirmations, apologies) == (PEOPLE, PEOPLE, 0)
    assert all(ideas_say.ALREADY_SENT in texts for texts in ideas.values())
    assert responses == PEOPLE
    assert (survey_once, survey_thanks, survey_apologies) == (PEOPLE, PEOPLE, 0)
    assert all(
        any(t.startswith(pulse_say.ALREADY_ANSWERED) for t in texts) for texts in answers.values()
    )
    assert votes == PEOPLE
    assert (vote_once, vote_confirmations, vote_apologies) == (PEOPLE, PEOPLE, 0)
    already_voted = ideas_say.ALREADY_VOTED.format(id=world.idea_id)
    assert all(already_voted in texts for texts in votes_replies.values())
    assert (first_contact_apologies, first_contact_conflicts) == (0, 0)
    assert people == NEWCOMERS
