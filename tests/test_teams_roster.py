"""Team rosters over real HTTP on loopback: installing the bot in a team reads the roster into
storage, a survey to a team reaches members who never wrote to the bot through a 1:1 chat the
bot opens, a roster read for a survey audience writes nothing, and the nightly directory sync
re-reads every stored team and group chat and marks who is in none of them any more."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.directory import HINT_LIFETIME, SYNC_CRON, SYNC_JOB
from bot.events import SYSTEM_ACTOR, SYSTEM_CONVERSATION, ScheduledTrigger
from bot.messenger import RecipientUnreachable
from bot.replies import Reply
from storage.models import RosterHintRow
from storage.people import Identity
from tests.fake_connector import Call
from tests.teams_harness import (
    BOT,
    HR,
    HR_AAD,
    HR_TEAMS,
    NURSE_AAD,
    NURSE_TEAMS,
    PERSONAL,
    TENANT,
    Json,
    Teams,
    User,
    card_of,
    text_of,
)

TEAM = "19:unit@thread.tacv2"
CHAT = "19:huddle@thread.v2"
PORTER_AAD = "aad-porter"
PORTER_TEAMS = "29:porter"


def member(teams_id: str, aad: str, name: str, **extra: Any) -> Json:
    return {"id": teams_id, "aadObjectId": aad, "name": name, "tenantId": TENANT, **extra}


PORTER = member(PORTER_TEAMS, PORTER_AAD, "Pat Porter", email="pat@hospital.example")
NURSE = member(NURSE_TEAMS, NURSE_AAD, "Nora Nurse", userPrincipalName="nora@hospital.example")
OTHER_BOT = {"id": "28:another-bot", "name": "Rounds bot"}


def installed(teams: Teams, conversation_id: str, kind: str = "channel") -> Json:
    """The conversationUpdate Teams sends when the bot is added to a team or group chat."""
    channel_data: Json = {"tenant": {"id": TENANT}, "eventType": "teamMemberAdded"}
    if kind == "channel":
        channel_data["team"] = {"id": conversation_id}
    return teams.message(
        "",
        f"install-{conversation_id}",
        type="conversationUpdate",
        conversation={"id": conversation_id, "conversationType": kind, "tenantId": TENANT},
        channelData=channel_data,
        membersAdded=[{"id": BOT}],
    )


async def install(teams: Teams, conversation_id: str, kind: str = "channel") -> None:
    assert await teams.activity(installed(teams, conversation_id, kind)) in (200, 201)
    await teams.bridge.settle()


def chats_opened_with(teams: Teams, teams_id: str) -> list[Call]:
    """The personal chats the bot opened with one person (the installer gets one for their
    welcome too)."""
    return [c for c in teams.fake.of_kind("create") if c.body["members"] == [{"id": teams_id}]]


async def identity(teams: Teams, user_id: str) -> Identity:
    found = await teams.runtime.services.people.find_identity("teams", user_id)
    assert found is not None
    return found


async def test_installing_in_a_team_stores_its_roster(teams: Teams) -> None:
    teams.fake.rosters[TEAM] = [PORTER, NURSE, OTHER_BOT]
    await install(teams, TEAM)

    [read] = teams.fake.of_kind("members")
    assert (read.conversation_id, read.query) == (TEAM, {"pageSize": "500"})
    services = teams.runtime.services
    porter = await services.people.get((await identity(teams, PORTER_AAD)).person_id)
    assert porter is not None
    assert (porter.display_name, porter.email) == ("Pat Porter", "pat@hospital.example")
    nurse = await services.people.get((await identity(teams, NURSE_AAD)).person_id)
    assert nurse is not None
    assert nurse.email == "nora@hospital.example"  # no e-mail: the user principal name
    assert await services.people.find_identity("teams", "28:another-bot") is None
    assert await services.roster_hints.load("teams", PORTER_AAD) == {
        "teams_id": PORTER_TEAMS,
        "service_url": teams.fake.url,
        "tenant": TENANT,
        "bot": {"id": BOT, "name": "Breakroom"},
    }
    assert await services.conversations.load("teams", "member:" + PORTER_AAD) is None


async def test_a_personal_install_reads_no_roster(teams: Teams) -> None:
    await install(teams, PERSONAL, kind="personal")
    assert not teams.fake.of_kind("members")


async def test_a_roster_of_several_pages_is_read_to_the_end_and_not_stored(
    teams: Teams,
) -> None:
    everyone = [member(f"29:p{n}", f"aad-p{n}", f"Person {n}") for n in range(1001)]
    teams.fake.rosters[TEAM] = everyone
    services = teams.runtime.services
    await services.conversations.save("teams", TEAM, _reference(teams, TEAM))

    members = await services.outbound.channel_members(f"teams:{TEAM}")

    assert members == [("teams", f"aad-p{n}") for n in range(1001)]
    tokens = [c.query.get("continuationToken") for c in teams.fake.of_kind("members")]
    assert tokens == [None, "500", "1000"]
    # Reading a roster for a survey's audience only reads: the nightly sync stores people.
    assert await services.people.find_identity("teams", "aad-p1000") is None
    assert await services.roster_hints.load("teams", "aad-p1000") is None

    await sync(teams)
    assert (await identity(teams, "aad-p1000")).reachable
    assert await services.roster_hints.load("teams", "aad-p1000") is not None


async def test_a_throttled_roster_page_is_asked_for_again(teams: Teams) -> None:
    teams.fake.rosters[TEAM] = [PORTER]
    await install(teams, TEAM)
    teams.fake.fail_next(429, headers={"Retry-After": "0"})
    members = await teams.runtime.services.outbound.channel_members(TEAM)
    assert members == [("teams", PORTER_AAD)]
    assert [c.status for c in teams.fake.of_kind("members")] == [200, 429, 200]


async def test_a_survey_to_a_team_reaches_a_member_who_never_wrote(teams: Teams) -> None:
    teams.fake.rosters[TEAM] = [PORTER, NURSE]
    assert await teams.activity(teams.message("help", "m-nurse-hello")) in (200, 201)
    await install(teams, TEAM)
    before = len(teams.fake.calls)

    command = teams.message(
        f"pulse create weekly-pulse to channel {TEAM} now",
        "m-pulse",
        conversation={"id": "a:personal-hr", "conversationType": "personal", "tenantId": TENANT},
    )
    command["from"] = {"id": HR_TEAMS, "aadObjectId": HR_AAD, "name": "Hana HR"}
    assert await teams.activity(command) in (200, 201)
    await teams.runtime.delivery.run_until_idle()

    [create] = teams.fake.of_kind("create")  # the nurse has a personal chat already
    assert create.body["isGroup"] is False
    assert create.body["members"] == [{"id": PORTER_TEAMS}]
    assert create.body["bot"]["id"] == BOT
    # botbuilder spells the field "tenantID"; Teams reads the tenant from channelData.
    assert create.body["tenantID"] == TENANT
    assert create.body["channelData"] == {"tenant": {"id": TENANT}}
    created = teams.fake.calls.index(create)
    sends = [c for c in teams.fake.calls[before:] if c.kind == "send"]
    surveys = {c.conversation_id: c for c in sends if "weekly" in text_of(c).lower()}
    opened = teams.fake.calls[created + 1 :]
    porter_chat = next(c.conversation_id for c in opened if c.kind == "send")
    assert set(surveys) == {porter_chat, PERSONAL}
    assert card_of(surveys[porter_chat].body)["type"] == "AdaptiveCard"
    stored = await teams.runtime.services.conversations.load("teams", PORTER_AAD)
    assert stored is not None
    assert stored["conversation"]["id"] == porter_chat
    assert "activityId" not in stored

    # The next DM to the porter goes into the same chat: nothing is created again.
    porter = await identity(teams, PORTER_AAD)
    await teams.runtime.services.outbound.to_person(porter.person_id, Reply.text("Thank you"))
    assert len(teams.fake.of_kind("create")) == 1
    last = teams.fake.calls[-1]
    assert (last.kind, last.conversation_id, text_of(last)) == (
        "send",
        porter_chat,
        "Thank you",
    )


async def test_a_refused_chat_marks_the_member_unreachable(teams: Teams) -> None:
    teams.fake.rosters[TEAM] = [PORTER]
    await install(teams, TEAM)
    porter = await identity(teams, PORTER_AAD)
    teams.fake.fail_next(403)

    with pytest.raises(RecipientUnreachable):
        await teams.runtime.services.outbound.to_person(porter.person_id, Reply.text("Hello"))

    [create] = chats_opened_with(teams, PORTER_TEAMS)
    assert create.status == 403
    assert teams.fake.calls[-1] is create  # nothing sent after it
    assert not (await identity(teams, PORTER_AAD)).reachable
    # Reading the roster again is not contact: the mark stays until the porter writes.
    await sync(teams)
    assert not (await identity(teams, PORTER_AAD)).reachable


async def test_the_daily_job_rereads_every_team_and_chat_past_a_refusal(teams: Teams) -> None:
    assert teams.runtime.router.recurring_jobs[SYNC_JOB] == SYNC_CRON
    teams.fake.rosters[TEAM] = [NURSE]
    teams.fake.rosters[CHAT] = [NURSE]
    await install(teams, TEAM)
    await install(teams, CHAT, kind="groupChat")
    teams.fake.rosters[TEAM].append(PORTER)  # a newcomer in both
    teams.fake.rosters[CHAT].append(PORTER)
    teams.fake.fail_next(403)  # the first one read, the group chat, removed the bot
    before = len(teams.fake.of_kind("members"))

    await sync(teams)

    reads = teams.fake.of_kind("members")[before:]
    assert [(c.conversation_id, c.status) for c in reads] == [(CHAT, 403), (TEAM, 200)]
    porter = await identity(teams, PORTER_AAD)
    assert porter.reachable
    assert not porter.left


async def everyone(teams: Teams) -> set[str]:
    """The user ids of a survey's "everyone" audience in Teams."""
    services = teams.runtime.services
    audience = await services.surveys.audience(platforms=("teams",))
    return {(await services.people.identities(r.person_id))[0].user_id for r in audience}


