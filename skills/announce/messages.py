"""What people read from the announcements skill, kept together."""

from __future__ import annotations

from bot.i18n import N_

MAX_TITLE = 150
MAX_BODY = 3000
MAX_LINK = 500

FORM_TITLE = N_("New announcement")
# The words the schedule reader takes, as typed: not translated.
WHEN_EXAMPLES = N_("now · today 17:00 · tomorrow 9:30 · once 2026-12-01 10:00")
NOW = N_("now")
NEEDS_WORDS = N_(
    'Give a title and the text, each in quotes, e.g. `announce "Flu shots" "Free flu shots in '
    'the lobby this week" to unit "5 North" tomorrow 9:30`. Or type `announce` alone for a form.'
)
TITLE_NEEDED = N_("Please give the announcement a title.")
TITLE_TOO_LONG = N_("Please keep the title under {max} characters.")
BODY_NEEDED = N_("Please write what the announcement says.")
BODY_TOO_LONG = N_("Please keep the text under {max} characters.")
BAD_LINK = N_("The link must start with https:// (or http://) and be under {max} characters.")
NO_ARTICLE = N_("There is no knowledge-base article `{id}`. Check its id with `ask` first.")
ONE_MOMENT = N_("An announcement goes out once. Say when: {examples} (in your time zone).")
ONE_MOMENT_AFTER = N_(
    "{problem}\nAn announcement goes out once. Say when: {examples} (in your time zone)."
)
PAST = N_("{when} has passed already. Pick a later time, or say `now`.")
NOBODY = N_("Nobody is in {audience} yet, so there is no one to tell.")

PREVIEW = N_("**Preview** — this is exactly what {people} will see:")
WHEN_NOW = N_("Goes out as soon as you press Send (people in their quiet hours get it at {end}).")
WHEN_LATER = N_("Goes out {when}, at that time on each person's own clock (not in quiet hours).")
NO_QUIET_NOW = N_("Goes out as soon as you press Send.")

SENT_NOW = N_(
    "Announcement #{id} is on its way to {people}. `announce report {id}` shows how it goes."
)
SCHEDULED = N_(
    "Announcement #{id} is scheduled for {when}, to {people}. "
    "`announce cancel {id}` stops it; `announce report {id}` shows how it goes."
)
ALREADY_QUEUED = N_("Announcement #{id} was sent already; nothing was sent twice.")
DRAFT_CANCELLED = N_("Cancelled. Announcement #{id} was not sent.")
CANCELLED = N_("Announcement #{id} is cancelled: {withdrawn} will not get it.")
CANCELLED_LATE = N_("{sent} had it already.")
ALREADY_CANCELLED = N_("Announcement #{id} was cancelled already.")
ALL_OUT = N_("Announcement #{id} has gone out to everyone already, so there is nothing to cancel.")
NO_SUCH = N_("There is no announcement #{id}.")
NOT_YOURS = N_("That announcement isn't yours to send. Nothing was changed.")
NONE_YET = N_('No announcements yet. Try `announce "Title" "What it says" to everyone now`.')
STILL_DRAFT = N_(
    "Announcement #{id} is a draft nobody has sent yet, so there is nothing to report."
)

RESENT = N_("Sending announcement #{id} again to the {people} it failed for.")
NOTHING_FAILED = N_("Announcement #{id} failed for nobody, so there is nothing to resend.")
RESEND_CANCELLED = N_("Announcement #{id} is cancelled, so it can't be resent.")
RESEND_DRAFT = N_("Announcement #{id} has not been sent yet. Send it from its preview first.")

THANKS = N_("Thanks for reading.")
MORE_LINK = N_("More about **{title}**: [open the page]({link})")
NO_MORE = N_("There's nothing more to this announcement than what it says.")
NOT_FOR_YOU = N_("That announcement wasn't sent to you, so I didn't count that.")

REPORT_TITLE = N_("**Announcement #{id}: {title}**")

# -- the announcement as staff read it, and the author's screens ------------------------------
FROM = N_("From {name}")
GOT_IT = N_("Got it")
LEARN_MORE = N_("Learn more")
SEND_NOW = N_("Send now")
SCHEDULE = N_("Schedule")
CANCEL = N_("Cancel")
TO = N_("To")
WHEN = N_("When")
TO_PEOPLE = N_("{audience} ({people})")
PRESS = N_("Press {button}, or type `announce send {id}`.")
SENT = N_("Sent")
FAILED = N_("Failed")
UNREACHABLE = N_("Unreachable (blocked the bot or left)")
STILL_TO_GO = N_("Still to go")
SKIPPED = N_("Not sent (cancelled)")
RESEND_HINT = N_("`announce resend {id}` tries the failed ones again.")
SHARE = N_("{pressed} ({share} of those sent)")
STATE_CANCELLED = N_("cancelled {when}")
STATE_DRAFT = N_("not sent (a draft)")
STATE_SCHEDULED = N_("scheduled for {when}")
STATE_SENT = N_("sent {when}")
LIST_HEADING = N_("**Announcements:**")
LIST_LINE = N_("- #{id} **{title}** to {audience}, {when} ({people})")
CANCEL_TYPED = N_("`announce cancel {id}` stops what has not gone out yet.")

# -- the form -----------------------------------------------------------------------------
TITLE_LABEL = N_("Title")
TEXT_LABEL = N_("What it says (Markdown: **bold**, _italic_, [link](https://…))")
AUDIENCE_LABEL = N_("Who gets it")
EVERYONE = N_("Everyone")
A_UNIT = N_("A unit")
A_DEPARTMENT = N_("A department")
A_CHANNEL = N_("A channel's members")
AUDIENCE_NAME_LABEL = N_("Which unit, department or channel (not for everyone)")
WHEN_LABEL = N_("When")
LINK_LABEL = N_("Link for “Learn more” (optional)")
ARTICLE_LABEL = N_("Or a knowledge-base article id (optional)")
PREVIEW_BUTTON = N_("Preview")
