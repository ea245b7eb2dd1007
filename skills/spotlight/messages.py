"""What the spotlight skill says."""

from __future__ import annotations

from bot.i18n import N_

CARD_INTRO = N_("**In the spotlight:** a program worth knowing about.")
ASK_ABOUT = N_("Ask about this")
TAGGED = N_("the articles tagged `spotlight`")
TOO_FEW_TAGGED = N_(
    "A spotlight rotates, so it needs at least two articles, and the knowledge base has "
    "{count} tagged `spotlight`. Tag more, or name the articles with `--articles ID,ID`."
)
TOO_FEW_LISTED = N_(
    "A spotlight rotates, so it needs at least two articles: name two or more with "
    "`--articles ID,ID`."
)
UNKNOWN_ARTICLES = N_(
    "I can't find {ids} in the knowledge base. Check the ids (the `id:` line at the top of "
    "each article) and try again."
)
WHEN_NEEDED = N_("Say when it goes out, e.g. `every other tuesday 10:00`.")
ONCE_A_WEEK_AT_MOST = N_(
    "A spotlight goes out on one day every week or every few weeks, or once a month. Say "
    "e.g. `every other tuesday 10:00`, `every 3 weeks on monday 09:00` or "
    "`first monday of the month 10:00`."
)
CREATED = N_(
    "Spotlight **#{id}** for {audience}: {schedule}. It rotates through {articles}. "
    "First: _{first}_ on {next_run}."
)
NOBODY_YET = N_("Nobody is in that audience yet: a turn reaches whoever is in it by then.")
NO_SPOTLIGHTS = N_(
    "No spotlights yet. Start one with e.g. "
    "`spotlight create to everyone every other tuesday 10:00`."
)
NO_SUCH_SPOTLIGHT = N_("There is no spotlight #{id}. `spotlight list` shows them all.")
NEXT = N_("Next for spotlight #{id}: _{title}_ on {when}, to {audience} ({people} now).")
NEXT_PAUSED = N_("Spotlight #{id} is paused. When you resume it, the next article is _{title}_.")
NOTHING_NEXT = N_(
    "Spotlight #{id} has nothing to send next: of {articles}, none is in the knowledge base "
    "any more but the one it sent last. Its turns are skipped until there is another."
)
PAUSED = N_(
    "Spotlight #{id} is paused: nothing more goes out until you resume it, not even cards "
    "still waiting for the end of someone's quiet hours."
)
ALREADY_PAUSED = N_("Spotlight #{id} is paused already; no articles go out until you resume it.")
RESUMED = N_("Spotlight #{id} is on again. Next article: {next_run}.")
ALREADY_ACTIVE = N_("Spotlight #{id} is on already. Next article: {next_run}.")
CARD_FALLBACK = N_("In the spotlight: {title}")
USAGE = N_("Usage: `{usage}`")
LIST_HEADING = N_("**Spotlights:**")
LIST_LINE = N_("- #{id} ({status}) for {audience}, {schedule}; {articles}; {sent} sent")
LIST_NEXT = N_("; next: _{title}_ on {when}")
ON = N_("on")
PAUSED_STATUS = N_("paused")
WHEN_THEN_USAGE = N_("{when}\n{usage}")
