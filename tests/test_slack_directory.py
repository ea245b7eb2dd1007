"""Directory sync over real HTTP against the fake Slack Web API: users.list paged by cursor, a
429 waited out, guests, bots and deactivated accounts skipped, members no longer listed marked
as left (only after a complete read), and events answered from the stored profile with no
per-user look-ups."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.directory import SlackDirectory, Sleep
from bot.directory import SYNC_CRON, SYNC_JOB, Directories, DirectoryUnavailable, SyncReport
from bot.events import SYSTEM_ACTOR, SYSTEM_CONVERSATION, Actor, Message, ScheduledTrigger
from bot.runtime import Runtime
from storage.db import Database
from storage.people import PeopleRepository, Person, Profile
from storage.roster_hints import RosterHints
from storage.surveys import SurveyRepository
from tests.cli import BREAKROOM, clean_env, run
from tests.fake_slack import TEAM_ID, FakeSlack
from tests.helpers import dm

Json = dict[str, Any]
STAFF = 445  # with the five below, 450 members: pages of 200, 200 and 50
NOT_PEOPLE = ("U9001", "U9002", "U9003", "U9004", "USLACKBOT")


def member(n: int, **extra: Any) -> Json:
    user: Json = {
        "id": f"U{n:04d}",
        "team_id": TEAM_ID,
        "name": f"user{n}",
        "deleted": False,
        "is_bot": False,
        "real_name": f"Real Name {n}",
        "tz": "America/Chicago",
        "locale": "en-US",
        "profile": {
            "display_name": f"Display {n}",
            "real_name": f"Real Name {n}",
            "email": f"user{n}@hospital.example",
        },
    }
    user.update(extra)
    return user


def workspace() -> list[Json]:
    return [
        *(member(n) for n in range(STAFF)),
        member(9001, is_bot=True, name="pager-bot"),
        member(9002, deleted=True),
        member(9003, is_restricted=True),  # a multi-channel guest: an agency nurse
        member(9004, is_restricted=True, is_ultra_restricted=True),  # a single-channel guest
        {"id": "USLACKBOT", "name": "slackbot", "deleted": False, "is_bot": False},
    ]


class RateLimitedOnPage2(FakeSlack):
    """Answers the second users.list request with 429 and a Retry-After, as Slack does."""

    async def _users_list(self, args: Json) -> Json:
        page = await super()._users_list(args)
        if not args.get("cursor"):
            self.fail_next("users.list", "ratelimited", status=429, headers={"Retry-After": "3"})
        return page


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with RateLimitedOnPage2() as fake:
        fake.users = workspace()
        yield fake


@pytest.fixture
def client(slack: FakeSlack) -> AsyncWebClient:
    return AsyncWebClient(token="xoxb-test", base_url=slack.url)


class Sleeps(list[float]):
    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


async def sync_directory(
    client: AsyncWebClient, directories: Directories, sleep: Sleep | None = None
) -> SyncReport:
    directory = SlackDirectory(client, sleep=Sleeps() if sleep is None else sleep)
    return await directories.sync(directory)


def directories_on(database: Database) -> Directories:
    return Directories(PeopleRepository(database), RosterHints(database))


async def test_sync_pages_waits_out_a_429_and_skips_guests_bots_and_deactivated(
    slack: FakeSlack, client: AsyncWebClient, runtime: Runtime
) -> None:
    people = runtime.services.people
    sleeps = Sleeps()
    report = await sync_directory(client, runtime.services.directories, sleeps)

    assert (report.tenants, report.people, report.skipped, report.batches) == (
        (TEAM_ID,),
        STAFF,
        len(NOT_PEOPLE),
        3,
    )
    assert sleeps == [3.0], "slept for Retry-After, then asked for the same page again"
    calls = slack.calls["users.list"]
    assert [(c.args.get("cursor"), c.status) for c in calls] == [
        (None, 200),
        ("200", 429),
        ("200", 200),
        ("400", 200),
    ]
    assert all(c.args["limit"] == "200" for c in calls)
    assert all(c.args["include_locale"] in ("1", "true") for c in calls)

    identity = await people.find_identity("slack", "U0007")
    assert identity is not None
    assert identity.tenant == TEAM_ID
    stored = await people.get(identity.person_id)
    assert stored is not None
    assert (stored.display_name, stored.email, stored.timezone, stored.locale) == (
        "Display 7",
        "user7@hospital.example",
        "America/Chicago",
        "en-US",
    )
    for skipped in NOT_PEOPLE:
        assert await people.find_identity("slack", skipped) is None


async def test_a_resync_refreshes_changed_details_and_keeps_what_slack_left_out(
    slack: FakeSlack, client: AsyncWebClient, runtime: Runtime
) -> None:
    people = runtime.services.people
    await sync_directory(client, runtime.services.directories)
    slack.users[1]["tz"] = "America/Los_Angeles"  # moved to the west-coast campus
    del slack.users[1]["profile"]["email"]  # as without the users:read.email scope
    slack.users[2]["profile"]["display_name"] = ""  # falls back to the real name
    await sync_directory(client, runtime.services.directories)

    first = await _person(people, "U0001")
    assert first.timezone == "America/Los_Angeles"
    assert first.email == "user1@hospital.example", "a missing e-mail leaves the stored one"
    assert (await _person(people, "U0002")).display_name == "Real Name 2"


async def test_sync_is_not_contact_and_retires_deactivated_people(
    slack: FakeSlack, client: AsyncWebClient, runtime: Runtime
) -> None:
    people = runtime.services.people
    blocked = await people.resolve(Profile("slack", TEAM_ID, "U0003"))
    leaver = await people.resolve(Profile("slack", TEAM_ID, "U9002"))
    [blocked_identity] = await people.identities(blocked.id)
    await people.mark_unreachable(blocked_identity.id)

    report = await sync_directory(client, runtime.services.directories)

    assert report.deactivated == 1
    [still_blocked] = await people.identities(blocked.id)
    assert not still_blocked.reachable, "only hearing from the person makes them reachable"
    [left] = await people.identities(leaver.id)
    assert not left.reachable, "a deactivated account drops out of survey audiences"


async def test_events_are_answered_from_the_stored_profile_without_user_lookups(
    slack: FakeSlack, client: AsyncWebClient, runtime: Runtime
) -> None:
    await sync_directory(client, runtime.services.directories)
    before = {method: len(calls) for method, calls in slack.calls.items()}
    # What the Slack inbound adapter hands the core: the event's user id and team, nothing more.
    bare = Actor(platform="slack", tenant=TEAM_ID, user_id="U0005")
    [reply] = await runtime.router.dispatch(
        Message(actor=bare, conversation=dm("slack"), text="help")
    )

    assert reply.fallback.startswith("Hi Display!"), "greeted by the name from the directory"
    assert {method: len(calls) for method, calls in slack.calls.items()} == before
    assert "users.info" not in slack.calls
    assert (await _person(runtime.services.people, "U0005")).timezone == "America/Chicago"


async def test_a_refusal_names_the_missing_scope(
    slack: FakeSlack, client: AsyncWebClient, runtime: Runtime
) -> None:
    slack.fail_next("users.list", "missing_scope")
    with pytest.raises(DirectoryUnavailable, match=r"missing_scope .*users:read\.email"):
        await sync_directory(client, runtime.services.directories)


async def test_the_daily_job_syncs_the_token_workspace_on_the_leader(
    slack: FakeSlack, client: AsyncWebClient, runtime: Runtime
) -> None:
    slack.users = workspace()[:3]
    runtime.services.directories.register(SlackDirectory(client))
    assert runtime.router.recurring_jobs[SYNC_JOB] == SYNC_CRON

    trigger = ScheduledTrigger(actor=SYSTEM_ACTOR, conversation=SYSTEM_CONVERSATION, job=SYNC_JOB)
    assert await runtime.router.dispatch(trigger) == []

    assert len(slack.calls["auth.test"]) == 1
    identity = await runtime.services.people.find_identity("slack", "U0002")
    assert identity is not None
    assert identity.tenant == TEAM_ID


async def test_breakroom_slack_sync_command(slack: FakeSlack, tmp_path: Path) -> None:
    slack.users = workspace()[:2]
    database = tmp_path / "cli.db"
    process = await asyncio.create_subprocess_exec(
        BREAKROOM,
        "slack",
        "sync",
        cwd=tmp_path,
        env=clean_env(
            DATABASE_URL=f"sqlite+aiosqlite:///{database}",
            SLACK_BOT_TOKEN="xoxb-test",
            SLACK_SIGNING_SECRET="not-needed-to-sync-but-required-with-a-token",
            SLACK_API_URL=slack.url,
        ),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, err.decode()
    assert out.decode().startswith(f"synced 2 people from Slack workspace {TEAM_ID}")

    db = Database(f"sqlite+aiosqlite:///{database}")
    try:
        assert await PeopleRepository(db).find_identity("slack", "U0001") is not None
    finally:
        await db.dispose()


def test_the_sync_command_needs_a_bot_token(tmp_path: Path) -> None:
    result = run(["slack", "sync"], cwd=tmp_path)
    assert result.returncode == 1
    assert "SLACK_BOT_TOKEN is not set" in result.stderr
    assert not (tmp_path / "breakroom.db").exists(), "refused before touching the database"


async def test_who_is_no_longer_listed_has_left_everyone(
    slack: FakeSlack, client: AsyncWebClient, database: Database
) -> None:
    directories, people = directories_on(database), PeopleRepository(database)
    slack.users = workspace()[:4]
    # Known only from their own messages: no directory can say they left.
    await people.resolve(Profile("slack", TEAM_ID, "U7777", display_name="Float Pool"))
    await sync_directory(client, directories)
    assert await everyone(database) == {"U0000", "U0001", "U0002", "U0003", "U7777"}

    # U0001 left the hospital's workspace; U0002 became a guest (not staff any more).
    slack.users = [slack.users[0], {**slack.users[2], "is_restricted": True}, slack.users[3]]
    report = await sync_directory(client, directories)

    assert report.left == 2
    assert await everyone(database) == {"U0000", "U0003", "U7777"}
    leaver = await people.find_identity("slack", "U0001")
    assert leaver is not None
    assert leaver.left
    assert leaver.reachable, "having left is not having blocked the bot"
    staying = await people.find_identity("slack", "U0000")
    assert staying is not None
    assert not staying.left
    assert (await sync_directory(client, directories)).left == 0, "marked once"

    # Writing to the bot brings someone back.
    await people.resolve(Profile("slack", TEAM_ID, "U0002"))
    assert "U0002" in await everyone(database)
    # Listed again (back from leave), back in every audience.
    slack.users.append(member(1))
    await sync_directory(client, directories)
    assert await everyone(database) == {"U0000", "U0001", "U0002", "U0003", "U7777"}


async def test_a_read_that_fails_part_way_marks_nobody(
    slack: FakeSlack, client: AsyncWebClient, database: Database
) -> None:
    directories = directories_on(database)
    await sync_directory(client, directories)  # pages of 200, 200 and 50
    slack.users = slack.users[:300]  # the last 145 people are gone

    async def outage(seconds: float) -> None:
        """While the 429 on the second page is waited out, Slack goes down."""
        slack.fail_next("users.list", "internal_error", status=500)

    with pytest.raises(DirectoryUnavailable, match="internal_error"):
        await sync_directory(client, directories, outage)
    assert [c.status for c in slack.calls["users.list"][-3:]] == [200, 429, 500]
    assert len(await everyone(database)) == STAFF, "an incomplete read marks nobody"

    report = await sync_directory(client, directories)
    assert report.left == STAFF - 300
    assert len(await everyone(database)) == 300


async def everyone(database: Database) -> set[str]:
    """The Slack user ids of a survey's "everyone" audience."""
    people = PeopleRepository(database)
    audience = await SurveyRepository(database).audience(platforms=("slack",))
    return {(await people.identities(r.person_id))[0].user_id for r in audience}


async def _person(people: PeopleRepository, user_id: str) -> Person:
    identity = await people.find_identity("slack", user_id)
    assert identity is not None
    found = await people.get(identity.person_id)
    assert found is not None
    return found
