"""`breakroom chat`: talk to the bot in a terminal as a local user, on the embedded default.

Lines become neutral messages, answered through the core's answering path like any platform's
events (see `adapters.console.surface`); a number picks one of the last reply's buttons; a form
is asked input by input. Messages to the person (an HR answer, a survey) wait in storage for
their own chat, which shows them as they arrive or when it next opens; a number answers the
last one's options.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path

from adapters.console.render import UPDATED, Pick, render
from adapters.console.surface import CONSOLE, ConsoleSurface
from bot.answering import Answerer
from bot.arguments import whole_number
from bot.events import (
    SYSTEM_ACTOR,
    SYSTEM_CONVERSATION,
    Action,
    Actor,
    ConversationKind,
    ConversationRef,
    Message,
    Platform,
    ScheduledTrigger,
)
from bot.exports import export_folder
from bot.i18n import N_, Translator, translator
from bot.messenger import SentMessage
from bot.progress import ProgressBar
from bot.replies import Form, Input, InputKind, Reply
from bot.roles import Role
from bot.runtime import Runtime
from storage.console_messages import ConsoleMessages
from storage.people import Identity, Profile

TENANT = "local"
QUIT_WORDS = frozenset({"quit", "exit", ":q", "salir"})
TICK_SECONDS = 30
# How often a running chat looks for messages sent to its person from any process.
ARRIVALS_POLL_SECONDS = 1.0
# A toggle's "yes", typed in either language.
YES_WORDS = frozenset({"y", "yes", "true", "s", "si", "sí"})

# The terminal's own words, in the person's language.
WELCOME = N_("Breakroom terminal chat, as {user}. Type `help` to start, `quit` to leave.")
AWAY = N_("While you were away:")
PROMPT = N_("you> ")
DIGITS = N_("bot> Please type the number with the digits 0 to 9, like 1.")
BYE = N_("Bye!")
MESSAGE = N_("── message ──")
CHANNEL_MESSAGE = N_("── message for #{channel} ──")
CANCELLED = N_("bot> Cancelled; nothing was sent.")
FORM_HEADING = N_("{title} (type `cancel` to stop)")
OPTIONAL = N_("(optional, Enter to skip)")
YES_NO = N_("[y/n]")
PICK_NUMBER = N_("Please type one of the numbers above, with the digits 0 to 9.")
REQUIRED = N_("This one is required.")
UNREADABLE = N_("bot> That line was not readable text (UTF-8); please type it again.")
TOO_LONG = N_("Please keep it under {count} characters.")

# Raises `UnreadableLine` for a line that is not text.
ReadLine = Callable[[str], Awaitable[str | None]]
Write = Callable[[str], None]


class UnreadableLine(Exception):
    """A line that is not UTF-8 (a terminal set to another encoding, pasted binary): the chat
    asks for it again, in the person's language, instead of ending with a traceback."""


async def read_stdin(prompt: str) -> str | None:
    """One line from standard input without blocking the event loop; None at end of input."""
    sys.stdout.write(prompt)
    sys.stdout.flush()
    raw: bytes = await asyncio.get_running_loop().run_in_executor(None, sys.stdin.buffer.readline)
    if raw == b"":
        return None
    try:
        return raw.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError as exc:
        raise UnreadableLine from exc


