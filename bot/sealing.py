"""Sealed references: a person id encrypted so that only the delivery path can open it.

An anonymous idea keeps its submitter only in this form, so leaders' views and reports, which
read idea rows, can never show who sent it, yet the sender still hears about status changes.
The key comes from BREAKROOM_SEAL_KEY, or is generated once and kept in the database (read on
first use, so start-up does not need the database).

The same key also yields the key that seals button values for one person (`bot.ownership`),
derived from it so that one secret serves both and neither use can stand in for the other.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken

from storage.secrets import SecretStore

SECRET_NAME = "seal-key"
BUTTON_KEY_PURPOSE = b"breakroom: button values sealed for one person"


class SealBroken(Exception):
    """The reference was not sealed with this deployment's key."""


class Sealer:
    def __init__(self, configured_key: str | None, secrets: SecretStore) -> None:
        self._configured_key = configured_key
        self._secrets = secrets
        self._fernet: Fernet | None = None
        self._button_key: bytes | None = None

    async def _key(self) -> Fernet:
        if self._fernet is None:
            key = self._configured_key or await self._secrets.get_or_create(
                SECRET_NAME, lambda: Fernet.generate_key().decode("ascii")
            )
            self._fernet = Fernet(key.encode("ascii"))
            raw = base64.urlsafe_b64decode(key.encode("ascii"))
            self._button_key = hmac.new(raw, BUTTON_KEY_PURPOSE, hashlib.sha256).digest()
        return self._fernet

    async def button_key(self) -> bytes:
        """The HMAC key for button values: every replica derives the same one from the seal
        key, so a button drawn by one replica is opened by any other."""
        await self._key()
        assert self._button_key is not None
        return self._button_key

    async def seal(self, person_id: int) -> str:
        fernet = await self._key()
        return fernet.encrypt(str(person_id).encode("ascii")).decode("ascii")

    async def open(self, sealed: str) -> int:
        fernet = await self._key()
        try:
            return int(fernet.decrypt(sealed.encode("ascii")).decode("ascii"))
        except (InvalidToken, ValueError) as exc:
            raise SealBroken("sealed reference cannot be opened with this key") from exc
