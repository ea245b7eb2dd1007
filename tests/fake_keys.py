"""A fake of the Bot Connector's key server on loopback, and tokens signed as the Bot Connector
signs them.

It serves the OpenID metadata document (`metadata_url`) and the JWK set its `jwks_uri` names,
with each key's `endorsements`, and records each fetch. Switches: `delay` makes the metadata
answer late, `status` makes it fail (e.g. 503), `metadata` and `key_set` replace either document
with any bytes, and `publish` rotates the keys.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import functools
import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import jwt
from aiohttp import web
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from tests.http import serve

Json = dict[str, Any]
ISSUER = "https://api.botframework.com"
METADATA_PATH = "/v1/.well-known/openidconfiguration"
KEYS_PATH = "/v1/keys"


@functools.cache
def _rsa(kid: str) -> rsa.RSAPrivateKey:
    """One RSA key per key id for the whole run: generating one takes a while."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass(frozen=True)
class Key:
    kid: str
    endorsements: tuple[str, ...] = ("msteams", "webchat")

    @property
    def private(self) -> rsa.RSAPrivateKey:
        return _rsa(self.kid)

    def jwk(self) -> Json:
        public = RSAAlgorithm.to_jwk(self.private.public_key(), as_dict=True)
        return {**public, "kid": self.kid, "use": "sig", "endorsements": list(self.endorsements)}

    def public_pem(self) -> bytes:
        return self.private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )


FIRST_KEY = Key("key-1")


def claims(app_id: str, service_url: str, **changes: Any) -> Json:
    """What the Bot Connector puts in a token for `app_id`, changed by `changes` (None drops
    a claim)."""
    now = int(time.time())
    base: Json = {
        "iss": ISSUER,
        "aud": app_id,
        "serviceurl": service_url,
        "nbf": now - 60,
        "exp": now + 3600,
    }
    base.update(changes)
    return {name: value for name, value in base.items() if value is not None}


def signed(key: Key, payload: Json, *, kid: str | None = None) -> str:
    """An RS256 token signed with `key`, naming `kid` (default: the key's own id)."""
    return jwt.encode(payload, key.private, algorithm="RS256", headers={"kid": kid or key.kid})


def by_hand(header: Json, payload: Json, secret: bytes | None = None) -> str:
    """A token made by hand, as PyJWT rightly refuses to make these: signed with HMAC-SHA256
    keyed with `secret` when there is one (an HS256 header), else with no signature at all."""
    signing_input = f"{_b64(header)}.{_b64(payload)}"
    signature = b""
    if secret is not None:
        signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"


def _b64(part: Json) -> str:
    raw = json.dumps(part, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class FakeKeyServer:
    def __init__(self, *keys: Key) -> None:
        self.published: tuple[Key, ...] = keys or (FIRST_KEY,)
        self.delay = 0.0
        self.status = 200
        self.metadata: bytes | None = None
        self.key_set: bytes | None = None
        self.fetches: list[str] = []  # the paths asked for, in order
        self._serving = contextlib.AsyncExitStack()
        self._closing = asyncio.Event()  # a late answer is cut short when the test ends
        self.base = ""

    @property
    def metadata_url(self) -> str:
        return self.base + METADATA_PATH

    def publish(self, *keys: Key) -> None:
        self.published = keys

    def count(self, path: str = METADATA_PATH) -> int:
        return self.fetches.count(path)

    async def __aenter__(self) -> FakeKeyServer:
        app = web.Application()
        app.router.add_get(METADATA_PATH, self._metadata)
        app.router.add_get(KEYS_PATH, self._keys)
        self.base = await self._serving.enter_async_context(serve(app))
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._closing.set()
        await self._serving.aclose()

    async def _metadata(self, request: web.Request) -> web.Response:
        self.fetches.append(request.path)
        if self.delay:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), self.delay)
        if self.status != 200:
            return web.Response(status=self.status, text="Service Unavailable")
        if self.metadata is not None:
            return web.Response(body=self.metadata, content_type="application/json")
        return web.json_response(
            {
                "issuer": ISSUER,
                "jwks_uri": self.base + KEYS_PATH,
                "id_token_signing_alg_values_supported": ["RS256"],
                "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            }
        )

    async def _keys(self, request: web.Request) -> web.Response:
        self.fetches.append(request.path)
        if self.key_set is not None:
            return web.Response(body=self.key_set, content_type="application/json")
        return web.json_response({"keys": [key.jwk() for key in self.published]})
