"""Bot Framework's signing keys: fetched off the request path, with a timeout, and cached.

The Bot Connector signs each request to the bot with a key it lists in a JWK set, named by the
`jwks_uri` of its OpenID metadata
(https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-authentication).
botbuilder 4.17.1 fetches both with a blocking `requests.get` without a timeout, inside the event
loop, and remembers nothing when that fails: a slow key server froze every endpoint, and each
forged token with an unknown key id fetched again. Here:

- the fetch is aiohttp's, bounded by `timeout` per document, and one fetch at a time serves
  every request waiting on it;
- keys are kept for a day (the SDK's own interval; the keys change rarely), then refreshed in the
  background while the keys in hand go on serving, even when the refresh fails;
- an unknown key id fetches again at most once per `UNKNOWN_KEY_RETRY` seconds, so that forged
  tokens cannot make the bot hammer the key server or wait on it;
- a failed fetch is remembered too: the next one waits 5 s, then twice as long each time, up to
  a minute.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import jwt
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from jwt.algorithms import RSAAlgorithm

log = logging.getLogger(__name__)

FRESH_FOR = 24 * 3600.0
UNKNOWN_KEY_RETRY = 60.0
FIRST_BACKOFF = 5.0
LONGEST_BACKOFF = 60.0
TIMEOUT = 5.0  # per document; Teams waits about 15 s for the answer to an activity


class KeysUnavailable(Exception):
    """The key server did not give us a usable key set; the message says why, for the log."""


@dataclass(frozen=True)
class SigningKey:
    public_key: RSAPublicKey
    endorsements: frozenset[str]  # the channel ids this key may sign for, e.g. "msteams"


class SigningKeys:
    """The keys one OpenID metadata document points at. `clock` is monotonic seconds."""

    def __init__(
        self,
        metadata_url: str,
        *,
        timeout: float = TIMEOUT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.metadata_url = metadata_url
        self._timeout = timeout
        self._clock = clock
        self._keys: dict[str, SigningKey] = {}
        self._fetched_at = -math.inf
        self._next_fetch_at = -math.inf
        self._failures = 0
        self._fetch: asyncio.Task[None] | None = None
        self._http: aiohttp.ClientSession | None = None

    @property
    def failing(self) -> bool:
        """The last fetch failed: a key not found may be one we could not fetch."""
        return self._failures > 0

    async def find(self, kid: str) -> SigningKey | None:
        """The published key named `kid`, or None. Waits only for a key we do not hold, and
        only while a fetch is allowed or already running."""
        key = self._keys.get(kid)
        if key is not None:
            if self._clock() - self._fetched_at >= FRESH_FOR and self._may_fetch():
                self._start_fetch()  # the key in hand serves until the refresh is done
            return key
        if self._fetch is None and self._clock() < self._next_fetch_at:
            return None
        # Shielded: a request that goes away does not cancel the fetch others wait on.
        await asyncio.shield(self._start_fetch())
        return self._keys.get(kid)

    async def close(self) -> None:
        if self._fetch is not None:
            self._fetch.cancel()
        if self._http is not None:
            await self._http.close()

    def _may_fetch(self) -> bool:
        return self._fetch is None and self._clock() >= self._next_fetch_at

    def _start_fetch(self) -> asyncio.Task[None]:
        if self._fetch is None:
            self._fetch = asyncio.create_task(self._refresh())
            self._fetch.add_done_callback(self._fetched)
        return self._fetch

    def _fetched(self, _task: asyncio.Task[None]) -> None:
        self._fetch = None

    async def _refresh(self) -> None:
        try:
            keys = await self._download()
        except KeysUnavailable as exc:
            self._failures += 1
            wait = min(FIRST_BACKOFF * 2 ** (self._failures - 1), LONGEST_BACKOFF)
            self._next_fetch_at = self._clock() + wait
            host = urlsplit(self.metadata_url).netloc
            log.warning(
                "teams: signing keys not fetched from %s (%s); next try in %.0f s", host, exc, wait
            )
            return
        now = self._clock()
        self._keys = keys
        self._fetched_at = now
        self._failures = 0
        self._next_fetch_at = now + UNKNOWN_KEY_RETRY

    async def _download(self) -> dict[str, SigningKey]:
        metadata = await self._json(self.metadata_url)
        jwks_uri = metadata.get("jwks_uri")
        if not isinstance(jwks_uri, str):
            raise KeysUnavailable("the metadata names no jwks_uri")
        entries = (await self._json(jwks_uri)).get("keys")
        if not isinstance(entries, list):
            raise KeysUnavailable("the key set lists no keys")
        keys = {
            entry["kid"]: key
            for entry in entries
            if isinstance(entry, dict) and (key := _signing_key(entry)) is not None
        }
        if not keys:
            raise KeysUnavailable("the key set holds no RSA signing key")
        return keys

    async def _json(self, url: str) -> Mapping[str, Any]:
        if self._http is None:
            # trust_env: reach the key server through the proxy the environment names, as
            # botbuilder's `requests` did.
            timeout = aiohttp.ClientTimeout(total=self._timeout)
            self._http = aiohttp.ClientSession(timeout=timeout, trust_env=True)
        try:
            async with self._http.get(url) as response:
                if response.status != 200:
                    raise KeysUnavailable(f"HTTP {response.status}")
                document = await response.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise KeysUnavailable(type(exc).__name__) from None
        if not isinstance(document, dict):
            raise KeysUnavailable("not a JSON object")
        return document


def _signing_key(entry: dict[str, Any]) -> SigningKey | None:
    """One JWK entry as a key to check RS256 signatures with; None for any other kind."""
    if entry.get("kty") != "RSA" or not isinstance(entry.get("kid"), str):
        return None
    try:
        public_key = RSAAlgorithm.from_jwk(entry)
    except (jwt.PyJWTError, ValueError, TypeError):  # numbers that are no RSA key's
        return None
    if not isinstance(public_key, RSAPublicKey):
        return None
    endorsements = entry.get("endorsements")
    if not isinstance(endorsements, list):
        endorsements = []
    return SigningKey(public_key, frozenset(e for e in endorsements if isinstance(e, str)))
