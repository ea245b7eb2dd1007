"""Fan-out of one message to N people through the outbox and a rate-limited fake Slack Web API.

    python bench/fanout.py [--n 10000] [--rate 500] [--database-url URL]

Run 1 sends in this process. Run 2 sends from a worker process, SIGKILLs it at about half-way
and starts a fresh one that reconciles the dead worker's claims and finishes. For each: total
wall time (run 2 from the first worker's start to the second's exit, restart included), the
floor the rate limit allows (N / rate), their ratio, duplicates (people who got more than one
message), losses (people who got none) and the 429s the fake answered.
Targets: ratio ≤ 1.15, no duplicates and no losses in both runs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script: the fake Slack API lives in tests/
    sys.path.insert(0, str(REPO))

from sqlalchemy import insert, text  # noqa: E402

from adapters.slack.messenger import SlackMessenger  # noqa: E402
from bot.delivery import OutboxSender  # noqa: E402
from bot.outbound import Outbound  # noqa: E402
from bot.pacing import RateLimit, RateLimiters  # noqa: E402
from bot.progress import ProgressBar  # noqa: E402
from bot.renderers import Renderers  # noqa: E402
from bot.replies import Reply  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import IdentityRow, PersonRow  # noqa: E402
from storage.outbox import OutboxRepository, Recipient  # noqa: E402
from storage.people import PeopleRepository  # noqa: E402
from tests.cli import PROXY_VARIABLES  # noqa: E402
from tests.fake_slack import FakeSlack  # noqa: E402

TOKEN = "xoxb-bench"
WORKER = [sys.executable, str(Path(__file__).resolve()), "--worker"]
REPLY = Reply.text("**Weekly pulse**: three quick questions, anonymous.")
KIND = "bench.invite"
# The fake allows short bursts, as Slack does; our limiter runs at the same rate with a smaller
# burst, so it stays under the fake's limit and 429s are rare (and honoured when they come).
FAKE_BURST_SECONDS = 0.1
OUR_BURST = 10
LEASE = 10  # OutboxSender's default lease, in seconds


@dataclass
class Result:
    label: str
    n: int
    rate: float
    seconds: float
    duplicates: int
    losses: int
    rate_limited: int
    recorded_sent: int
    note: str = ""

    @property
    def floor(self) -> float:
        return self.n / self.rate

    @property
    def ratio(self) -> float:
        return self.seconds / self.floor

    def show(self) -> None:
        verdict = "ok" if self.ratio <= 1.15 and not self.duplicates and not self.losses else "MISS"
        print(
            f"{self.label:<22} n={self.n:,}  total {self.seconds:6.2f}s  floor {self.floor:6.2f}s  "
            f"ratio {self.ratio:.3f}  duplicates {self.duplicates}  losses {self.losses}  "
            f"429s {self.rate_limited}  recorded sent {self.recorded_sent:,}  [{verdict}]"
        )
        if self.note:
            print(f"{'':<22} {self.note}")


def clear_proxies() -> None:
    """slack_sdk takes HTTP(S)_PROXY from the environment and ignores NO_PROXY."""
    for name in PROXY_VARIABLES:
        os.environ.pop(name, None)


def sender(db: Database, slack_url: str, rate: float) -> tuple[OutboxSender, SlackMessenger]:
    messenger = SlackMessenger(TOKEN, base_url=slack_url)
    outbound = Outbound(PeopleRepository(db))
    outbound.register(messenger)

    async def render(
        kind: str, payload_key: str, recipients: Sequence[Recipient]
    ) -> dict[int, Reply | None]:
        return dict.fromkeys((r.person_id for r in recipients), REPLY)

    renderers = Renderers()
    renderers.register(KIND, render)
    limiters = RateLimiters({"slack": RateLimit(rate=rate, burst=OUR_BURST)})
    return OutboxSender(OutboxRepository(db), outbound, renderers, limiters=limiters), messenger


async def prepare(db: Database, n: int) -> list[str]:
    """N people with a Slack identity each; returns their user ids."""
    await upgrade(db)
    users = [f"U{i:07d}" for i in range(n)]
    async with db.transaction() as session:
        await session.execute(
            insert(PersonRow), [{"display_name": u, "created_at": _now()} for u in users]
        )
        ids = (await session.execute(text("SELECT id FROM people ORDER BY id"))).scalars().all()
        await session.execute(
            insert(IdentityRow),
            [
                {"person_id": pid, "platform": "slack", "tenant": "TBENCH", "user_id": user}
                for pid, user in zip(ids, users, strict=True)
            ],
        )
    return users


async def queue_for_everyone(db: Database, run: str) -> str:
    """One message to every person, due now; returns its payload key."""
    async with db.transaction() as session:
        person_ids = (await session.execute(text("SELECT id FROM people"))).scalars().all()
    payload_key = f"bench:{run}"
    await OutboxRepository(db).enqueue(KIND, payload_key, dict.fromkeys(person_ids, _now()))
    return payload_key


def score(label: str, fake: FakeSlack, users: list[str], rate: float, seconds: float) -> Result:
    counts = fake.dm_counts()
    return Result(
        label=label,
        n=len(users),
        rate=rate,
        seconds=seconds,
        duplicates=sum(1 for user in users if counts.get(user, 0) > 1),
        losses=sum(1 for user in users if counts.get(user, 0) == 0),
        rate_limited=fake.rate_limited,
        recorded_sent=0,
    )


async def in_process(db: Database, users: list[str], rate: float) -> Result:
    payload_key = await queue_for_everyone(db, "in-process")
    async with FakeSlack(rate=rate, burst=max(1.0, rate * FAKE_BURST_SECONDS)) as fake:
        outbox_sender, messenger = sender(db, fake.url, rate)
        bar = ProgressBar(label="run 1")
        started = time.perf_counter()
        try:
            await outbox_sender.run_until_idle(progress=bar)
        finally:
            bar.close()
            await messenger.close()
        seconds = time.perf_counter() - started
        result = score("in one process", fake, users, rate, seconds)
    result.recorded_sent = (await OutboxRepository(db).progress(payload_key)).sent
    return result


async def killed_midway(
    db: Database, url: str, schema: str | None, users: list[str], rate: float, kill_at: float
) -> Result:
    payload_key = await queue_for_everyone(db, "killed-midway")
    async with FakeSlack(rate=rate, burst=max(1.0, rate * FAKE_BURST_SECONDS)) as fake:
        command = [*WORKER, "--database-url", url, "--slack-url", fake.url, "--rate", str(rate)]
        if schema:
            command += ["--schema", schema]
        env = {k: v for k, v in os.environ.items() if k not in PROXY_VARIABLES}
        started = time.perf_counter()
        first = await asyncio.create_subprocess_exec(*command, env=env)
        await fake.wait_for_call("chat.postMessage", round(len(users) * kill_at), timeout=600)
        first.send_signal(signal.SIGKILL)
        await first.wait()
        killed = time.perf_counter() - started
        posted_before = sum(fake.dm_counts().values())
        second = await asyncio.create_subprocess_exec(*command, env=env)
        if await second.wait() != 0:
            raise SystemExit("the restarted worker failed")
        seconds = time.perf_counter() - started
        result = score("killed and restarted", fake, users, rate, seconds)
    result.recorded_sent = (await OutboxRepository(db).progress(payload_key)).sent
    result.note = (
        f"SIGKILL after {killed:.2f}s with {posted_before:,} delivered; the restart finished "
        f"{seconds - killed:.2f}s later (the dead worker's claims lapse after {LEASE}s)"
    )
    return result


async def worker(url: str, schema: str | None, slack_url: str, rate: float) -> None:
    clear_proxies()
    db = Database(url, schema=schema)
    outbox_sender, messenger = sender(db, slack_url, rate)
    try:
        await outbox_sender.run_until_idle()
    finally:
        await messenger.close()
        await db.dispose()


async def bench(n: int, rate: float, url: str | None, kill_at: float) -> list[Result]:
    clear_proxies()
    with tempfile.TemporaryDirectory() as tmp:
        schema = None
        if url is None:
            url = f"sqlite+aiosqlite:///{Path(tmp) / 'fanout.db'}"
        elif not url.startswith("sqlite"):
            schema = f"bench_{uuid.uuid4().hex[:10]}"
            admin = Database(url)
            async with admin.engine.begin() as conn:
                await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            await admin.dispose()
        db = Database(url, schema=schema)
        try:
            users = await prepare(db, n)
            results = [await in_process(db, users, rate)]
            results.append(await killed_midway(db, url, schema, users, rate, kill_at))
        finally:
            await db.dispose()
            if schema is not None:
                admin = Database(url)
                async with admin.engine.begin() as conn:
                    await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                await admin.dispose()
    return results


def _now() -> datetime:
    return datetime.now(UTC)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10_000, help="recipients (default 10,000)")
    parser.add_argument(
        "--rate", type=float, default=500.0, help="the fake's limit, messages/s (default 500)"
    )
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument("--kill-at", type=float, default=0.5, help="share sent before SIGKILL")
    parser.add_argument("--json", action="store_true", help="also print the results as JSON")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--slack-url", help=argparse.SUPPRESS)
    parser.add_argument("--schema", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        asyncio.run(worker(args.database_url, args.schema, args.slack_url, args.rate))
        return 0
    print(
        f"fan-out of {args.n:,} DMs; the fake Slack allows {args.rate:,.0f} msg/s "
        f"(floor {args.n / args.rate:.2f}s); database {args.database_url or 'SQLite'}"
    )
    results = asyncio.run(bench(args.n, args.rate, args.database_url, args.kill_at))
    for result in results:
        result.show()
    if args.json:
        print(json.dumps([{**r.__dict__, "ratio": r.ratio, "floor": r.floor} for r in results]))
    ok = all(r.ratio <= 1.15 and not r.duplicates and not r.losses for r in results)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
