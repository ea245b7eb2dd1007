"""What the pulse skill says."""

from __future__ import annotations

from bot.i18n import N_

ANONYMITY_NOTE = N_(
    "Anonymous: your answers are stored without your name, and results are only shown for "
    "groups of {threshold} or more. You can change your answers until {closes}."
)
PROGRESS = N_("{done} of {total} answered.")
THANKS = N_(
    "**Thank you!** Your answers to _{title}_ are in, anonymously. You can change them until "
    "{closes}."
)
ALREADY_ANSWERED = N_("That answer is in already, thank you. Nothing more to do.")
COMMENT_PROMPT_TITLE = N_("Add a comment")
COMMENT_EMPTY = N_("No comment saved: the box was empty. Your answers stand as they are.")
COMMENT_SAVED = N_("Thanks, your comment is saved with your anonymous answers.")
COMMENT_PHI = N_(
    "I replaced what looked like patient or personal details with tags ({tags}) before saving."
)
ROUND_CLOSED = N_(
    "This survey has closed, so answers can't be changed any more. Thanks for taking part!"
)
NOT_INVITED = N_("This survey wasn't sent to you, so I can't record an answer for it.")
REMINDER = N_("**Reminder:** there's still time to answer, it takes under a minute.")
MAX_COMMENT = 1000
TEMPLATE_NEEDED = N_(
    "Please name the survey to send: `pulse templates` lists the bundled ones.\nUsage: `{usage}`"
)
NO_SURVEYS = N_(
    "No surveys yet. `pulse templates` lists the bundled ones, and `pulse create` schedules one."
)
CREATED = N_("Survey **#{id}** _{title}_ for {audience}: {schedule}. Next round: {next_run}.")
CREATED_NOW = N_("Survey **#{id}** _{title}_ for {audience} has started. {invitations}")
INVITATIONS_NOW = N_("Invitations go out now to {people}.")
SOME_QUIET = N_(
    "Invitations go out now to {people}; {waiting} in quiet hours ({quiet} their time), "
    "so theirs go out at {end} their time."
)
ALL_QUIET = N_(
    "All {people} are in quiet hours ({quiet} their time), so invitations go out at {end} "
    "their time."
)
NOBODY_NOW = N_("Nobody is in {audience} yet, so no survey was started and nobody was invited.")
NOBODY_YET = N_("Nobody is in that audience yet: a round starts only if someone is by then.")
NO_SUCH_SURVEY = N_("There is no survey #{id}.")
GROUP_NEEDS_BY = N_(
    "Say whether {name} is a unit or a department: `pulse results {id} --by unit --group "
    "{group}` or `pulse results {id} --by department --group {group}`."
)
NO_ROUND_YET = N_("Survey #{id} has not run yet, so there are no results.")
NOTHING_OPEN = N_("Survey #{id} has no open round.")
ALREADY_CLOSED = N_(
    "Survey #{id}'s round was closed a moment ago, and its results went to the owner then."
)
PAUSED = N_("Survey #{id} is paused; no new rounds start until you resume it.")
ALREADY_PAUSED = N_("Survey #{id} is paused already; no new rounds start until you resume it.")
ALREADY_ACTIVE = N_("Survey #{id} is active already. Next round: {next_run}.")
RESUMED = N_("Survey #{id} is active again. Next round: {next_run}.")
CLOSED = N_("Closed survey #{id}'s open round. {sent}")
RESULTS_SENT = N_("The results are on their way to the survey's owner.")
RESULTS_FOLLOW = N_("Its results follow.")
STARTED = N_("Started a round of survey #{id}. {invitations}")
NOBODY_RUN = N_("Nobody is in survey #{id}'s audience ({audience}) yet, so no round was started.")
ALREADY_OPEN = N_(
    "Survey #{id} already has a round open, closing {closes}; everyone in it has been "
    "invited. To start another now, close this one first with `pulse close {id}`."
)
CREATED_SHARING = N_("Each round's results go to everyone invited when it closes.")
SHARE_OPEN = N_(
    "Survey #{id}'s round is still open, until {closes}. Its results can be shared once it "
    "closes (`pulse close {id}` closes it now)."
)
NOT_SHARED = N_("Nothing was shared from survey #{id}. {reason}")
EVERY_QUESTION_HIDDEN = N_(
    "Every question had fewer than {threshold} answers, so no results can be shown. This "
    "protects everyone's anonymity."
)
SHARED = N_("Sharing survey #{id}'s results with {people}, the people it was sent to. {waiting}")
SHARED_WAITING = N_("{waiting} in quiet hours, so theirs go out when those end.")
ALREADY_SHARED = N_(
    "Survey #{id}'s results were shared already, on {day}. Nobody gets them twice; "
    "`pulse actions {id}` shows what they list."
)
SHARED_TITLE = N_("**What you told us: {title}**")
SHARED_TALLY = N_("{responses} of {invited} answered ({rate}), {dates}. Thank you.")
ENPS_LINE = N_("eNPS {score} ({promoters} would recommend us, {detractors} would not)")
LAST_ROUND = N_("(last time {figure})")
QUESTION_HIDDEN = N_("fewer than {threshold} answered, so this one stays hidden")
WHAT_WE_ARE_DOING = N_("**What we're doing about it**")
WHAT_WE_DID = N_("**Here is what we did:**")
ACTION_LINE = N_("- {text}: **{status}** ({owner})")
SHARED_NOTE = N_(
    "Only results from at least {threshold} people are shown. No one, admins included, can "
    "see who answered what."
)
LAST_TIME = N_("**Last time you told us:** {told}.")
LAST_ENPS = N_("{would} would recommend us (eNPS {score})")
ACTION_ADDED = N_(
    "Action #{action} for survey #{id} is recorded: “{text}”, owned by {owner}, planned. Staff "
    "see it when results are shared and in the next invitation. When it moves on: "
    "`pulse action {id} started {action}`, then `pulse action {id} done {action}`."
)
ACTION_MOVED = N_("Action #{action} of survey #{id} is now {status} (it was {previous}): “{text}”.")
ACTION_ALREADY = N_("Action #{action} of survey #{id} is {status} already: “{text}”.")
NO_SUCH_ACTION = N_("Survey #{id} has no action #{action}. `pulse actions {id}` lists them.")
ACTION_TOO_LONG = N_("Please keep an action to {limit} characters: staff read it on a phone.")
OWNER_TOO_LONG = N_("Please keep the owner's name to {limit} characters.")
OWNER_WITH_NEW = N_(
    "`--owner` goes with a new action, e.g. `pulse action {id} Float nurse on nights "
    '--owner "Ana Ruiz"`.'
)
NO_ACTIONS = N_(
    "Survey #{id} has no actions yet. Add one with `pulse action {id} WHAT WE WILL DO`, "
    '`--owner "NAME"` if it isn\'t yours.'
)
ACTIONS_TITLE = N_("**Actions for survey #{id}, _{title}_:**")
ACTIONS_LINE = N_("- #{action} {text}: **{status}** ({owner})")
FROM_TO = N_("{start} to {end}")
RESULTS_TITLE = N_("{title} (survey #{id})")
STATEMENT_MEAN = N_("“{statement}” {mean}")
EACH_STATEMENT = N_("each statement scored {mean}")
LOWEST = N_("“{statement}” scored lowest, {mean}")
HIGHEST = N_("“{statement}” highest, {mean}")
STATEMENT_MOST_SAID = N_("“{statement}”: {most}")
MOST_SAID = N_("most said {answer} ({share})")
MEAN_OF = N_("{mean} of {top}")
ANSWER_MISMATCH = N_("That answer doesn't match this survey any more.")
CHANGE_ANSWERS = N_("Change my answers")
YOUR_COMMENT = N_("Your comment")
COMMENT_PLACEHOLDER = N_("Please leave out patient names and details.")
SAVE_COMMENT = N_("Save comment")
COMMENT_TOO_LONG = N_("Please write a comment of up to {limit} characters.")
SURVEY_GONE = N_("I can't find that survey any more.")
TEMPLATES = N_("**Bundled surveys** (use with `pulse create NAME …`):")
SCHEDULE_UNREAD = N_("{why}\nUsage: `{usage}`")
FILE_CONSOLE_ONLY = N_("`--file` works only from the `breakroom` command line.")
DEFINITION_PROBLEMS = N_("That survey has problems:\n{problems}")
SURVEYS_TITLE = N_("**Pulse surveys:**")
SURVEY_LINE = N_("- #{id} **{title}** ({status}) for {audience}, {schedule}; next round {next_run}")
SURVEY_SHARES = N_("; results shared when each round closes")
SURVEY_OPEN_ROUND = N_("; open round: {rate} answered so far, closes {closes}")
WHEN_IT_CLOSES = N_("when it closes")
SAY_WHAT = N_("Please say what will be done.\nUsage: `{usage}`")
NO_SUCH_TEMPLATE = N_("No bundled survey is called `{name}`: `pulse templates` lists them.")
