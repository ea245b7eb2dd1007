"""Where each reply goes: a pure decision from the event, the reply, what the platform can do
and what this one event allows, as a chain of places to try in order.

The first place that takes the reply ends its chain; a place that fails hands the reply to the
next one. Each platform keeps its idiom through its `Capabilities`: Slack shows a private reply
inside a channel (ephemeral), so that is tried before the actor's DM; Teams cannot, so a private
reply goes to the personal chat first and into the conversation when that fails, as a reply
only the actor may see has always done there.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from bot.events import Action, ConversationKind, Event, HomeOpened, MemberJoined
from bot.i18n import N_, translator
from bot.patience import Patience
from bot.replies import File, Reply

FILES_NEED_DIRECT = N_(
    "I can send files only in our personal chat, and we have none yet: "
    "send me a direct message, then ask again."
)


class Place(StrEnum):
    RESPOND = "respond"  # the HTTP answer to the event itself (Teams' card actions)
    FORM = "form"  # the reply's form, opened as a modal
    UPDATE = "update"  # the message the pressed control sat on, in place
    POST = "post"  # into the conversation, for everyone in it
    PRIVATE = "private"  # into the conversation, for the actor alone
    DIRECT = "direct"  # the actor's direct chat with the bot
    HOME = "home"  # the actor's home surface, drawn anew


@dataclass(frozen=True)
class Step:
    """One place to try, with what to put there (the reply, or a note standing in for it)."""

    place: Place
    reply: Reply


@dataclass(frozen=True)
class Capabilities:
    """What a platform can do, declared by its adapter as data; the core decides with it."""

    platform: str
    # How long each call may wait out rate limits: long after an acknowledgement, short while
    # the platform waits for our HTTP answer.
    patience: Patience
    # A reply only the actor sees, inside a conversation others share (Slack: ephemeral).
    private_replies: bool = False
    # Forms open as modals, when an event allows one (Slack: with a fresh trigger id); without,
    # a form is part of the message (Teams: a card with inputs).
    modal_forms: bool = False
    # A message only the actor sees can be updated in place (Slack: through its response_url).
    update_private: bool = False
    # Files go only in a new message of the actor's direct chat (Teams: file consent cards).
    files_need_direct: bool = False
    # A reply can be the HTTP answer to the event: a card in place of the one pressed, or a
    # short message under it (Teams: `adaptiveCard/action`).
    invoke_responses: bool = False
    # A home surface drawn afresh whenever the person opens it (Slack: the App Home tab).
    home_surface: bool = False


class Source(StrEnum):
    """What the pressed control sat on."""

    NONE = "none"  # nothing: a typed message, a command, a submitted modal
    SHARED = "shared"  # a message everyone in the conversation sees
    PRIVATE = "private"  # a message only the actor sees (Slack: ephemeral)


@dataclass(frozen=True)
class Openings:
    """What one event allows, as its adapter reads it from the platform's payload."""

    source: Source = Source.NONE
    # A form can open as a modal right now (Slack: a trigger id not used yet).
    form_now: bool = False
    # Replies go back through a route the interaction lent, which can expire (Slack's
    # response_url): the actor's DM stays a way to reach them, even from a DM.
    route_expires: bool = False
    # The platform waits for this event's answer in the HTTP response, not answered yet.
    awaits_response: bool = False


def placements(event: Event, reply: Reply, can: Capabilities, here: Openings) -> tuple[Step, ...]:
    """The places to try for `reply`, in order; empty when it has nowhere to go."""
    if isinstance(event, HomeOpened):
        return (Step(Place.HOME, reply),) if can.home_surface else ()
    shared = event.conversation.kind is not ConversationKind.DIRECT
    files_bound = can.files_need_direct and any(isinstance(b, File) for b in reply.blocks)
    steps: list[Place] = []
    if reply.forms() and can.modal_forms and here.form_now:
        steps.append(Place.FORM)
    pressed = isinstance(event, Action) and not files_bound
    updatable = here.source is Source.SHARED or (
        here.source is Source.PRIVATE and can.update_private
    )
    if pressed and can.invoke_responses and here.awaits_response:
        # The platform waits for this event's answer in the HTTP response (Teams'
        # `adaptiveCard/action`): the first reply is that answer, not a message as well.
        steps.append(Place.RESPOND)
    elif pressed and reply.replace_original and updatable:
        steps.append(Place.UPDATE)
    if files_bound and shared:
        t = translator(reply.language)
        note = replace(Reply.text(t(FILES_NEED_DIRECT)), language=t.language)
        return (*_steps(steps, reply), Step(Place.DIRECT, reply), Step(Place.POST, note))
    # Someone joining a shared conversation is welcomed privately; installing the bot is not.
    welcome = isinstance(event, MemberJoined)
    alone = reply.ephemeral or (isinstance(event, MemberJoined) and not event.installed)
    if alone and shared and can.private_replies:
        steps += (Place.PRIVATE, Place.DIRECT)
    elif alone and shared and welcome:
        # Nobody in the conversation waits for a private welcome: it never goes there instead.
        steps.append(Place.DIRECT)
    elif alone and shared:
        steps += (Place.DIRECT, Place.POST)
    else:
        steps.append(Place.PRIVATE if alone and can.private_replies else Place.POST)
        if shared or here.route_expires:
            steps.append(Place.DIRECT)
    return _steps(steps, reply)


def _steps(places: list[Place], reply: Reply) -> tuple[Step, ...]:
    return tuple(Step(place, reply) for place in places)