async def test_who_is_in_no_roster_any_more_has_left_everyone(teams: Teams) -> None:
    teams.fake.rosters[TEAM] = [PORTER, NURSE]
    assert await teams.activity(teams.message("help", "m-nurse-hello")) in (200, 201)
    assert await teams.activity(teams.message("help", "m-hr-hello", by=HR)) in (200, 201)
    await install(teams, TEAM)
    assert await everyone(teams) == {PORTER_AAD, NURSE_AAD, HR_AAD}

    teams.fake.rosters[TEAM] = [NURSE]  # the porter moved to another hospital
    await sync(teams)

    porter = await identity(teams, PORTER_AAD)
    assert porter.left
    assert porter.reachable, "left is not blocked: a DM may still reach them"
    # The HR lead wrote to the bot but is on no roster: no directory can say they left.
    assert not (await identity(teams, HR_AAD)).left
    assert await everyone(teams) == {NURSE_AAD, HR_AAD}
    # Back in the team, back in the audience.
    teams.fake.rosters[TEAM] = [NURSE, PORTER]
    await sync(teams)
    assert not (await identity(teams, PORTER_AAD)).left
    assert await everyone(teams) == {PORTER_AAD, NURSE_AAD, HR_AAD}


async def test_writing_to_the_bot_brings_someone_who_left_back(teams: Teams) -> None:
    teams.fake.rosters[TEAM] = [PORTER, NURSE]
    await install(teams, TEAM)
    teams.fake.rosters[TEAM] = [NURSE]
    await sync(teams)
    assert (await identity(teams, PORTER_AAD)).left

    porter = User(PORTER_AAD, PORTER_TEAMS, "Pat Porter", "a:personal-porter")
    assert await teams.activity(teams.message("help", "m-porter", by=porter)) in (200, 201)
    assert not (await identity(teams, PORTER_AAD)).left
    # Known from their own messages now: still on no roster, and not marked again.
    await sync(teams)
    assert not (await identity(teams, PORTER_AAD)).left
    assert PORTER_AAD in await everyone(teams)


