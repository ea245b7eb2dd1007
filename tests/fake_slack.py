"""A fake Slack Web API on loopback, for adapter tests and the fan-out benchmark.

It serves `/api/<method>` on 127.0.0.1 at a port the OS picks, takes arguments as Slack does
(query string, form body or JSON body), keeps the messages it accepted per channel (metadata
included), and records every call per method. Like Slack it can rate-limit chat.postMessage
(HTTP 429, a whole-second Retry-After, `"error": "ratelimited"`), refuse DMs to people who
blocked the bot (`cannot_dm_bot`), and fail once on demand. It also lists users (users.list),
keeps each user's published Home tab (views.publish) and answers auth.test and users.info.

For the adapter's own calls it takes ephemeral posts, opens modals (views.open), receives file
uploads the way files_upload_v2 sends them (files.getUploadURLExternal, a POST of the bytes to
the returned URL, files.completeUploadExternal), pages channel members, answers interactions'
`response_url`s (`response_url(key)`, recorded as the method "response_url"), can delay any
method (`delays`), and plays Slack's Socket Mode server (apps.connections.open and a WebSocket
that sends envelopes with `send_envelope` and records the app's acknowledgements).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import random
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from aiohttp import WSMsgType, web

Json = dict[str, Any]
TOKEN_PREFIX = "xoxb-"
APP_TOKEN_PREFIX = "xapp-"
BOT_USER = "UBREAKROOM"
BOT_ID = "BBREAKROOM"
TEAM_ID = "TFAKE"


@dataclass
class Call:
    method: str
    args: Json
    status: int = 200
    error: str | None = None


@dataclass
class _Failure:
    error: str
    status: int
    headers: dict[str, str]


@dataclass
class TokenBucket:
    """`rate` requests a second on average, `burst` at once; `take` says how long to wait."""

    rate: float
    burst: float
    clock: Callable[[], float] = time.monotonic
    _tokens: float = field(init=False)
    _at: float = field(init=False)

    def __post_init__(self) -> None:
        self._tokens = self.burst
        self._at = self.clock()

    def take(self) -> float:
        """0 when a request may pass (and it is counted), else the seconds until one may."""
        now = self.clock()
        self._tokens = min(self.burst, self._tokens + (now - self._at) * self.rate)
        self._at = now
        if self._tokens >= 1:
            self._tokens -= 1
            return 0.0
        return (1 - self._tokens) / self.rate


# Calls whose random faults a rate-limit mode injects: a send and what a send may look up.
FLAKY_METHODS = frozenset({"chat.postMessage", "conversations.open", "conversations.history"})


class FakeSlack:
    """`rate`/`burst`: chat.postMessage's workspace-wide limit; `channel_rate`/`channel_burst`:
    its limit per channel (Slack's is about one a second, with short bursts). `flaky_429` and
    `flaky_5xx`: the share of sends and look-ups answered with a 429 or an HTTP 500 at random,
    drawn from `seed`; a send that meets a 500 is kept half of the time, as when Slack posted
    it and the answer was lost."""

    def __init__(
        self,
        *,
        rate: float | None = None,
        burst: float = 1,
        channel_rate: float | None = None,
        channel_burst: float = 1,
        flaky_429: float = 0.0,
        flaky_5xx: float = 0.0,
        seed: int = 0,
    ) -> None:
        self.bucket = None if rate is None else TokenBucket(rate, burst)
        self.channel_rate = channel_rate
        self.channel_burst = channel_burst
        self._channel_buckets: dict[str, TokenBucket] = {}
        self.flaky_429 = flaky_429
        self.flaky_5xx = flaky_5xx
        self._random = random.Random(seed)
        self.injected: Counter[str] = Counter()  # "429" and "5xx" answered at random
        self.calls: defaultdict[str, list[Call]] = defaultdict(list)
        self.messages: defaultdict[str, list[Json]] = defaultdict(list)
        self.blocked: set[str] = set()
        self.users: list[Json] = []
        self.home_views: dict[str, Json] = {}  # user id -> the Home tab view last published
        self.ephemeral: list[Json] = []  # chat.postEphemeral messages
        self.views_opened: list[Json] = []  # modals opened with views.open
        self.uploads: list[Json] = []  # completed uploads: name, bytes, alt text, channel…
        self.channel_members: dict[str, list[str]] = {}
        self.delays: dict[str, float] = {}  # method -> seconds to wait before answering
        self.acks: list[Json] = []  # Socket Mode acknowledgements the app sent
        self._staged: dict[str, Json] = {}  # upload URLs handed out, by file id
        self._sockets: list[web.WebSocketResponse] = []
        self._stopping = asyncio.Event()  # ends delays early, so a stop never waits them out
        self.rate_limited = 0
        self.url = ""
        self._failures: defaultdict[str, list[_Failure]] = defaultdict(list)
        self._last_ts = 0.0
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._methods: dict[str, Callable[[Json], Awaitable[Json]]] = {
            "chat.postMessage": self._post_message,
            "chat.update": self._update,
            "conversations.open": self._open,
            "conversations.history": self._history,
            "users.list": self._users_list,
            "users.info": self._users_info,
            "views.publish": self._views_publish,
            "auth.test": self._auth_test,
            "chat.postEphemeral": self._post_ephemeral,
            "views.open": self._views_open,
            "files.getUploadURLExternal": self._upload_url,
            "files.completeUploadExternal": self._complete_upload,
            "conversations.members": self._members,
            "apps.connections.open": self._connections_open,
        }

    # -- set-up -------------------------------------------------------------------------------

    async def start(self) -> str:
        """Serve on an ephemeral loopback port; returns the base URL for slack_sdk."""
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._handle)
        app.router.add_post("/response/{key}", self._respond)
        app.router.add_post("/upload/{file_id}", self._receive_upload)
        app.router.add_get("/socket", self._socket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}/api/"
        return self.url

    async def stop(self) -> None:
        self._stopping.set()
        for socket in list(self._sockets):
            await socket.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeSlack:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    def fail_next(
        self,
        method: str,
        error: str = "internal_error",
        *,
        status: int = 200,
        headers: dict[str, str] | None = None,
    ) -> None:
        """The next call of `method` answers this error (once; queue several for more)."""
        self._failures[method].append(_Failure(error, status, dict(headers or {})))

    def response_url(self, key: str = "r1") -> str:
        """A `response_url` for an interaction payload, answered by this fake."""
        return f"{self._root}response/{key}"

    async def send_envelope(self, envelope: Json, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Send a Socket Mode envelope to the connected app, waiting for it to connect."""
        async with asyncio.timeout(timeout), self._changed:
            await self._changed.wait_for(lambda: bool(self._sockets))
        await self._sockets[-1].send_json(envelope)

    async def wait_for_ack(self, envelope_id: str, timeout: float = 5.0) -> Json:  # noqa: ASYNC109
        async with asyncio.timeout(timeout), self._changed:
            await self._changed.wait_for(
                lambda: any(a.get("envelope_id") == envelope_id for a in self.acks)
            )
        return next(a for a in self.acks if a.get("envelope_id") == envelope_id)

    @property
    def _root(self) -> str:
        return self.url.removesuffix("api/")

    # -- what happened ------------------------------------------------------------------------

    @staticmethod
    def dm_channel(user_id: str) -> str:
        return f"D{user_id}"

    def posted_to(self, user_id: str) -> list[Json]:
        return list(self.messages.get(self.dm_channel(user_id), []))

    def dm_counts(self) -> Counter[str]:
        """Messages accepted per user, over every DM channel."""
        return Counter(
            {channel[1:]: len(ms) for channel, ms in self.messages.items() if channel[0] == "D"}
        )

    async def wait_for_call(
        self,
        method: str,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - a bounded wait is the point of this helper
    ) -> list[Call]:
        """Wait until `method` has been called `count` times (instead of sleeping in tests)."""
        async with asyncio.timeout(timeout), self._changed:
            await self._changed.wait_for(lambda: len(self.calls[method]) >= count)
        return list(self.calls[method])

    async def wait_until(
        self,
        done: Callable[[], bool],
        timeout: float = 5.0,  # noqa: ASYNC109 - a bounded wait is the point of this helper
    ) -> None:
        """Wait until `done()` holds, checked after each call this fake answers."""
        async with asyncio.timeout(timeout), self._changed:
            await self._changed.wait_for(done)

    # -- the API ------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await _arguments(request)
        call = Call(method, args)
        try:
            status, headers, body = await self._answer(method, args, request)
            call.status = status
            call.error = None if body.get("ok") else str(body.get("error"))
            return web.json_response(body, status=status, headers=headers)
        finally:
            self.calls[method].append(call)
            async with self._changed:
                self._changed.notify_all()

    async def _answer(
        self, method: str, args: Json, request: web.Request
    ) -> tuple[int, dict[str, str], Json]:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ") or args.get(
            "token", ""
        )
        # Socket Mode's connection call takes the app-level token; everything else the bot's.
        prefix = APP_TOKEN_PREFIX if method == "apps.connections.open" else TOKEN_PREFIX
        if not str(token).startswith(prefix):
            return 200, {}, {"ok": False, "error": "invalid_auth"}
        if method in self.delays:
            await self._delay(method)
        if self._failures[method]:
            failure = self._failures[method].pop(0)
            return failure.status, failure.headers, {"ok": False, "error": failure.error}
        flaky = method in FLAKY_METHODS
        if flaky and self.flaky_429 and self._random.random() < self.flaky_429:
            self.injected["429"] += 1
            return self._too_many(1.0)
        if method == "chat.postMessage":
            for bucket in self._buckets(str(args.get("channel", ""))):
                wait = bucket.take()
                if wait > 0:
                    return self._too_many(wait)
        handler = self._methods.get(method)
        if handler is None:
            return 200, {}, {"ok": False, "error": "unknown_method"}
        if flaky and self.flaky_5xx and self._random.random() < self.flaky_5xx:
            self.injected["5xx"] += 1
            if method == "chat.postMessage" and self._random.random() < 0.5:
                await handler(args)  # posted, but the answer is lost
            return 500, {}, {"ok": False, "error": "fatal_error"}
        return 200, {}, await handler(args)

    def _buckets(self, channel: str) -> list[TokenBucket]:
        """The limits a post to `channel` counts against: the workspace's, then the channel's."""
        buckets = [] if self.bucket is None else [self.bucket]
        if self.channel_rate is not None:
            key = self._channel_for(channel) if channel else channel
            bucket = self._channel_buckets.get(key)
            if bucket is None:
                bucket = TokenBucket(self.channel_rate, self.channel_burst)
                self._channel_buckets[key] = bucket
            buckets.append(bucket)
        return buckets

    def _too_many(self, wait: float) -> tuple[int, dict[str, str], Json]:
        # Slack's Retry-After is a whole number of seconds.
        self.rate_limited += 1
        retry_after = str(max(1, math.ceil(wait)))
        return 429, {"Retry-After": retry_after}, {"ok": False, "error": "ratelimited"}

    async def _post_message(self, args: Json) -> Json:
        target = str(args.get("channel", ""))
        if not target:
            return {"ok": False, "error": "channel_not_found"}
        if target in self.blocked:
            return {"ok": False, "error": "cannot_dm_bot"}
        channel = self._channel_for(target)
        message: Json = {
            "type": "message",
            "ts": self._next_ts(),
            "user": BOT_USER,
            "bot_id": BOT_ID,
            "text": args.get("text", ""),
        }
        if args.get("blocks"):
            message["blocks"] = _json(args["blocks"])
        if args.get("metadata"):
            message["metadata"] = _json(args["metadata"])
        self.messages[channel].append(message)
        return {"ok": True, "channel": channel, "ts": message["ts"], "message": message}

    async def _update(self, args: Json) -> Json:
        channel, ts = str(args.get("channel", "")), str(args.get("ts", ""))
        for message in self.messages.get(channel, []):
            if message["ts"] == ts:
                message["text"] = args.get("text", message["text"])
                if args.get("blocks"):
                    message["blocks"] = _json(args["blocks"])
                message["edited"] = {"user": BOT_USER, "ts": self._next_ts()}
                return {"ok": True, "channel": channel, "ts": ts, "text": message["text"]}
        return {"ok": False, "error": "message_not_found"}

    async def _open(self, args: Json) -> Json:
        users = [u for u in str(args.get("users", "")).split(",") if u]
        if len(users) != 1:
            return {"ok": False, "error": "users_list_not_supplied"}
        return {"ok": True, "channel": {"id": self.dm_channel(users[0])}}

    async def _history(self, args: Json) -> Json:
        channel = str(args.get("channel", ""))
        oldest = float(args.get("oldest") or 0)
        with_metadata = str(args.get("include_all_metadata", "")).lower() in ("1", "true")
        stored = self.messages.get(channel, [])
        newest_first = [m for m in reversed(stored) if float(m["ts"]) > oldest]
        start = int(args.get("cursor") or 0)
        limit = int(args.get("limit") or 100)
        page = [
            m if with_metadata else {k: v for k, v in m.items() if k != "metadata"}
            for m in newest_first[start : start + limit]
        ]
        more = start + limit < len(newest_first)
        return {
            "ok": True,
            "messages": page,
            "has_more": more,
            "response_metadata": {"next_cursor": str(start + limit) if more else ""},
        }

    async def _users_list(self, args: Json) -> Json:
        start = int(args.get("cursor") or 0)
        limit = int(args.get("limit") or 100)
        more = start + limit < len(self.users)
        return {
            "ok": True,
            "members": self.users[start : start + limit],
            "response_metadata": {"next_cursor": str(start + limit) if more else ""},
        }

    async def _users_info(self, args: Json) -> Json:
        """One of `users`, by id; its locale only when asked with `include_locale`."""
        found = next((u for u in self.users if u.get("id") == args.get("user")), None)
        if found is None:
            return {"ok": False, "error": "user_not_found"}
        wants_locale = str(args.get("include_locale", "")).lower() in ("1", "true")
        return {"ok": True, "user": found if wants_locale else _without(found, "locale")}

    async def _views_publish(self, args: Json) -> Json:
        user_id = str(args.get("user_id", ""))
        view = _json(args.get("view") or "null")
        if not user_id or not isinstance(view, dict):
            return {"ok": False, "error": "invalid_arguments"}
        self.home_views[user_id] = view
        return {"ok": True, "view": {"id": f"V{user_id}", **view}}

    async def _auth_test(self, args: Json) -> Json:
        return {"ok": True, "team_id": TEAM_ID, "user_id": BOT_USER, "bot_id": BOT_ID}

    async def _post_ephemeral(self, args: Json) -> Json:
        if not args.get("channel") or not args.get("user"):
            return {"ok": False, "error": "channel_not_found"}
        message = {k: _json(v) if k == "blocks" else v for k, v in args.items() if k != "token"}
        self.ephemeral.append(message)
        return {"ok": True, "message_ts": self._next_ts()}

    async def _views_open(self, args: Json) -> Json:
        view = _json(args.get("view") or "null")
        if not args.get("trigger_id") or not isinstance(view, dict):
            return {"ok": False, "error": "invalid_arguments"}
        self.views_opened.append(view)
        return {"ok": True, "view": {"id": f"V{len(self.views_opened)}", **view}}

    async def _upload_url(self, args: Json) -> Json:
        file_id = f"F{len(self._staged) + 1}"
        self._staged[file_id] = {
            "filename": args.get("filename"),
            "length": int(args.get("length") or 0),
            "alt_txt": args.get("alt_txt"),
        }
        return {"ok": True, "file_id": file_id, "upload_url": f"{self._root}upload/{file_id}"}

    async def _receive_upload(self, request: web.Request) -> web.Response:
        staged = self._staged.get(request.match_info["file_id"])
        if staged is None:
            return web.Response(status=404, text="unknown upload")
        staged["data"] = await request.read()
        return web.Response(text="OK - uploaded")

    async def _complete_upload(self, args: Json) -> Json:
        files = _json(args.get("files") or "[]")
        done = []
        for item in files:
            staged = self._staged.get(str(item.get("id")))
            if staged is None or "data" not in staged:
                return {"ok": False, "error": "file_not_found"}
            upload = {
                **staged,
                "id": item["id"],
                "title": item.get("title"),
                "channel": args.get("channel_id"),
                "thread_ts": args.get("thread_ts"),
                "initial_comment": args.get("initial_comment"),
            }
            self.uploads.append(upload)
            done.append({"id": item["id"], "title": item.get("title")})
        return {"ok": True, "files": done}

    async def _members(self, args: Json) -> Json:
        channel = str(args.get("channel", ""))
        if channel not in self.channel_members:
            return {"ok": False, "error": "channel_not_found"}
        members = self.channel_members[channel]
        start = int(args.get("cursor") or 0)
        limit = int(args.get("limit") or 100)
        more = start + limit < len(members)
        return {
            "ok": True,
            "members": members[start : start + limit],
            "response_metadata": {"next_cursor": str(start + limit) if more else ""},
        }

    async def _connections_open(self, args: Json) -> Json:
        return {"ok": True, "url": "ws" + self._root.removeprefix("http") + "socket"}

    async def _respond(self, request: web.Request) -> web.Response:
        """An interaction's response_url: JSON in, "ok" or an error word out, as Slack does."""
        body = await request.json()
        call = Call("response_url", {**body, "key": request.match_info["key"]})
        try:
            if self._failures["response_url"]:
                failure = self._failures["response_url"].pop(0)
                call.status, call.error = failure.status, failure.error
                return web.Response(
                    status=failure.status, text=failure.error, headers=failure.headers
                )
            if "response_url" in self.delays:
                await self._delay("response_url")
            return web.Response(text="ok")
        finally:
            self.calls["response_url"].append(call)
            async with self._changed:
                self._changed.notify_all()

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        await socket.send_json({"type": "hello", "num_connections": 1})
        async with self._changed:
            self._sockets.append(socket)
            self._changed.notify_all()
        try:
            async for frame in socket:
                if frame.type is WSMsgType.TEXT:
                    async with self._changed:
                        self.acks.append(json.loads(frame.data))
                        self._changed.notify_all()
        finally:
            self._sockets.remove(socket)
        return socket

    async def _delay(self, method: str) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), self.delays[method])

    def _channel_for(self, target: str) -> str:
        # A user id as the channel means the app's DM with that user.
        return self.dm_channel(target) if target[0] in "UW" else target

    def _next_ts(self) -> str:
        self._last_ts = max(time.time(), self._last_ts + 0.000001)
        return f"{self._last_ts:.6f}"


async def _arguments(request: web.Request) -> Json:
    args: Json = dict(request.query)
    if request.content_type == "application/json":
        body = await request.json()
        if isinstance(body, dict):
            args.update(body)
    elif request.can_read_body:
        args.update({k: v for k, v in (await request.post()).items() if isinstance(v, str)})
    return args


def _without(record: Json, key: str) -> Json:
    return {name: value for name, value in record.items() if name != key}


def _json(value: Any) -> Any:
    """Blocks and metadata arrive as JSON text in form bodies and as objects in JSON bodies."""
    return json.loads(value) if isinstance(value, str) else value
