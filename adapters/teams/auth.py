"""Whether a request to `/api/messages` comes from the Bot Connector for this bot: its JWT.

The requirements are the Bot Framework's
(https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-authentication),
as botbuilder's `ChannelValidation` applies them: a bearer token signed with RS256 by a key the
Bot Connector publishes, issued by `https://api.botframework.com` to this bot's app id, not
expired (5 minutes of clock skew), whose `serviceurl` claim is the activity's `serviceUrl`, and
whose key is endorsed for the activity's channel.

This check replaces botbuilder's, which fetches keys inside the event loop (see
`adapters.teams.keys`) and answers a forged token (`alg=none`, HS256, an unknown key id) with a
500. It is also stricter in three ways: a key without endorsements vouches for no channel
(botbuilder's Python port lets it vouch for all), an activity must carry the `serviceUrl` its
token names, and tokens from the Bot Framework Emulator are not accepted once an app id is set,
as they are the bot's own outbound tokens (`BREAKROOM_TEAMS_EMULATOR=1` runs without
credentials for the Emulator).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jwt
from jwt.types import Options

from adapters.teams.keys import SigningKey, SigningKeys

ISSUER = "https://api.botframework.com"
ALGORITHM = "RS256"
CLOCK_SKEW = 300  # seconds
_REASONS: tuple[tuple[type[jwt.PyJWTError], str], ...] = (
    (jwt.ExpiredSignatureError, "the token has expired"),
    (jwt.ImmatureSignatureError, "the token is not valid yet"),
    (jwt.InvalidAudienceError, "the token is for another audience"),
    (jwt.InvalidIssuerError, "the token's issuer is not the Bot Framework"),
    (jwt.MissingRequiredClaimError, "the token lacks a required claim"),
    (jwt.InvalidSignatureError, "the token's signature does not verify"),
)


class Unauthenticated(Exception):
    """Not a request the Bot Connector sent to this bot; the message says why, for the log."""


@dataclass(frozen=True)
class Verified:
    """A token whose signature and claims hold; `check` binds it to the activity it came with."""

    claims: Mapping[str, Any]
    endorsements: frozenset[str]

    def check(self, service_url: str | None, channel_id: str | None) -> None:
        if not service_url or self.claims.get("serviceurl") != service_url:
            raise Unauthenticated("the activity's serviceUrl is not the token's")
        # No channel id asserts nothing to endorse, as in botbuilder's EndorsementsValidator.
        if channel_id and channel_id not in self.endorsements:
            raise Unauthenticated("the signing key is not endorsed for the activity's channel")


class BotConnectorTokens:
    def __init__(self, app_id: str, keys: SigningKeys) -> None:
        self.app_id = app_id
        self.keys = keys

    async def verify(self, authorization: str) -> Verified:
        """The verified token of an `Authorization` header, or `Unauthenticated`."""
        scheme, _, token = authorization.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise Unauthenticated("no bearer token")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise Unauthenticated("the token is not a readable JWT") from None
        # What a forger can get wrong costs no key lookup: the algorithm, then the claims.
        if header.get("alg") != ALGORITHM:
            raise Unauthenticated("the token is not signed with RS256")
        self._decode(token, None)
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise Unauthenticated("the token names no signing key")
        key = await self.keys.find(kid)
        if key is None:
            if self.keys.failing:
                raise Unauthenticated("the signing keys could not be fetched")
            raise Unauthenticated("the token's signing key is not published")
        return Verified(self._decode(token, key), key.endorsements)

    def _decode(self, token: str, key: SigningKey | None) -> dict[str, Any]:
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key.public_key if key is not None else "",
                algorithms=[ALGORITHM],
                audience=self.app_id,
                issuer=ISSUER,
                leeway=CLOCK_SKEW,
                options=_checks(signature=key is not None),
            )
        except jwt.PyJWTError as exc:
            reason = next((r for kind, r in _REASONS if isinstance(exc, kind)), None)
            raise Unauthenticated(reason or "the token is not a valid JWT") from None
        return claims


def _checks(*, signature: bool) -> Options:
    """The claims are checked alone before any key is looked up, then again with the
    signature."""
    return {
        "verify_signature": signature,
        "require": ["iss", "aud", "exp"],
        "verify_iss": True,
        "verify_aud": True,
        "verify_exp": True,
        "verify_nbf": True,
    }
