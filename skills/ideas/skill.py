"""Ideas: staff share them (screened for PHI, confirmed before saving, anonymous if they wish),
vote for each other's, and leaders move them through review and read summaries."""

from __future__ import annotations

import csv
import io
import logging
import re
import shlex
from dataclasses import replace
from datetime import timedelta
from typing import Any

from bot.context import Context
from bot.errors import SkillError
from bot.events import Action, Command, ScheduledTrigger
from bot.messenger import DeliveryError
from bot.replies import (
    Button,
    Buttons,
    ButtonStyle,
    Facts,
    File,
    Form,
    Input,
    InputKind,
    Option,
    Reply,
    Text,
    plain_text,
)
from bot.roles import Role
from bot.router import Router
from bot.sealing import SealBroken
from bot.services import Services
from skills.grouping import most_similar
from skills.ideas import messages as say
from skills.ideas.summary import Scope, render, summarize
from skills.phi import redact
from skills.references import parse_id
from storage.ideas import Draft, Idea, IdeaFilter

log = logging.getLogger(__name__)

NEW = "ideas.new"
SUBMIT_FORM = "ideas.submit_form"
CONFIRM = "ideas.confirm"
CONFIRM_ANONYMOUS = "ideas.confirm_anonymous"
EDIT = "ideas.edit"
CANCEL = "ideas.cancel"
UPVOTE = "ideas.upvote"
SET_STATUS = "ideas.set_status"
DECLINE = "ideas.decline"
DECLINE_FORM = "ideas.decline_form"
DIGEST_JOB = "ideas.digest"
DIGEST_CRON = "0 8 * * mon"  # Monday 08:00 in BREAKROOM_TIMEZONE, before the leaders' huddles

_CATEGORY_CUES = {
    "food": r"food|meal|tray|menu|diet|snack|coffee|cafeteria|breakfast|lunch|dinner",
    "wait_times": r"wait|delay|queue|long time|hours? to|slow|backlog|triage",
    "discharge": r"discharge|transition|follow[- ]?up|going home|transfer|handoff|hand-off",
    "safety": r"fall|safety|infection|alarm|error|wrong|hazard|slip|isolation|hand hygiene",
    "comfort": r"noise|noisy|quiet|blanket|cold|warm|light|sleep|clean|pillow|tv|wifi|parking",
    "communication": r"explain|communicat|interpreter|language|update|whiteboard|call light",
    "staff_experience": r"staff|shift|break room|burnout|schedule|nurses?|team|huddle",
}


def guess_category(text: str) -> str:
    """A first guess the submitter can change; the most specific cue wins."""
    lowered = text.lower()
    for category, cues in _CATEGORY_CUES.items():
        if re.search(rf"\b(?:{cues})", lowered):
            return category
    return "other"


