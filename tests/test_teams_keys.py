"""The Bot Connector's signing keys as `SigningKeys` fetches and caches them, from a fake key
server on loopback; time moves by a clock the test turns, not by waiting."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest

from adapters.teams.keys import (
    FIRST_BACKOFF,
    FRESH_FOR,
    LONGEST_BACKOFF,
    UNKNOWN_KEY_RETRY,
    SigningKeys,
)
from tests.fake_keys import FIRST_KEY, KEYS_PATH, METADATA_PATH, FakeKeyServer, Key

NEXT_KEY = Key("key-2")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def turn(self, seconds: float) -> None:
        self.now += seconds


def failing(keys: SigningKeys) -> bool:
    """`keys.failing` read afresh: mypy takes a property it has seen asserted for a constant."""
    return keys.failing


@pytest.fixture
async def server() -> AsyncIterator[FakeKeyServer]:
    async with FakeKeyServer() as fake:
        yield fake


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def keys(server: FakeKeyServer, clock: Clock) -> AsyncIterator[SigningKeys]:
    signing_keys = SigningKeys(server.metadata_url, clock=clock)
    yield signing_keys
    await signing_keys.close()


async def test_keys_are_fetched_once_and_then_served_from_the_cache(
    server: FakeKeyServer, keys: SigningKeys, clock: Clock
) -> None:
    first = await keys.find(FIRST_KEY.kid)
    assert first is not None
    assert first.endorsements == {"msteams", "webchat"}
    clock.turn(FRESH_FOR - 1)
    assert await keys.find(FIRST_KEY.kid) == first
    assert server.fetches == [METADATA_PATH, KEYS_PATH]


async def test_an_unknown_key_id_fetches_again_at_most_once_per_interval(
    server: FakeKeyServer, keys: SigningKeys, clock: Clock
) -> None:
    assert await keys.find(FIRST_KEY.kid) is not None
    for _ in range(5):
        clock.turn(1)
        assert await keys.find("forged-kid") is None
    assert server.count() == 1
    clock.turn(UNKNOWN_KEY_RETRY)
    assert await keys.find("forged-kid") is None
    assert server.count() == 2
    assert not keys.failing


async def test_a_rotated_key_is_found_and_a_retired_one_is_gone(
    server: FakeKeyServer, keys: SigningKeys, clock: Clock
) -> None:
    assert await keys.find(FIRST_KEY.kid) is not None
    server.publish(NEXT_KEY)
    clock.turn(UNKNOWN_KEY_RETRY)
    assert await keys.find(NEXT_KEY.kid) is not None
    assert await keys.find(FIRST_KEY.kid) is None  # retired: no longer trusted


async def test_concurrent_lookups_of_an_unknown_key_share_one_fetch(
    server: FakeKeyServer, keys: SigningKeys
) -> None:
    server.delay = 0.2
    found = await asyncio.gather(*(keys.find(f"kid-{n}") for n in range(20)), keys.find("key-1"))
    assert found[:-1] == [None] * 20
    assert found[-1] is not None
    assert server.fetches == [METADATA_PATH, KEYS_PATH]


async def test_a_failing_key_server_is_asked_again_only_after_a_growing_wait(
    server: FakeKeyServer, keys: SigningKeys, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    server.status = 503
    started = time.perf_counter()
    assert await keys.find(FIRST_KEY.kid) is None
    assert time.perf_counter() - started < 1
    assert keys.failing
    assert server.count() == 1
    assert await keys.find(FIRST_KEY.kid) is None  # at once again: no fetch
    assert server.count() == 1

    waits = []
    for _ in range(6):
        before = server.count()
        clock.turn(1)
        waited = 1.0
        while await keys.find(FIRST_KEY.kid) is None and server.count() == before:
            clock.turn(1)
            waited += 1
        waits.append(waited)
    assert waits == [FIRST_BACKOFF, 10, 20, 40, LONGEST_BACKOFF, LONGEST_BACKOFF]

    server.status = 200
    clock.turn(LONGEST_BACKOFF)
    assert await keys.find(FIRST_KEY.kid) is not None
    assert not failing(keys)
    [line, *_] = [r for r in caplog.records if r.name == "adapters.teams.keys"]
    assert line.getMessage() == (
        f"teams: signing keys not fetched from {server.base.removeprefix('http://')} "
        "(HTTP 503); next try in 5 s"
    )
    assert line.exc_info is None


async def test_keys_past_their_day_serve_while_a_refresh_runs_and_after_it_fails(
    server: FakeKeyServer, keys: SigningKeys, clock: Clock
) -> None:
    key = await keys.find(FIRST_KEY.kid)
    clock.turn(FRESH_FOR)
    server.delay = 0.3
    server.status = 503
    started = time.perf_counter()
    assert await keys.find(FIRST_KEY.kid) == key
    assert time.perf_counter() - started < 0.1  # nobody waits for the refresh
    for _ in range(100):
        if keys.failing:
            break
        await asyncio.sleep(0.02)
    assert server.count() == 2
    assert keys.failing
    assert await keys.find(FIRST_KEY.kid) == key  # the refresh failed: the old keys serve on


async def test_a_key_server_slower_than_the_timeout_is_a_failure(server: FakeKeyServer) -> None:
    server.delay = 2
    keys = SigningKeys(server.metadata_url, timeout=0.2)
    started = time.perf_counter()
    try:
        assert await keys.find(FIRST_KEY.kid) is None
    finally:
        await keys.close()
    assert time.perf_counter() - started < 1
    assert keys.failing


@pytest.mark.parametrize(
    ("metadata", "key_set"),
    [
        (b"<html>maintenance</html>", None),
        (b"[1, 2]", None),
        (b'{"issuer": "https://api.botframework.com"}', None),
        (b'{"jwks_uri": 7}', None),
        (None, b'{"keys": "none"}'),
        (None, b'{"keys": [{"kty": "EC", "kid": "ec-1", "crv": "P-256"}]}'),
        (None, b'{"keys": [{"kty": "RSA", "kid": "bad", "n": "!!", "e": "AQAB"}]}'),
        (None, b'{"keys": [{"kty": "RSA", "kid": "num", "n": 12345, "e": 3}]}'),
        (None, b'{"keys": [{"kty": "RSA", "n": "AQAB", "e": "AQAB"}]}'),
    ],
)
async def test_a_key_server_answering_nonsense_is_a_failure_not_an_error(
    server: FakeKeyServer, keys: SigningKeys, metadata: bytes | None, key_set: bytes | None
) -> None:
    server.metadata, server.key_set = metadata, key_set
    assert await keys.find(FIRST_KEY.kid) is None
    assert keys.failing


async def test_a_key_server_nobody_listens_on_is_a_failure(clock: Clock) -> None:
    keys = SigningKeys("http://127.0.0.1:9/v1/.well-known/openidconfiguration", clock=clock)
    try:
        assert await keys.find(FIRST_KEY.kid) is None
    finally:
        await keys.close()
    assert keys.failing


async def test_keys_without_endorsements_endorse_nothing(
    server: FakeKeyServer, keys: SigningKeys
) -> None:
    server.publish(Key("bare", endorsements=()))
    key = await keys.find("bare")
    assert key is not None
    assert key.endorsements == frozenset()
