"""One scheduler among replicas: the PostgreSQL advisory-lock election, take-over when the leader's
session dies, the acceptance test "two schedulers on one PostgreSQL database never both send",
and what the leader runs (cron jobs with the missed-run rule, interval jobs, leader tasks)."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import TypedDict
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from bot.events import ScheduledTrigger
from bot.leader import LeaderElection
from bot.router import Router
from bot.scheduler import Scheduler
from bot.services import Services
from bot.settings import Settings
from storage.db import Database
from tests.conftest import POSTGRES_URL


class Timing(TypedDict):
    retry_seconds: float
    check_seconds: float
    timeout_seconds: float


FAST: Timing = {"retry_seconds": 0.1, "check_seconds": 0.1, "timeout_seconds": 2.0}

needs_postgres = pytest.mark.skipif(
    POSTGRES_URL is None,
    reason="BREAKROOM_TEST_DATABASE_URL is not set (no PostgreSQL to test against)",
)


def lock_key() -> int:
    """A key of its own per test, so parallel runs on one server never contend."""
    return random.randrange(1, 2**31)


async def eventually(check: Callable[[], bool], within: float = 5.0) -> None:
    deadline = time.monotonic() + within
    while not check():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


@pytest.fixture
async def postgres() -> AsyncIterator[Callable[[], Database]]:
    """Databases on the test server, one per simulated replica (each with its own pool)."""
    if POSTGRES_URL is None:
        pytest.skip("BREAKROOM_TEST_DATABASE_URL is not set (no PostgreSQL to test against)")
    opened: list[Database] = []

    def open_database() -> Database:
        opened.append(Database(POSTGRES_URL))
        return opened[-1]

    yield open_database
    for db in opened:
        await db.dispose()


class Campaign:
    """A LeaderElection running in the background, recording when it gains and loses."""

    def __init__(self, election: LeaderElection) -> None:
        self.election = election
        self.events: list[str] = []
        self.stop = asyncio.Event()
        self.task = asyncio.create_task(election.run(self.gain, self.lose, self.stop))

    async def gain(self) -> None:
        self.events.append("gain")

    async def lose(self) -> None:
        self.events.append("lose")

    async def end(self) -> None:
        self.stop.set()
        await asyncio.wait_for(self.task, 10)


async def backend_holding(db: Database, key: int) -> int | None:
    async with db.engine.connect() as conn:
        pid = await conn.scalar(
            text(
                "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted "
                "AND classid = 0 AND objid = :key AND objsubid = 1"
            ),
            {"key": key},
        )
    return None if pid is None else int(pid)


# -- the election --------------------------------------------------------------------------------


@pytest.mark.postgres
@needs_postgres
async def test_two_replicas_one_leader(postgres: Callable[[], Database]) -> None:
    key = lock_key()
    a = Campaign(LeaderElection(postgres(), key=key, **FAST))
    b = Campaign(LeaderElection(postgres(), key=key, **FAST))
    try:
        await eventually(lambda: a.election.is_leader or b.election.is_leader)
        for _ in range(20):  # followers retry every 0.1 s: none of them may win meanwhile
            assert a.election.is_leader != b.election.is_leader
            await asyncio.sleep(0.03)
        assert sorted([a.events, b.events]) == [[], ["gain"]]
    finally:
        await a.end()
        await b.end()
    assert sorted([a.events, b.events]) == [[], ["gain", "lose"]]


@pytest.mark.postgres
@needs_postgres
async def test_a_follower_takes_over_when_the_leaders_session_dies(
    postgres: Callable[[], Database],
) -> None:
    key = lock_key()
    admin = postgres()
    # The old leader retries slowly, so that the take-over by `b` is what the test sees.
    slow_retry: Timing = {**FAST, "retry_seconds": 2.0}
    a = Campaign(LeaderElection(postgres(), key=key, **slow_retry))
    await eventually(lambda: a.election.is_leader)
    b = Campaign(LeaderElection(postgres(), key=key, **FAST))
    try:
        await asyncio.sleep(0.3)
        assert not b.election.is_leader
        pid = await backend_holding(admin, key)
        assert pid is not None
        async with admin.engine.connect() as conn:
            assert await conn.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        started = time.monotonic()
        await eventually(lambda: b.election.is_leader, within=2.0)
        assert time.monotonic() - started < 1.0  # within a few retry intervals
        await eventually(lambda: not a.election.is_leader, within=2.0)
        assert a.events == ["gain", "lose"]
        await asyncio.sleep(2.5)  # the old leader campaigns again, and stays a follower
        assert not a.election.is_leader
        assert b.election.is_leader
    finally:
        await a.end()
        await b.end()


@pytest.mark.postgres
@needs_postgres
async def test_stopping_releases_the_lock(postgres: Callable[[], Database]) -> None:
    key = lock_key()
    admin = postgres()
    a = Campaign(LeaderElection(postgres(), key=key, **FAST))
    await eventually(lambda: a.election.is_leader)
    assert await backend_holding(admin, key) is not None
    await a.end()
    assert await backend_holding(admin, key) is None


async def test_an_unreachable_database_means_no_leader() -> None:
    db = Database("postgresql+asyncpg://nobody@127.0.0.1:1/breakroom")
    a = Campaign(LeaderElection(db, key=lock_key(), **FAST))
    await asyncio.sleep(0.3)
    assert not a.election.is_leader
    await a.end()
    assert a.events == []
    await db.dispose()


async def test_sqlite_always_leads(tmp_path: Path) -> None:
    """SQLite is one embedded process: nothing to elect."""
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'one.db'}")
    a = Campaign(LeaderElection(db, **FAST))
    await eventually(lambda: a.election.is_leader)
    await a.end()
    assert a.events == ["gain", "lose"]
    assert not a.election.is_leader
    await db.dispose()


# -- schedulers ----------------------------------------------------------------------------------

Calls = list[tuple[str, float]]


def replica(
    name: str,
    settings: Settings,
    db: Database,
    calls: Calls,
    *,
    key: int,
    running: dict[str, bool] | None = None,
) -> Scheduler:
    """One simulated process: its own router, pool and scheduler, ticking every 0.1 s."""
    router = Router(Services.build(settings, db))

    async def tick(trigger: ScheduledTrigger, services: Services) -> None:
        calls.append((name, time.monotonic()))

    router.job("pulse.tick", tick, every_seconds=0.1)
    scheduler = Scheduler(
        router, settings, db, election=LeaderElection(db, key=key, **FAST), stop_seconds=2
    )
    if running is not None:

        async def worker(stop: asyncio.Event) -> None:
            running[name] = True
            await stop.wait()
            running[name] = False

        scheduler.add_leader_task(worker)
    return scheduler


@pytest.mark.postgres
@needs_postgres
async def test_two_schedulers_on_one_postgresql_database_never_both_send(
    postgres: Callable[[], Database], settings: Settings
) -> None:
    key = lock_key()
    calls: Calls = []
    running: dict[str, bool] = {}
    a = replica("a", settings, postgres(), calls, key=key, running=running)
    b = replica("b", settings, postgres(), calls, key=key, running=running)
    a.start()
    b.start()
    try:
        await eventually(lambda: len(calls) >= 1)
        for _ in range(50):  # ~1.5 s of ticks every 0.1 s
            assert sum(running.values()) <= 1
            await asyncio.sleep(0.03)
        senders = {sender for sender, _ in calls}
        assert len(senders) == 1
        assert len(calls) >= 8
        leader, follower = (a, b) if senders == {"a"} else (b, a)
        assert leader.is_leader
        assert not follower.is_leader
        assert running == {"a" if leader is a else "b": True}

        leader_name = "a" if leader is a else "b"
        await leader.stop()
        stopped = time.monotonic()
        # The follower may take over at once once the lock is released; only the leader's own
        # work must have stopped.
        assert not running[leader_name]
        follower_name = "b" if leader is a else "a"
        await eventually(lambda: any(s == follower_name for s, _ in calls), within=3.0)
        assert running[follower_name]
        await asyncio.sleep(0.5)
    finally:
        await a.stop()
        await b.stop()
    first_of_follower = min(t for s, t in calls if s == follower_name)
    last_of_leader = max(t for s, t in calls if s != follower_name)
    assert last_of_leader <= first_of_follower, "never both at once"
    assert first_of_follower - stopped < 1.0


async def test_a_scheduler_runs_jobs_and_leader_tasks_until_stopped(
    settings: Settings, database: Database
) -> None:
    calls: Calls = []
    running: dict[str, bool] = {}
    scheduler = replica("only", settings, database, calls, key=lock_key(), running=running)
    scheduler.start()
    await eventually(lambda: len(calls) >= 3)
    assert running == {"only": True}
    await scheduler.stop()
    count = len(calls)
    assert running == {"only": False}
    await asyncio.sleep(0.3)
    assert len(calls) == count


async def test_leader_tasks_are_added_before_start(settings: Settings, database: Database) -> None:
    scheduler = replica("x", settings, database, [], key=lock_key())
    scheduler.start()

    async def late(stop: asyncio.Event) -> None:
        await stop.wait()

    with pytest.raises(RuntimeError, match="before the scheduler starts"):
        scheduler.add_leader_task(late)
    await scheduler.stop()


async def test_a_slow_job_is_given_time_then_cancelled_on_stop(
    settings: Settings, database: Database
) -> None:
    router = Router(Services.build(settings, database))
    states: list[str] = []

    async def slow(trigger: ScheduledTrigger, services: Services) -> None:
        states.append("started")
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            states.append("cancelled")
            raise

    router.job("slow", slow, every_seconds=60)
    election = LeaderElection(database, key=lock_key(), **FAST)
    scheduler = Scheduler(router, settings, database, election=election, stop_seconds=0.2)
    scheduler.start()
    await eventually(lambda: states == ["started"])
    began = time.monotonic()
    await scheduler.stop()
    assert states == ["started", "cancelled"]
    assert 0.15 < time.monotonic() - began < 2


async def test_no_job_starts_once_leading_has_stopped(settings: Settings) -> None:
    """APScheduler hands a due job to the loop as a task; stopping just then must not let it
    begin afterwards, when the database may already be closing. On SQLite leading begins and
    ends without yielding to the loop in between, which makes "just then" certain."""
    database = Database(settings.database_url)
    router = Router(Services.build(settings, database))
    runs: list[ScheduledTrigger] = []

    async def tick(trigger: ScheduledTrigger, services: Services) -> None:
        runs.append(trigger)

    router.job("tick", tick, every_seconds=60)  # due at once when leading begins
    election = LeaderElection(database, key=lock_key(), **FAST)
    scheduler = Scheduler(router, settings, database, election=election)
    scheduler.start()
    # Resume at the very turn leading begins: an event or a longer sleep would give the loop
    # time to start the job first.
    while not scheduler.is_leader:  # noqa: ASYNC110
        await asyncio.sleep(0)
    await scheduler.stop()  # before the loop has run the job APScheduler just handed it
    for _ in range(50):
        await asyncio.sleep(0)
    await database.dispose()
    assert runs == []


# -- cron jobs and runs missed while no process led -----------------------------------------------


def cron_at(moment: datetime) -> str:
    """A daily crontab line firing at `moment`'s hour and minute."""
    return f"{moment.minute} {moment.hour} * * *"


