"""Fan-out of one message to N people, as the product sends it, against a fake Slack that limits.

    python bench/fanout.py [--quick] [--sizes 1000,10000] [--serve] [--announce]
                           [--database-url URL]

The sender is the one `breakroom` builds (`bot.runtime.start_runtime`, the Slack bridge, the
default settings): it is not told the fake's limit. The fake Slack Web API allows --rate
messages a second across the workspace (bursts of a quarter second) and about one a second per
channel, as Slack documents, and answers a share of sends and look-ups with a random 429 or
HTTP 500 (a 500 after posting, half of the time). The floor is N / --rate: no sender can beat
it.

For each size: run 1 sends from one worker process; run 2 SIGKILLs the worker half-way and
starts another, which reconciles the dead worker's claims once their lease lapses and finishes.
Each prints its wall time (run 2 from the first worker's start to the second's exit, restart
included), the floor, their ratio, duplicates (people messaged twice), losses (people never
messaged) and the 429s and 500s the fake answered. Target: ratio <= 1.25, no duplicates, no
losses.

--announce: an announcement to N people (a unit of them), written and sent as HR does it (the
`announce` command, then the preview's Send button, through the product's router and the Slack
bridge), delivered by the product's sender with its own renderer, SIGKILLed half-way and
restarted. Target: ratio <= 1.10, no duplicates, no losses.

--serve: 2,000 survey invitations (a pulse HR opens with `/pulse create weekly-pulse to everyone
now`, a signed slash command) sent by a real `breakroom serve` process, timed from the command
until every invitation has arrived.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script: the fake Slack API lives in tests/
    sys.path.insert(0, str(REPO))

import aiohttp  # noqa: E402
from sqlalchemy import insert, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bot.replies import Reply  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import IdentityRow, PersonRow  # noqa: E402
from storage.outbox import OutboxRepository  # noqa: E402
from storage.outbox_items import Recipient  # noqa: E402
from tests.cli import loopback_env, serving  # noqa: E402
from tests.fake_slack import TEAM_ID, FakeSlack  # noqa: E402
from tests.slack_payloads import SIGNING_SECRET, signed, slash_command  # noqa: E402

TOKEN = "xoxb-bench"
WORKER = [sys.executable, str(Path(__file__).resolve()), "--worker"]
REPLY = Reply.text("**Weekly pulse**: three quick questions, anonymous.")
KIND = "bench.invite"
TARGET = 1.25
ANNOUNCE_TARGET = 1.10
ANNOUNCE_UNIT = "bench-announce"
ANNOUNCEMENT = '"Flu shots" "Free flu shots in the **lobby** all week." to unit {unit} now'
NO_QUIET_HOURS = "00:00-00:00"
HR = "UHR00001"  # who opens the pulse in Slack (BREAKROOM_HR_USERS); invited too, not counted
FORM = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class Limits:
    """What the fake Slack allows, and how often it fails at random."""

    rate: float
    flaky_429: float
    flaky_5xx: float
    seed: int

    def fake(self) -> FakeSlack:
        return FakeSlack(
            rate=self.rate,
            burst=max(1.0, self.rate / 4),
            channel_rate=1.0,
            channel_burst=3,
            flaky_429=self.flaky_429,
            flaky_5xx=self.flaky_5xx,
            seed=self.seed,
        )


@dataclass
class Result:
    label: str
    n: int
    rate: float
    seconds: float
    duplicates: int
    losses: int
    limited: int
    injected_429: int
    injected_5xx: int
    note: str = ""
    target: float = TARGET

    @property
    def floor(self) -> float:
        return self.n / self.rate

    @property
    def ratio(self) -> float:
        return self.seconds / self.floor

    @property
    def ok(self) -> bool:
        return self.ratio <= self.target and not self.duplicates and not self.losses

    def show(self) -> None:
        print(
            f"{self.label:<28} n={self.n:>6,}  total {self.seconds:7.2f}s  floor "
            f"{self.floor:7.2f}s  ratio {self.ratio:.3f}  duplicates {self.duplicates}  "
            f"losses {self.losses}  429s {self.limited} (random {self.injected_429})  "
            f"500s {self.injected_5xx}  [{'ok' if self.ok else 'MISS'}]",
            flush=True,
        )
        if self.note:
            print(f"{'':<28} {self.note}", flush=True)


def score(label: str, fake: FakeSlack, users: Sequence[str], rate: float, seconds: float) -> Result:
    counts = fake.dm_counts()
    return Result(
        label=label,
        n=len(users),
        rate=rate,
        seconds=seconds,
        duplicates=sum(1 for user in users if counts.get(user, 0) > 1),
        losses=sum(1 for user in users if counts.get(user, 0) == 0),
        limited=fake.rate_limited,
        injected_429=fake.injected["429"],
        injected_5xx=fake.injected["5xx"],
    )


# -- the database ---------------------------------------------------------------------------


async def add_people(db: Database, users: Sequence[str], unit: str | None = None) -> None:
    """One person per user id (in `unit`, if given), each with a Slack identity in the fake's
    workspace."""
    now = datetime.now(UTC)
    async with db.transaction() as session:
        for start in range(0, len(users), 1000):
            chunk = users[start : start + 1000]
            await session.execute(
                insert(PersonRow),
                [{"display_name": u, "unit": unit, "created_at": now} for u in chunk],
            )
        rows = await session.execute(text("SELECT id, display_name FROM people"))
        ids = {name: pid for pid, name in rows.all()}
        wanted = set(users)
        ids = {name: pid for name, pid in ids.items() if name in wanted}
        for start in range(0, len(users), 1000):
            chunk = users[start : start + 1000]
            await session.execute(
                insert(IdentityRow),
                [
                    {"person_id": ids[u], "platform": "slack", "tenant": TEAM_ID, "user_id": u}
                    for u in chunk
                ],
            )


async def queue_for(db: Database, users: Sequence[str], run: str) -> None:
    """One message to each of `users`, due now, to a workspace whose pace is not known yet:
    every run learns it from the fake's 429s anew."""
    async with db.transaction() as session:
        await session.execute(text("DELETE FROM send_budgets"))
        rows = await session.execute(text("SELECT id, display_name FROM people"))
        wanted = set(users)
        person_ids = [pid for pid, name in rows.all() if name in wanted]
    now = datetime.now(UTC)
    await OutboxRepository(db).enqueue(KIND, f"bench:{run}", dict.fromkeys(person_ids, now))


