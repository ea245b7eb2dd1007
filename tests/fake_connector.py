"""A fake Bot Framework connector on loopback, for the Teams adapter tests.

Activities in the tests name it by their `serviceUrl`, so botbuilder's connector client sends
the bot's answers here. It serves the conversation calls the adapter makes: send to a
conversation, reply to an activity, update an activity, create a 1:1 conversation, and read a
conversation's roster page by page (`pagedmembers`, from `rosters`, which a test fills) and one
member of it (`members/{id}`, from the same); records every call, and answers the next calls
with a chosen status on demand (`fail_next`), e.g. a 403 for a person who blocked the bot or a
429 with a Retry-After.

It also plays the OneDrive upload session of the file consent flow: `upload_url(name)` is where
a test's accept says to PUT the bytes; every upload is recorded, and `fail_uploads` makes them fail.
"""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from aiohttp import web

Json = dict[str, Any]
WAIT_SECONDS = 5.0
DEFAULT_PAGE_SIZE = 500  # what Teams uses when the bot names no page size


@dataclass
class Call:
    kind: str  # "send", "reply", "update", "create", "members" or "member"
    conversation_id: str
    body: Json
    activity_id: str | None = None
    status: int = 200
    authorization: str | None = None
    query: dict[str, str] = field(default_factory=dict)
    created_id: str | None = None  # the id the connector gave a posted activity


@dataclass
class Upload:
    name: str
    data: bytes
    headers: dict[str, str]
    status: int = 201


@dataclass
class _Failure:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    conversation: str | None = None  # only calls about this conversation fail; None: any


class FakeConnector:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.uploads: list[Upload] = []
        self.upload_status = 201
        self.rosters: dict[str, list[Json]] = {}  # conversation id -> its members, in order
        self._failures: list[_Failure] = []
        self._ids = itertools.count(1)
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def __aenter__(self) -> FakeConnector:
        app = web.Application()
        base = "/v3/conversations"
        app.router.add_post(base, self._create)
        app.router.add_post(base + "/{conversation}/activities", self._send)
        app.router.add_post(base + "/{conversation}/activities/{activity}", self._reply)
        app.router.add_put(base + "/{conversation}/activities/{activity}", self._update)
        app.router.add_get(base + "/{conversation}/pagedmembers", self._paged_members)
        app.router.add_get(base + "/{conversation}/members/{member}", self._member)
        app.router.add_put("/upload/{name}", self._upload)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}/"
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def fail_next(
        self,
        status: int,
        *,
        times: int = 1,
        headers: dict[str, str] | None = None,
        conversation: str | None = None,
    ) -> None:
        """The next `times` calls (about `conversation`, when named) answer `status`."""
        self._failures += [_Failure(status, headers or {}, conversation) for _ in range(times)]

    def fail_uploads(self, status: int = 500) -> None:
        self.upload_status = status

    def upload_url(self, name: str) -> str:
        return f"{self.url}upload/{name}"

    def of_kind(self, *kinds: str) -> list[Call]:
        return [c for c in self.calls if c.kind in kinds]

    async def wait_for(self, *kinds: str, count: int = 1) -> list[Call]:
        """The first `count` calls of these kinds, waiting for them to arrive."""
        async with asyncio.timeout(WAIT_SECONDS), self._changed:
            await self._changed.wait_for(lambda: len(self.of_kind(*kinds)) >= count)
        return self.of_kind(*kinds)[:count]

    async def _send(self, request: web.Request) -> web.Response:
        return await self._record(request, "send")

    async def _reply(self, request: web.Request) -> web.Response:
        return await self._record(request, "reply")

    async def _update(self, request: web.Request) -> web.Response:
        return await self._record(request, "update")

    async def _create(self, request: web.Request) -> web.Response:
        return await self._record(request, "create")

    async def _upload(self, request: web.Request) -> web.Response:
        upload = Upload(
            request.match_info["name"],
            await request.read(),
            dict(request.headers),
            self.upload_status,
        )
        self.uploads.append(upload)
        if upload.status >= 300:
            return web.json_response({"error": {"code": "generalException"}}, status=upload.status)
        return web.json_response({"id": "drive-item-1", "name": upload.name}, status=upload.status)

    async def _paged_members(self, request: web.Request) -> web.Response:
        """One page of a roster; the continuation token is the offset of the next page."""
        call, refusal = await self._accept(request, "members", {})
        if refusal is not None:
            return refusal
        members = self.rosters.get(call.conversation_id)
        if members is None:
            call.status = 404
            return _error(404)
        start = int(call.query.get("continuationToken") or 0)
        size = int(call.query.get("pageSize") or DEFAULT_PAGE_SIZE)
        page: Json = {"members": members[start : start + size]}
        if start + size < len(members):
            page["continuationToken"] = str(start + size)
        return web.json_response(page)

    async def _member(self, request: web.Request) -> web.Response:
        """One member of a conversation, by Teams id or Entra object id, from its roster."""
        call, refusal = await self._accept(request, "member", {})
        if refusal is not None:
            return refusal
        wanted = request.match_info["member"]
        members = self.rosters.get(call.conversation_id) or []
        found = next((m for m in members if wanted in (m.get("id"), m.get("objectId"))), None)
        if found is None:
            call.status = 404
            return _error(404)
        return web.json_response(found)

    async def _record(self, request: web.Request, kind: str) -> web.Response:
        call, refusal = await self._accept(request, kind, await request.json())
        if refusal is not None:
            return refusal
        if kind == "create":
            return web.json_response({"id": f"a:personal{next(self._ids)}", "activityId": ""})
        if kind == "update":
            return web.json_response({"id": call.activity_id})
        call.created_id = f"act{next(self._ids)}"
        return web.json_response({"id": call.created_id})

    async def _accept(
        self, request: web.Request, kind: str, body: Json
    ) -> tuple[Call, web.Response | None]:
        """Record the call; the refusal to answer with when a failure was asked for."""
        call = Call(
            kind,
            request.match_info.get("conversation", ""),
            body,
            request.match_info.get("activity"),
            authorization=request.headers.get("Authorization"),
            query=dict(request.query),
        )
        failure = next(
            (f for f in self._failures if f.conversation in (None, call.conversation_id)), None
        )
        if failure is not None:
            self._failures.remove(failure)
        if failure is not None:
            call.status = failure.status
        async with self._changed:
            self.calls.append(call)
            self._changed.notify_all()
        if failure is None:
            return call, None
        return call, _error(failure.status, failure.headers)


def _error(status: int, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response(
        {"error": {"code": "Failure", "message": f"HTTP {status}"}}, status=status, headers=headers
    )
