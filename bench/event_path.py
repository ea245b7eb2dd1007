"""The Slack event path, closed loop: Breakroom against a bare Bolt app on the same fake Slack.

    python bench/event_path.py [--quick] [--rounds 4] [--seconds 6] [--concurrency 1,8,32]
                               [--database-url URL]

Two servers, each its own process, both on one fake Slack Web API on loopback: `breakroom serve`
(the real app as the command builds it, Slack over HTTP at POST /slack/events), and a bare
slack-bolt AsyncApp (aiohttp adapter) that answers every DM with a fixed text. C senders each
post a signed `message.im` event (a unique event id, its own user, a question from the bundled
sample knowledge base) and wait until the fake has received the reply in that person's DM
before sending the next. Per run: end-to-end latency (p50, p99), throughput (events/s), the
HTTP acknowledgement's latency (p50) and the server process's CPU per event (utime + stime from
/proc/<pid>/stat). The two apps alternate in short rounds (A B, B A, …) so drift hits both;
ratios are Breakroom / bare, the median over rounds with their spread (min-max). It runs on a
fresh SQLite file, and also on PostgreSQL with --database-url or BREAKROOM_TEST_DATABASE_URL
(a fresh database, migrated with `breakroom db upgrade`, dropped at the end).
Targets (issue 13): CPU per question event ≤ 3x bare; on PostgreSQL end-to-end p50 ≤ 3x bare
and throughput ≥ 0.35x bare.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script: the fake Slack API lives in tests/
    sys.path.insert(0, str(REPO))

import aiohttp  # noqa: E402

from skills.knowledge.messages import NOT_SURE, NOTHING_CLOSE  # noqa: E402
from tests.cli import BREAKROOM, PROXY_VARIABLES, free_port, loopback_env  # noqa: E402
from tests.fake_slack import FakeSlack  # noqa: E402
from tests.slack_payloads import SIGNING_SECRET, dm_event, signed  # noqa: E402

TOKEN = "xoxb-bench"
# Questions the bundled sample knowledge base answers.
QUESTIONS = (
    "How much PTO do I get?",
    "Where do I get my flu shot?",
    "How do I fix a missed punch on my timesheet?",
    "How does the tuition reimbursement work?",
    "When is open enrollment?",
    "What is the night shift differential?",
)
BARE = [sys.executable, str(Path(__file__).resolve()), "--bare"]
BARE_REPLY = "Thanks, got it."
TICK = os.sysconf("SC_CLK_TCK")
GOALS: dict[str, tuple[str, float, bool]] = {
    # metric -> (wording, bound, on PostgreSQL only)
    "cpu": ("≤ 3x", 3.0, False),
    "p50": ("≤ 3x", 3.0, True),
    "throughput": ("≥ 0.35x", 0.35, True),
}


# -- the bare app (its own process) ------------------------------------------------------------


def run_bare(port: int, slack_url: str) -> None:
    """A bare Bolt app: verify the signature, acknowledge, post one fixed reply."""
    from aiohttp import web
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    app = AsyncApp(
        signing_secret=SIGNING_SECRET,
        client=AsyncWebClient(token=TOKEN, base_url=slack_url),
    )

    @app.event("message")
    async def answer(event: dict[str, Any], client: AsyncWebClient) -> None:
        await client.chat_postMessage(channel=event["channel"], text=BARE_REPLY)

    web_app = app.web_app(path="/slack/events")
    web.run_app(web_app, host="127.0.0.1", port=port, print=None, access_log=None)


# -- servers under test ------------------------------------------------------------------------


@dataclass
class Server:
    name: str
    base: str
    process: asyncio.subprocess.Process

    def cpu_seconds(self) -> float:
        """utime + stime of the server process (its threads included) from /proc."""
        stat = Path(f"/proc/{self.process.pid}/stat").read_text()
        fields = stat.rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK


@asynccontextmanager
async def started(
    name: str, command: list[str], env: dict[str, str], ready: str, log: Path
) -> AsyncIterator[Server]:
    """A server process on a free loopback port, ready when this yields; SIGINT to stop."""
    port = free_port()
    with log.open("wb") as sink:
        process = await asyncio.create_subprocess_exec(
            *command, "--port", str(port), env=env, stdout=sink, stderr=sink, cwd=log.parent
        )
    base = f"http://127.0.0.1:{port}"
    try:
        await _wait_ready(base + ready, process, log)
        yield Server(name, base, process)
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGINT)
        await asyncio.wait_for(process.wait(), timeout=30)


async def _wait_ready(url: str, process: asyncio.subprocess.Process, log: Path) -> None:
    """Any HTTP answer below 500 means listening (the bare app answers GET with 405)."""
    async with asyncio.timeout(60), aiohttp.ClientSession() as http:
        while process.returncode is None:
            try:
                async with http.get(url) as response:
                    if response.status < 500:
                        return
            except aiohttp.ClientConnectionError:
                pass
            await asyncio.sleep(0.1)
    output = await asyncio.to_thread(log.read_text)
    raise SystemExit(f"server exited with {process.returncode}:\n{output[-2000:]}")


# -- the closed loop ---------------------------------------------------------------------------


@dataclass
class Round:
    app: str
    concurrency: int
    events: int
    seconds: float
    cpu: float
    harness_cpu: float
    latencies: list[float] = field(default_factory=list)
    acks: list[float] = field(default_factory=list)
    failures: int = 0

    @property
    def throughput(self) -> float:
        return self.events / self.seconds

    @property
    def cpu_ms(self) -> float:
        return 1000 * self.cpu / max(1, self.events)

    @property
    def p50(self) -> float:
        return 1000 * percentile(self.latencies, 0.50)

    @property
    def p99(self) -> float:
        return 1000 * percentile(self.latencies, 0.99)

    @property
    def ack50(self) -> float:
        return 1000 * percentile(self.acks, 0.50)

    def metric(self, name: str) -> float:
        value: float = getattr(self, name if name != "cpu" else "cpu_ms")
        return value


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


class Loop:
    """C senders against one server; each waits for its reply before the next event."""

    def __init__(self, fake: FakeSlack, http: aiohttp.ClientSession) -> None:
        self.fake = fake
        self.http = http
        self.sent = 0
        self.completed: dict[str, int] = {}  # events whose reply arrived, per app

    async def one(self, server: Server, user: str) -> tuple[float, float]:
        """One event, end to end: (end-to-end seconds, acknowledgement seconds)."""
        self.sent += 1
        channel = self.fake.dm_channel(user)
        before = len(self.fake.messages[channel])
        ts = f"{time.time():.6f}"
        body = json.dumps(
            dm_event(QUESTIONS[self.sent % len(QUESTIONS)], user, f"Ev{uuid.uuid4().hex}", ts=ts)
        )
        start = time.perf_counter()
        async with self.http.post(
            f"{server.base}/slack/events", data=body, headers=signed(body)
        ) as response:
            await response.read()
            if response.status != 200:
                raise RuntimeError(f"{server.name} answered {response.status}")
        acked = time.perf_counter()
        await self.fake.wait_until(lambda: len(self.fake.messages[channel]) > before, timeout=30)
        return time.perf_counter() - start, acked - start

    async def run(self, server: Server, concurrency: int, seconds: float) -> Round:
        latencies: list[float] = []
        acks: list[float] = []
        failures = 0
        deadline = time.perf_counter() + seconds

        async def sender(user: str) -> None:
            nonlocal failures
            while time.perf_counter() < deadline:
                try:
                    latency, ack = await self.one(server, user)
                except (RuntimeError, TimeoutError, aiohttp.ClientError):
                    failures += 1
                    continue
                latencies.append(latency)
                self.completed[server.name] = self.completed.get(server.name, 0) + 1
                acks.append(ack)

        cpu_before, harness_before = server.cpu_seconds(), time.process_time()
        start = time.perf_counter()
        # The same people every round, met in the warm-up: first contact is a one-off, not
        # the steady path.
        users = [f"U{server.name[:2].upper()}{i:03d}" for i in range(concurrency)]
        await asyncio.gather(*(sender(user) for user in users))
        elapsed = time.perf_counter() - start
        return Round(
            app=server.name,
            concurrency=concurrency,
            events=len(latencies),
            seconds=elapsed,
            cpu=server.cpu_seconds() - cpu_before,
            harness_cpu=(time.process_time() - harness_before) / elapsed,
            latencies=latencies,
            acks=acks,
            failures=failures,
        )


# -- one database ------------------------------------------------------------------------------


@dataclass
class Settings:
    rounds: int
    seconds: float
    warmup: float
    concurrency: list[int]


async def compare(database_url: str, label: str, work: Path, settings: Settings) -> list[Round]:
    async with FakeSlack() as fake, aiohttp.ClientSession() as http:
        breakroom_env = loopback_env(
            SLACK_BOT_TOKEN=TOKEN,
            SLACK_SIGNING_SECRET=SIGNING_SECRET,
            SLACK_API_URL=fake.url,
            DATABASE_URL=database_url,
        )
        await migrate(breakroom_env, work)
        bare_command = [*BARE, "--slack-url", fake.url]
        async with (
            started(
                "breakroom", [BREAKROOM, "serve"], breakroom_env, "/readyz", work / "breakroom.log"
            ) as breakroom,
            started(
                "bare",
                bare_command,
                loopback_env(),
                "/slack/events",
                work / "bare.log",
            ) as bare,
        ):
            loop = Loop(fake, http)
            for server in (breakroom, bare):  # first requests: imports, pools, caches
                await loop.run(server, max(settings.concurrency), settings.warmup)
            rounds: list[Round] = []
            for concurrency in settings.concurrency:
                for index in range(settings.rounds):
                    order = (breakroom, bare) if index % 2 == 0 else (bare, breakroom)
                    for server in order:
                        rounds.append(await loop.run(server, concurrency, settings.seconds))
                    print(f"  {label}: C={concurrency} round {index + 1}/{settings.rounds} done")
        await check_answers(fake, loop.completed["breakroom"])
    return rounds


async def migrate(env: dict[str, str], work: Path) -> None:
    process = await asyncio.create_subprocess_exec(
        BREAKROOM, "db", "upgrade", env=env, cwd=work, stderr=asyncio.subprocess.PIPE
    )
    _, stderr = await process.communicate()
    if process.returncode != 0:
        raise SystemExit(f"breakroom db upgrade failed: {stderr.decode().strip()}")


async def check_answers(fake: FakeSlack, events: int) -> None:
    """One reply per event, and an answer, not "not sure": else the bench measures a miss."""
    replies = [
        json.dumps(message)
        for channel, messages in fake.messages.items()
        if channel.startswith("DUBR")
        for message in messages
    ]
    misses = sum(NOT_SURE in reply or NOTHING_CLOSE in reply for reply in replies)
    if len(replies) != events or misses:
        raise SystemExit(
            f"Breakroom posted {len(replies)} replies to {events} events, {misses} not answers"
        )


@asynccontextmanager
async def fresh_postgres(url: str) -> AsyncIterator[str]:
    """A new database beside the one in `url`, dropped afterwards."""
    from sqlalchemy import make_url, text
    from sqlalchemy.ext.asyncio import create_async_engine

    parsed = make_url(url)
    name = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_async_engine(parsed, isolation_level="AUTOCOMMIT")  # no DDL in a transaction
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield parsed.set(database=name).render_as_string(hide_password=False)
    finally:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


# -- the report --------------------------------------------------------------------------------


def report(label: str, rounds: list[Round], postgres: bool) -> bool:
    """Print absolute figures and ratios per concurrency; True when every goal is met."""
    print(f"\n{label}")
    print(
        "    (harness CPU: this process's share of a core, fake Slack and senders; near 100% it is"
    )
    print("    the harness, not the app, that limits the figures)")
    print(
        f"{'C':>3} {'app':<10} {'events/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'ack p50':>8} "
        f"{'CPU ms/ev':>9} {'harness CPU':>11} {'failed':>6}"
    )
    ok = True
    for concurrency in sorted({r.concurrency for r in rounds}):
        mine = [r for r in rounds if r.concurrency == concurrency]
        pairs = list(
            zip(
                [r for r in mine if r.app == "breakroom"],
                [r for r in mine if r.app == "bare"],
                strict=True,
            )
        )
        for app in ("breakroom", "bare"):
            ours = [r for r in mine if r.app == app]
            print(
                f"{concurrency:>3} {app:<10} {_median(ours, 'throughput'):9.1f} "
                f"{_median(ours, 'p50'):8.1f} {_median(ours, 'p99'):8.1f} "
                f"{_median(ours, 'ack50'):8.1f} {_median(ours, 'cpu'):9.2f} "
                f"{statistics.median(r.harness_cpu for r in ours):10.0%} "
                f"{sum(r.failures for r in ours):6d}"
            )
        cells = []
        for name, title in (
            ("throughput", "events/s"),
            ("p50", "p50"),
            ("p99", "p99"),
            ("ack50", "ack p50"),
            ("cpu", "CPU/ev"),
        ):
            ratios = [b.metric(name) / a.metric(name) for b, a in pairs]
            median = statistics.median(ratios)
            cell = f"{title} {median:.2f}x [{min(ratios):.2f}-{max(ratios):.2f}]"
            goal = GOALS.get(name)
            if goal is not None and (postgres or not goal[2]):
                met = median <= goal[1] if name != "throughput" else median >= goal[1]
                ok = ok and met
                cell += f" goal {goal[0]} {'ok' if met else 'MISS'}"
            cells.append(cell)
        print(f"{'':>3} {'ratio':<10} " + "; ".join(cells))
    return ok


def _median(rounds: list[Round], name: str) -> float:
    return statistics.median(r.metric(name) for r in rounds)


async def bench(settings: Settings, postgres_url: str | None) -> bool:
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        sqlite_url = f"sqlite+aiosqlite:///{work / 'breakroom.db'}"
        label = "SQLite (a temp file)"
        rounds = await compare(sqlite_url, label, work, settings)
        ok = report(label, rounds, postgres=False) and ok
        if postgres_url:
            async with fresh_postgres(postgres_url) as url:
                label = f"PostgreSQL ({url.rsplit('/', 1)[1]}, fresh)"
                rounds = await compare(url, label, work, settings)
            ok = report(label, rounds, postgres=True) and ok
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run, under a minute")
    parser.add_argument("--rounds", type=int, default=4, help="rounds per app (default 4)")
    parser.add_argument("--seconds", type=float, default=6.0, help="per round (default 6)")
    parser.add_argument("--concurrency", default="1,8,32", help="senders (default 1,8,32)")
    parser.add_argument(
        "--database-url", help="PostgreSQL too (default BREAKROOM_TEST_DATABASE_URL, if set)"
    )
    parser.add_argument("--bare", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--slack-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare:
        run_bare(args.port, args.slack_url)
        return 0
    for name in PROXY_VARIABLES:  # slack_sdk and aiohttp would send loopback through a proxy
        os.environ.pop(name, None)
    settings = Settings(
        rounds=2 if args.quick else args.rounds,
        seconds=1.5 if args.quick else args.seconds,
        warmup=1.0 if args.quick else 3.0,
        concurrency=[int(c) for c in args.concurrency.split(",")],
    )
    postgres_url = args.database_url or os.environ.get("BREAKROOM_TEST_DATABASE_URL")
    print(
        f"event path, closed loop: C={settings.concurrency}, {settings.rounds} rounds of "
        f"{settings.seconds:g}s per app, alternating; {os.cpu_count()} CPUs; PostgreSQL "
        f"{'on' if postgres_url else 'off (give --database-url)'}"
    )
    ok = asyncio.run(bench(settings, postgres_url))
    print(
        "\ngoals (issue 13): CPU per question event ≤ 3x bare; on PostgreSQL end-to-end "
        f"p50 ≤ 3x and throughput ≥ 0.35x bare: {'met' if ok else 'NOT met'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
