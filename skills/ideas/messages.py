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