class Place:
    """A database for one bench run: a SQLite file, or a PostgreSQL database of its own, made
    with a unique name and dropped at the end (other work shares the server)."""

    def __init__(self, url: str | None, directory: Path) -> None:
        self.server: str | None = None
        if url is None:
            self.url = f"sqlite+aiosqlite:///{directory / 'fanout.db'}"
        else:
            self.server = url
            self.name = f"bench_fanout_{uuid.uuid4().hex[:10]}"
            self.url = str(make_url(url).set(database=self.name))

    async def __aenter__(self) -> Database:
        if self.server is not None:
            await _on_server(self.server, f'CREATE DATABASE "{self.name}"')
        self.db = Database(self.url)
        await upgrade(self.db)
        return self.db

    async def __aexit__(self, *exc: object) -> None:
        await self.db.dispose()
        if self.server is not None:
            await _on_server(self.server, f'DROP DATABASE "{self.name}" WITH (FORCE)')


async def _on_server(url: str, statement: str) -> None:
    """A statement PostgreSQL runs outside a transaction only (CREATE/DROP DATABASE)."""
    admin = Database(url)
    try:
        async with admin.engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text(statement))
    finally:
        await admin.dispose()


# -- the worker: the product's own sender -----------------------------------------------------


async def worker() -> None:
    """What `breakroom pulse send` does with Slack configured: the runtime's sender, paced by
    the runtime's limiters, through the Slack bridge's messenger."""
    from adapters.slack.app import SlackBridge
    from bot.runtime import start_runtime
    from bot.settings import load_settings

    runtime = await start_runtime(load_settings(dict(os.environ)), migrate=False)
    bridge = await SlackBridge.start(runtime)

    async def render(
        kind: str, payload_key: str, recipients: Sequence[Recipient]
    ) -> dict[int, Reply | None]:
        return dict.fromkeys((r.person_id for r in recipients), REPLY)

    runtime.services.renderers.register(KIND, render)
    outbox = runtime.services.outbox
    try:
        # As `breakroom serve` would: until no row is left, a retry due in a moment included.
        while True:
            await runtime.delivery.run_until_idle()
            if await outbox.count_open(datetime.now(UTC) + timedelta(days=1)) == 0:
                break
            await asyncio.sleep(0.1)
    finally:
        await bridge.close()
        await runtime.close()


def product_env(place: Place, fake: FakeSlack, **extra: str) -> dict[str, str]:
    env = loopback_env(
        SLACK_BOT_TOKEN=TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake.url,
        BREAKROOM_LOG_LEVEL="WARNING",
        DATABASE_URL=place.url,
        **extra,
    )
    env["PYTHONPATH"] = str(REPO)
    return env


