"""The Slack workspace as the core's people directory (`bot.directory.Directory`): its members,
with display name, e-mail, time zone and locale, read with users.list, so that no event ever
waits on a per-user API look-up. The core knows a person from the event's user id and these
stored details; surveys reach each person at their local time from the time zone kept here.

users.list is a Tier 2 method (about 20 calls a minute), paged by cursor; Slack recommends 200
members a page (https://docs.slack.dev/reference/methods/users.list). On HTTP 429 we sleep for
its Retry-After and ask for the same page again. `locale` comes only with `include_locale`, and
`profile.email` only with the users:read.email scope: without it people are stored without one.
Guests (`is_restricted`, `is_ultra_restricted`), bots and Slackbot are not staff, so not people
here; deactivated accounts (`deleted`) are listed as departed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.directory import Directories, DirectoryUnavailable, Listing, SyncReport
from bot.patience import DIRECTORY_PATIENCE, DIRECTORY_RETRY_AFTER, retry_after
from storage.people import Profile

log = logging.getLogger(__name__)

PLATFORM = "slack"
PAGE_SIZE = 200
SLACKBOT = "USLACKBOT"  # a member of every workspace, with is_bot false
GUEST_FLAGS = ("is_restricted", "is_ultra_restricted")  # multi- and single-channel guests

Sleep = Callable[[float], Awaitable[None]]


class SlackDirectory:
    """The members of the bot token's workspace."""

    platform = PLATFORM

    def __init__(self, client: AsyncWebClient, *, sleep: Sleep = asyncio.sleep) -> None:
        self._client = client
        self._sleep = sleep

    async def read(self) -> AsyncIterator[Listing]:
        """users.list page by page, a listing each."""
        team_id = await workspace_id(self._client)
        cursor: str | None = None
        pages = waits = 0
        while True:
            page, waited = await _page(self._client, cursor, self._sleep)
            pages, waits = pages + 1, waits + waited
            yield _listing(page.get("members") or [], team_id)
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if cursor is None:
                break
        log.info("slack directory: team=%s pages=%d waits=%d", team_id, pages, waits)


async def sync_workspace(token: str, directories: Directories, *, base_url: str) -> SyncReport:
    """`breakroom slack sync`: the workspace of the bot token, synced once."""
    async with aiohttp.ClientSession() as session:
        client = AsyncWebClient(token=token, base_url=base_url, session=session)
        return await directories.sync(SlackDirectory(client))


async def workspace_id(client: AsyncWebClient) -> str:
    """The team id of the token's workspace, as the inbound adapter sees it on every event."""
    try:
        response = await client.auth_test()
    except SlackApiError as exc:
        raise DirectoryUnavailable(f"Slack refused auth.test: {_error(exc)}") from exc
    except (SlackClientError, aiohttp.ClientError, TimeoutError) as exc:
        raise DirectoryUnavailable(f"cannot reach Slack: {type(exc).__name__}") from exc
    return str(response["team_id"])


def _listing(members: list[dict[str, Any]], team_id: str) -> Listing:
    people: list[Profile] = []
    departed: list[Profile] = []
    skipped = 0
    for member in members:
        user_id = str(member.get("id", ""))
        if not user_id or member.get("is_bot") or user_id == SLACKBOT:
            skipped += 1
        elif member.get("deleted"):
            skipped += 1
            departed.append(Profile(PLATFORM, team_id, user_id))
        elif any(member.get(flag) for flag in GUEST_FLAGS):
            skipped += 1
        else:
            people.append(_profile(member, team_id))
    return Listing(people=people, departed=departed, skipped=skipped)


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
                raise DirectoryUnavailable(f"Slack refused users.list: {_error(exc)}") from exc
            waits += 1
            asked = retry_after(getattr(exc.response, "headers", None), DIRECTORY_RETRY_AFTER)
            delay = DIRECTORY_PATIENCE.wait(waits, asked)
            log.info("slack directory: rate limited, waiting %.0fs", delay)
            await sleep(delay)
        except (SlackClientError, aiohttp.ClientError, TimeoutError) as exc:
            raise DirectoryUnavailable(f"cannot reach Slack: {type(exc).__name__}") from exc
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
