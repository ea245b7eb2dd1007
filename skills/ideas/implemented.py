"""Marking an idea implemented: the leader says what changed and who helped (a form, or words),
the idea's submitter and voters are told through the outbox, and the leader sees how it reads
as "you said, we did". The submitter of a named idea is asked whether they may be named when
it is shared; their answer is theirs alone to give (the button is sealed for them, and the idea
is checked to be theirs)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from functools import partial
from typing import Any

from bot.arguments import Option, Phrase
from bot.context import Context
from bot.dates import reader_zone
from bot.errors import SkillError
from bot.events import Action
from bot.i18n import Translator, translator_for
from bot.messenger import DeliveryError
from bot.ownership import NotYours, seal_value
from bot.quiet import outside_quiet_hours
from bot.renderers import Render
from bot.replies import Block, Button, Buttons, Divider, Form, Input, InputKind, Reply, Text
from bot.services import Services
from skills.announce.announcer import AnnouncementDraft, Announcer
from skills.audience import EVERYONE, audience_of
from skills.ideas import messages as say
from skills.ideas.actions import ANNOUNCE, CREDIT_NO, CREDIT_YES, IMPLEMENT_FORM
from skills.ideas.common import find_idea, quote, speaker_of, submitter_of
from skills.ideas.story import excerpt, you_said_we_did
from skills.phi import redact
from skills.phi.tags import readable
from skills.references import parse_id
from storage.idea_outcomes import IDEA_KEY, Outcome
from storage.ideas import Idea
from storage.outbox_items import Recipient

log = logging.getLogger(__name__)

NOTICE = "ideas.implemented"  # outbox kind; payload `idea:<id>`
HELPED = Option("--helped", Phrase("who helped", "WHO"), default="")


def implement_form(t: Translator, idea: Idea) -> Reply:
    form = Form(
        title=t(say.IMPLEMENT_FORM_TITLE, id=idea.id),
        inputs=(
            Input(
                "what_changed",
                t(say.WHAT_CHANGED_LABEL),
                InputKind.MULTILINE,
                required=True,
                max_length=say.MAX_WHAT_CHANGED,
            ),
            Input("helped", t(say.HELPED_LABEL), max_length=say.MAX_HELPED),
        ),
        submit_action_id=IMPLEMENT_FORM,
        submit_label=t(say.MARK_IMPLEMENTED),
        value=str(idea.id),
    )
    return Reply(fallback=form.title, blocks=(form,), ephemeral=True)


async def mark(ctx: Context[Any], idea: Idea, what_changed: str, helped: str) -> Reply | None:
    """Mark `idea` implemented with what changed and who helped, tell its people, and answer
    with the "you said, we did" preview; None when it had moved on meanwhile."""
    services = ctx.services
    what_changed = redact(what_changed.strip()).text
    if not what_changed:
        raise SkillError(say.WHAT_CHANGED_NEEDED, id=idea.id)
    if len(what_changed) > say.MAX_WHAT_CHANGED:
        raise SkillError(say.WHAT_CHANGED_TOO_LONG, max=say.MAX_WHAT_CHANGED)
    helped = screen_helped(helped.strip())
    if len(helped) > say.MAX_HELPED:
        raise SkillError(say.HELPED_TOO_LONG, max=say.MAX_HELPED)
    now = services.clock()
    quiet = services.settings.quiet_hours

    def due(zone: str | None) -> datetime:
        return outside_quiet_hours(now, reader_zone(zone, services.settings.timezone), quiet)

    done = await services.idea_outcomes.implement(
        idea.id,
        from_status=idea.status,
        what_changed=what_changed,
        helped=helped,
        by_person_id=ctx.person.id,
        now=now,
        notice_kind=NOTICE,
        due=due,
    )
    if done is None:
        return None
    told = done.told + await _tell_anonymous_submitter(services, done.idea, done.outcome)
    await ctx.audit(
        "idea.status",
        f"idea:{idea.id}",
        before=idea.status,
        after="implemented",
        told=told,
        helped=bool(helped),
    )
    log.info("event=%s idea=%s implemented; %d told", ctx.event.id, idea.id, told)
    t = ctx.t
    if told:
        people = t.plural("{count} person", "{count} people", told)
        text = t(say.IMPLEMENTED_TELLING, id=idea.id, people=people)
    else:
        text = t(say.IMPLEMENTED_NOBODY, id=idea.id)
    offer = await _announce_offer(ctx, done.idea)
    return Reply.of(Text(text), *preview(t, done.idea, done.outcome), *offer, ephemeral=True)


def preview(t: Translator, idea: Idea, outcome: Outcome) -> list[Block]:
    """The leader's view of the "you said, we did" text, as an announcement would carry it."""
    story = you_said_we_did(idea, outcome, t)
    if idea.anonymous:
        note = say.PREVIEW_ANONYMOUS
    elif outcome.credit_agreed:
        note = say.PREVIEW_NAMED
    else:
        note = say.PREVIEW_UNNAMED
    return [
        Divider(),
        Text(t(say.PREVIEW_HEADING)),
        Text(f"**{story.title}**\n{story.markdown}"),
        Text(t(note), subtle=True),
    ]


