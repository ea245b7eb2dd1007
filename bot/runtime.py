"""The running bot without any transport: services, migrated storage and the skill router.

`breakroom serve`, `breakroom chat` and the tests all start from here, so they run the same
skills on the same storage in the same way.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.answering import register_pruning
from bot.delivery import OutboxSender
from bot.directory import register_sync
from bot.housekeeping import register_housekeeping
from bot.pacing import RateLimiters, workspace_limits
from bot.router import Router
from bot.services import Services
from bot.settings import Settings
from skills import catalog
from skills.knowledge.library import KnowledgeLibrary
from storage.db import Database
from storage.migrate import upgrade
from storage.send_budgets import SendBudgetRepository

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    services: Services
    router: Router
    delivery: OutboxSender
    knowledge: KnowledgeLibrary

    @property
    def settings(self) -> Settings:
        return self.services.settings

    async def close(self) -> None:
        await self.knowledge.close()
        await self.services.database.dispose()


async def start_runtime(settings: Settings, *, migrate: bool | None = None) -> Runtime:
    """Build the runtime; migrations run when `migrate` is true, or by default on SQLite, where
    the embedded database must work with no separate set-up step."""
    database = Database(settings.database_url)
    if migrate if migrate is not None else database.is_sqlite:
        await upgrade(database)
        log.info("database schema is up to date")
    services = Services.build(settings, database)
    router = Router(services)
    knowledge = catalog.install(router)
    register_pruning(router)
    register_sync(router)
    register_housekeeping(router)
    delivery = OutboxSender(
        services.outbox,
        services.outbound,
        services.renderers,
        # Every replica spends one budget per workspace: its pace is kept in the database.
        limiters=RateLimiters(
            workspace_limits(settings.slack_max_rate, settings.teams_max_rate),
            store=SendBudgetRepository(database),
        ),
        clock=lambda: services.clock(),  # late-bound: tests and the CLI may swap the clock
    )
    return Runtime(services=services, router=router, delivery=delivery, knowledge=knowledge)
