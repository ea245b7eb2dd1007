"""One person's events handled one at a time, in the order they came, whatever the platform.

Only within this process: it keeps answers in the order things were asked. Nothing that must
happen once depends on it, as several replicas each have their own: every effect of an event
(a person met for the first time, an idea, a vote, a survey answer, a ticket) is a conditional
write in the database, which tells the second of two attempts, here or on another replica, that
the first one got there.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import AsyncIterator


class Turns:
    """A lock per person, kept only while someone waits on it: answers arrive in the order things
    were asked."""

    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}
        self._waiting: Counter[str] = Counter()

    @contextlib.asynccontextmanager
    async def of(self, key: str) -> AsyncIterator[None]:
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._waiting[key] += 1
        try:
            async with lock:
                yield
        finally:
            self._waiting[key] -= 1
            if not self._waiting[key]:
                del self._waiting[key], self._locks[key]
