"""What the pulse skill says."""

from __future__ import annotations

ANONYMITY_NOTE = (
    "Anonymous: your answers are stored without your name, and results are only shown for "
    "groups of {threshold} or more. You can change your answers until {closes}."
)
PROGRESS = "{done} of {total} answered."
THANKS = (
    "**Thank you!** Your answers to _{title}_ are in, anonymously. You can change them until "
    "{closes}."
)
ALREADY_ANSWERED = "That answer is in already, thank you. Nothing more to do."
COMMENT_PROMPT_TITLE = "Add a comment"
COMMENT_EMPTY = "No comment saved: the box was empty. Your answers stand as they are."
COMMENT_SAVED = "Thanks, your comment is saved with your anonymous answers."
COMMENT_PHI = (
    "I replaced what looked like patient or personal details with tags ({tags}) before saving."
)
ROUND_CLOSED = (
    "This survey has closed, so answers can't be changed any more. Thanks for taking part!"
)
NOT_INVITED = "This survey wasn't sent to you, so I can't record an answer for it."
REMINDER = "**Reminder:** there's still time to answer, it takes under a minute."
MAX_COMMENT = 1000
TEMPLATE_NEEDED = "Please name the survey to send: `pulse templates` lists the bundled ones."
NO_SURVEYS = (
    "No surveys yet. `pulse templates` lists the bundled ones, and `pulse create` schedules one."
)
CREATED = "Survey **#{id}** _{title}_ for {audience}: {schedule}. Next round: {next_run}."
CREATED_NOW = "Survey **#{id}** _{title}_ for {audience} has started. {invitations}"
INVITATIONS_NOW = "Invitations go out now to {people}."
SOME_QUIET = (
    "Invitations go out now to {people}; {waiting} in quiet hours ({quiet} their time), "
    "so theirs go out at {end} their time."
)
ALL_QUIET = (
    "All {people} are in quiet hours ({quiet} their time), so invitations go out at {end} "
    "their time."
)
NOBODY_NOW = "Nobody is in {audience} yet, so no survey was started and nobody was invited."
NOBODY_YET = "Nobody is in that audience yet: a round starts only if someone is by then."
NO_SUCH_SURVEY = "There is no survey #{id}."
GROUP_NEEDS_BY = (
    "Say whether {name} is a unit or a department: `pulse results {id} --by unit --group "
    "{group}` or `pulse results {id} --by department --group {group}`."
)
NO_ROUND_YET = "Survey #{id} has not run yet, so there are no results."
NOTHING_OPEN = "Survey #{id} has no open round."
ALREADY_CLOSED = (
    "Survey #{id}'s round was closed a moment ago, and its results went to the owner then."
)
PAUSED = "Survey #{id} is paused; no new rounds start until you resume it."
ALREADY_PAUSED = "Survey #{id} is paused already; no new rounds start until you resume it."
ALREADY_ACTIVE = "Survey #{id} is active already. Next round: {next_run}."
RESUMED = "Survey #{id} is active again. Next round: {next_run}."
CLOSED = "Closed survey #{id}'s open round. {sent}"
RESULTS_SENT = "The results are on their way to the survey's owner."
RESULTS_FOLLOW = "Its results follow."
STARTED = "Started a round of survey #{id}. {invitations}"
NOBODY_RUN = "Nobody is in survey #{id}'s audience ({audience}) yet, so no round was started."
ALREADY_OPEN = (
    "Survey #{id} already has a round open, closing {closes}; everyone in it has been "
    "invited. To start another now, close this one first with `pulse close {id}`."
)