async def _announce_offer(ctx: Context[Any], idea: Idea) -> list[Block]:
    """Buttons that draft the "you said, we did" announcement, to the idea's unit or to
    everyone, sealed for the leader who marked it."""
    t = ctx.t
    targets = [("unit", t(say.ANNOUNCE_TO_UNIT, unit=idea.unit))] if idea.unit else []
    targets.append(("everyone", t(say.ANNOUNCE_TO_EVERYONE)))
    buttons = [
        Button(label, ANNOUNCE, await ctx.seal(ANNOUNCE, f"{idea.id}:{target}"))
        for target, label in targets
    ]
    return [Text(t(say.ANNOUNCE_OFFER)), Buttons(tuple(buttons))]


async def on_announce(ctx: Context[Action], announcer: Announcer) -> Reply:
    """Draft the "you said, we did" announcement of an implemented idea and show its preview:
    nothing goes out until the leader sends it. The text is written now, so a submitter's
    consent given since the idea was marked is honoured."""
    services = ctx.services
    idea_part, _, target = ctx.event.value.partition(":")
    idea = await find_idea(services, parse_id(idea_part))
    outcome = await services.idea_outcomes.get(idea.id)
    if outcome is None or idea.status != "implemented":
        raise SkillError(say.NOT_IMPLEMENTED_TO_ANNOUNCE, id=idea.id)
    audience = audience_of("unit", idea.unit) if target == "unit" and idea.unit else EVERYONE
    # The leader's announcement, in the leader's words: the language they read.
    story = you_said_we_did(idea, outcome, ctx.t)
    drafted = await announcer.draft(
        ctx.person, AnnouncementDraft(story.title, story.markdown, audience=audience)
    )
    await ctx.audit("idea.announce", f"idea:{idea.id}", announcement=drafted.id)
    return drafted.preview


def screen_helped(text: str) -> str:
    """Who helped names colleagues to thank, so names stay; any other identifier the PHI
    screen finds (a record number, a phone number, a date of birth) is replaced by its tag."""
    found = [e for e in redact(text).entities if e.type != "NAME"]
    for entity in reversed(found):
        text = f"{text[: entity.start]}[{entity.type}]{text[entity.end :]}"
    return text


async def _tell_anonymous_submitter(services: Services, idea: Idea, outcome: Outcome) -> int:
    """The submitter of an anonymous idea is told directly, like every notice about their idea:
    an outbox row would tie them to it in the database. One who voted for it is told through
    the outbox already. 1 when told here."""
    if not idea.anonymous:
        return 0
    person_id = await submitter_of(services, idea.id)
    if person_id is None or await services.ideas.voted(idea.id, person_id):
        return 0
    t = await speaker_of(services, person_id)
    try:
        await services.outbound.to_person(person_id, Reply.of(*_submitter_blocks(t, idea, outcome)))
    except DeliveryError as exc:
        log.warning("idea=%s submitter notice not delivered: %s", idea.id, type(exc).__name__)
        return 0
    return 1


# -- the notices ---------------------------------------------------------------------------


