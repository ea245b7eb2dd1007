"""Directory sync: the workspace's people, with display name, e-mail, time zone and locale, read
with users.list into storage, so that no event ever waits on a per-user API look-up. The core
knows a person from the event's user id and these stored details; surveys reach each person at
their local time from the time zone kept here.

users.list is a Tier 2 method (about 20 calls a minute), paged by cursor; Slack recommends 200
members a page (https://docs.slack.dev/reference/methods/users.list). On HTTP 429 we sleep for
its Retry-After and ask for the same page again. `locale` comes only with `include_locale`, and
`profile.email` only with the users:read.email scope: without it people are stored without one.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.events import ScheduledTrigger
from bot.pacing import DIRECTORY_PATIENCE, DIRECTORY_RETRY_AFTER, retry_after
from bot.router import Router
from bot.services import Services
from storage.people import PeopleRepository, Profile

log = logging.getLogger(__name__)

PLATFORM = "slack"
PAGE_SIZE = 200
SLACKBOT = "USLACKBOT"  # a member of every workspace, with is_bot false
SYNC_JOB = "slack.directory_sync"
SYNC_CRON = "30 3 * * *"  # daily at 03:30 hospital time, before day shift and the morning surveys

Sleep = Callable[[float], Awaitable[None]]


class DirectorySyncFailed(Exception):
    """Slack refused the directory (a missing scope, a revoked token); the message says what."""


@dataclass(frozen=True)
class SyncReport:
    team_id: str
    people: int  # members stored or refreshed
    skipped: int  # bots, Slackbot and deactivated accounts
    deactivated: int  # of those, people we knew, now marked unreachable
    pages: int
    waits: int  # 429s waited out


async def sync_directory(
    client: AsyncWebClient,
    people: PeopleRepository,
    *,
    team_id: str,
    sleep: Sleep = asyncio.sleep,
) -> SyncReport:
    """Page through users.list and upsert every active human member as a person."""
    stored = skipped = deactivated = pages = waits = 0
    cursor: str | None = None
    while True:
        page, waited = await _page(client, cursor, sleep)
        pages, waits = pages + 1, waits + waited
        active: list[Profile] = []
        gone: list[str] = []
        for member in page.get("members") or []:
            user_id = str(member.get("id", ""))
            if not user_id or member.get("is_bot") or user_id == SLACKBOT:
                skipped += 1
            elif member.get("deleted"):
                gone.append(user_id)
            else:
                active.append(_profile(member, team_id))
        # One transaction a page: a large hospital's directory is tens of thousands of people.
        stored += await people.refresh(active)
        skipped += len(gone)
        deactivated += await people.mark_deactivated(PLATFORM, team_id, gone)
        cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
        if cursor is None:
            break
    report = SyncReport(team_id, stored, skipped, deactivated, pages, waits)
    log.info("slack directory sync: %s", report)
    return report


async def sync_workspace(token: str, people: PeopleRepository, *, base_url: str) -> SyncReport:
    """`breakroom slack sync`: the workspace of the bot token, synced once."""
    async with aiohttp.ClientSession() as session:
        client = AsyncWebClient(token=token, base_url=base_url, session=session)
        return await sync_directory(client, people, team_id=await workspace_id(client))


async def workspace_id(client: AsyncWebClient) -> str:
    """The team id of the token's workspace, as the inbound adapter sees it on every event."""
    try:
        response = await client.auth_test()
    except SlackApiError as exc:
        raise DirectorySyncFailed(f"Slack refused auth.test: {_error(exc)}") from exc
    except (SlackClientError, aiohttp.ClientError, TimeoutError) as exc:
        raise DirectorySyncFailed(f"cannot reach Slack: {type(exc).__name__}") from exc
    return str(response["team_id"])


def register_sync(router: Router, client: AsyncWebClient) -> None:
    """Sync the directory daily, on the leader only (where the router's jobs run)."""

    async def sync(trigger: ScheduledTrigger, services: Services) -> None:
        try:
            await sync_directory(client, services.people, team_id=await workspace_id(client))
        except DirectorySyncFailed as exc:  # expected (a scope, a token): a line, not a trace
            log.warning("event=%s slack directory sync failed: %s", trigger.id, exc)

    router.job(SYNC_JOB, sync, cron=SYNC_CRON)


async def _page(
    client: AsyncWebClient, cursor: str | None, sleep: Sleep
) -> tuple[AsyncSlackResponse, int]:
    """One page of users.list, and how many 429s it took."""
    waits = 0
    while True:
        try:
            page = await client.users_list(limit=PAGE_SIZE, cursor=cursor, include_locale=True)
        except SlackApiError as exc:
            last = waits + 1 == DIRECTORY_PATIENCE.attempts
            if getattr(exc.response, "status_code", 0) != 429 or last:
                raise DirectorySyncFailed(f"Slack refused users.list: {_error(exc)}") from exc
            waits += 1
            asked = retry_after(getattr(exc.response, "headers", None), DIRECTORY_RETRY_AFTER)
            delay = DIRECTORY_PATIENCE.wait(waits, asked)
            log.info("slack directory sync: rate limited, waiting %.0fs", delay)
            await sleep(delay)
        except (SlackClientError, aiohttp.ClientError, TimeoutError) as exc:
            raise DirectorySyncFailed(f"cannot reach Slack: {type(exc).__name__}") from exc
        else:
            return page, waits


def _profile(member: dict[str, Any], team_id: str) -> Profile:
    profile = member.get("profile") or {}
    name = (
        profile.get("display_name")
        or profile.get("real_name")
        or member.get("real_name")
        or member.get("name")
        or ""
    )
    return Profile(
        platform=PLATFORM,
        tenant=team_id,
        user_id=str(member["id"]),
        display_name=str(name),
        email=profile.get("email") or None,
        timezone=member.get("tz") or None,
        locale=member.get("locale") or None,
    )


def _error(exc: SlackApiError) -> str:
    data = getattr(exc.response, "data", None)
    error = str(data.get("error", "")) if isinstance(data, dict) else ""
    if error == "missing_scope":
        return "missing_scope (add users:read and users:read.email, then reinstall the app)"
    return error or f"HTTP {getattr(exc.response, 'status_code', '?')}"