class IdeasSkill:
    def __init__(self, router: Router) -> None:
        self.router = router
        self.services = router.services

    def register(self) -> None:
        r = self.router
        r.command(
            "idea",
            self.on_idea,
            summary="Share an idea to improve the patient experience (you can stay anonymous)",
            usage="idea [your idea]",
        )
        r.text_trigger(
            r"(?:i (?:have|got) an? idea|new idea|share an idea)[.!]*", self.open_form, name="idea"
        )
        r.command(
            "ideas",
            self.on_ideas,
            summary="Idea summaries and review: summary, list, show, status, comment, export",
            usage="ideas summary [--days N] [--unit U] [--category C]",
            roles=[Role.LEADER],
        )
        r.action(NEW, self.open_form)
        r.action(SUBMIT_FORM, self.on_form)
        r.action(CONFIRM, self.on_confirm)
        r.action(CONFIRM_ANONYMOUS, self.on_confirm)
        r.action(EDIT, self.on_edit)
        r.action(CANCEL, self.on_cancel)
        r.action(UPVOTE, self.on_upvote)
        r.action(SET_STATUS, self.on_set_status, roles=[Role.LEADER])
        r.action(DECLINE, self.on_decline, roles=[Role.LEADER])
        r.action(DECLINE_FORM, self.on_decline_form, roles=[Role.LEADER])
        r.job(DIGEST_JOB, self.weekly_digest, cron=DIGEST_CRON)

    # -- submitting -----------------------------------------------------------------------

    async def on_idea(self, ctx: Context[Command]) -> Reply:
        text = ctx.event.text.strip()
        if not text:
            return self._form()
        return await self._preview(
            ctx, title="", description=text, category=guess_category(text), unit="", anonymous=False
        )

    async def open_form(self, ctx: Context[Any]) -> Reply:
        return self._form()

    def _form(self, draft: Draft | None = None) -> Reply:
        options = tuple(Option(label, key) for key, label in say.CATEGORIES.items())
        form = Form(
            title=say.FORM_TITLE,
            inputs=(
                Input(
                    "title",
                    "Title (optional)",
                    max_length=say.MAX_TITLE,
                    initial=draft.title if draft else "",
                ),
                Input(
                    "description",
                    "What would make care better, and how?",
                    InputKind.MULTILINE,
                    required=True,
                    max_length=say.MAX_DESCRIPTION,
                    placeholder="Please leave out patient names, dates and record numbers.",
                    initial=draft.description if draft else "",
                ),
                Input(
                    "category",
                    "Category",
                    InputKind.SELECT,
                    required=True,
                    options=options,
                    initial=draft.category if draft else "",
                ),
                Input(
                    "unit",
                    "Unit or department (optional)",
                    max_length=say.MAX_UNIT,
                    initial=draft.unit if draft else "",
                ),
                Input(
                    "anonymous",
                    "Submit anonymously",
                    InputKind.TOGGLE,
                    initial="true" if draft and draft.anonymous else "false",
                ),
            ),
            submit_action_id=SUBMIT_FORM,
            submit_label="Preview",
            value=str(draft.id) if draft else "",
        )
        return Reply(fallback=say.FORM_TITLE, blocks=(form,))

    async def on_form(self, ctx: Context[Action]) -> Reply:
        values = ctx.event.values
        category = values.get("category", "").strip() or "other"
        if category not in say.CATEGORIES:
            raise SkillError(say.BAD_CATEGORY.format(names=", ".join(say.CATEGORIES.values())))
        previous = parse_id(ctx.event.value)
        if previous is not None:
            await self.services.ideas.discard_draft(previous, ctx.person.id)
        return await self._preview(
            ctx,
            title=values.get("title", ""),
            description=values.get("description", ""),
            category=category,
            unit=values.get("unit", ""),
            anonymous=values.get("anonymous", "false").lower() == "true",
        )

    async def _preview(
        self,
        ctx: Context[Any],
        *,
        title: str,
        description: str,
        category: str,
        unit: str,
        anonymous: bool,
    ) -> Reply:
        title, description, unit = title.strip(), description.strip(), unit.strip()
        if len(description) < say.MIN_DESCRIPTION:
            raise SkillError(say.TOO_SHORT)
        if len(description) > say.MAX_DESCRIPTION:
            raise SkillError(say.TOO_LONG)
        if len(title) > say.MAX_TITLE:
            raise SkillError(say.TITLE_TOO_LONG)
        if len(unit) > say.MAX_UNIT:
            raise SkillError(say.UNIT_TOO_LONG)
        screened_title, screened_text = redact(title), redact(description)
        draft = await self.services.ideas.save_draft(
            ctx.person.id,
            title=screened_title.text,
            description=screened_text.text,
            category=category,
            unit=unit,
            anonymous=anonymous,
        )
        found = screened_title.types | screened_text.types
        log.info("event=%s idea draft=%s phi=%s", ctx.event.id, draft.id, sorted(found))
        blocks: list[Any] = [Text(say.PREVIEW)]
        if draft.title:
            blocks.append(Text(f"**{draft.title}**"))
        blocks.append(Text(_quote(draft.description)))
        blocks.append(
            Facts(
                (
                    ("Category", say.CATEGORIES[category]),
                    ("Unit", unit or "not given"),
                    ("Anonymous", "yes" if anonymous else "no"),
                )
            )
        )
        if found:
            tags = ", ".join(f"[{t}]" for t in sorted(found))
            blocks.append(Text(say.PHI_NOTE.format(tags=tags), subtle=True))
        similar = await self._similar(f"{draft.title} {draft.description}")
        if similar:
            blocks.append(Text(say.SIMILAR))
            for idea in similar:
                blocks.append(Text(f"#{idea.id} _{idea.headline}_ ({idea.votes} votes)"))
            blocks.append(
                Buttons(tuple(Button(f"Vote for #{i.id}", UPVOTE, str(i.id)) for i in similar))
            )
        keep, other = (CONFIRM_ANONYMOUS, CONFIRM) if anonymous else (CONFIRM, CONFIRM_ANONYMOUS)
        blocks.append(
            Buttons(
                (
                    Button("Submit", keep, str(draft.id), style=ButtonStyle.PRIMARY),
                    Button(
                        "Submit with my name" if anonymous else "Submit anonymously",
                        other,
                        str(draft.id),
                    ),
                    Button("Edit", EDIT, str(draft.id)),
                    Button("Cancel", CANCEL, str(draft.id), style=ButtonStyle.DANGER),
                )
            )
        )
        return Reply.of(*blocks, ephemeral=True)

    async def _similar(self, text: str) -> list[Idea]:
        candidates = await self.services.ideas.find(
            IdeaFilter(statuses_excluded=say.CLOSED), limit=500
        )
        ranked = most_similar(text, candidates, lambda idea: f"{idea.title} {idea.description}")
        return [idea for idea, _ in ranked]

    async def _own_draft(self, ctx: Context[Action]) -> Draft:
        draft_id = parse_id(ctx.event.value)
        draft = await self.services.ideas.draft(draft_id, ctx.person.id) if draft_id else None
        if draft is None:
            raise SkillError(say.DRAFT_GONE)
        return draft

    async def on_confirm(self, ctx: Context[Action]) -> Reply:
        draft = await self._own_draft(ctx)
        anonymous = ctx.event.action_id == CONFIRM_ANONYMOUS
        draft = replace(draft, anonymous=anonymous)
        sealed = await self.services.sealer.seal(ctx.person.id) if anonymous else None
        idea = await self.services.ideas.submit(draft, sealed_submitter=sealed)
        log.info("event=%s idea=%s submitted anonymous=%s", ctx.event.id, idea.id, anonymous)
        text = say.THANKS.format(id=idea.id) + (say.THANKS_ANONYMOUS if anonymous else "")
        return Reply(
            fallback=plain_text(text), blocks=(Text(text),), ephemeral=True, replace_original=True
        )

    async def on_edit(self, ctx: Context[Action]) -> Reply:
        return self._form(await self._own_draft(ctx))

    async def on_cancel(self, ctx: Context[Action]) -> Reply:
        draft = await self._own_draft(ctx)
        await self.services.ideas.discard_draft(draft.id, ctx.person.id)
        return Reply(
            fallback=say.CANCELLED,
            blocks=(Text(say.CANCELLED),),
            ephemeral=True,
            replace_original=True,
        )

    async def on_upvote(self, ctx: Context[Action]) -> Reply:
        idea = await self._idea(ctx.event.value)
        if idea.status in say.CLOSED:
            raise SkillError(
                say.CANT_VOTE_CLOSED.format(id=idea.id, status=say.STATUSES[idea.status].lower())
            )
        if not await self.services.ideas.vote(idea.id, ctx.person.id):
            return Reply.text(say.ALREADY_VOTED.format(id=idea.id), ephemeral=True)
        return Reply.text(say.VOTED.format(id=idea.id, votes=idea.votes + 1), ephemeral=True)

    # -- leaders --------------------------------------------------------------------------

    async def on_ideas(self, ctx: Context[Command]) -> Reply:
        try:
            words = shlex.split(ctx.event.text)
        except ValueError:
            raise SkillError(say.USAGE) from None
        verb, args = (words[0].lower(), words[1:]) if words else ("summary", [])
        if verb == "summary":
            return await self.summary(ctx, args)
        if verb == "list":
            return await self.list_ideas(ctx, args)
        if verb == "show" and len(args) == 1:
            return await self.show(ctx, args[0])
        if verb == "status" and len(args) >= 2:
            return await self.change_status(ctx, args[0], args[1], " ".join(args[2:]))
        if verb == "comment" and len(args) >= 2:
            return await self.comment(ctx, args[0], " ".join(args[1:]))
        if verb == "export":
            return await self.export(ctx, args)
        raise SkillError(say.USAGE)

    async def summary(self, ctx: Context[Command], args: list[str]) -> Reply:
        scope = _scope(args, default_days=7)
        result = await summarize(self.services.ideas, scope, self.services.clock())
        await ctx.audit("ideas.summary", scope.describe())
        reply = render(result)
        return Reply(fallback=reply.fallback, blocks=reply.blocks, ephemeral=True)

    async def list_ideas(self, ctx: Context[Command], args: list[str]) -> Reply:
        options = _options(args, {"--status", "--unit", "--category", "--days"})
        status = _status(options["--status"]) if "--status" in options else None
        days = _days(options.get("--days", "90"))
        ideas = await self.services.ideas.find(
            IdeaFilter(
                since=self.services.clock() - timedelta(days=days),
                status=status,
                unit=options.get("--unit"),
                category=_category(options["--category"]) if "--category" in options else None,
            ),
            limit=20,
        )
        await ctx.audit("ideas.list", " ".join(args))
        if not ideas:
            return Reply.text("No ideas match that.", ephemeral=True)
        lines = [
            f"- #{i.id} **{i.headline}** ({say.STATUSES[i.status].lower()}, {i.votes} votes, "
            f"{say.CATEGORIES.get(i.category, i.category)}{', ' + i.unit if i.unit else ''})"
            for i in ideas
        ]
        text = f"**Ideas, last {days} days** (newest first):\n" + "\n".join(lines)
        return Reply(fallback=plain_text(text), blocks=(Text(text),), ephemeral=True)

    async def show(self, ctx: Context[Any], ref: str) -> Reply:
        idea = await self._idea(ref)
        comments = await self.services.ideas.comments(idea.id)
        await ctx.audit("ideas.show", f"idea:{idea.id}")
        facts = [
            ("Status", say.STATUSES[idea.status]),
            ("Category", say.CATEGORIES.get(idea.category, idea.category)),
            ("Unit", idea.unit or "not given"),
            ("Votes", str(idea.votes)),
            ("From", "anonymous" if idea.anonymous else (idea.submitter_name or "unknown")),
            ("Shared", f"{idea.created_at:%b %d, %Y}"),
        ]
        if idea.status_reason:
            facts.append(("Reason", idea.status_reason))
        if idea.merged_into_id:
            facts.append(("Merged into", f"#{idea.merged_into_id}"))
        blocks: list[Any] = [
            Text(f"**#{idea.id} {idea.headline}**"),
            Text(_quote(idea.description)),
            Facts(tuple(facts)),
        ]
        if comments:
            blocks.append(
                Text(
                    "**Comments:**\n"
                    + "\n".join(f"- {c.author_name or 'a leader'}: {c.text}" for c in comments)
                )
            )
        buttons = [
            Button(say.STATUSES[target], SET_STATUS, f"{idea.id}:{target}")
            for target in ("under_review", "accepted", "implemented", "archived")
            if target in say.TRANSITIONS[idea.status]
        ]
        if "declined" in say.TRANSITIONS[idea.status]:
            buttons.append(Button("Decline…", DECLINE, str(idea.id), style=ButtonStyle.DANGER))
        if buttons:
            blocks.append(Buttons(tuple(buttons)))
        return Reply.of(*blocks, ephemeral=True)

    async def on_set_status(self, ctx: Context[Action]) -> Reply:
        ref, _, status = ctx.event.value.partition(":")
        return await self.change_status(ctx, ref, status, "")

    async def on_decline(self, ctx: Context[Action]) -> Reply:
        idea = await self._idea(ctx.event.value)
        form = Form(
            title=f"Decline idea #{idea.id}",
            inputs=(
                Input(
                    "reason",
                    "Why? The submitter will read this.",
                    InputKind.MULTILINE,
                    required=True,
                    max_length=say.MAX_REASON,
                ),
            ),
            submit_action_id=DECLINE_FORM,
            submit_label="Decline",
            value=str(idea.id),
        )
        return Reply(fallback=form.title, blocks=(form,), ephemeral=True)

    async def on_decline_form(self, ctx: Context[Action]) -> Reply:
        return await self.change_status(
            ctx, ctx.event.value, "declined", ctx.event.values.get("reason", "")
        )

    async def change_status(self, ctx: Context[Any], ref: str, raw: str, reason: str) -> Reply:
        ctx.require(Role.LEADER)
        idea = await self._idea(ref)
        status = _status(raw)
        allowed = say.TRANSITIONS[idea.status]
        if status not in allowed:
            if not allowed:
                raise SkillError(
                    say.FINAL_STATUS.format(id=idea.id, current=say.STATUSES[idea.status].lower())
                )
            raise SkillError(
                say.BAD_TRANSITION.format(
                    id=idea.id,
                    current=say.STATUSES[idea.status].lower(),
                    allowed=", ".join(sorted(allowed)),
                )
            )
        target: Idea | None = None
        if status == "merged":
            target_ref, _, reason = reason.strip().partition(" ")
            target = await self._idea(target_ref) if parse_id(target_ref) else None
            if target is None or target.id == idea.id:
                raise SkillError(say.MERGE_TARGET_NEEDED.format(id=idea.id))
        reason = redact(reason.strip()).text
        if len(reason) > say.MAX_REASON:
            raise SkillError(f"Please keep the reason under {say.MAX_REASON} characters.")
        if status == "declined" and not reason:
            raise SkillError(say.REASON_NEEDED.format(id=idea.id))
        if target is not None:
            updated = await self.services.ideas.merge(idea.id, target.id, reason)
        else:
            updated = await self.services.ideas.set_status(idea.id, status, reason)
        assert updated is not None
        await ctx.audit(
            "idea.status",
            f"idea:{idea.id}",
            before=idea.status,
            after=status,
            into=target.id if target else None,
        )
        lines = [say.NOTICE.format(id=idea.id, headline=idea.headline, status=say.STATUSES[status])]
        if target is not None:
            lines.append(
                say.NOTICE_MERGED.format(target=target.id, target_headline=target.headline)
            )
        if reason:
            lines.append(say.NOTICE_REASON.format(reason=reason))
        delivered = await self._notify_submitter(idea.id, Reply.text("\n".join(lines)))
        template = say.STATUS_CHANGED if delivered else say.STATUS_CHANGED_UNREACHABLE
        return Reply.text(
            template.format(id=idea.id, status=say.STATUSES[status].lower()), ephemeral=True
        )

    async def comment(self, ctx: Context[Command], ref: str, text: str) -> Reply:
        idea = await self._idea(ref)
        text = text.strip()
        if not text or len(text) > say.MAX_COMMENT:
            raise SkillError(f"Please write a comment of up to {say.MAX_COMMENT:,} characters.")
        screened = redact(text).text
        await self.services.ideas.add_comment(idea.id, ctx.person.id, screened)
        await ctx.audit("idea.comment", f"idea:{idea.id}")
        await self._notify_submitter(
            idea.id,
            Reply.text(
                say.COMMENT_NOTICE.format(id=idea.id, headline=idea.headline, text=screened)
            ),
        )
        return Reply.text(say.COMMENT_SAVED.format(id=idea.id), ephemeral=True)

    async def export(self, ctx: Context[Command], args: list[str]) -> Reply:
        options = _options(args, {"--days"})
        days = _days(options.get("--days", "365"))
        ideas = await self.services.ideas.find(
            IdeaFilter(since=self.services.clock() - timedelta(days=days))
        )
        await ctx.audit("ideas.export", f"days:{days}", count=len(ideas))
        data = _csv(ideas)
        stamp = f"{self.services.clock():%Y-%m-%d}"
        file = File(f"breakroom-ideas-{stamp}.csv", data, "text/csv", f"Ideas, last {days} days")
        try:
            await self.services.outbound.to_person(
                ctx.person.id,
                Reply(fallback=f"Ideas export, last {days} days", blocks=(Text(file.title), file)),
            )
        except DeliveryError as exc:
            # Typically no direct chat with the bot yet (Teams needs one to send a file).
            log.warning("event=%s ideas export not delivered: %s", ctx.event.id, type(exc).__name__)
            raise SkillError(say.EXPORT_NOT_SENT) from None
        return Reply.text(say.EXPORT_SENT.format(count=len(ideas)), ephemeral=True)

    async def weekly_digest(self, trigger: ScheduledTrigger, services: Services) -> None:
        channel = services.settings.leaders_channel
        if channel is None:
            log.info("event=%s weekly ideas digest skipped: no leaders channel", trigger.id)
            return
        result = await summarize(services.ideas, Scope(days=7), services.clock())
        await services.outbound.to_channel(channel, render(result, heading="Weekly ideas digest"))
        await services.audit.record(None, "ideas.digest", channel, count=len(result.current))

    # -- helpers --------------------------------------------------------------------------

    async def _idea(self, ref: str) -> Idea:
        idea_id = parse_id(ref)
        idea = await self.services.ideas.get(idea_id) if idea_id else None
        if idea is None:
            raise SkillError(say.NO_SUCH_IDEA.format(id=ref.lstrip("#") or "?"))
        return idea

    async def _notify_submitter(self, idea_id: int, notice: Reply) -> bool:
        """Tell the submitter, opening the sealed reference of an anonymous idea only here."""
        person_id, sealed = await self.services.ideas.sealed_submitter(idea_id)
        if person_id is None and sealed is not None:
            try:
                person_id = await self.services.sealer.open(sealed)
            except SealBroken:
                log.error("idea=%s sealed submitter cannot be opened with the current key", idea_id)
                return False
        if person_id is None:
            return False
        try:
            await self.services.outbound.to_person(person_id, notice)
        except DeliveryError as exc:
            log.warning("idea=%s submitter notice not delivered: %s", idea_id, type(exc).__name__)
            return False
        return True


