"""Forms offered behind a button, where a form could not open as a modal at once.

A modal opens only within moments of a click or command (Slack's trigger ids), so a form in
answer to a typed message, in a proactive send, or in an answer that came too late is shown as an
"Open form" button. The adapter keeps the rendered form in the offered-forms store under the key
the button carries (`keeper`); the button's click comes back as `OPEN_OFFERED_FORM` with that key
as its value, and the core opens the form kept under it. Forms are kept for a day: a button
older than that says kindly that the form is gone, and a job on the leader deletes them.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import timedelta
from typing import Any

from bot.events import ScheduledTrigger
from bot.i18n import N_
from bot.router import Router
from bot.services import Services

log = logging.getLogger(__name__)

OPEN_OFFERED_FORM = "form.open"
FORM_LIFETIME = timedelta(days=1)
PRUNE_JOB = "forms.prune"
PRUNE_CRON = "20 3 * * *"  # daily at 03:20 hospital time, a quiet hour

FORM_GONE = N_("That form is no longer available (forms stay open for a day). Please start again.")
FORM_NOT_OPENED = N_("That form didn't open in time. Please press the button again.")

KeepForms = Callable[[Mapping[str, dict[str, Any]]], Awaitable[None]]


def keeper(services: Services, platform: str) -> KeepForms:
    """What an adapter calls with the forms a message offers, by key, as it renders them."""

    async def keep(views: Mapping[str, dict[str, Any]]) -> None:
        await services.forms.keep(platform, views, services.clock() + FORM_LIFETIME)

    return keep


def register_pruning(router: Router) -> None:
    """Delete expired forms daily, on the leader only (where the router's jobs run)."""

    async def prune(trigger: ScheduledTrigger, services: Services) -> None:
        dropped = await services.forms.prune(services.clock())
        log.info("event=%s offered forms: %d expired deleted", trigger.id, dropped)

    router.job(PRUNE_JOB, prune, cron=PRUNE_CRON)
