"""Who the bot is in its Slack workspace, asked once at start-up (`WorkspaceIdentity`), and
the bolt start-up warning that does not apply to a tokenless client."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

import aiohttp
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger(__name__)

# How long the workspace identity may take at start-up before requests go on without it.
IDENTITY_WAIT = 1.5


def quiet_token_notice() -> None:
    """Bolt takes SLACK_BOT_TOKEN from the environment even when given a client, then warns at
    every start that the token "will be unused": our client is tokenless on purpose (the token
    comes from `WorkspaceIdentity`), so that one warning is dropped."""
    framework = logging.getLogger("slack_bolt.AsyncApp")
    if not any(isinstance(f, _TokenNotice) for f in framework.filters):
        framework.addFilter(_TokenNotice())


class _TokenNotice(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != warning_client_prioritized_and_token_skipped()


class WorkspaceIdentity:
    """Who the bot is in its workspace, from auth.test, asked once at start-up.

    Bolt needs it for every request before the listener acknowledges; its single-workspace
    authorization would call auth.test inside the first request, so a slow Slack there would
    cost the acknowledgement. Until the answer is in (briefly at start, or while Slack is
    unreachable), requests go on with the token alone: bolt then cannot drop the bot's own
    events, but the inbound translation ignores every bot message anyway.
    """

    def __init__(self, client: AsyncWebClient) -> None:
        self._client = client
        self._known: AuthorizeResult | None = None
        self._asking: asyncio.Task[None] | None = None

    async def close(self) -> None:
        if self._asking is not None:
            self._asking.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._asking

    def prefetch(self) -> None:
        if self._asking is None or self._asking.done():
            self._asking = asyncio.create_task(self._ask())

    async def _ask(self) -> None:
        try:
            response = await self._client.auth_test()
        except (SlackApiError, SlackClientError, aiohttp.ClientError, OSError, TimeoutError) as exc:
            log.warning("slack: auth.test failed (%s); will ask again", _reason(exc))
            return
        self._known = AuthorizeResult.from_auth_test_response(
            auth_test_response=response, bot_token=self._client.token, user_token=None
        )
        log.info(
            "slack: connected to workspace %s as %s",
            response.get("team_id"),
            response.get("user_id"),
        )

    async def _result(self, team_id: str | None) -> AuthorizeResult:
        if self._known is None:
            self.prefetch()
            assert self._asking is not None
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(self._asking), IDENTITY_WAIT)
        if self._known is not None:
            return self._known
        return AuthorizeResult(enterprise_id=None, team_id=team_id, bot_token=self._client.token)

    @property
    def authorize(self) -> Callable[..., Awaitable[AuthorizeResult]]:
        # Bolt passes the arguments a function names, and would take a method's `self` for one.
        async def authorize(team_id: str | None) -> AuthorizeResult:
            return await self._result(team_id)

        return authorize


def _reason(exc: BaseException) -> str:
    if isinstance(exc, SlackApiError):
        return str(exc.response.get("error", "error"))
    return type(exc).__name__