def write_stdout(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


class ConsoleMessenger:
    """Proactive sends to people who chat in a terminal: stored for the recipient's own
    `breakroom chat` to show (`storage.console_messages`), never printed in the terminal of
    whoever caused them, where they would reach the wrong person (an anonymous idea's
    submitter named in the leader's terminal)."""

    platform = Platform.CONSOLE.value

    def __init__(self, messages: ConsoleMessages, write: Write, exports: Path) -> None:
        self._messages = messages
        self._write = write
        self._exports = exports
        self._channel_count = 0

    async def send_direct(
        self, identity: Identity, reply: Reply, *, dedupe_key: str | None = None
    ) -> SentMessage:
        rendered = render(reply, self._exports)
        message_id = await self._messages.put(
            identity.person_id, rendered.text, _pairs(rendered.picks), dedupe_key=dedupe_key
        )
        return SentMessage(self.platform, str(message_id))

    async def find_sent(
        self, identity: Identity, dedupe_key: str, since: datetime
    ) -> SentMessage | None:
        """A send interrupted by a crash is found by its key, so it is not stored twice."""
        found = await self._messages.find(dedupe_key)
        return None if found is None else SentMessage(self.platform, str(found))

    async def send_to_channel(self, channel_id: str, reply: Reply) -> SentMessage:
        """A terminal has no channels: the post is shown where it was made, labelled."""
        self._channel_count += 1
        heading = translator(reply.language)(CHANNEL_MESSAGE, channel=channel_id)
        self._write(f"{heading}\n{render(reply, self._exports).text}")
        return SentMessage(self.platform, f"channel-{self._channel_count}")

    async def update(self, sent: SentMessage, reply: Reply) -> None:
        """A shown message cannot change on the screen: the new text follows it, to the same
        person."""
        updated = translator(reply.language)(UPDATED)
        if not sent.message_id.isdecimal():
            self._write(f"{updated}\n{render(reply, self._exports).text}")
            return
        person_id = await self._messages.recipient(int(sent.message_id))
        if person_id is not None:
            rendered = render(reply, self._exports)
            await self._messages.put(
                person_id, f"{updated} {rendered.text}", _pairs(rendered.picks)
            )

    async def channel_members(self, channel_id: str) -> list[str]:
        """A terminal has no channels, so a channel audience is empty here."""
        return []


def _pairs(picks: list[Pick]) -> list[tuple[str, str]]:
    return [(pick.action_id, pick.value) for pick in picks]


class ConsoleChat:
    def __init__(
        self,
        runtime: Runtime,
        user: str,
        read: ReadLine,
        write: Write,
        *,
        role: Role = Role.EMPLOYEE,
    ) -> None:
        self._runtime = runtime
        self._read = read
        self._write = write
        self.actor = Actor(
            platform=Platform.CONSOLE.value,
            tenant=TENANT,
            user_id=user,
            display_name=user.replace(".", " ").title(),
            timezone=runtime.settings.timezone,
            # No locale: the terminal speaks the language the person chose, else the
            # hospital's (BREAKROOM_LANGUAGE).
            locale=None,
            # The role lasts as long as this chat: nothing is stored, so `--role employee`
            # after `--role hr` is an employee again.
            session_roles=frozenset({role.value}),
        )
        self._conversation = ConversationRef(
            platform=Platform.CONSOLE.value, kind=ConversationKind.DIRECT
        )
        self._picks: list[Pick] = []
        self._answering = Answerer(runtime.router, CONSOLE)
        self._exports = export_folder(runtime.settings)
        self._person_id: int | None = None
        self._turn = asyncio.Lock()  # a message waiting is shown between turns, not inside
        runtime.services.outbound.register(
            ConsoleMessenger(runtime.services.console_messages, write, self._exports)
        )

    async def run(self) -> None:
        """Chat until `quit` or end of input. Scheduled work (survey rounds, their delivery)
        runs alongside, as the server's scheduler would, so surveys arrive in the terminal."""
        t = await self._t()
        self._write(t(WELCOME, user=self.actor.user_id))
        await self._show_waiting(heading=t(AWAY))
        stop = asyncio.Event()
        background = asyncio.create_task(self._background(stop))
        try:
            while (line := await self._line((await self._t())(PROMPT))) is not None:
                text = line.strip()
                if not text:
                    continue
                if text.lower() in QUIT_WORDS:
                    break
                if self._picks and text.isdecimal() and not text.isascii():
                    self._write((await self._t())(DIGITS))
                    continue
                async with self._turn:
                    await self._handle(self._event_for(text))
                    await self._show_waiting()
        finally:
            stop.set()
            await background
        self._write((await self._t())(BYE))

    async def _t(self) -> Translator:
        """The person's language, read each time: `idioma español` changes it mid-chat."""
        return await self._runtime.router.reader(self.actor)

    async def _line(self, prompt: str) -> str | None:
        """The next line typed; one that could not be read is asked for again."""
        while True:
            try:
                return await self._read(prompt)
            except UnreadableLine:
                self._write((await self._t())(UNREADABLE))

    async def say(self, text: str) -> list[Reply]:
        """Handle one line as if typed, and show the replies (used by `breakroom pulse …`,
        which reads its exit status off what they say of the outcome)."""
        return await self._handle(
            Message(actor=self.actor, conversation=self._conversation, text=text)
        )

    async def deliver(self, *, progress: bool) -> int:
        """Run due scheduled work and send everything due in the outbox, with a progress bar."""
        await self._tick()
        bar = ProgressBar() if progress else None
        result = await self._runtime.delivery.run_until_idle(progress=bar)
        if bar is not None:
            bar.close()
        self._write(f"sent {result.sent}, failed {result.failed}, blocked {result.blocked}")
        return 0 if not result.failed else 1

    async def _background(self, stop: asyncio.Event) -> None:
        delivery = asyncio.create_task(self._runtime.delivery.run_forever(stop))
        arrivals = asyncio.create_task(self._watch_arrivals(stop))
        while not stop.is_set():
            await self._tick()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=TICK_SECONDS)
        await delivery
        await arrivals

    async def _watch_arrivals(self, stop: asyncio.Event) -> None:
        """Show this person's messages as they arrive (sent by any process on the database),
        between turns so that they never cut into a reply or a form being filled."""
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=ARRIVALS_POLL_SECONDS)
            if not stop.is_set():
                async with self._turn:
                    # A blank line first: the prompt is on the screen, waiting for a line.
                    await self._show_waiting(heading="")

    async def _show_waiting(self, heading: str | None = None) -> None:
        """Print this person's messages not shown yet; a number then picks one of the last
        one's options, as a button would elsewhere (a survey's answers)."""
        services = self._runtime.services
        if self._person_id is None:
            person = await services.people.resolve(
                Profile(Platform.CONSOLE.value, TENANT, self.actor.user_id, self.actor.display_name)
            )
            self._person_id = person.id
        waiting = await services.console_messages.take_waiting(self._person_id)
        if waiting and heading is not None:
            self._write(heading)
        heading_of_each = (await self._t())(MESSAGE) if waiting else ""
        for message in waiting:
            self._write(f"{heading_of_each}\n{message.text}")
            if message.picks:
                self._picks = [Pick(action_id, value) for action_id, value in message.picks]

    async def _tick(self) -> None:
        for job in self._runtime.router.interval_jobs:
            await self._runtime.router.dispatch(
                ScheduledTrigger(actor=SYSTEM_ACTOR, conversation=SYSTEM_CONVERSATION, job=job)
            )

    def _event_for(self, text: str) -> Message | Action:
        number = whole_number(text)
        if number is not None and 1 <= number <= len(self._picks):
            pick = self._picks[number - 1]
            return Action(
                actor=self.actor,
                conversation=self._conversation,
                action_id=pick.action_id,
                value=pick.value,
            )
        return Message(actor=self.actor, conversation=self._conversation, text=text)

    async def _handle(self, event: Message | Action) -> list[Reply]:
        """Answer through the core's answering path, then ask the forms the answer showed,
        each submission answered in turn. The replies to `event` itself."""
        surface = ConsoleSurface(event, self._write, self._exports)
        replies = await self._answering.answer(event, surface)
        if surface.picks:
            self._picks = surface.picks
        for form in surface.forms:
            values = await self._fill(form)
            if values is None:
                self._write((await self._t())(CANCELLED))
                continue
            await self._handle(
                Action(
                    actor=self.actor,
                    conversation=self._conversation,
                    action_id=form.submit_action_id,
                    value=form.value,
                    values=values,
                )
            )
        return replies

    async def _fill(self, form: Form) -> dict[str, str] | None:
        """Ask each input in turn; `cancel` abandons the form."""
        t = await self._t()
        self._write("   " + t(FORM_HEADING, title=form.title))
        values: dict[str, str] = {}
        for field in form.inputs:
            answer = await self._ask_input(field, t)
            if answer is None:
                return None
            values[field.name] = answer
        return values

    async def _ask_input(self, field: Input, t: Translator) -> str | None:
        hint = "" if field.required else " " + t(OPTIONAL)
        if field.kind is InputKind.SELECT:
            for number, option in enumerate(field.options, start=1):
                self._write(f"   [{number}] {option.label}")
        elif field.kind is InputKind.TOGGLE:
            hint += " " + t(YES_NO)
        while True:
            line = await self._line(f"   {field.label}{hint}: ")
            if line is None or line.strip().lower() == "cancel":
                return None
            answer = line.strip() or field.initial
            if field.kind is InputKind.SELECT and answer:
                picked = whole_number(answer)
                if picked is not None and 1 <= picked <= len(field.options):
                    answer = field.options[picked - 1].value
                elif answer not in {o.value for o in field.options}:
                    self._write("   " + t(PICK_NUMBER))
                    continue
            if field.kind is InputKind.TOGGLE:
                answer = "true" if answer.lower() in YES_WORDS else "false"
            if field.required and not answer:
                self._write("   " + t(REQUIRED))
                continue
            if field.max_length and len(answer) > field.max_length:
                self._write("   " + t(TOO_LONG, count=t.number(field.max_length)))
                continue
            return answer
