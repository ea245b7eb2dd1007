"""Sealed references: a person id encrypted so that only the delivery path can open it.

An anonymous idea keeps its submitter only in this form, so leaders' views and reports, which
read idea rows, can never show who sent it, yet the sender still hears about status changes.
The key comes from BREAKROOM_SEAL_KEY, or is generated once and kept in the database (read on
first use, so start-up does not need the database).
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken

from storage.secrets import SecretStore

SECRET_NAME = "seal-key"


class SealBroken(Exception):
    """The reference was not sealed with this deployment's key."""


class Sealer:
    def __init__(self, configured_key: str | None, secrets: SecretStore) -> None:
        self._configured_key = configured_key
        self._secrets = secrets
        self._fernet: Fernet | None = None

    async def _key(self) -> Fernet:
        if self._fernet is None:
            key = self._configured_key or await self._secrets.get_or_create(
                SECRET_NAME, lambda: Fernet.generate_key().decode("ascii")
            )
            self._fernet = Fernet(key.encode("ascii"))
        return self._fernet

    async def seal(self, person_id: int) -> str:
        fernet = await self._key()
        return fernet.encrypt(str(person_id).encode("ascii")).decode("ascii")

    async def open(self, sealed: str) -> int:
        fernet = await self._key()
        try:
            return int(fernet.decrypt(sealed.encode("ascii")).decode("ascii"))
        except (InvalidToken, ValueError) as exc:
            raise SealBroken("sealed reference cannot be opened with this key") from exc
