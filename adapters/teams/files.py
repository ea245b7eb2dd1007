"""Files in Teams: the file consent flow
(https://learn.microsoft.com/microsoftteams/platform/bots/how-to/bots-filesv4).

A bot cannot attach bytes to a Teams message. It sends a file consent card in the person's
personal chat (the flow works nowhere else); when they accept, Teams answers with an
`invoke` named `fileConsent/invoke` carrying an upload URL in their OneDrive, the bot PUTs the
bytes there and posts a file info card that opens the file.

Until the answer the bytes wait in `HeldFiles` under a random token that the card's contexts
carry, for an hour at most. They are deleted when uploaded, declined or expired, and only the
person they were made for may take them: exports hold personal data.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import aiohttp

from adapters.teams.inbound import PLATFORM, actor
from adapters.teams.render import file_info_card, files_of
from bot.events import Actor
from bot.i18n import N_, Translator, language_of, translator
from bot.replies import Reply
from storage.db import StorageUnavailable
from storage.held_files import HeldFiles

log = logging.getLogger(__name__)

Json = dict[str, Any]
HOLD_FOR = timedelta(hours=1)
SWEEP_EVERY = 300.0  # seconds between deletions of files nobody answered for
UPLOAD_TIMEOUT = aiohttp.ClientTimeout(total=10)  # inside the invoke Teams is waiting

UPLOADED = N_("Your file is ready.")
DECLINED = N_("OK, not sent.")
GONE = N_("That file is no longer available (files wait an hour for you). Please ask for it again.")
NOT_YOURS = N_("That file was made for someone else, so it was not sent.")
UPLOAD_FAILED = N_(
    "The file could not be saved to your OneDrive, and nothing was kept. Please ask for it again."
)
UNREADABLE = N_("That answer to a file could not be read. Please ask for the file again.")

# The language of the person answering a consent card (`Router.reader`).
Reader = Callable[[Actor], Awaitable[Translator]]


async def _platform_language(actor: Actor) -> Translator:
    return translator(language_of(actor.locale), actor.locale)


@dataclass(frozen=True)
class ConsentAnswer:
    """A person's answer to a file consent card."""

    accepted: bool
    token: str
    upload_info: Mapping[str, Any]


def consent_answer(activity: Mapping[str, Any]) -> ConsentAnswer | None:
    """The answer in a `fileConsent/invoke`, or None when it is not one we could have asked."""
    value = activity.get("value")
    if not isinstance(value, Mapping) or value.get("type") != "fileUpload":
        return None
    context = value.get("context")
    token = context.get("token") if isinstance(context, Mapping) else None
    action = value.get("action")
    if not isinstance(token, str) or action not in ("accept", "decline"):
        return None
    info = value.get("uploadInfo")
    upload_info: Mapping[str, Any] = info if isinstance(info, Mapping) else {}
    if action == "accept" and not isinstance(upload_info.get("uploadUrl"), str):
        return None
    return ConsentAnswer(action == "accept", token, upload_info)


def message(text: str, *attachments: Json) -> Json:
    activity: Json = {"type": "message", "text": text}
    if attachments:
        activity["attachments"] = list(attachments)
    return activity


class UploadFailed(Exception):
    pass


class FileConsents:
    def __init__(
        self,
        held: HeldFiles,
        clock: Callable[[], datetime],
        *,
        hold_for: timedelta = HOLD_FOR,
        reader: Reader = _platform_language,
    ) -> None:
        """`reader` gives the language of whoever answers a card (by default their Teams
        client's)."""
        self._held = held
        self._clock = clock
        self._hold_for = hold_for
        self._reader = reader

    async def offer(self, reply: Reply, owner: str) -> list[Json]:
        """Hold the reply's files for `owner`: the context each file's consent card carries."""
        now = self._clock()
        contexts: list[Json] = []
        for file in files_of(reply):
            token = await self._held.hold(
                PLATFORM, owner, file.filename, file.mime_type, file.data, now + self._hold_for
            )
            contexts.append({"token": token})
        log.info("teams: %d file(s) offered, held until accepted or expired", len(contexts))
        return contexts

    async def withdraw(self, contexts: Sequence[Mapping[str, Any]]) -> None:
        """Delete files offered in a message that did not go out."""
        for context in contexts:
            await self._held.discard(str(context["token"]))
        if contexts:
            log.info("teams: %d file offer(s) withdrawn, the message was not sent", len(contexts))

    async def answer(self, activity: Mapping[str, Any]) -> list[Json]:
        """Act on an answer to a consent card: the messages that tell the person what happened,
        in their language."""
        sender = actor(activity)
        t = await self._reader(sender)
        answer = consent_answer(activity)
        if answer is None:
            log.info("teams: unreadable file consent answer")
            return [message(t(UNREADABLE))]
        now = self._clock()
        held = await self._held.get(answer.token, now)
        if held is None:
            await self._held.discard_expired(now)
            return [message(t(GONE))]
        if held.owner != sender.user_id:
            log.warning("teams: file consent answered by someone it was not made for; refused")
            return [message(t(NOT_YOURS))]
        # Taking the file out first makes a second answer (a redelivery) find nothing, and
        # leaves nothing behind whatever the upload does.
        if not await self._held.discard(answer.token):
            return [message(t(GONE))]
        if not answer.accepted:
            log.info("teams: file declined and deleted")
            return [message(t(DECLINED))]
        try:
            await upload(str(answer.upload_info["uploadUrl"]), held.data)
        except UploadFailed as exc:
            log.warning("teams: file upload failed (%s); nothing kept", exc)
            return [message(t(UPLOAD_FAILED))]
        log.info("teams: file uploaded (%d bytes) and deleted here", len(held.data))
        return [message(t(UPLOADED), file_info_card(answer.upload_info))]

    async def sweep_forever(self, stop: asyncio.Event) -> None:
        """Delete the files nobody answered for once they expire (a leader task); sweeps once
        more when stopped."""
        while True:
            try:
                dropped = await self._held.discard_expired(self._clock())
            except StorageUnavailable as exc:
                log.warning("teams: expired files not swept: %s", type(exc).__name__)
            else:
                if dropped:
                    log.info("teams: %d expired file(s) deleted", dropped)
            try:
                await asyncio.wait_for(stop.wait(), SWEEP_EVERY)
            except TimeoutError:
                continue
            return


async def upload(url: str, data: bytes) -> None:
    """One PUT of the whole file to the upload session Teams opened in the person's OneDrive;
    the range header is required even for a single piece."""
    size = len(data)
    headers = {"Content-Length": str(size)}
    if size:
        headers["Content-Range"] = f"bytes 0-{size - 1}/{size}"
    try:
        async with (
            aiohttp.ClientSession(timeout=UPLOAD_TIMEOUT) as http,
            http.put(url, data=data, headers=headers) as response,
        ):
            if response.status >= 300:
                raise UploadFailed(f"HTTP {response.status}")
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise UploadFailed(type(exc).__name__) from exc
