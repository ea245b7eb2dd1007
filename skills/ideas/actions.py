"""Action ids of the ideas skill: the only contract between a rendered button or form and the
handler that receives it, so the modules that draw them and the one that wires them agree."""

from __future__ import annotations

NEW = "ideas.new"
SUBMIT_FORM = "ideas.submit_form"
CONFIRM = "ideas.confirm"
CONFIRM_ANONYMOUS = "ideas.confirm_anonymous"
EDIT = "ideas.edit"
CANCEL = "ideas.cancel"
UPVOTE = "ideas.upvote"
SET_STATUS = "ideas.set_status"
DECLINE = "ideas.decline"
DECLINE_FORM = "ideas.decline_form"
DIGEST_JOB = "ideas.digest"
IMPLEMENT_FORM = "ideas.implement_form"
CREDIT_YES = "ideas.credit_yes"
CREDIT_NO = "ideas.credit_no"
ANNOUNCE = "ideas.announce"
