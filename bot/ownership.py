"""Who may press a button that names a record: the person it was shown to, and nobody else.

Record ids are sequential, so a value typed by hand or copied from a colleague's message could
otherwise name anyone's question, draft or idea. Two checks stop that, both in the core:

- A button value that names a person's record is sealed for that person: the value carries an
  HMAC of the action id, the person's id and the value, made with a key derived from the seal
  key (`Sealer.button_key`). Skills seal with `Context.seal`; the router opens the value of an
  action registered `sealed=True` before its handler runs, so a handler only ever sees a value
  that was drawn for the person pressing it, for that very action. A signature, not a random
  token: it needs no table, any replica can check it, and it binds the value to one person, so
  a button seen in a shared channel still cannot be pressed by someone else.
- Where storage knows a record's owner (idea drafts, survey invitations), its queries take the
  person too; a handler that finds a record is not the person's raises `NotYours`.

Either way the router refuses kindly and writes one audit line naming the action, the person
and the record id. Buttons drawn before values were sealed carry a bare id: on a sealed action
they fail kindly, because nothing can tell whose they were.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from bot.errors import SkillError
from bot.i18n import N_

MARK = "~"  # record ids, article ids and statuses never start with it
TAG_BYTES = 16  # 128 bits: guessing a valid tag is hopeless
TAG_CHARS = 22  # TAG_BYTES in URL-safe base64, padding dropped
MAX_RECORD_CHARS = 80  # of a refused value in the audit log: it came from outside

NOT_YOURS = N_(
    "That button was meant for someone else, so I didn't do anything. "
    "Type `help` to see what I can do for you."
)
OLD_BUTTON = N_(
    "That button is from an older message and doesn't work any more, so nothing was changed. "
    "Please start again, or type `help`."
)


class NotYours(SkillError):
    """The record an event names is not the person's to act on. `record` names it for the
    audit log (an id, never message text); `reason` says how it was found out; `message` is an
    English catalog message marked with `N_`, `values` fill its placeholders."""

    def __init__(
        self,
        record: str,
        message: str = NOT_YOURS,
        *,
        reason: str = "not_owner",
        **values: object,
    ) -> None:
        super().__init__(message, **values)
        self.record = record[:MAX_RECORD_CHARS]
        self.reason = reason


def seal_value(key: bytes, action_id: str, person_id: int, payload: str) -> str:
    """`payload` as a value only `person_id` can send back with `action_id`."""
    return MARK + _tag(key, action_id, person_id, payload) + payload


def open_value(key: bytes, action_id: str, person_id: int, value: str) -> str:
    """The payload of a value sealed for `action_id` and `person_id`; NotYours for any other
    value, with the kinder words for a bare value from before seals."""
    if not _is_sealed(value):
        raise NotYours(value, OLD_BUTTON, reason="unsealed")
    payload = named_record(value)
    if not hmac.compare_digest(value[1 : 1 + TAG_CHARS], _tag(key, action_id, person_id, payload)):
        raise NotYours(payload, reason="forged")
    return payload


def named_record(value: str) -> str:
    """What a value names, sealed or not. Anyone can read it (a seal signs, it does not hide:
    the ids are in the message text anyway); only the key holder can make a value that opens."""
    return value[1 + TAG_CHARS :] if _is_sealed(value) else value


def _is_sealed(value: str) -> bool:
    return value.startswith(MARK) and len(value) >= 1 + TAG_CHARS


def _tag(key: bytes, action_id: str, person_id: int, payload: str) -> str:
    # A separator no action id or person id contains, so no two triples give the same message.
    message = f"{action_id}\x1f{person_id}\x1f{payload}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()[:TAG_BYTES]
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")
