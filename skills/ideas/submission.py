"""Sharing an idea and voting: the form or a typed line, a preview screened for PHI with similar
ideas to vote for instead, and the draft's buttons (submit, with or without a name, edit, cancel).
A draft belongs to the person who made it; nobody else's press can send or change it: its
buttons, and the votes a preview offers, are sealed for that person (`bot.ownership`), and
storage finds a draft only together with its owner."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from bot.arguments import Rest
from bot.context import Context
from bot.errors import SkillError
from bot.events import Action, Command
from bot.i18n import Translator
from bot.replies import (
    Button,
    Buttons,
    ButtonStyle,
    Facts,
    Form,
    Input,
    InputKind,
    Option,
    Reply,
    Text,
    plain_text,
)
from bot.services import Services
from skills.grouping import most_similar
from skills.ideas import messages as say
from skills.ideas.actions import CANCEL, CONFIRM, CONFIRM_ANONYMOUS, EDIT, SUBMIT_FORM, UPVOTE
from skills.ideas.common import category_name, find_idea, idea_text, quote, status_name
from skills.ideas.themes import guess_category, theme_terms
from skills.phi import redact
from skills.phi.tags import neutral, readable, tag_list
from skills.references import parse_id
from skills.safety.responder import CrisisResponder
from storage.ideas import Draft, Idea, IdeaFilter

log = logging.getLogger(__name__)

IDEA_TEXT = Rest("your idea", required=False)


async def on_idea(ctx: Context[Command], safety: CrisisResponder) -> Reply:
    text = ctx.args[IDEA_TEXT]
    if not text:
        return idea_form(ctx.t)
    return await _preview(
        ctx,
        safety,
        title="",
        description=text,
        category=guess_category(text),
        unit="",
        anonymous=False,
    )


async def open_form(ctx: Context[Any]) -> Reply:
    return idea_form(ctx.t)


def idea_form(t: Translator, draft: Draft | None = None, sealed_draft: str = "") -> Reply:
    """The idea form, filled from `draft` when editing one; `sealed_draft` is the draft's id
    sealed for SUBMIT_FORM, so the preview replaces that draft."""
    options = tuple(Option(t(label), key) for key, label in say.CATEGORIES.items())
    form = Form(
        title=t(say.FORM_TITLE),
        inputs=(
            Input(
                "title",
                t(say.TITLE_LABEL),
                max_length=say.MAX_TITLE,
                initial=readable(draft.title, t) if draft else "",
            ),
            Input(
                "description",
                t(say.DESCRIPTION_LABEL),
                InputKind.MULTILINE,
                required=True,
                max_length=say.MAX_DESCRIPTION,
                placeholder=t(say.DESCRIPTION_HINT),
                initial=readable(draft.description, t) if draft else "",
            ),
            Input(
                "category",
                t(say.CATEGORY_LABEL),
                InputKind.SELECT,
                required=True,
                options=options,
                initial=draft.category if draft else "",
            ),
            Input(
                "unit",
                t(say.UNIT_FIELD_LABEL),
                max_length=say.MAX_UNIT,
                initial=draft.unit if draft else "",
            ),
            Input(
                "anonymous",
                t(say.ANONYMOUS_LABEL),
                InputKind.TOGGLE,
                initial="true" if draft and draft.anonymous else "false",
            ),
        ),
        submit_action_id=SUBMIT_FORM,
        submit_label=t(say.PREVIEW_LABEL),
        value=sealed_draft,
    )
    return Reply(fallback=form.title, blocks=(form,))


async def on_form(ctx: Context[Action], safety: CrisisResponder) -> Reply:
    values = ctx.event.values
    category = values.get("category", "").strip() or "other"
    if category not in say.CATEGORIES:
        names = ctx.t.list(ctx.t(name) for name in say.CATEGORIES.values())
        raise SkillError(say.BAD_CATEGORY, names=names)
    previous = parse_id(ctx.event.value)
    if previous is not None:
        await ctx.services.ideas.discard_draft(previous, ctx.person.id)
    # The preview takes the place of a form shown in a message (Teams), so that the form is
    # not submitted again from there.
    preview = await _preview(
        ctx,
        safety,
        title=values.get("title", ""),
        description=values.get("description", ""),
        category=category,
        unit=values.get("unit", ""),
        anonymous=values.get("anonymous", "false").lower() == "true",
    )
    return replace(preview, replace_original=True)


async def _preview(
    ctx: Context[Any],
    safety: CrisisResponder,
    *,
    title: str,
    description: str,
    category: str,
    unit: str,
    anonymous: bool,
) -> Reply:
    # An edited draft comes back with the tags it was shown with, in the reader's language.
    title, description = neutral(title.strip()), neutral(description.strip())
    unit = unit.strip()
    t = ctx.t
    if len(description) < say.MIN_DESCRIPTION:
        raise SkillError(say.TOO_SHORT, min=say.MIN_DESCRIPTION)
    if len(description) > say.MAX_DESCRIPTION:
        raise SkillError(say.TOO_LONG, max=t.number(say.MAX_DESCRIPTION))
    if len(title) > say.MAX_TITLE:
        raise SkillError(say.TITLE_TOO_LONG, max=say.MAX_TITLE)
    if len(unit) > say.MAX_UNIT:
        raise SkillError(say.UNIT_TOO_LONG, max=say.MAX_UNIT)
    screened_title, screened_text = redact(title), redact(description)
    draft = await ctx.services.ideas.save_draft(
        ctx.person.id,
        title=screened_title.text,
        description=screened_text.text,
        category=category,
        unit=unit,
        anonymous=anonymous,
    )
    found = screened_title.types | screened_text.types
    log.info("event=%s idea draft=%s phi=%s", ctx.event.id, draft.id, sorted(found))
    blocks: list[Any] = [Text(t(say.PREVIEW))]
    if draft.title:
        blocks.append(Text(f"**{readable(draft.title, t)}**"))
    blocks.append(Text(quote(readable(draft.description, t))))
    blocks.append(
        Facts(
            (
                (t(say.CATEGORY_LABEL), category_name(t, category)),
                (t(say.UNIT_LABEL), unit or t(say.NOT_GIVEN)),
                (t(say.ANONYMOUS_FACT), t(say.YES) if anonymous else t(say.NO)),
            )
        )
    )
    if found:
        blocks.append(Text(t(say.PHI_NOTE, tags=tag_list(found, t)), subtle=True))
    similar = await _similar(ctx.services, f"{draft.title} {draft.description}")
    if similar:
        blocks.append(Text(t(say.SIMILAR)))
        for idea in similar:
            votes_so_far = t.plural("{count} vote", "{count} votes", idea.votes)
            blocks.append(Text(f"#{idea.id} _{readable(idea.headline, t)}_ ({votes_so_far})"))
        votes = [
            Button(t(say.VOTE_FOR, id=i.id), UPVOTE, await ctx.seal(UPVOTE, i.id)) for i in similar
        ]
        blocks.append(Buttons(tuple(votes)))
    keep, other = (CONFIRM_ANONYMOUS, CONFIRM) if anonymous else (CONFIRM, CONFIRM_ANONYMOUS)
    blocks.append(
        Buttons(
            (
                Button(
                    t(say.SUBMIT), keep, await ctx.seal(keep, draft.id), style=ButtonStyle.PRIMARY
                ),
                Button(
                    t(say.SUBMIT_NAMED) if anonymous else t(say.SUBMIT_ANONYMOUS),
                    other,
                    await ctx.seal(other, draft.id),
                ),
                Button(t(say.EDIT), EDIT, await ctx.seal(EDIT, draft.id)),
                Button(
                    t(say.CANCEL),
                    CANCEL,
                    await ctx.seal(CANCEL, draft.id),
                    style=ButtonStyle.DANGER,
                ),
            )
        )
    )
    # Someone in crisis may write wherever they are: the resources come first, and the idea
    # is still theirs to send.
    return await safety.ahead_of(ctx, Reply.of(*blocks, ephemeral=True), title, description)


async def _similar(services: Services, text: str) -> list[Idea]:
    candidates = await services.ideas.find(IdeaFilter(statuses_excluded=say.CLOSED), limit=500)
    ranked = most_similar(text, candidates, idea_text, terms=theme_terms)
    return [idea for idea, _ in ranked]


async def _own_draft(ctx: Context[Action]) -> Draft:
    draft_id = parse_id(ctx.event.value)
    draft = await ctx.services.ideas.draft(draft_id, ctx.person.id) if draft_id else None
    if draft is None:
        raise SkillError(say.DRAFT_GONE)
    return draft


async def on_confirm(ctx: Context[Action]) -> Reply:
    """Submit the draft. Pressed twice (a double click, on one replica or two), one press makes
    the idea and the other is told it is in already; only the first replaces the preview."""
    try:
        draft = await _own_draft(ctx)
    except SkillError:
        # A draft is consumed in the transaction that makes its idea: gone now, and an idea
        # from it, means this press came second.
        draft_id = parse_id(ctx.event.value)
        if draft_id is not None and await ctx.services.ideas.submitted_from(draft_id):
            return _retired(ctx.t(say.ALREADY_SENT))
        raise
    anonymous = ctx.event.action_id == CONFIRM_ANONYMOUS
    draft = replace(draft, anonymous=anonymous)
    sealed = await ctx.services.sealer.seal(ctx.person.id) if anonymous else None
    idea = await ctx.services.ideas.submit(draft, sealed_submitter=sealed)
    if idea is None:
        return _retired(ctx.t(say.ALREADY_SENT))
    log.info("event=%s idea=%s submitted", ctx.event.id, idea.id)
    text = ctx.t(say.THANKS, id=idea.id)
    if anonymous:
        text += " " + ctx.t(say.THANKS_ANONYMOUS)
    return Reply(
        fallback=plain_text(text), blocks=(Text(text),), ephemeral=True, replace_original=True
    )


async def on_edit(ctx: Context[Action]) -> Reply:
    """The form again, in place of the preview where it is part of a message (Teams): the
    preview's Submit would send the draft the edit replaces."""
    draft = await _own_draft(ctx)
    form = idea_form(ctx.t, draft, await ctx.seal(SUBMIT_FORM, draft.id))
    return replace(form, replace_original=True)