def notice_renderer(services: Services) -> Render:
    """The outbox renderer of `ideas.implemented`: the idea and what came of it are read once
    per batch, and a voter's thanks written once per language; the submitter's notice asks
    whether they may be named."""

    async def render(
        kind: str, payload_key: str, recipients: Sequence[Recipient]
    ) -> Mapping[int, Reply | None]:
        idea_id = parse_id(payload_key.removeprefix(IDEA_KEY))
        idea = await services.ideas.get(idea_id) if idea_id else None
        outcome = await services.idea_outcomes.get(idea.id) if idea else None
        if idea is None or outcome is None:
            return {}
        submitter = await submitter_of(services, idea.id)
        default = services.settings.language
        voters: dict[str, Reply] = {}
        replies: dict[int, Reply | None] = {}
        for recipient in recipients:
            t = translator_for(recipient, default)
            if recipient.person_id != submitter:
                if t.language not in voters:
                    voters[t.language] = Reply.of(*_voter_blocks(t, idea, outcome))
                replies[recipient.person_id] = voters[t.language]
                continue
            blocks = _submitter_blocks(t, idea, outcome)
            if not idea.anonymous:
                key = await services.sealer.button_key()
                sealed = partial(
                    seal_value, key, person_id=recipient.person_id, payload=str(idea.id)
                )
                blocks += _credit_blocks(t, outcome.credit_agreed, sealed)
            replies[recipient.person_id] = Reply.of(*blocks)
        return replies

    return render


def _said(t: Translator, idea: Idea, outcome: Outcome) -> list[Block]:
    lines = [
        quote(readable(excerpt(idea), t)),
        t(say.NOTICE_WHAT_CHANGED, text=readable(outcome.what_changed, t)),
    ]
    if outcome.helped:
        lines.append(t(say.NOTICE_HELPED, text=readable(outcome.helped, t)))
    return [Text("\n".join(lines))]


def _submitter_blocks(t: Translator, idea: Idea, outcome: Outcome) -> list[Block]:
    closing = t(say.NOTICE_THANKS_SUBMITTER)
    if idea.anonymous:
        closing += " " + t(say.NOTICE_STAYS_ANONYMOUS)
    return [
        Text(t(say.NOTICE_SUBMITTER, id=idea.id)),
        *_said(t, idea, outcome),
        Text(closing),
    ]


def _voter_blocks(t: Translator, idea: Idea, outcome: Outcome) -> list[Block]:
    return [
        Text(t(say.NOTICE_VOTER, id=idea.id, headline=readable(idea.headline, t))),
        *_said(t, idea, outcome),
        Text(t(say.NOTICE_THANKS_VOTER)),
    ]


def _credit_blocks(t: Translator, agreed: bool | None, sealed: Callable[[str], str]) -> list[Block]:
    """The question, or the answer given with the button that changes it. `sealed(action)` is
    the idea's id sealed for the submitter and that action."""
    if agreed is None:
        return [
            Text(t(say.CREDIT_ASK)),
            Buttons(
                (
                    Button(t(say.CREDIT_YES_LABEL), CREDIT_YES, sealed(CREDIT_YES)),
                    Button(t(say.CREDIT_NO_LABEL), CREDIT_NO, sealed(CREDIT_NO)),
                )
            ),
        ]
    if agreed:
        undo = Button(t(say.CREDIT_UNDO_LABEL), CREDIT_NO, sealed(CREDIT_NO))
        return [Text(t(say.CREDIT_AGREED)), Buttons((undo,))]
    redo = Button(t(say.CREDIT_REDO_LABEL), CREDIT_YES, sealed(CREDIT_YES))
    return [Text(t(say.CREDIT_DECLINED)), Buttons((redo,))]


async def on_credit(ctx: Context[Action]) -> Reply:
    """The submitter's answer: may they be named? Only the submitter of a named idea answers;
    the notice is redrawn with the answer and the button that changes it."""
    services = ctx.services
    idea = await find_idea(services, parse_id(ctx.event.value))
    if idea.anonymous or idea.submitter_person_id != ctx.person.id:
        raise NotYours(f"idea:{idea.id}")
    agreed = ctx.event.action_id == CREDIT_YES
    if not await services.idea_outcomes.set_credit(idea.id, agreed, services.clock()):
        raise SkillError(say.NOT_IMPLEMENTED_YET, id=idea.id)
    await ctx.audit("idea.credit", f"idea:{idea.id}", agreed=agreed)
    outcome = await services.idea_outcomes.get(idea.id)
    assert outcome is not None
    seals = {action: await ctx.seal(action, idea.id) for action in (CREDIT_YES, CREDIT_NO)}
    t = ctx.t
    blocks = _submitter_blocks(t, idea, outcome) + _credit_blocks(t, agreed, seals.__getitem__)
    return Reply.of(*blocks, replace_original=True)
