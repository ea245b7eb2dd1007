"""What a person sees when they open the bot's home surface: the surveys still waiting for their
answers, the ideas they shared under their name and where each stands, buttons for the jobs
people come for, and the language it is written in with a button per language. Drawn from
storage each time, so it is never stale when opened.

Anonymous ideas are not listed: storage cannot find them by submitter, by design.
"""

from __future__ import annotations

from bot.context import Context
from bot.events import HomeOpened
from bot.i18n import N_, Translator
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
from skills.language.skill import language_buttons, language_name
from skills.phi.tags import readable
from skills.pulse.answering import OPEN as OPEN_SURVEY
from skills.pulse.definitions import SurveyDefinition
from storage.ideas import Idea
from storage.surveys import Invitation

MAX_SURVEYS = 5
MAX_IDEAS = 10

GREETING = N_("Hi {name}! Here's what's waiting for you in **Breakroom**.")
GREETING_UNNAMED = N_("Hi there! Here's what's waiting for you in **Breakroom**.")
ASK = N_("Ask a question")
SHARE_IDEA = N_("Share an idea")
SURVEYS = N_("**Surveys waiting for your answers**")
SURVEY_LINE = N_("_{title}_: anonymous, open until {closes}.")
ANSWER_NOW = N_("Answer now")
ALL_ANSWERED = N_("You've answered every open survey. Thank you!")
NO_SURVEYS = N_("No surveys are open for you right now.")
IDEAS = N_("**Your ideas**")
NO_IDEAS = N_("You haven't shared an idea under your name yet. What would make care better?")
ANONYMOUS_NOTE = N_(
    "Ideas you shared anonymously aren't listed here, so nobody looking at this page can tie "
    "them to you; you still hear from me when their status changes."
)
LANGUAGE = N_("I write to you in **{language}**. Tap a language to change it.")
FOOTER = N_("Send me `help` in a direct message to see everything I can do.")


def setup(router: Router) -> None:
    router.home(draw_home)


async def draw_home(ctx: Context[HomeOpened]) -> Reply:
    services = ctx.services
    invitations = await services.surveys.open_rounds_for(ctx.person.id)
    ideas = await services.ideas.by_submitter(ctx.person.id, limit=MAX_IDEAS)
    t = ctx.t
    name = ctx.person.display_name.split(" ")[0]
    known = name and name != ctx.event.actor.user_id  # not met before the directory sync
    blocks: list[Block] = [
        Text(t(GREETING, name=name) if known else t(GREETING_UNNAMED)),
        Buttons(
            (
                Button(t(ASK), ASK_FORM, style=ButtonStyle.PRIMARY),
                Button(t(SHARE_IDEA), NEW_IDEA),
            )
        ),
        Divider(),
        *_surveys(ctx, invitations),
        Divider(),
        *_ideas(t, ideas),
        Divider(),
        *_languages(t),
        Text(t(FOOTER), subtle=True),
    ]
    return Reply.of(*blocks)


def _surveys(ctx: Context[HomeOpened], invitations: list[Invitation]) -> list[Block]:
    t = ctx.t
    waiting = [i for i in invitations if not i.responded][:MAX_SURVEYS]
    if not waiting:
        done = ALL_ANSWERED if invitations else NO_SURVEYS
        return [Text(t(SURVEYS)), Text(t(done), subtle=True)]
    blocks: list[Block] = [Text(t(SURVEYS))]
    for invitation in waiting:
        closes = t.moment(invitation.closes_at, ctx.zone)
        title = SurveyDefinition.from_json(invitation.definition).in_language(t.language).title
        blocks.append(Text(t(SURVEY_LINE, title=title, closes=closes)))
        blocks.append(
            Buttons(
                (
                    Button(
                        t(ANSWER_NOW),
                        OPEN_SURVEY,
                        str(invitation.round_id),
                        style=ButtonStyle.PRIMARY,
                    ),
                )
            )
        )
    return blocks


def _ideas(t: Translator, ideas: list[Idea]) -> list[Block]:
    note = Text(t(ANONYMOUS_NOTE), subtle=True)
    if not ideas:
        return [Text(t(IDEAS)), Text(t(NO_IDEAS), subtle=True), note]
    lines = [
        f"- #{idea.id} {readable(idea.headline, t)}: "
        f"**{t(ideas_say.STATUSES.get(idea.status, idea.status))}**"
        for idea in ideas
    ]
    return [Text(t(IDEAS) + "\n" + "\n".join(lines)), note]


def _languages(t: Translator) -> list[Block]:
    """The language the page is written in, and one button per language to switch to it."""
    return [Text(t(LANGUAGE, language=language_name(t, t.language))), language_buttons(t)]
