"""Who a survey or an announcement is for, in the same words everywhere: `to everyone`, `to
department NAME`, `to unit NAME`, `to channel ID` (`team` is Teams' word for a channel), and the
people those words reach now.

An audience is stored as JSON: `{"kind": "everyone"}` or `{"kind": "unit", "value": "5 North"}`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.errors import SkillError
from bot.i18n import N_, Translator
from bot.services import Services
from storage.surveys import Recipient

KINDS = ("everyone", "department", "unit", "channel")
USAGE = "to everyone|department NAME|unit NAME|channel ID"
EVERYONE: dict[str, Any] = {"kind": "everyone"}
UNREADABLE = N_(
    "Say who gets it: `to everyone`, `to department NAME`, `to unit NAME` or "
    '`to channel ID` (quote names with spaces, e.g. `to unit "5 North"`).'
)
# An audience in a sentence of the reader's language: "to {audience}".
_DESCRIBED = {
    "everyone": N_("everyone"),
    "department": N_("department {name}"),
    "unit": N_("unit {name}"),
    "channel": N_("channel {name}"),
}


def parse_audience(words: Sequence[str]) -> tuple[dict[str, Any], list[str]]:
    """The audience the words start with, and the words after it; everyone when they do not
    start with `to`."""
    rest = list(words)
    if not rest or rest[0].lower() != "to":
        return dict(EVERYONE), rest
    if len(rest) >= 2 and rest[1].lower() == "everyone":
        return dict(EVERYONE), rest[2:]
    if len(rest) >= 3 and rest[1].lower() in ("department", "unit", "channel", "team"):
        kind = "channel" if rest[1].lower() == "team" else rest[1].lower()
        return {"kind": kind, "value": rest[2]}, rest[3:]
    raise SkillError(UNREADABLE)


def audience_of(kind: str, value: str) -> dict[str, Any]:
    """An audience picked in a form: a kind, and the name it needs unless it is everyone."""
    kind, value = kind.strip().lower() or "everyone", value.strip()
    if kind == "everyone":
        return dict(EVERYONE)
    if kind not in KINDS or not value:
        raise SkillError(UNREADABLE)
    return {"kind": kind, "value": value}


def describe_audience(audience: Mapping[str, Any], t: Translator) -> str:
    """Who an audience is, in the reader's language."""
    kind = str(audience.get("kind", "everyone"))
    if kind not in _DESCRIBED:
        return f"{kind} {audience.get('value')}"
    return t(_DESCRIBED[kind], name=audience.get("value"))


async def reach(services: Services, audience: Mapping[str, Any]) -> list[Recipient]:
    """Who `audience` reaches now, on the platforms this bot is mounted on: a unit or
    department by the directory, a channel by its members as the platform lists them now."""
    kind, value = audience.get("kind", "everyone"), audience.get("value")
    platforms = services.outbound.platforms
    people = services.surveys
    if kind == "department":
        return await people.audience(department=value, platforms=platforms)
    if kind == "unit":
        return await people.audience(unit=value, platforms=platforms)
    if kind == "channel":
        members = await services.outbound.channel_members(str(value))
        return await people.audience(user_ids=members, platforms=platforms)
    return await people.audience(platforms=platforms)