async def in_one_process(
    place: Place, db: Database, users: Sequence[str], limits: Limits
) -> Result:
    await queue_for(db, users, f"one-{len(users)}")
    async with limits.fake() as fake:
        started = time.perf_counter()
        process = await asyncio.create_subprocess_exec(*WORKER, env=product_env(place, fake))
        if await process.wait() != 0:
            raise SystemExit("the worker failed")
        seconds = time.perf_counter() - started
        return score("in one process", fake, users, limits.rate, seconds)


async def killed_midway(
    place: Place, db: Database, users: Sequence[str], limits: Limits, kill_at: float
) -> Result:
    await queue_for(db, users, f"killed-{len(users)}")
    async with limits.fake() as fake:
        return await kill_and_restart(
            "killed and restarted", fake, product_env(place, fake), users, limits, kill_at
        )


async def kill_and_restart(
    label: str,
    fake: FakeSlack,
    env: dict[str, str],
    users: Sequence[str],
    limits: Limits,
    kill_at: float,
    target: float = TARGET,
) -> Result:
    """Start a worker, SIGKILL it once `kill_at` of `users` have their message, start another
    and wait for it to finish; timed from the first worker's start."""
    started = time.perf_counter()
    first = await asyncio.create_subprocess_exec(*WORKER, env=env)
    await fake.wait_until(
        lambda: sum(fake.dm_counts().values()) >= round(len(users) * kill_at), timeout=3600
    )
    first.send_signal(signal.SIGKILL)
    await first.wait()
    killed = time.perf_counter() - started
    posted_before = sum(fake.dm_counts().values())
    second = await asyncio.create_subprocess_exec(*WORKER, env=env)
    if await second.wait() != 0:
        raise SystemExit("the restarted worker failed")
    seconds = time.perf_counter() - started
    result = score(label, fake, users, limits.rate, seconds)
    result.target = target
    result.note = (
        f"SIGKILL after {killed:.2f}s with {posted_before:,} delivered; the restart finished "
        f"{seconds - killed:.2f}s later"
    )
    return result


# -- an announcement ----------------------------------------------------------------------------


async def announce_as_hr(env: dict[str, str]) -> int:
    """HR announces to the bench's unit, now, as in Slack: the `announce` command through the
    product's router, then the preview's Send button (its value sealed for HR). Its messages
    are queued, due now; the announcement's id."""
    from adapters.slack.app import SlackBridge
    from bot.events import Action, Actor, Command, ConversationKind, ConversationRef
    from bot.replies import Buttons
    from bot.runtime import start_runtime
    from bot.settings import load_settings

    runtime = await start_runtime(load_settings(env), migrate=False)
    bridge = await SlackBridge.start(runtime)
    try:
        hr = Actor(platform="slack", tenant=TEAM_ID, user_id=HR, display_name="HR")
        chat = ConversationRef(platform="slack", kind=ConversationKind.DIRECT)
        words = ANNOUNCEMENT.format(unit=ANNOUNCE_UNIT)
        typed = Command(actor=hr, conversation=chat, name="announce", text=words)
        [preview] = await runtime.router.dispatch(typed)
        [send] = [
            b
            for block in preview.blocks
            if isinstance(block, Buttons)
            for b in block.buttons
            if b.action_id == "announce.send"
        ]
        pressed = Action(actor=hr, conversation=chat, action_id=send.action_id, value=send.value)
        [sent] = await runtime.router.dispatch(pressed)
        if "on its way" not in sent.fallback:
            raise SystemExit(f"the announcement was not sent: {sent.fallback}")
        announcements = await runtime.services.announcements.recent(1)
        return announcements[0].id
    finally:
        await bridge.close()
        await runtime.close()


async def announcement_killed_midway(
    place: Place, db: Database, users: Sequence[str], limits: Limits, kill_at: float
) -> Result:
    async with db.transaction() as session:
        await session.execute(text("DELETE FROM send_budgets"))
    async with limits.fake() as fake:
        env = product_env(place, fake, BREAKROOM_HR_USERS=HR, BREAKROOM_QUIET_HOURS=NO_QUIET_HOURS)
        announcement = await announce_as_hr(env)
        result = await kill_and_restart(
            f"announcement #{announcement}, killed",
            fake,
            env,
            users,
            limits,
            kill_at,
            ANNOUNCE_TARGET,
        )
    return result