async def run_briefly(
    settings: Settings, database: Database, cron: str, seen: list[ScheduledTrigger]
) -> None:
    router = Router(Services.build(settings, database))

    async def digest(trigger: ScheduledTrigger, services: Services) -> None:
        seen.append(trigger)

    router.job("ideas.digest", digest, cron=cron)
    election = LeaderElection(database, key=lock_key(), **FAST)
    scheduler = Scheduler(router, settings, database, election=election)
    scheduler.start()
    await eventually(lambda: scheduler.is_leader)
    await asyncio.sleep(0.5)
    await scheduler.stop()


async def test_a_cron_run_missed_within_the_grace_time_runs_once_on_start(
    settings: Settings, database: Database
) -> None:
    hospital = ZoneInfo(settings.timezone)
    missed = (datetime.now(hospital) - timedelta(minutes=3)).replace(second=0, microsecond=0)
    seen: list[ScheduledTrigger] = []
    await run_briefly(settings, database, cron_at(missed), seen)
    assert [t.job for t in seen] == ["ideas.digest"]
    assert datetime.fromisoformat(seen[0].payload["scheduled_at"]) == missed
    # A restart (or a second leader) does not run it again: the run is in the ledger.
    await run_briefly(settings, database, cron_at(missed), seen)
    assert len(seen) == 1


