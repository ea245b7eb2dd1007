"""What the ideas skill says, and the fixed vocabularies (categories, statuses) it uses."""

from __future__ import annotations

CATEGORIES = {
    "communication": "Communication",
    "wait_times": "Wait times",
    "comfort": "Comfort and environment",
    "safety": "Safety",
    "discharge": "Discharge and transitions",
    "food": "Food",
    "staff_experience": "Staff experience",
    "other": "Other",
}

STATUSES = {
    "new": "New",
    "under_review": "Under review",
    "accepted": "Accepted",
    "implemented": "Implemented",
    "declined": "Declined",
    "merged": "Merged",
    "archived": "Archived",
}

# Where an idea may go next. Merged and archived are final; a declined idea can be reopened.
TRANSITIONS = {
    "new": {"under_review", "accepted", "declined", "merged", "archived"},
    "under_review": {"accepted", "declined", "merged"},
    "accepted": {"implemented", "declined", "under_review"},
    "implemented": {"archived"},
    "declined": {"under_review", "archived"},
    "merged": set(),
    "archived": set(),
}
CLOSED = ("declined", "merged", "archived")

MIN_DESCRIPTION = 15
MAX_DESCRIPTION = 2000
MAX_TITLE = 120
MAX_UNIT = 120
MAX_REASON = 500
MAX_COMMENT = 1000

FORM_TITLE = "Share an idea"
TOO_SHORT = (
    f"Tell me a little more, please: at least a sentence ({MIN_DESCRIPTION} characters) about "
    "what would make care better and how."
)
TOO_LONG = f"That's a lot! Please keep the idea under {MAX_DESCRIPTION:,} characters."
TITLE_TOO_LONG = f"Please keep the title under {MAX_TITLE} characters."
UNIT_TOO_LONG = f"Please keep the unit name under {MAX_UNIT} characters."
BAD_CATEGORY = "Please pick one of the categories: {names}."
PREVIEW = "Here's your idea as it will be saved:"
PHI_NOTE = (
    "I replaced what looked like patient or personal details with tags ({tags}). Patient "
    "identifiers never go into the ideas box; if a tag hides something that isn't private, "
    "choose Edit and reword it."
)
SIMILAR = "Similar ideas already shared: you can add your vote instead of filing a new one."
DRAFT_GONE = "That draft has expired or was already sent. Type `idea` to start again."
ALREADY_SENT = "That idea is in already, so there is nothing more to do. Thank you!"
CANCELLED = "Okay, I've thrown that draft away. Nothing was saved."
THANKS = (
    "Thank you! Your idea **#{id}** is in. Leaders review new ideas every week, and I'll "
    "message you here whenever its status changes."
)
THANKS_ANONYMOUS = " Leaders won't see your name."
VOTED = "Thanks, your vote for idea #{id} is counted ({votes} so far)."
ALREADY_VOTED = "You've already voted for idea #{id}: one vote per person."
NO_SUCH_IDEA = "There is no idea #{id}."
CANT_VOTE_CLOSED = "Idea #{id} is {status}, so it can't take votes any more."
STATUS_CHANGED = "Idea #{id} is now **{status}**. I've let the submitter know."
STATUS_CHANGED_UNREACHABLE = (
    "Idea #{id} is now **{status}**. I couldn't reach the submitter to tell them."
)
STATUS_ALREADY = "Idea #{id} is already **{status}**, so nothing changed."
STATUS_MOVED_MEANWHILE = (
    "Idea #{id} was just moved to **{current}** by someone else, so I left it there."
)
BAD_TRANSITION = "Idea #{id} is {current}; it can move to: {allowed}."
FINAL_STATUS = "Idea #{id} is {current}, which is final."
REASON_NEEDED = "Please give a reason when declining: `ideas status {id} declined <reason>`."
MERGE_TARGET_NEEDED = "Say which idea it merges into: `ideas status {id} merged <other id>`."
NOTICE = "**Update on your idea #{id}**, _{headline}_: it is now **{status}**."
NOTICE_REASON = "Reason: {reason}"
NOTICE_MERGED = (
    "It has been merged into idea #{target}, _{target_headline}_, and its votes now count there."
)
COMMENT_NOTICE = "**A leader commented on your idea #{id}**, _{headline}_:\n> {text}"
COMMENT_SAVED = "Comment added to idea #{id}."
EXPORT_SENT = "I've sent you the export ({ideas}) in a direct message."
EXPORT_NOT_SENT = (
    "I couldn't send you the export in a direct message. Send me a direct message "
    "(`help` will do) so I can reach you there, then ask again."
)

