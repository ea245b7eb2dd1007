"""The app factory over real HTTP: liveness and readiness."""

from __future__ import annotations

from collections.abc import Callable

import aiohttp

from bot.app import create_app
from bot.settings import Settings
from tests.http import serve


async def test_healthz_and_readyz_with_the_database_up(settings: Settings) -> None:
    async with serve(create_app(settings)) as base, aiohttp.ClientSession() as http:
        async with http.get(f"{base}/healthz") as response:
            assert response.status == 200
        async with http.get(f"{base}/readyz") as response:
            assert response.status == 200
            assert (await response.json())["database"] == "ok"


async def test_readyz_is_503_when_postgresql_is_unreachable(
    make_settings: Callable[..., Settings],
) -> None:
    settings = make_settings(DATABASE_URL="postgresql+asyncpg://nobody@127.0.0.1:1/breakroom")
    async with serve(create_app(settings)) as base, aiohttp.ClientSession() as http:
        async with http.get(f"{base}/healthz") as response:
            assert response.status == 200
        async with http.get(f"{base}/readyz") as response:
            assert response.status == 503
            assert (await response.json())["database"] == "unreachable"
