"""Ideas: staff share them (screened for PHI, confirmed before saving, anonymous if they wish)
and vote for each other's; leaders review them, move them through their statuses, export them
and get a weekly digest; an idea put in place is shared back ("you said, we did") with the
people who asked for it, and monthly with an audience. This module only declares the commands,
buttons, jobs and outbox kinds; the work is in `submission`, `review`, `workflow`, `export`,
`implemented` and `monthly`."""

from __future__ import annotations

from typing import Any

from bot.context import Context
from bot.i18n import N_
from bot.replies import Reply
from bot.roles import Role
from bot.router import Router
from skills.announce.announcer import Announcer
from skills.ideas import (
    actions,
    export,
    implemented,
    monthly,
    review,
    submission,
    workflow,
)
from skills.ideas.common import IDEA
from skills.safety.responder import CrisisResponder


def setup(router: Router, safety: CrisisResponder, announcer: Announcer) -> None:
    async def on_idea(ctx: Context[Any]) -> Reply:
        return await submission.on_idea(ctx, safety)

    async def on_form(ctx: Context[Any]) -> Reply:
        return await submission.on_form(ctx, safety)

    router.command(
        "idea",
        on_idea,
        summary=N_("Share an idea to improve the patient experience (you can stay anonymous)"),
        args=[submission.IDEA_TEXT],
    )
    router.text_trigger(
        # In English or in Spanish, the words people start with when they have one.
        r"(?:i (?:have|got) an? idea|new idea|share an idea"
        r"|tengo una idea|nueva idea|(?:quiero )?compartir una idea)[.!]*",
        submission.open_form,
        name="idea",
    )
    router.command("ideas", summary=N_("Idea summaries and review"), roles=[Role.LEADER])
    router.subcommand(
        "ideas summary",
        review.summary,
        summary=N_("What came in, what staff back most, and recurring themes"),
        options=[review.SUMMARY_DAYS, review.UNIT, review.IN_CATEGORY],
        default=True,
    )
    router.subcommand(
        "ideas list",
        review.list_ideas,
        summary=N_("The newest ideas, filtered"),
        options=[review.WITH_STATUS, review.UNIT, review.IN_CATEGORY, review.LIST_DAYS],
    )
    router.subcommand(
        "ideas show", review.show, summary=N_("One idea in full, to act on"), args=[IDEA]
    )
    router.subcommand(
        "ideas status",
        workflow.on_status,
        summary=N_(
            "Move an idea along; the submitter hears about it (and, when it is "
            "implemented, everyone who voted for it)"
        ),
        args=[IDEA, workflow.NEW_STATUS, workflow.REASON],
        options=[implemented.HELPED],
    )
    router.subcommand(
        "ideas comment",
        review.comment,
        summary=N_("Comment on an idea; the submitter hears about it"),
        args=[IDEA, review.COMMENT],
    )
    router.subcommand(
        "ideas export",
        export.export,
        summary=N_("A spreadsheet of ideas, sent to you by direct message"),
        options=[export.EXPORT_DAYS],
    )
    router.subcommand(
        "ideas digest",
        monthly.on_digest,
        summary=N_(
            'A monthly "you said, we did" digest of implemented ideas, e.g. '
            "`ideas digest monthly to everyone`"
        ),
        args=[monthly.WORDS],
    )
    router.action(actions.NEW, submission.open_form)
    # A draft's buttons and the ideas offered to vote for are the presser's own: sealed for them.
    router.action(actions.SUBMIT_FORM, on_form, sealed=True)
    router.action(actions.CONFIRM, submission.on_confirm, sealed=True)
    router.action(actions.CONFIRM_ANONYMOUS, submission.on_confirm, sealed=True)
    router.action(actions.EDIT, submission.on_edit, sealed=True)
    router.action(actions.CANCEL, submission.on_cancel, sealed=True)
    router.action(actions.UPVOTE, submission.on_upvote, sealed=True)
    router.action(actions.SET_STATUS, workflow.on_set_status, roles=[Role.LEADER])
    router.action(actions.DECLINE, workflow.on_decline, roles=[Role.LEADER])
    router.action(actions.DECLINE_FORM, workflow.on_decline_form, roles=[Role.LEADER])
    router.action(actions.IMPLEMENT_FORM, workflow.on_implement_form, roles=[Role.LEADER])
    # Only the submitter may say whether they are named: sealed for them, and checked.
    router.action(actions.CREDIT_YES, implemented.on_credit, sealed=True)
    router.action(actions.CREDIT_NO, implemented.on_credit, sealed=True)

    async def on_announce(ctx: Context[Any]) -> Reply:
        return await implemented.on_announce(ctx, announcer)

    # Offered to the leader who marked the idea implemented: sealed for them.
    router.action(actions.ANNOUNCE, on_announce, roles=[Role.LEADER], sealed=True)
    router.job(actions.DIGEST_JOB, workflow.weekly_digest, cron=workflow.DIGEST_CRON)
    router.job(monthly.TICK_JOB, monthly.tick, every_seconds=monthly.TICK_SECONDS)
    services = router.services
    services.renderers.register(implemented.NOTICE, implemented.notice_renderer(services))
    render_digest, digest_current = monthly.digest_renderer(services)
    services.renderers.register(monthly.MONTHLY, render_digest, current=digest_current)
