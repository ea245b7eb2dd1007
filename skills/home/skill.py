"""What a person sees when they open the bot's home surface: the surveys still waiting for their
answers, the ideas they shared under their name and where each stands, and buttons for the jobs
people come for. Drawn from storage each time, so it is never stale when opened.

Anonymous ideas are not listed: storage cannot find them by submitter, by design.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.context import Context
from bot.dates import moment_label
from bot.events import HomeOpened
from bot.replies import (
    Block,
    Button,
    Buttons,
    ButtonStyle,
    Divider,
    Reply,
    Text,
)
from bot.router import Router
from skills.ideas import messages as ideas_say
from skills.ideas.actions import NEW as NEW_IDEA
from skills.knowledge.skill import ASK_FORM
from skills.pulse.skill import OPEN as OPEN_SURVEY
from storage.ideas import Idea
from storage.surveys import Invitation

MAX_SURVEYS = 5
MAX_IDEAS = 10

GREETING = "Hi {name}! Here's what's waiting for you in **Breakroom**."
SURVEYS = "**Surveys waiting for your answers**"
SURVEY_LINE = "_{title}_: anonymous, open until {closes}."
ALL_ANSWERED = "You've answered every open survey. Thank you!"
NO_SURVEYS = "No surveys are open for you right now."
IDEAS = "**Your ideas**"
NO_IDEAS = "You haven't shared an idea under your name yet. What would make care better?"
ANONYMOUS_NOTE = (
    "Ideas you shared anonymously aren't listed here, so nobody looking at this page can tie "
    "them to you; you still hear from me when their status changes."
)
FOOTER = "Send me `help` in a direct message to see everything I can do."


def setup(router: Router) -> None:
    router.home(draw_home)


async def draw_home(ctx: Context[HomeOpened]) -> Reply:
    services = ctx.services
    invitations = await services.surveys.open_rounds_for(ctx.person.id)
    ideas = await services.ideas.by_submitter(ctx.person.id, limit=MAX_IDEAS)
    zone = ctx.zone
    name = ctx.person.display_name.split(" ")[0] or "there"
    if name == ctx.event.actor.user_id:  # met before the directory sync told us their name
        name = "there"
    blocks: list[Block] = [
        Text(GREETING.format(name=name)),
        Buttons(
            (
                Button("Ask a question", ASK_FORM, style=ButtonStyle.PRIMARY),
                Button("Share an idea", NEW_IDEA),
            )
        ),
        Divider(),
        *_surveys(invitations, zone),
        Divider(),
        *_ideas(ideas),
        Text(FOOTER, subtle=True),
    ]
    return Reply.of(*blocks)


def _surveys(invitations: list[Invitation], zone: ZoneInfo) -> list[Block]:
    waiting = [i for i in invitations if not i.responded][:MAX_SURVEYS]
    if not waiting:
        return [Text(SURVEYS), Text(ALL_ANSWERED if invitations else NO_SURVEYS, subtle=True)]
    blocks: list[Block] = [Text(SURVEYS)]
    for invitation in waiting:
        closes = moment_label(invitation.closes_at, zone)
        blocks.append(Text(SURVEY_LINE.format(title=invitation.title, closes=closes)))
        blocks.append(
            Buttons(
                (
                    Button(
                        "Answer now",
                        OPEN_SURVEY,
                        str(invitation.round_id),
                        style=ButtonStyle.PRIMARY,
                    ),
                )
            )
        )
    return blocks


def _ideas(ideas: list[Idea]) -> list[Block]:
    if not ideas:
        return [Text(IDEAS), Text(NO_IDEAS, subtle=True), Text(ANONYMOUS_NOTE, subtle=True)]
    lines = [
        f"- #{idea.id} {idea.headline}: **{ideas_say.STATUSES.get(idea.status, idea.status)}**"
        for idea in ideas
    ]
    return [Text(IDEAS + "\n" + "\n".join(lines)), Text(ANONYMOUS_NOTE, subtle=True)]