def _retired(text: str) -> Reply:
    """`text` in place of the preview whose button was pressed, so that it is not pressed
    again."""
    return Reply(
        fallback=plain_text(text), blocks=(Text(text),), ephemeral=True, replace_original=True
    )


async def on_cancel(ctx: Context[Action]) -> Reply:
    draft = await _own_draft(ctx)
    await ctx.services.ideas.discard_draft(draft.id, ctx.person.id)
    return Reply(
        fallback=ctx.t(say.CANCELLED),
        blocks=(Text(ctx.t(say.CANCELLED)),),
        ephemeral=True,
        replace_original=True,
    )


async def on_upvote(ctx: Context[Action]) -> Reply:
    idea = await find_idea(ctx.services, parse_id(ctx.event.value))
    if idea.status in say.CLOSED:
        raise SkillError(
            say.CANT_VOTE_CLOSED, id=idea.id, status=status_name(ctx.t, idea.status).lower()
        )
    vote = await ctx.services.ideas.vote(idea.id, ctx.person.id, closed=say.CLOSED)
    if vote is None:
        raise SkillError(say.NO_SUCH_IDEA, id=idea.id)
    if vote.status in say.CLOSED:
        raise SkillError(
            say.CANT_VOTE_CLOSED, id=idea.id, status=status_name(ctx.t, vote.status).lower()
        )
    if not vote.counted:
        return Reply.text(ctx.t(say.ALREADY_VOTED, id=idea.id), ephemeral=True)
    votes = ctx.t.number(vote.votes)
    return Reply.text(ctx.t(say.VOTED, id=idea.id, votes=votes), ephemeral=True)
