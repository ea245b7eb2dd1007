"""Proactive sends, updates and rosters through the Bot Framework connector: the core's
`Messenger`.

Teams lets a bot message someone only in a conversation it has a reference for (service URL,
conversation id, tenant), which it learns from an activity that person or channel sent. The
adapter stores one for every inbound activity (see `TeamsBridge`): a person's personal chat under
their user id, a channel or group chat under its conversation id.

People who never wrote to the bot are known from the rosters of the teams and group chats it is
in (`roster`, read by the directory sync in `adapters.teams.roster`): the sync stores each member
as a person, and a roster hint with their Teams id and where to reach them. The first DM to such
a person opens a 1:1 chat with the connector's create-conversation call and keeps its reference
as their personal one. With neither there is nobody to send to: that is `RecipientUnreachable`,
the core marks the person, and their next message to the bot clears the mark and stores the
reference.

Files go as file consent cards (see `adapters.teams.files`), offered to the person a message is
for: in `send_direct` the recipient; in `send` whoever the caller names as `owner`. Without an
owner a file is only named.

Teams has no cheap way to search a chat's history for a message we sent, so `find_sent` always
says "cannot tell" and the outbox delivers at least once, not exactly once.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from botbuilder.core import CloudAdapterBase, TurnContext
from botbuilder.core.teams import TeamsInfo
from botbuilder.schema import (
    Activity,
    ChannelAccount,
    ConversationParameters,
    ConversationReference,
)
from botbuilder.schema.teams import TeamsChannelAccount, TeamsPagedMembersResult
from msrest.exceptions import ClientException, HttpOperationError

from adapters.teams.files import FileConsents
from adapters.teams.inbound import PLATFORM, person_name
from adapters.teams.render import files_of, render_activity
from bot.messenger import DeliveryError, RateLimited, RecipientUnreachable, SentMessage
from bot.patience import ROSTER_PATIENCE, patiently, retry_after
from bot.replies import Reply
from storage.conversations import ConversationStore
from storage.people import Identity, Profile
from storage.roster_hints import RosterHints

log = logging.getLogger(__name__)

T = TypeVar("T")
# The connector answers 403 when the bot was removed or blocked, 404 when the conversation or
# user is gone (https://learn.microsoft.com/microsoftteams/platform/bots/build-conversational-capability#status-codes-from-bot-conversational-apis).
UNREACHABLE = frozenset({403, 404})
# A roster page holds at most 500 members
# (https://learn.microsoft.com/microsoftteams/platform/bots/how-to/get-teams-context#fetch-the-roster-or-user-profile).
ROSTER_PAGE_SIZE = 500
BOT_PREFIX = "28:"  # bots' Teams ids; people's start with "29:"
TEAMS_CHANNEL = "msteams"


@dataclass(frozen=True)
class RosterPage:
    """One page of a roster: each person, with the hint that lets `send_direct` open a 1:1
    chat with them, and how many bots it listed."""

    members: list[tuple[Profile, dict[str, Any]]]
    bots: int


def activity_of(reply: Reply) -> Activity:
    return Activity().deserialize(render_activity(reply))


async def connector_call(call: Awaitable[T]) -> T:
    """Await a connector call, its failures as the core's delivery errors."""
    try:
        return await call
    except HttpOperationError as exc:
        raise translate(exc) from exc
    except (ClientException, OSError, TimeoutError) as exc:
        raise DeliveryError(f"teams: {type(exc).__name__}") from exc


def translate(exc: HttpOperationError) -> DeliveryError:
    response = getattr(exc, "response", None)
    status = int(getattr(response, "status_code", 0) or 0)
    if status == 429:
        return RateLimited(retry_after(getattr(response, "headers", None)))
    if status in UNREACHABLE:
        return RecipientUnreachable(f"teams: HTTP {status}")
    return DeliveryError(f"teams: HTTP {status or 'error'}")