async def test_a_cron_run_missed_long_ago_is_skipped(
    settings: Settings, database: Database
) -> None:
    hospital = ZoneInfo(settings.timezone)
    long_ago = datetime.now(hospital) - timedelta(hours=2)
    seen: list[ScheduledTrigger] = []
    await run_briefly(settings, database, cron_at(long_ago), seen)
    assert seen == []


# -- registration --------------------------------------------------------------------------------


async def noop(trigger: ScheduledTrigger, services: Services) -> None:
    return None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"cron": "0 8 * * mon", "every_seconds": 30}, "not both"),
        ({"every_seconds": 0}, "positive"),
        ({"cron": "0 8 * *"}, "5 fields"),
        ({"cron": "0 8 * * 8"}, "weekday"),
    ],
)
def test_job_registration_checks_its_timing(
    settings: Settings, kwargs: dict[str, object], message: str
) -> None:
    router = Router(Services.build(settings))
    with pytest.raises(ValueError, match=message):
        router.job("x", noop, **kwargs)  # type: ignore[arg-type]


def test_interval_and_recurring_jobs_are_listed(settings: Settings) -> None:
    router = Router(Services.build(settings))
    router.job("pulse.tick", noop, every_seconds=30)
    router.job("ideas.digest", noop, cron="0 8 * * mon")
    router.job("on.demand", noop)
    assert router.interval_jobs == {"pulse.tick": 30}
    assert router.recurring_jobs == {"ideas.digest": "0 8 * * mon"}