async def test_a_roster_that_could_not_be_read_marks_nobody(teams: Teams) -> None:
    teams.fake.rosters[TEAM] = [NURSE]
    teams.fake.rosters[CHAT] = [PORTER]
    await install(teams, TEAM)
    await install(teams, CHAT, kind="groupChat")

    teams.fake.fail_next(500, conversation=CHAT)  # an outage while the group chat is read
    await sync(teams)
    assert not (await identity(teams, PORTER_AAD)).left, "an incomplete read marks nobody"

    teams.fake.fail_next(403, conversation=CHAT)  # the bot was removed from the group chat
    await sync(teams)
    assert (await identity(teams, PORTER_AAD)).left, "the bot is in no chat with them now"
    assert not (await identity(teams, NURSE_AAD)).left


async def test_a_roster_hint_expires(teams: Teams) -> None:
    teams.fake.rosters[TEAM] = [PORTER]
    await install(teams, TEAM)
    services = teams.runtime.services
    porter = await identity(teams, PORTER_AAD)
    hint = await services.roster_hints.load("teams", PORTER_AAD)
    assert hint is not None
    await services.roster_hints.save(
        "teams", {PORTER_AAD: hint}, expires_at=datetime.now(UTC) - timedelta(seconds=1)
    )

    with pytest.raises(RecipientUnreachable):
        await services.outbound.to_person(porter.person_id, Reply.text("Hello"))
    assert not chats_opened_with(teams, PORTER_TEAMS), "no chat opened from an expired hint"
    assert await services.roster_hints.forget_expired() == 1

    # The next sync renews it for another lifetime.
    await sync(teams)
    [row] = await _hint_expiries(teams)
    assert row - datetime.now(UTC) > HINT_LIFETIME - timedelta(minutes=1)


async def sync(teams: Teams) -> None:
    """The nightly directory sync, as the scheduler fires it on the leader."""
    assert teams.runtime.router.recurring_jobs[SYNC_JOB] == SYNC_CRON
    trigger = ScheduledTrigger(actor=SYSTEM_ACTOR, conversation=SYSTEM_CONVERSATION, job=SYNC_JOB)
    assert await teams.runtime.router.dispatch(trigger) == []


async def _hint_expiries(teams: Teams) -> list[datetime]:
    async with teams.runtime.services.database.transaction() as session:
        return list(await session.scalars(select(RosterHintRow.expires_at)))


def _reference(teams: Teams, conversation_id: str) -> Json:
    """What `TeamsBridge` stores for a team channel it was mentioned in."""
    return {
        "bot": {"id": BOT, "name": "Breakroom"},
        "conversation": {
            "id": conversation_id,
            "conversationType": "channel",
            "tenantId": TENANT,
        },
        "channelId": "msteams",
        "serviceUrl": teams.fake.url,
    }
