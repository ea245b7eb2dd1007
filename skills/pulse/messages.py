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
CREATED_SHARING = " Each round's results go to everyone invited when it closes."
SHARE_OPEN = (
    "Survey #{id}'s round is still open, until {closes}. Its results can be shared once it "
    "closes (`pulse close {id}` closes it now)."
)
NOT_SHARED = "Nothing was shared from survey #{id}. {reason}"
EVERY_QUESTION_HIDDEN = (
    "Every question had fewer than {threshold} answers, so no results can be shown. This "
    "protects everyone's anonymity."
)
SHARED = "Sharing survey #{id}'s results with {people}, the people it was sent to. {waiting}"
SHARED_WAITING = "{waiting} in quiet hours, so theirs go out when those end."
ALREADY_SHARED = (
    "Survey #{id}'s results were shared already, on {day}. Nobody gets them twice; "
    "`pulse actions {id}` shows what they list."
)
SHARED_TITLE = "**What you told us: {title}**"
SHARED_TALLY = "{responses} of {invited} answered ({rate}), {dates}. Thank you."
ENPS_LINE = "eNPS {score} ({promoters} would recommend us, {detractors} would not)"
LAST_ROUND = " (last time {figure})"
QUESTION_HIDDEN = "fewer than {threshold} answered, so this one stays hidden"
WHAT_WE_ARE_DOING = "**What we're doing about it**"
WHAT_WE_DID = "**Here is what we did:**"
ACTION_LINE = "- {text}: **{status}** ({owner})"
SHARED_NOTE = (
    "Only results from at least {threshold} people are shown. No one, admins included, can "
    "see who answered what."
)
LAST_TIME = "**Last time you told us:** {told}."
LAST_ENPS = "{would} would recommend us (eNPS {score})"
ACTION_ADDED = (
    "Action #{action} for survey #{id} is recorded: “{text}”, owned by {owner}, planned. Staff "
    "see it when results are shared and in the next invitation. When it moves on: "
    "`pulse action {id} started {action}`, then `pulse action {id} done {action}`."
)
ACTION_MOVED = "Action #{action} of survey #{id} is now {status} (it was {previous}): “{text}”."
ACTION_ALREADY = "Action #{action} of survey #{id} is {status} already: “{text}”."
NO_SUCH_ACTION = "Survey #{id} has no action #{action}. `pulse actions {id}` lists them."
ACTION_TOO_LONG = "Please keep an action to {limit} characters: staff read it on a phone."
OWNER_TOO_LONG = "Please keep the owner's name to {limit} characters."
OWNER_WITH_NEW = (
    "`--owner` goes with a new action, e.g. `pulse action {id} Float nurse on nights "
    '--owner "Ana Ruiz"`.'
)
NO_ACTIONS = (
    "Survey #{id} has no actions yet. Add one with `pulse action {id} WHAT WE WILL DO`, "
    '`--owner "NAME"` if it isn\'t yours.'
)
ACTIONS_TITLE = "**Actions for survey #{id}, _{title}_:**"
ACTIONS_LINE = "- #{action} {text}: **{status}** ({owner})"
