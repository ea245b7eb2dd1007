"""The router: one place that turns a neutral event into a handler call and its replies.

It also owns what every handler would otherwise repeat: de-duplicating redelivered events,
resolving the person behind the actor, checking roles, opening sealed button values (so a
record a button names is the presser's; see `bot.ownership`), reading a command's sub-command,
options and arguments from what was typed, and catching errors once, so that a failure becomes
a kind reply and a log line with the event id, never a stack trace in chat.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC
from typing import Any

from bot.arguments import Named, Positional, Syntax
from bot.commands import CommandTable, HelpEntry
from bot.context import Context, DuplicateDelivery, Handler, PendingAdmission
from bot.crontab import crontab_trigger
from bot.errors import SkillError
from bot.events import (
    Action,
    Actor,
    Command,
    Event,
    HomeOpened,
    MemberJoined,
    Message,
    ScheduledTrigger,
)
from bot.fallbacks import (
    CONFLICT_APOLOGY,
    FAILURE_APOLOGY,
    STORAGE_APOLOGY,
    apology,
    refused,
    unrouted,
)
from bot.i18n import Translator, language_of, translator, translator_for
from bot.ownership import MAX_RECORD_CHARS, NotYours, named_record, open_value
from bot.replies import Outcome, Reply
from bot.roles import Role, allows, parse_roles, refusal
from bot.routes import Route, as_command, as_list, command_route, welcome_route
from bot.services import Services
from storage.db import Conflict, StorageUnavailable
from storage.people import Person, Profile

log = logging.getLogger(__name__)

# The roles of someone whose roles were not read: every employee's, and nothing more.
EMPLOYEE = parse_roles(())

JobHandler = Callable[[ScheduledTrigger, Services], Awaitable[None]]


class Router:
    def __init__(self, services: Services) -> None:
        self.services = services
        self._commands = CommandTable()
        self._actions: dict[str, Route] = {}
        self._triggers: list[tuple[re.Pattern[str], Route]] = []
        self._free_text: Route | None = None
        self._member_joined: list[Handler] = []
        self._home: Route | None = None
        self._jobs: dict[str, JobHandler] = {}
        self._recurring: dict[str, str] = {}
        self._intervals: dict[str, float] = {}

    # -- registration -----------------------------------------------------------------------

    def command(
        self,
        name: str,
        handler: Handler | None = None,
        *,
        summary: str,
        roles: Iterable[Role] = (),
        bare_only: bool = False,
        args: Sequence[Positional] = (),
        options: Sequence[Named] = (),
        names_in: Mapping[str, str] | None = None,
    ) -> None:
        """A command word. With a handler, it receives what follows the word (read as `args`
        and `options`) when that is not a sub-command; without one, the command is a group of
        sub-commands and answers with their usage. `roles` gate the command and everything
        under it; `names_in` gives the word in other languages (`{"es": "idioma"}`)."""
        syntax = Syntax(tuple(args), tuple(options))
        self._commands.add_command(
            name,
            handler,
            summary=summary,
            roles=roles,
            bare_only=bare_only,
            syntax=syntax,
            names_in=names_in or {},
        )

    def subcommand(
        self,
        path: str,
        handler: Handler,
        *,
        summary: str,
        roles: Iterable[Role] = (),
        args: Sequence[Positional] = (),
        options: Sequence[Named] = (),
        default: bool = False,
        refuse_others: bool = True,
    ) -> None:
        """A sub-command such as `pulse create`, under a command registered before it. `roles`
        add to the command's; `default` runs it when the command is typed alone; with
        `refuse_others=False` the word is no sub-command for people without `roles`."""
        self._commands.add_subcommand(
            path,
            handler,
            summary=summary,
            roles=roles,
            syntax=Syntax(tuple(args), tuple(options)),
            default=default,
            refuse_others=refuse_others,
        )

    def action(
        self,
        action_id: str,
        handler: Handler,
        *,
        roles: Iterable[Role] = (),
        sealed: bool = False,
    ) -> None:
        """A button, choice or form submit. With `sealed`, its value names a record of the
        person it was drawn for and was sealed with `Context.seal`: the handler gets the value
        opened, and a value sealed for someone else (or not at all) never reaches it."""
        if action_id in self._actions:
            raise ValueError(f"action {action_id!r} is registered twice")
        self._actions[action_id] = Route(handler, frozenset(roles), action_id, sealed=sealed)

    def text_trigger(self, pattern: str, handler: Handler, *, name: str) -> None:
        """Free text matching `pattern` (case-insensitive, whole message) goes to `handler`."""
        self._triggers.append(
            (re.compile(pattern, re.IGNORECASE), Route(handler, frozenset(), name))
        )

    def free_text(self, handler: Handler, *, name: str, records_event: bool = False) -> None:
        """The handler for any other free text (a question to the knowledge base).

        With `records_event`, a message that may be redelivered is not recorded before the
        handler runs: the handler records it with what it stores (`Context.log_question`), in
        one round trip, and the router records it after the handler if it did not. Such a
        handler may run for a redelivery, so it must have no effect before that call (reading
        and computing only); its replies are dropped when the event was handled before."""
        self._free_text = Route(handler, frozenset(), name, records_event=records_event)

    def member_joined(self, handler: Handler) -> None:
        self._member_joined.append(handler)

    def home(self, handler: Handler) -> None:
        """The handler that draws the person's home surface when they open it (`HomeOpened`)."""
        if self._home is not None:
            raise ValueError("the home handler is registered twice")
        self._home = Route(handler, frozenset(), "home")

    def job(
        self,
        name: str,
        handler: JobHandler,
        *,
        cron: str | None = None,
        every_seconds: float | None = None,
    ) -> None:
        """A job the scheduler fires: at the times of a crontab line `cron` (in the hospital's
        time zone; weekday 0 or 7 is Sunday), or every `every_seconds`; with neither, only when
        dispatched. Either way it runs in one process only, the leader."""
        if cron is not None and every_seconds is not None:
            raise ValueError(f"job {name!r}: give cron or every_seconds, not both")
        if cron is not None:
            crontab_trigger(cron, UTC)  # a typo fails at start-up, not when leadership begins
            self._recurring[name] = cron
        if every_seconds is not None:
            if every_seconds <= 0:
                raise ValueError(f"job {name!r}: every_seconds must be positive")
            self._intervals[name] = every_seconds
        self._jobs[name] = handler

    @property
    def recurring_jobs(self) -> dict[str, str]:
        return dict(self._recurring)

    @property
    def interval_jobs(self) -> dict[str, float]:
        return dict(self._intervals)

    # -- introspection ----------------------------------------------------------------------

    def help_for(self, roles: frozenset[Role], t: Translator) -> list[HelpEntry]:
        """The lines of `help` for someone holding `roles`, in `t`'s language."""
        return self._commands.help_for(roles, t)

    @property
    def command_names(self) -> frozenset[str]:
        return self._commands.names

    @property
    def action_ids(self) -> frozenset[str]:
        return frozenset(self._actions)

    @property
    def answers_free_text(self) -> bool:
        return self._free_text is not None

    # -- dispatch ---------------------------------------------------------------------------

    async def dispatch(self, event: Event) -> list[Reply]:
        """Handle one event and return the replies for its conversation, each marked with the
        language of the person it answers (unless its handler chose one), so that what an
        adapter adds of its own (a modal's Cancel) is in that language too."""
        person, replies = await self._dispatch(event)
        if not replies:
            return replies
        language = self._translator(event, person).language
        return [reply if reply.language else replace(reply, language=language) for reply in replies]

    async def _dispatch(self, event: Event) -> tuple[Person | None, list[Reply]]:
        route_name = "-"
        person: Person | None = None
        try:
            if isinstance(event, ScheduledTrigger):
                await self._run_job(event)
                return person, []
            admission: PendingAdmission | None = None
            route: Route | None = None
            routed = event
            if isinstance(event, Message) and event.redelivered_possible:
                # A message's route depends on roles only once it reads as a command.
                route, routed = self._route(event, EMPLOYEE)
            if self._is_question(event, route, routed):
                # The hot path: the person as remembered, no roles (a question needs none, and
                # none can be stale), and the event recorded with its question in one round
                # trip before the answer (`Context.log_question`).
                known = await self.services.people.known(
                    self._profile(event), seed_roles=self._seeds(event)
                )
                person, roles = known.person, EMPLOYEE
                admission = PendingAdmission(
                    self.services.admissions, event.actor.platform, event.id, known.identity_id
                )
            else:
                if event.redelivered_possible and not await self.services.processed.first_time(
                    event.actor.platform, event.id
                ):
                    log.info("event=%s duplicate delivery dropped", event.id)
                    return person, []
                person = await self._resolve(event)
                held = event.actor.session_roles
                roles = parse_roles(person.roles if held is None else held)
                route, routed = self._route(event, roles)
            event = routed
            if route is None:
                return person, unrouted(event, self._translator(event, person))
            route_name = route.name
            ctx = Context(event, person, roles, self.services, admission=admission)
            # Who pressed what stays at DEBUG: beside an anonymous submission's route and time,
            # a person id at INFO would unmask the submitter to anyone who reads the logs.
            log.info("event=%s kind=%s route=%s", event.id, type(event).__name__, route_name)
            log.debug("event=%s person=%s", event.id, person.id)
            if isinstance(event, Message):
                log.debug("event=%s text=%r", event.id, event.text)
            if not allows(ctx.roles, route.roles):
                await ctx.audit("access.denied", route_name, **_record_named(event))
                denied = refusal(route.roles, ctx.t)
                return person, [Reply.text(denied, ephemeral=True, outcome=Outcome.REFUSED)]
            declared = route.declared
            if declared is not None and declared.syntax and isinstance(event, Command):
                usage = declared.usage(ctx.t)
                args = declared.syntax.parse(event.text, route.tokens, usage)
                ctx = replace(ctx, args=args)
            if admission is None:
                return person, await self._run(route, ctx)
            try:
                replies = await self._run(route, ctx)
            except SkillError as exc:
                log.info("event=%s route=%s refused: %s", event.id, route_name, type(exc).__name__)
                replies = [refused(exc, ctx.t)]
            if not admission.done:
                await admission.admit()
            return person, replies
        except DuplicateDelivery:
            log.info("event=%s duplicate delivery dropped", event.id)
            return person, []
        except SkillError as exc:
            log.info("event=%s route=%s refused: %s", event.id, route_name, type(exc).__name__)
            return person, [refused(exc, self._translator(event, person))]
        except Conflict as exc:
            # Two writes met (another replica, a double click) and this one gave way: the
            # database is fine, and nothing of this event was half-saved.
            log.info("event=%s route=%s conflict: %s", event.id, route_name, exc)
            return person, [apology(self._translator(event, person)(CONFLICT_APOLOGY))]
        except StorageUnavailable as exc:
            log.warning("event=%s route=%s storage unavailable: %s", event.id, route_name, exc)
            return person, [apology(self._translator(event, person)(STORAGE_APOLOGY))]
        except Exception:
            log.exception("event=%s route=%s failed", event.id, route_name)
            return person, [
                apology(self._translator(event, person)(FAILURE_APOLOGY, reference=event.id[:12]))
            ]

    async def _run(self, route: Route, ctx: Context[Any]) -> list[Reply]:
        """The handler's replies; a record the event names that is not the person's is
        refused here, with one audit line naming the action, the person and the record."""
        try:
            event = ctx.event
            if route.sealed and isinstance(event, Action) and event.value:
                key = await self.services.sealer.button_key()
                opened = open_value(key, event.action_id, ctx.person.id, event.value)
                ctx = replace(ctx, event=replace(event, value=opened))
            return as_list(await route.handler(ctx))
        except NotYours as exc:
            log.info(
                "event=%s route=%s refused: %s, record %r",
                ctx.event.id,
                route.name,
                exc.reason,
                exc.record,
            )
            await ctx.audit("access.refused", exc.record, route=route.name, reason=exc.reason)
            return [Reply.text(exc.text(ctx.t), ephemeral=True, outcome=Outcome.REFUSED)]

    async def _run_job(self, trigger: ScheduledTrigger) -> None:
        handler = self._jobs.get(trigger.job)
        if handler is None:
            log.warning("event=%s no handler for job %s", trigger.id, trigger.job)
            return
        log.info("event=%s job=%s", trigger.id, trigger.job)
        await handler(trigger, self.services)

    def _is_question(self, event: Event, route: Route | None, routed: Event) -> bool:
        """A message that goes as it is to a free-text handler that records the event itself
        (the knowledge base), and may be a redelivery: its recording waits for the handler."""
        return (
            isinstance(event, Message)
            and event.redelivered_possible
            and route is not None
            and route is self._free_text
            and route.records_event
            and routed is event
        )

    async def _resolve(self, event: Event) -> Person:
        return await self.services.people.resolve(
            self._profile(event), seed_roles=self._seeds(event)
        )

    @staticmethod
    def _profile(event: Event) -> Profile:
        return _profile(event.actor)

    def _seeds(self, event: Event) -> list[str]:
        settings = self.services.settings
        user_id = event.actor.user_id
        return [
            role.value
            for role, users in ((Role.HR, settings.hr_users), (Role.LEADER, settings.leader_users))
            if user_id in users
        ]

    def _route(self, event: Event, roles: frozenset[Role]) -> tuple[Route | None, Event]:
        if isinstance(event, Message):
            command = as_command(event, self._commands)
            if command is not None:
                event = command
            else:
                text = event.text.strip()
                for pattern, route in self._triggers:
                    if pattern.fullmatch(text):
                        return route, event
                return self._free_text, event
        if isinstance(event, Command):
            spec = self._commands.get(event.name)
            return (command_route(spec, event, roles) if spec else None), event
        if isinstance(event, Action):
            return self._actions.get(event.action_id), event
        if isinstance(event, HomeOpened):
            return self._home, event
        if isinstance(event, MemberJoined) and self._member_joined:
            return welcome_route(self._member_joined), event
        return None, event

    async def reader(self, actor: Actor) -> Translator:
        """The language of the person behind `actor`, for words said outside a handler (an
        offered form that is gone, a file's answer); their platform's while storage cannot be
        reached."""
        try:
            known = await self.services.people.known(_profile(actor))
        except StorageUnavailable:
            return self._language(actor, None)
        return self._language(actor, known.person)

    def _translator(self, event: Event, person: Person | None) -> Translator:
        return self._language(event.actor, person)

    def _language(self, actor: Actor, person: Person | None) -> Translator:
        """The language to answer in: the person's, or before they are known, their
        platform's."""
        default = self.services.settings.language
        if person is not None:
            return translator_for(person, default)
        return translator(language_of(actor.locale) or default, actor.locale)


def _profile(actor: Actor) -> Profile:
    return Profile(
        platform=actor.platform,
        tenant=actor.tenant,
        user_id=actor.user_id,
        display_name=actor.display_name,
        email=actor.email,
        timezone=actor.timezone,
        locale=actor.locale,
    )


def _record_named(event: Event) -> dict[str, str]:
    """The record a refused button named, for its audit line; a typed command's words are
    left out, as they may be more than an id."""
    if isinstance(event, Action) and event.value:
        return {"record": named_record(event.value)[:MAX_RECORD_CHARS]}
    return {}