async def announcement_bench(
    sizes: Sequence[int], url: str | None, limits: Limits, kill_at: float
) -> list[Result]:
    results: list[Result] = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            (Path(tmp) / str(n)).mkdir(exist_ok=True)
            place = Place(url, Path(tmp) / str(n))
            async with place as db:
                users = [f"U4{i:07d}" for i in range(n)]
                await add_people(db, users, unit=ANNOUNCE_UNIT)
                print(f"-- an announcement to {n:,} people", flush=True)
                result = await announcement_killed_midway(place, db, users, limits, kill_at)
                result.show()
                results.append(result)
    return results


async def sizes_bench(
    sizes: Sequence[int], url: str | None, limits: Limits, kill_at: float
) -> list[Result]:
    results: list[Result] = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            (Path(tmp) / str(n)).mkdir(exist_ok=True)
            place = Place(url, Path(tmp) / str(n))
            async with place as db:
                one = [f"U1{i:07d}" for i in range(n)]
                two = [f"U2{i:07d}" for i in range(n)]
                await add_people(db, [*one, *two])
                print(f"-- {n:,} recipients", flush=True)
                result = await in_one_process(place, db, one, limits)
                result.show()
                results.append(result)
                result = await killed_midway(place, db, two, limits, kill_at)
                result.show()
                results.append(result)
    return results


# -- breakroom serve ----------------------------------------------------------------------------


async def serve_bench(n: int, limits: Limits) -> Result:
    """`n` invitations to a pulse that HR opens with `/pulse create … now` in Slack, sent by a
    `breakroom serve` process; timed from the command until every invitation has arrived."""
    with tempfile.TemporaryDirectory() as tmp:
        place = Place(None, Path(tmp))
        users = [f"U3{i:07d}" for i in range(n)]
        async with place as db:
            await add_people(db, users)
        async with (
            limits.fake() as fake,
            aiohttp.ClientSession() as http,
            serving(
                Path(tmp),
                DATABASE_URL=place.url,
                SLACK_BOT_TOKEN=TOKEN,
                SLACK_SIGNING_SECRET=SIGNING_SECRET,
                SLACK_API_URL=fake.url,
                BREAKROOM_HR_USERS=HR,
                BREAKROOM_QUIET_HOURS=NO_QUIET_HOURS,
                BREAKROOM_LOG_LEVEL="WARNING",
            ) as server,
        ):
            body = slash_command(
                "/pulse",
                "create weekly-pulse to everyone now",
                HR,
                response_url=fake.response_url(),
            )
            started = time.perf_counter()
            async with http.post(
                f"{server.base}/slack/events", data=body, headers=signed(body, content_type=FORM)
            ) as answer:
                if answer.status != 200:
                    raise SystemExit(f"/pulse answered HTTP {answer.status}")
            await fake.wait_until(
                lambda: sum(1 for u in users if fake.posted_to(u)) == n, timeout=3600
            )
            seconds = time.perf_counter() - started
            return score("breakroom serve, /pulse", fake, users, limits.rate, seconds)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1,000 recipients only")
    parser.add_argument("--sizes", default="1000,10000", help="recipients per run (1000,10000)")
    parser.add_argument("--rate", type=float, default=20.0, help="the fake's limit, msg/s (20)")
    parser.add_argument(
        "--serve-rate", type=float, default=40.0, help="the fake's limit for --serve (40)"
    )
    parser.add_argument("--flaky-429", type=float, default=0.001, help="random 429s (0.001)")
    parser.add_argument("--flaky-5xx", type=float, default=0.001, help="random 500s (0.001)")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--serve", action="store_true", help="2,000 invitations via serve")
    parser.add_argument(
        "--announce", action="store_true", help="an announcement, its sender killed half-way"
    )
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument("--kill-at", type=float, default=0.5, help="share sent before SIGKILL")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        asyncio.run(worker())
        return 0
    extra = (args.flaky_429, args.flaky_5xx, args.seed)
    limits = Limits(args.serve_rate if args.serve else args.rate, *extra)
    print(
        f"the fake Slack allows {limits.rate:g} msg/s per workspace and 1/s per channel; random "
        f"429s {limits.flaky_429:.1%}, random 500s {limits.flaky_5xx:.1%}; the sender is the "
        f"product's own (default settings); database {args.database_url or 'SQLite'}",
        flush=True,
    )
    results: list[Result] = []
    if args.serve:
        result = asyncio.run(serve_bench(2000, limits))
        result.show()
        results.append(result)
    else:
        sizes = [1000] if args.quick else [int(s) for s in args.sizes.split(",")]
        bench = announcement_bench if args.announce else sizes_bench
        results = asyncio.run(bench(sizes, args.database_url, limits, args.kill_at))
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
