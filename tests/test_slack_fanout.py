"""Bulk delivery over real HTTP to the fake Slack Web API: a 429 on a send or on the look-up
that precedes a retry waits its Retry-After and is never counted as a failed attempt; a 500
is, and the retry asks Slack first, so nobody gets a message twice."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta

import pytest

from adapters.slack.messenger import SlackMessenger
from bot.delivery import Backoff, OutboxSender
from bot.outbound import Outbound
from bot.pacing import RateLimit, RateLimiters
from bot.renderers import Renderers
from bot.replies import Reply
from storage.db import Database
from storage.outbox import OutboxRepository
from storage.outbox_items import Recipient
from storage.people import PeopleRepository, Profile
from storage.send_budgets import SendBudgetRepository
from tests.fake_slack import TEAM_ID, FakeSlack

KIND = "test.invite"
LIMITED = {"Retry-After": "1"}


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        yield fake


async def test_429s_on_sends_and_look_ups_wait_and_are_not_failed_attempts(
    database: Database, slack: FakeSlack
) -> None:
    people = PeopleRepository(database)
    users = [f"U{n}" for n in range(6)]
    person_ids = [(await people.resolve(Profile("slack", TEAM_ID, u))).id for u in users]
    outbox = OutboxRepository(database)
    await outbox.enqueue(KIND, "round:1", dict.fromkeys(person_ids, datetime.now(UTC)))
    slack.fail_next("chat.postMessage", "fatal_error", status=500)  # lost: a failed attempt
    slack.fail_next("chat.postMessage", "ratelimited", status=429, headers=LIMITED)
    slack.fail_next("conversations.history", "ratelimited", status=429, headers=LIMITED)

    async def render(kind: str, key: str, recipients: Sequence[Recipient]) -> dict[int, Reply]:
        return {r.person_id: Reply.text("Three quick questions") for r in recipients}

    renderers = Renderers()
    renderers.register(KIND, render)
    messenger = SlackMessenger("xoxb-test", base_url=slack.url)
    outbound = Outbound(people)
    outbound.register(messenger)
    sender = OutboxSender(
        outbox,
        outbound,
        renderers,
        limiters=RateLimiters(
            {"slack": RateLimit(rate=50, ceiling=100)}, store=SendBudgetRepository(database)
        ),
        concurrency=1,  # one send at a time: each refusal meets the next send, not another
        backoff=Backoff(first=timedelta(milliseconds=10)),
        flush_interval=0.01,
        idle_poll=0.01,
    )
    started = time.monotonic()
    try:
        while await outbox.count_open(datetime.now(UTC) + timedelta(minutes=1)):
            await sender.run_until_idle()
    finally:
        await messenger.close()

    assert time.monotonic() - started >= 2.0, "each 429 was waited out (one second each)"
    assert all(len(slack.posted_to(u)) == 1 for u in users)
    rows = await outbox.items("round:1")
    assert [r.status for r in rows] == ["sent"] * 6
    assert sorted(r.attempts for r in rows) == [0] * 5 + [1], "only the 500 was an attempt"
    budget = await SendBudgetRepository(database).read(f"slack:{TEAM_ID}")
    assert budget is not None
    assert budget.settled is not None, "the 429s set the workspace pace"