class TeamsMessenger:
    platform = PLATFORM

    def __init__(
        self,
        adapter: CloudAdapterBase,
        app_id: str,
        conversations: ConversationStore,
        hints: RosterHints,
        files: FileConsents,
    ) -> None:
        self._adapter = adapter
        self._app_id = app_id
        self._conversations = conversations
        self._hints = hints
        self._files = files

    @contextlib.asynccontextmanager
    async def activity_for(self, reply: Reply, owner: str | None) -> AsyncIterator[Activity]:
        """The reply as an activity, its files offered to `owner` (a personal chat only). If
        sending it fails, the files are withdrawn: a retry offers them anew, and nothing is held
        for a card nobody received."""
        consents = await self._files.offer(reply, owner) if owner and files_of(reply) else []
        try:
            yield Activity().deserialize(render_activity(reply, consents))
        except BaseException:
            await self._files.withdraw(consents)
            raise

    async def send_direct(
        self, identity: Identity, reply: Reply, *, dedupe_key: str | None = None
    ) -> SentMessage:
        # `dedupe_key` cannot travel with a Teams message in a way we could search for later.
        reference = await self._conversations.load(PLATFORM, identity.user_id)
        if reference is None:
            member = await self._hints.load(PLATFORM, identity.user_id)
            if member is None:
                raise RecipientUnreachable("teams: no personal conversation with this person yet")
            reference = await self.open_personal_chat(identity.user_id, member)
        return await self.send(reference, reply, owner=identity.user_id)

    async def find_sent(
        self, identity: Identity, dedupe_key: str, since: datetime
    ) -> SentMessage | None:
        return None  # cannot tell: at least once (see the module docstring)

    async def send_to_channel(self, channel_id: str, reply: Reply) -> SentMessage:
        reference = await self._conversations.load(PLATFORM, channel_id)
        if reference is None:
            raise DeliveryError("teams: the bot has not been added to that channel or chat")
        return await self.send(reference, reply)

    async def update(self, sent: SentMessage, reply: Reply) -> None:
        activity = activity_of(reply)
        activity.id = sent.message_id

        async def edit(turn: TurnContext) -> None:
            await connector_call(turn.update_activity(activity))

        await self._continue(sent.handle["reference"], edit)

    async def channel_members(self, channel_id: str) -> list[str]:
        """The user ids of a team's (by any of its channels) or group chat's members. Reads
        only: storing people is the directory sync's job."""
        return [
            profile.user_id for page in await self.roster(channel_id) for profile, _ in page.members
        ]

    async def roster(self, channel_id: str) -> list[RosterPage]:
        """The roster of a team (by any of its channels) or group chat, page by page."""
        reference = await self._conversations.load(PLATFORM, channel_id)
        if reference is None:
            raise DeliveryError("teams: the bot has not been added to that channel or chat")
        pages: list[RosterPage] = []

        async def read(turn: TurnContext) -> None:
            token: str | None = None
            while True:
                page = await self._roster_page(turn, channel_id, token)
                pages.append(_page_of(page.members or [], reference))
                token = page.continuation_token or None
                if token is None:
                    return

        await self._continue(reference, read)
        log.info(
            "teams roster: conversation=%s members=%d bots=%d pages=%d",
            channel_id,
            sum(len(page.members) for page in pages),
            sum(page.bots for page in pages),
            len(pages),
        )
        return pages

    async def send(
        self, reference: Mapping[str, Any], reply: Reply, *, owner: str | None = None
    ) -> SentMessage:
        """A new message in the referenced conversation (not a reply to any activity); its files
        are offered to `owner`, whose personal chat that must be."""
        sent: list[str] = []
        async with self.activity_for(reply, owner) as activity:

            async def post(turn: TurnContext) -> None:
                # botbuilder gives the continuation activity a fresh uuid as its id and makes
                # every send a reply to it (POST …/activities/{uuid}): without it, a plain post.
                turn.activity.id = None
                response = await connector_call(turn.send_activity(activity))
                sent.append(str(getattr(response, "id", "") or ""))

            await self._continue(reference, post)
        return SentMessage(
            PLATFORM, sent[0], {"reference": dict(reference), "activity_id": sent[0]}
        )

    async def _roster_page(
        self, turn: TurnContext, conversation_id: str, token: str | None
    ) -> TeamsPagedMembersResult:
        """One roster page, waiting out a few 429s. `TeamsInfo.get_paged_members` would read
        the team id from the activity's channelData, which a continued turn does not carry;
        asked by conversation id, the connector answers with the team's roster for any of its
        channels, and with the members of a group chat."""
        return await patiently(
            lambda: connector_call(
                TeamsInfo.get_paged_team_members(turn, conversation_id, token, ROSTER_PAGE_SIZE)
            ),
            ROSTER_PATIENCE,
        )

    async def open_personal_chat(self, user_id: str, member: Mapping[str, Any]) -> dict[str, Any]:
        """Create the 1:1 chat with someone known from a roster and keep its reference where
        `TeamsBridge` keeps a personal chat's, so later sends reuse it."""
        tenant = str(member.get("tenant") or "")
        teams_id = str(member["teams_id"])
        parameters = ConversationParameters(
            is_group=False,
            bot=ChannelAccount(id=(member.get("bot") or {}).get("id")),
            members=[ChannelAccount(id=teams_id)],
            tenant_id=tenant,
            channel_data={"tenant": {"id": tenant}},
        )
        opened: list[dict[str, Any]] = []

        async def keep(turn: TurnContext) -> None:
            reference: dict[str, Any] = TurnContext.get_conversation_reference(
                turn.activity
            ).serialize()
            reference.pop("activityId", None)  # new posts, not replies (see `send`)
            # The created conversation's activity names no sender: the person is the user.
            reference["user"] = {"id": teams_id, "aadObjectId": user_id}
            opened.append(reference)

        await connector_call(
            self._adapter.create_conversation(
                self._app_id,
                keep,
                parameters,
                channel_id=TEAMS_CHANNEL,
                service_url=member.get("service_url"),
            )
        )
        await self._conversations.save(PLATFORM, user_id, opened[0])
        log.info("teams: opened a personal chat with %s", user_id)
        return opened[0]

    async def _continue(
        self, reference: Mapping[str, Any], logic: Callable[[TurnContext], Awaitable[None]]
    ) -> None:
        conversation = ConversationReference().deserialize(dict(reference))
        # With no on_turn_error set, the adapter re-raises what `logic` raised.
        await connector_call(self._adapter.continue_conversation(conversation, logic, self._app_id))


def _page_of(accounts: Iterable[TeamsChannelAccount], reference: Mapping[str, Any]) -> RosterPage:
    conversation = reference.get("conversation") or {}
    members: list[tuple[Profile, dict[str, Any]]] = []
    bots = 0
    for account in accounts:
        teams_id = str(account.id or "")
        if not teams_id or teams_id.startswith(BOT_PREFIX):
            bots += 1
            continue
        # As `inbound.actor` has it: the Entra object id, else the Teams id; and the
        # conversation's tenant, which is the one activities from this person carry.
        user_id = str(account.aad_object_id or teams_id)
        tenant = str(conversation.get("tenantId") or account.tenant_id or "")
        profile = Profile(
            platform=PLATFORM,
            tenant=tenant,
            user_id=user_id,
            display_name=person_name(account.name, teams_id, account.aad_object_id),
            email=account.email or account.user_principal_name or None,
        )
        hint = {
            "teams_id": teams_id,
            "service_url": reference.get("serviceUrl"),
            "tenant": tenant,
            "bot": dict(reference.get("bot") or {}),
        }
        members.append((profile, hint))
    return RosterPage(members, bots)