def setup(router: Router) -> None:
    IdeasSkill(router).register()


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.splitlines())


def _options(args: list[str], known: set[str]) -> dict[str, str]:
    options: dict[str, str] = {}
    pairs = iter(args)
    for word in pairs:
        if word not in known:
            raise SkillError(f"I don't understand `{word}`. " + say.USAGE)
        value = next(pairs, None)
        if value is None:
            raise SkillError(f"`{word}` needs a value. " + say.USAGE)
        options[word] = value
    return options


def _days(raw: str) -> int:
    if not raw.isdigit() or not 1 <= int(raw) <= 730:
        raise SkillError("Days must be a number from 1 to 730.")
    return int(raw)


def _status(raw: str) -> str:
    key = raw.strip().lower().replace("-", "_").replace(" ", "_")
    key = {
        "review": "under_review",
        "reviewing": "under_review",
        "accept": "accepted",
        "decline": "declined",
        "merge": "merged",
        "done": "implemented",
        "archive": "archived",
    }.get(key, key)
    if key not in say.STATUSES:
        raise SkillError(f"Unknown status `{raw}`. Use one of: {', '.join(say.STATUSES)}.")
    return key


def _category(raw: str) -> str:
    key = raw.strip().lower().replace(" ", "_").replace("-", "_")
    for category, label in say.CATEGORIES.items():
        if key in (category, label.lower().replace(" ", "_")) or category.startswith(key):
            return category
    raise SkillError(say.BAD_CATEGORY.format(names=", ".join(say.CATEGORIES)))


def _scope(args: list[str], default_days: int) -> Scope:
    options = _options(args, {"--days", "--unit", "--category"})
    return Scope(
        days=_days(options.get("--days", str(default_days))),
        unit=options.get("--unit"),
        category=_category(options["--category"]) if "--category" in options else None,
    )


def _csv(ideas: list[Idea]) -> bytes:
    """One row per idea; anonymous ideas say so and nothing more about who sent them."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            "id",
            "created",
            "status",
            "category",
            "unit",
            "votes",
            "submitter",
            "title",
            "description",
            "reason",
            "merged_into",
        ]
    )
    for idea in ideas:
        writer.writerow(
            [
                idea.id,
                idea.created_at.date().isoformat(),
                idea.status,
                idea.category,
                idea.unit,
                idea.votes,
                "anonymous" if idea.anonymous else (idea.submitter_name or ""),
                _cell(idea.title),
                _cell(idea.description),
                _cell(idea.status_reason),
                idea.merged_into_id or "",
            ]
        )
    return buffer.getvalue().encode("utf-8")


def _cell(text: str) -> str:
    """Spreadsheet apps run a cell that starts with = + - or @ as a formula: defuse it."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
