"""Where replies go: the pure placement decision, from one table of cases, with the capabilities
each adapter declares for its platform."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from adapters.console.surface import CONSOLE
from adapters.slack.surface import SLACK
from adapters.teams.surface import TEAMS
from bot.answering import (
    FILES_NEED_DIRECT,
    Capabilities,
    Openings,
    Place,
    Source,
    placements,
)
from bot.events import (
    Action,
    ConversationKind,
    ConversationRef,
    Event,
    HomeOpened,
    MemberJoined,
    Message,
)
from bot.replies import File, Form, Input, Reply, Text
from tests.helpers import actor

ANSWER = Reply.text("Paid time off: 20 days")
PRIVATE = Reply.text("Only you can see this preview", ephemeral=True)
IN_PLACE = Reply(fallback="Thanks!", blocks=(Text("Thanks!"),), replace_original=True)
PRIVATE_IN_PLACE = Reply(
    fallback="Thanks!", blocks=(Text("Thanks!"),), ephemeral=True, replace_original=True
)
FORM = Reply(
    fallback="Share an idea",
    blocks=(Form("Share an idea", (Input("title", "Title"),), "ideas.submit_form"),),
    ephemeral=True,
)
EXPORT = Reply.of(Text("Your export"), File("ideas.csv", b"id\n1\n"), replace_original=True)

DM, CHANNEL = ConversationKind.DIRECT, ConversationKind.CHANNEL
P = Place


def where(kind: ConversationKind) -> ConversationRef:
    return ConversationRef(platform="test", kind=kind)


def said(kind: ConversationKind) -> Message:
    return Message(actor=actor(), conversation=where(kind), text="how much PTO")


def pressed(kind: ConversationKind) -> Action:
    return Action(actor=actor(), conversation=where(kind), action_id="ideas.confirm")


def joined(kind: ConversationKind, *, installed: bool = False) -> MemberJoined:
    return MemberJoined(actor=actor(), conversation=where(kind), installed=installed)


HOME = HomeOpened(actor=actor(), conversation=where(DM))
ON_MESSAGE = Openings(source=Source.SHARED)
ON_EPHEMERAL = Openings(source=Source.PRIVATE, route_expires=True)
INTERACTION = Openings(route_expires=True)  # a Slack slash command: a response_url, no source
WITH_TRIGGER = Openings(form_now=True, route_expires=True)
INVOKE = Openings(source=Source.SHARED, awaits_response=True)


@dataclass(frozen=True)
class Case:
    name: str
    can: Capabilities
    event: Event
    reply: Reply
    expected: tuple[Place, ...]
    here: Openings = field(default_factory=Openings)


CASES = [
    # Slack: ephemeral messages, modals, the Home tab, and a response_url that can expire.
    Case("slack DM question", SLACK, said(DM), ANSWER, (P.POST,)),
    Case("slack channel mention", SLACK, said(CHANNEL), ANSWER, (P.POST, P.DIRECT)),
    Case("slack private in channel", SLACK, said(CHANNEL), PRIVATE, (P.PRIVATE, P.DIRECT)),
    Case("slack private in DM", SLACK, said(DM), PRIVATE, (P.PRIVATE,)),
    Case("slack private via URL", SLACK, said(DM), PRIVATE, (P.PRIVATE, P.DIRECT), INTERACTION),
    Case("slack command", SLACK, said(CHANNEL), ANSWER, (P.POST, P.DIRECT), INTERACTION),
    Case("slack button on message", SLACK, pressed(DM), IN_PLACE, (P.UPDATE, P.POST), ON_MESSAGE),
    Case(
        "slack button on ephemeral",
        SLACK,
        pressed(CHANNEL),
        PRIVATE_IN_PLACE,
        (P.UPDATE, P.PRIVATE, P.DIRECT),
        ON_EPHEMERAL,
    ),
    Case("slack in place, no source", SLACK, pressed(DM), IN_PLACE, (P.POST,)),
    Case(
        "slack form with trigger",
        SLACK,
        said(CHANNEL),
        FORM,
        (P.FORM, P.PRIVATE, P.DIRECT),
        WITH_TRIGGER,
    ),
    Case("slack form, typed", SLACK, said(DM), FORM, (P.PRIVATE,)),
    Case("slack home", SLACK, HOME, ANSWER, (P.HOME,)),
    Case("slack joined channel", SLACK, joined(CHANNEL), ANSWER, (P.PRIVATE, P.DIRECT)),
    Case("slack welcome tab", SLACK, joined(DM), ANSWER, (P.PRIVATE,)),
    Case(
        "slack file in channel",
        SLACK,
        pressed(CHANNEL),
        EXPORT,
        (P.UPDATE, P.POST, P.DIRECT),
        ON_MESSAGE,
    ),
    # Teams: no private replies in a channel, forms are cards, files only in a personal chat.
    Case("teams DM question", TEAMS, said(DM), ANSWER, (P.POST,)),
    Case("teams channel mention", TEAMS, said(CHANNEL), ANSWER, (P.POST, P.DIRECT)),
    Case("teams private in channel", TEAMS, said(CHANNEL), PRIVATE, (P.DIRECT, P.POST)),
    Case("teams private in DM", TEAMS, said(DM), PRIVATE, (P.POST,)),
    Case("teams button on card", TEAMS, pressed(DM), IN_PLACE, (P.UPDATE, P.POST), ON_MESSAGE),
    Case("teams card action", TEAMS, pressed(DM), IN_PLACE, (P.RESPOND, P.POST), INVOKE),
    # Answered in the HTTP response, not posted as well (Universal Actions answer once).
    Case("teams card action, new reply", TEAMS, pressed(DM), ANSWER, (P.RESPOND, P.POST), INVOKE),
    Case("teams form", TEAMS, said(DM), FORM, (P.POST,)),
    Case(
        "teams installed in team",
        TEAMS,
        joined(CHANNEL, installed=True),
        ANSWER,
        (P.POST, P.DIRECT),
    ),
    # The installer's own help never falls back into the channel.
    Case("teams installer's help", TEAMS, joined(CHANNEL, installed=True), PRIVATE, (P.DIRECT,)),
    Case("teams file in DM", TEAMS, pressed(DM), EXPORT, (P.POST,), ON_MESSAGE),
    Case("teams home", TEAMS, HOME, ANSWER, ()),
    # The terminal: one conversation, on the screen.
    Case("console question", CONSOLE, said(DM), PRIVATE, (P.POST,)),
    Case("console pick", CONSOLE, pressed(DM), PRIVATE_IN_PLACE, (P.UPDATE, P.POST), ON_MESSAGE),
]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_each_reply_gets_its_chain_of_places(case: Case) -> None:
    steps = placements(case.event, case.reply, case.can, case.here)
    assert tuple(step.place for step in steps) == case.expected
    assert all(step.reply is case.reply for step in steps)


def test_a_file_for_a_teams_channel_goes_to_the_personal_chat_or_says_why_not() -> None:
    direct, note = placements(pressed(CHANNEL), EXPORT, TEAMS, ON_MESSAGE)
    assert (direct.place, direct.reply) == (Place.DIRECT, EXPORT)
    assert note.place is Place.POST
    assert note.reply.fallback == FILES_NEED_DIRECT
    assert not note.reply.ephemeral


def test_the_declared_capabilities_say_what_each_platform_can_do() -> None:
    assert (SLACK.private_replies, TEAMS.private_replies) == (True, False)
    assert (SLACK.modal_forms, TEAMS.modal_forms) == (True, False)
    assert (SLACK.invoke_responses, TEAMS.invoke_responses) == (False, True)
    # Teams waits for the HTTP answer; Slack replies come after the acknowledgement.
    assert TEAMS.patience.longest_wait < SLACK.patience.longest_wait