# -- "you said, we did" ----------------------------------------------------------------------
MAX_WHAT_CHANGED = 500
MAX_HELPED = 300
IMPLEMENT_FORM_TITLE = "Idea #{id} is in place"
WHAT_CHANGED_LABEL = "What changed? Staff who shared and voted for it will read this."
HELPED_LABEL = "Who helped? Colleagues or teams to thank (optional; their names are shared)."
WHAT_CHANGED_NEEDED = (
    "Please say what changed, so the people who asked for it hear what was done: "
    "`ideas status {id} implemented <what changed>`, with `--helped WHO` before it to thank "
    "the people who made it happen."
)
WHAT_CHANGED_TOO_LONG = f"Please keep what changed under {MAX_WHAT_CHANGED} characters."
HELPED_TOO_LONG = f"Please keep who helped under {MAX_HELPED} characters."
IMPLEMENTED_TELLING = (
    "Idea #{id} is now **implemented**. I'm telling {people} (the submitter and everyone who "
    "voted for it), each once and outside their quiet hours."
)
IMPLEMENTED_NOBODY = (
    "Idea #{id} is now **implemented**. Nobody voted for it and I couldn't reach the "
    "submitter, so no one was told."
)
PREVIEW_HEADING = '**How it reads as "you said, we did":**'
PREVIEW_ANONYMOUS = "The idea is anonymous, so this never names who had it."
PREVIEW_UNNAMED = 'It says "a colleague" unless the submitter agrees to be named; I\'ve asked them.'
PREVIEW_NAMED = "The submitter agreed to be named."
NOTICE_SUBMITTER = "**You said, we did: your idea #{id} is in place.**"
NOTICE_VOTER = "**An idea you voted for is in place:** #{id} _{headline}_"
NOTICE_WHAT_CHANGED = "**What changed:** {text}"
NOTICE_HELPED = "**Who helped:** {text}"
NOTICE_THANKS_SUBMITTER = "Thank you for speaking up."
NOTICE_THANKS_VOTER = "Thank you for backing it."
NOTICE_STAYS_ANONYMOUS = "Your idea stays anonymous: no one is told it was yours."
CREDIT_ASK = (
    "When we share this news, may we say the idea was yours? Until you say yes, we'll say it "
    "came from a colleague."
)
CREDIT_YES_LABEL = "Yes, name me"
CREDIT_NO_LABEL = "No, keep me unnamed"
CREDIT_AGREED = "Thank you! When we share this, we'll say it was your idea."
CREDIT_DECLINED = "Okay: when we share this, we'll say it came from a colleague."
CREDIT_UNDO_LABEL = "Don't name me"
CREDIT_REDO_LABEL = "Name me after all"
ANNOUNCE_OFFER = "Want everyone who could use it to hear? Announce it; you'll see it first."
ANNOUNCE_TO_UNIT = "Announce to {unit}"
ANNOUNCE_TO_EVERYONE = "Announce to everyone"
NOT_IMPLEMENTED_TO_ANNOUNCE = (
    "Idea #{id} isn't marked implemented any more, so there is nothing to announce."
)
NOT_IMPLEMENTED_YET = "Idea #{id} isn't marked implemented, so there is nothing to credit yet."

# -- the monthly digest ----------------------------------------------------------------------
DIGEST_USAGE = (
    "Say what to do with the monthly digest of implemented ideas: "
    '`ideas digest monthly to everyone`, `ideas digest monthly to unit "5 North"`, '
    "`ideas digest list` or `ideas digest stop ID`."
)
DIGEST_ONLY_AUDIENCE = (
    "The digest goes out on the 1st of every month at {at}, so say only who gets it, e.g. "
    "`ideas digest monthly to everyone`."
)
DIGEST_SCHEDULED = (
    'Done: the monthly "you said, we did" digest **#{id}** goes to {audience} on the 1st '
    "of every month at {at} (their own time), first on {first}. It covers the month before, "
    "and a month with nothing implemented sends nothing."
)
DIGEST_EXISTS = (
    "{audience} gets the monthly digest already (#{id}, next on {next}), so nothing changed."
)
DIGEST_SO_FAR = "**So far this month it would say:**"
DIGEST_NOTHING_YET = "Nothing has been marked implemented this month yet."
DIGEST_NONE = "No monthly digests are scheduled. Try `ideas digest monthly to everyone`."
DIGEST_LIST = "**Monthly digests of implemented ideas:**"
DIGEST_STOPPED = "Stopped the monthly digest #{id} to {audience}."
DIGEST_NOT_FOUND = "There is no monthly digest #{id}. `ideas digest list` shows them."
