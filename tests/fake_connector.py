"""A fake Bot Framework connector on loopback, for the Teams adapter tests.

Activities in the tests name it by their `serviceUrl`, so botbuilder's connector client sends
the bot's answers here. It serves the conversation calls the adapter makes: send to a
conversation, reply to an activity, update an activity and create a 1:1 conversation; records
every call, and answers the next calls with a chosen status on demand (`fail_next`), e.g. a 403
for a person who blocked the bot or a 429 with a Retry-After.
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


@dataclass
class Call:
    kind: str  # "send", "reply", "update" or "create"
    conversation_id: str
    body: Json
    activity_id: str | None = None
    status: int = 200
    authorization: str | None = None
    created_id: str | None = None  # the id the connector gave a posted activity


@dataclass
class _Failure:
    status: int
    headers: dict[str, str] = field(default_factory=dict)


class FakeConnector:
    def __init__(self) -> None:
        self.calls: list[Call] = []
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
        self, status: int, *, times: int = 1, headers: dict[str, str] | None = None
    ) -> None:
        self._failures += [_Failure(status, headers or {}) for _ in range(times)]

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

    async def _record(self, request: web.Request, kind: str) -> web.Response:
        call = Call(
            kind,
            request.match_info.get("conversation", ""),
            await request.json(),
            request.match_info.get("activity"),
            authorization=request.headers.get("Authorization"),
        )
        failure = self._failures.pop(0) if self._failures else None
        if failure is not None:
            call.status = failure.status
        async with self._changed:
            self.calls.append(call)
            self._changed.notify_all()
        if failure is not None:
            return web.json_response(
                {"error": {"code": "Failure", "message": f"HTTP {failure.status}"}},
                status=failure.status,
                headers=failure.headers,
            )
        if kind == "create":
            return web.json_response({"id": f"a:personal{next(self._ids)}", "activityId": ""})
        if kind == "update":
            return web.json_response({"id": call.activity_id})
        call.created_id = f"act{next(self._ids)}"
        return web.json_response({"id": call.created_id})
