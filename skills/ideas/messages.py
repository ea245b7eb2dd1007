"""What the ideas skill says, and the fixed vocabularies (categories, statuses) it uses."""

from __future__ import annotations

from bot.i18n import N_

CATEGORIES = {
    "communication": N_("Communication"),
    "wait_times": N_("Wait times"),
    "comfort": N_("Comfort and environment"),
    "safety": N_("Safety"),
    "discharge": N_("Discharge and transitions"),
    "food": N_("Food"),
    "staff_experience": N_("Staff experience"),
    "other": N_("Other"),
}

STATUSES = {
    "new": N_("New"),
    "under_review": N_("Under review"),
    "accepted": N_("Accepted"),
    "implemented": N_("Implemented"),
    "declined": N_("Declined"),
    "merged": N_("Merged"),
    "archived": N_("Archived"),
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

FORM_TITLE = N_("Share an idea")
TOO_SHORT = N_(
    "Tell me a little more, please: at least a sentence ({min} characters) about "
    "what would make care better and how."
)
TOO_LONG = N_("That's a lot! Please keep the idea under {max} characters.")
TITLE_TOO_LONG = N_("Please keep the title under {max} characters.")
UNIT_TOO_LONG = N_("Please keep the unit name under {max} characters.")
BAD_CATEGORY = N_("Please pick one of the categories: {names}.")
PREVIEW = N_("Here's your idea as it will be saved:")
PHI_NOTE = N_(
    "I replaced what looked like patient or personal details with tags ({tags}). Patient "
    "identifiers never go into the ideas box; if a tag hides something that isn't private, "
    "choose Edit and reword it."
)
SIMILAR = N_("Similar ideas already shared: you can add your vote instead of filing a new one.")
DRAFT_GONE = N_("That draft has expired or was already sent. Type `idea` to start again.")
ALREADY_SENT = N_("That idea is in already, so there is nothing more to do. Thank you!")
CANCELLED = N_("Okay, I've thrown that draft away. Nothing was saved.")
THANKS = N_(
    "Thank you! Your idea **#{id}** is in. Leaders review new ideas every week, and I'll "
    "message you here whenever its status changes."
)
THANKS_ANONYMOUS = N_("Leaders won't see your name.")
VOTED = N_("Thanks, your vote for idea #{id} is counted ({votes} so far).")
ALREADY_VOTED = N_("You've already voted for idea #{id}: one vote per person.")
NO_SUCH_IDEA = N_("There is no idea #{id}.")
WHICH_IDEA = N_("Which idea? Use its number, like `#12`.")
CANT_VOTE_CLOSED = N_("Idea #{id} is {status}, so it can't take votes any more.")
STATUS_CHANGED = N_("Idea #{id} is now **{status}**. I've let the submitter know.")
STATUS_CHANGED_UNREACHABLE = N_(
    "Idea #{id} is now **{status}**. I couldn't reach the submitter to tell them."
)
STATUS_ALREADY = N_("Idea #{id} is already **{status}**, so nothing changed.")
STATUS_MOVED_MEANWHILE = N_(
    "Idea #{id} was just moved to **{current}** by someone else, so I left it there."
)
BAD_TRANSITION = N_("Idea #{id} is {current}; it can move to: {allowed}.")
FINAL_STATUS = N_("Idea #{id} is {current}, which is final.")
REASON_NEEDED = N_("Please give a reason when declining: `ideas status {id} declined <reason>`.")
MERGE_TARGET_NEEDED = N_("Say which idea it merges into: `ideas status {id} merged <other id>`.")
NOTICE = N_("**Update on your idea #{id}**, _{headline}_: it is now **{status}**.")
NOTICE_REASON = N_("Reason: {reason}")
NOTICE_MERGED = N_(
    "It has been merged into idea #{target}, _{target_headline}_, and its votes now count there."
)
COMMENT_NOTICE = N_("**A leader commented on your idea #{id}**, _{headline}_:\n> {text}")
COMMENT_SAVED = N_("Comment added to idea #{id}.")
EXPORT_SENT = N_("I've sent you the export ({ideas}) in a direct message.")
EXPORT_NOT_SENT = N_(
    "I couldn't send you the export in a direct message. Send me a direct message "
    "(`help` will do) so I can reach you there, then ask again."
)

# -- "you said, we did" ----------------------------------------------------------------------
MAX_WHAT_CHANGED = 500
MAX_HELPED = 300
IMPLEMENT_FORM_TITLE = N_("Idea #{id} is in place")
WHAT_CHANGED_LABEL = N_("What changed? Staff who shared and voted for it will read this.")
HELPED_LABEL = N_("Who helped? Colleagues or teams to thank (optional; their names are shared).")
WHAT_CHANGED_NEEDED = N_(
    "Please say what changed, so the people who asked for it hear what was done: "
    "`ideas status {id} implemented <what changed>`, with `--helped WHO` before it to thank "
    "the people who made it happen."
)
WHAT_CHANGED_TOO_LONG = N_("Please keep what changed under {max} characters.")
HELPED_TOO_LONG = N_("Please keep who helped under {max} characters.")
IMPLEMENTED_TELLING = N_(
    "Idea #{id} is now **implemented**. I'm telling {people} (the submitter and everyone who "
    "voted for it), each once and outside their quiet hours."
)
IMPLEMENTED_NOBODY = N_(
    "Idea #{id} is now **implemented**. Nobody voted for it and I couldn't reach the "
    "submitter, so no one was told."
)
PREVIEW_HEADING = N_('**How it reads as "you said, we did":**')
PREVIEW_ANONYMOUS = N_("The idea is anonymous, so this never names who had it.")
PREVIEW_UNNAMED = N_(
    'It says "a colleague" unless the submitter agrees to be named; I\'ve asked them.'
)
PREVIEW_NAMED = N_("The submitter agreed to be named.")
NOTICE_SUBMITTER = N_("**You said, we did: your idea #{id} is in place.**")
NOTICE_VOTER = N_("**An idea you voted for is in place:** #{id} _{headline}_")
NOTICE_WHAT_CHANGED = N_("**What changed:** {text}")
NOTICE_HELPED = N_("**Who helped:** {text}")
NOTICE_THANKS_SUBMITTER = N_("Thank you for speaking up.")
NOTICE_THANKS_VOTER = N_("Thank you for backing it.")
NOTICE_STAYS_ANONYMOUS = N_("Your idea stays anonymous: no one is told it was yours.")
CREDIT_ASK = N_(
    "When we share this news, may we say the idea was yours? Until you say yes, we'll say it "
    "came from a colleague."
)
CREDIT_YES_LABEL = N_("Yes, name me")
CREDIT_NO_LABEL = N_("No, keep me unnamed")
CREDIT_AGREED = N_("Thank you! When we share this, we'll say it was your idea.")
CREDIT_DECLINED = N_("Okay: when we share this, we'll say it came from a colleague.")
CREDIT_UNDO_LABEL = N_("Don't name me")
CREDIT_REDO_LABEL = N_("Name me after all")
ANNOUNCE_OFFER = N_("Want everyone who could use it to hear? Announce it; you'll see it first.")
ANNOUNCE_TO_UNIT = N_("Announce to {unit}")
ANNOUNCE_TO_EVERYONE = N_("Announce to everyone")
NOT_IMPLEMENTED_TO_ANNOUNCE = N_(
    "Idea #{id} isn't marked implemented any more, so there is nothing to announce."
)
NOT_IMPLEMENTED_YET = N_("Idea #{id} isn't marked implemented, so there is nothing to credit yet.")

# -- the monthly digest ----------------------------------------------------------------------
DIGEST_USAGE = N_(
    "Say what to do with the monthly digest of implemented ideas: "
    '`ideas digest monthly to everyone`, `ideas digest monthly to unit "5 North"`, '
    "`ideas digest list` or `ideas digest stop ID`."
)
DIGEST_ONLY_AUDIENCE = N_(
    "The digest goes out on the 1st of every month at {at}, so say only who gets it, e.g. "
    "`ideas digest monthly to everyone`."
)
DIGEST_SCHEDULED = N_(
    'Done: the monthly "you said, we did" digest **#{id}** goes to {audience} on the 1st '
    "of every month at {at} (their own time), first on {first}. It covers the month before, "
    "and a month with nothing implemented sends nothing."
)
DIGEST_EXISTS = N_(
    "{audience} gets the monthly digest already (#{id}, next on {next}), so nothing changed."
)
DIGEST_SO_FAR = N_("**So far this month it would say:**")
DIGEST_NOTHING_YET = N_("Nothing has been marked implemented this month yet.")
DIGEST_NONE = N_("No monthly digests are scheduled. Try `ideas digest monthly to everyone`.")
DIGEST_LIST = N_("**Monthly digests of implemented ideas:**")
DIGEST_STOPPED = N_("Stopped the monthly digest #{id} to {audience}.")
DIGEST_NOT_FOUND = N_("There is no monthly digest #{id}. `ideas digest list` shows them.")

# -- the idea form and its preview -----------------------------------------------------------
TITLE_LABEL = N_("Title (optional)")
DESCRIPTION_LABEL = N_("What would make care better, and how?")
DESCRIPTION_HINT = N_("Please leave out patient names, dates and record numbers.")
CATEGORY_LABEL = N_("Category")
UNIT_FIELD_LABEL = N_("Unit or department (optional)")
ANONYMOUS_LABEL = N_("Submit anonymously")
PREVIEW_LABEL = N_("Preview")
UNIT_LABEL = N_("Unit")
NOT_GIVEN = N_("not given")
ANONYMOUS_FACT = N_("Anonymous")
YES = N_("yes")
NO = N_("no")
VOTE_FOR = N_("Vote for #{id}")
SUBMIT = N_("Submit")
SUBMIT_NAMED = N_("Submit with my name")
SUBMIT_ANONYMOUS = N_("Submit anonymously")
EDIT = N_("Edit")
CANCEL = N_("Cancel")
COMMENT_TOO_LONG = N_("Please write a comment of up to {max} characters.")
REASON_TOO_LONG = N_("Please keep the reason under {max} characters.")

# -- what leaders read -----------------------------------------------------------------------
NO_MATCH = N_("No ideas match that.")
LIST_HEADING = N_("**Ideas, last {days}** (newest first):")
STATUS_LABEL = N_("Status")
VOTES_LABEL = N_("Votes")
FROM_LABEL = N_("From")
ANONYMOUS_SUBMITTER = N_("anonymous")
UNKNOWN_SUBMITTER = N_("unknown")
SHARED_LABEL = N_("Shared")
REASON_LABEL = N_("Reason")
MERGED_INTO_LABEL = N_("Merged into")
WHAT_CHANGED_FACT = N_("What changed")
WHO_HELPED_FACT = N_("Who helped")
CREDIT_LABEL = N_("Credit")
COMMENTS = N_("**Comments:**")
A_LEADER = N_("a leader")
DECLINE_BUTTON = N_("Decline…")
CREDIT_NEVER = N_("never named (anonymous)")
CREDIT_UNANSWERED = N_('not answered yet: shared as "a colleague"')
CREDIT_GIVEN = N_("agreed to be named")
CREDIT_REFUSED = N_("asked not to be named")
DECLINE_TITLE = N_("Decline idea #{id}")
DECLINE_WHY = N_("Why? The submitter will read this.")
DECLINE_SUBMIT = N_("Decline")
MARK_IMPLEMENTED = N_("Mark implemented")
SUMMARY_HEADING = N_("Ideas summary")
WEEKLY_HEADING = N_("Weekly ideas digest")
SCOPE_LAST = N_("last {days}")
SCOPE_UNIT = N_("unit {unit}")
SUMMARY_INTRO = N_("**{heading}** ({scope}): **{ideas}**, {change} against the {days} before.")
NONE_GIVEN = N_("(none)")
BY_CATEGORY = N_("**By category:**")
BY_UNIT = N_("**By unit:**")
MOST_SUPPORTED = N_("**Most supported:**")
THEMES = N_("**Themes:**")
SHOW_HINT = N_("Type `ideas show ID` for the details of an idea.")
EXPORT_TITLE = N_("Ideas, last {days}")
EXPORT_FALLBACK = N_("Ideas export, last {days}")
# The export's column headings, in the leader's language; the cells are the stored values.
EXPORT_COLUMNS = (
    N_("id"),
    N_("created"),
    N_("status"),
    N_("category"),
    N_("unit"),
    N_("votes"),
    N_("submitter"),
    N_("title"),
    N_("description"),
    N_("reason"),
    N_("merged_into"),
)
DIGEST_LINE = N_("- #{id} to {audience}, on the 1st of every month at {at}; next {when}")

# -- "you said, we did" stories --------------------------------------------------------------
COLLEAGUE = N_("a colleague")
YOU_SAID = N_("**You said** ({source}):")
WE_DID = N_("**We did:** {text}")
THANKS_TO = N_("**Thanks to:** {text}")
STORY_CLOSING = N_(
    "Thank you to everyone who shared and backed it. Got an idea? Type `idea` to share it."
)
STORY_TITLE = N_("You said, we did: {headline}")
DIGEST_TITLE = N_("You said, we did: {month}")
DIGEST_TITLE_UNIT = N_("You said, we did: {month} on {unit}")
DIGEST_CLOSING = N_("Have an idea of your own? Type `idea` to share it.")
ENTRY = N_("- **{headline}**: {what_changed} _(an idea from {source})_")
ENTRY_HELPED = N_("- **{headline}**: {what_changed} _(an idea from {source}; thanks to {helped})_")
SOURCE_UNIT = N_("{who}, {unit}")
