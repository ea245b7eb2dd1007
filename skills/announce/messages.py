"""What people read from the announcements skill, kept together."""

from __future__ import annotations

MAX_TITLE = 150
MAX_BODY = 3000
MAX_LINK = 500

FORM_TITLE = "New announcement"
WHEN_EXAMPLES = "now · today 17:00 · tomorrow 9:30 · once 2026-12-01 10:00"
NEEDS_WORDS = (
    'Give a title and the text, each in quotes, e.g. `announce "Flu shots" "Free flu shots in '
    'the lobby this week" to unit "5 North" tomorrow 9:30`. Or type `announce` alone for a form.'
)
TITLE_NEEDED = "Please give the announcement a title."
TITLE_TOO_LONG = f"Please keep the title under {MAX_TITLE} characters."
BODY_NEEDED = "Please write what the announcement says."
BODY_TOO_LONG = f"Please keep the text under {MAX_BODY:,} characters."
BAD_LINK = "The link must start with https:// (or http://) and be under 500 characters."
NO_ARTICLE = "There is no knowledge-base article `{id}`. Check its id with `ask` first."
ONE_MOMENT = "An announcement goes out once. Say when: " + WHEN_EXAMPLES + " (in your time zone)."
PAST = "{when} has passed already. Pick a later time, or say `now`."
NOBODY = "Nobody is in {audience} yet, so there is no one to tell."

PREVIEW = "**Preview** — this is exactly what {people} will see:"
WHEN_NOW = "Goes out as soon as you press Send (people in their quiet hours get it at {end})."
WHEN_LATER = "Goes out {when}, at that time on each person's own clock (not in quiet hours)."
NO_QUIET_NOW = "Goes out as soon as you press Send."

SENT_NOW = "Announcement #{id} is on its way to {people}. `announce report {id}` shows how it goes."
SCHEDULED = (
    "Announcement #{id} is scheduled for {when}, to {people}. "
    "`announce cancel {id}` stops it; `announce report {id}` shows how it goes."
)
ALREADY_QUEUED = "Announcement #{id} was sent already; nothing was sent twice."
DRAFT_CANCELLED = "Cancelled. Announcement #{id} was not sent."
CANCELLED = "Announcement #{id} is cancelled: {withdrawn} will not get it."
CANCELLED_LATE = " {sent} had it already."
ALREADY_CANCELLED = "Announcement #{id} was cancelled already."
ALL_OUT = "Announcement #{id} has gone out to everyone already, so there is nothing to cancel."
NO_SUCH = "There is no announcement #{id}."
NOT_YOURS = "That announcement isn't yours to send. Nothing was changed."
NONE_YET = 'No announcements yet. Try `announce "Title" "What it says" to everyone now`.'
STILL_DRAFT = "Announcement #{id} is a draft nobody has sent yet, so there is nothing to report."

RESENT = "Sending announcement #{id} again to the {people} it failed for."
NOTHING_FAILED = "Announcement #{id} failed for nobody, so there is nothing to resend."
RESEND_CANCELLED = "Announcement #{id} is cancelled, so it can't be resent."
RESEND_DRAFT = "Announcement #{id} has not been sent yet. Send it from its preview first."

THANKS = "Thanks for reading."
MORE_LINK = "More about **{title}**: [open the page]({link})"
NO_MORE = "There's nothing more to this announcement than what it says."
NOT_FOR_YOU = "That announcement wasn't sent to you, so I didn't count that."

REPORT_TITLE = "**Announcement #{id}: {title}**"
