"""Schedules typed in plain words: "every other monday 10:00", "first monday of the month 10:00",
"mon,wed,fri 7:30am", "once 2026-12-01 10:00", "tomorrow 9:30", "cron 0 10 * * 1".

Reading is forgiving (abbreviated days, am/pm, "starting YYYY-MM-DD"); what cannot be read is
answered with the forms that can, and an ambiguous "friday 3pm" with the two things it may mean.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, time, timedelta

from bot.arguments import whole_number
from bot.i18n import N_
from bot.quiet import parse_clock
from skills.pulse.schedule import (
    EVERY_WEEKS,
    MAX_EVERY_WEEKS,
    ORDINALS,
    WEEKDAYS,
    Schedule,
    ScheduleError,
    weekday_number,
)

EXAMPLES = (
    "every monday 10:00 · every other monday 10:00 · every weekday 08:00 · "
    "mon,wed,fri 7:30am · first monday of the month 10:00 · on the 1st at 09:00 · "
    "once 2026-12-01 10:00 · tomorrow 9:30 · cron 0 10 * * 1"
)
# How far ahead a date may be typed ("once …", "starting …"): a survey is planned within
# the next two years, and later dates would only reach the calendar's end.
DAYS_AHEAD = 2 * 366

_DAY = r"(?:mon|tue|tues|wed|weds|thu|thur|thurs|fri|sat|sun)(?:[a-z]*)"
_ORDINAL_WORD = r"first|second|third|fourth|last|1st|2nd|3rd|4th"
_MONTH_CONTEXT = r"(?:\s+(?:day\s+)?(?:of|in)\s+(?:the|each|every)\s+month)"
_TIME = re.compile(
    r"(?:^|\s)(?:at\s+)?"
    r"(?:(?P<h>\d{1,2}):(?P<m>\d{2})\s*(?P<ampm>[ap]\.?m\.?)?"
    r"|(?P<h2>\d{1,2})\s*(?P<ampm2>[ap]\.?m\.?)"
    r"|at\s+(?P<h3>\d{1,2}))$"
)
_START = re.compile(r"\s*,?\s+(?:starting|from|beginning)\s+(?:on\s+)?(\d{4}-\d{1,2}-\d{1,2})")
# One moment may be typed in Spanish too ("mañana 9:30", "una vez el 2026-12-01 10:00"): staff
# who read Spanish are shown these forms in the announcement form.
_ONCE = re.compile(
    r"(?:(?:once|una\s+vez)\s+)?(?:(?:on|el)\s+)?"
    r"(?:(\d{4}-\d{1,2}-\d{1,2})|(today|tomorrow|hoy|ma[ñn]ana))"
)
_TOMORROW = ("tomorrow", "mañana", "manana")
NOW_WORDS = ("now", "ahora")
_DAILY = re.compile(r"daily|(?:every|each)\s+day")
_WEEKDAYS = re.compile(r"(?:(?:every|each|on)\s+)?(?:weekdays?|workdays?|week\s+days?)")
_NTH = re.compile(
    rf"(?:(?P<monthly>monthly|(?:every|each)\s+month)\s+)?(?:on\s+)?(?:the\s+)?"
    rf"(?P<nth>{_ORDINAL_WORD})\s+(?P<day>{_DAY})(?P<context>{_MONTH_CONTEXT})?"
)
_DAY_OF_MONTH = re.compile(
    rf"(?:(?:monthly|(?:every|each)\s+month)\s+)?(?:on\s+)?(?:the\s+)?"
    rf"(?P<day>\d{{1,2}})(?:st|nd|rd|th){_MONTH_CONTEXT}?"
)
_WEEKLY = re.compile(
    r"(?P<every>(?:every|each|weekly)\s+)?"
    r"(?:(?P<other>other)\s+(?:week\s+)?|(?P<n>\d+)\s+weeks?\s+|week\s+)?"
    r"(?:on\s+)?(?P<days>[a-z][a-z,&/\s-]*)"
)


def parse_schedule(text: str, today: date) -> Schedule:
    """Read a schedule typed in plain words; `today` is the hospital's date.

    A one-off date in the past is refused. "Every other" weeks count from the first matching day
    on or after today (or from "starting YYYY-MM-DD"), which `describe()` shows.
    """
    if not text.strip():
        raise ScheduleError(
            N_("Say when it should run, for example: {examples}."), examples=EXAMPLES
        )
    if any(char.isdigit() and not char.isascii() for char in text):
        # Regular expressions and int() would read Arabic-Indic or full-width digits as numbers
        # that the person then sees written differently; one way of writing them is clearer.
        raise ScheduleError(
            N_(
                "Please write the numbers in a schedule with the digits 0 to 9, "
                "like 'every monday 10:00'."
            )
        )
    words = " ".join(text.strip().lower().split())
    if words.startswith("cron "):
        return Schedule.from_cron(words[5:])
    words, start = _take_start(words, today)
    words, at = _take_time(words)
    build = _read_days(words.strip(" ,"), today, start)
    if build is None:
        raise ScheduleError(
            N_("I couldn't read {typed} as a schedule. Try: {examples}."),
            typed=repr(text.strip()),
            examples=EXAMPLES,
        )
    if at is None:
        raise ScheduleError(
            N_("Add a time of day to {typed}, for example '{words} 10:00'."),
            typed=repr(text.strip()),
            words=words.strip(),
        )
    return build(at)


def _take_start(words: str, today: date) -> tuple[str, date | None]:
    found = _START.search(words)
    if found is None:
        return words, None
    rest = (words[: found.start()] + words[found.end() :]).strip()
    return rest, _parse_date(found.group(1), today)


def _take_time(words: str) -> tuple[str, time | None]:
    found = _TIME.search(words)
    if found is None:
        return words, None
    groups = found.groupdict()
    hour = groups["h"] or groups["h2"] or groups["h3"]
    clock = f"{hour}:{groups['m'] or '00'}{groups['ampm'] or groups['ampm2'] or ''}"
    try:
        at = parse_clock(clock)
    except ValueError as exc:
        # The clock's own words are English (they come from reading quiet hours too).
        raise ScheduleError(
            "{why}.", why=str(exc).replace(repr(clock), repr(found.group().strip()))
        ) from None
    return words[: found.start()].strip(), at


def _read_days(words: str, today: date, start: date | None) -> Callable[[time], Schedule] | None:
    """What the words before the time say, as a function of the time; None if unreadable."""
    if (once := _ONCE.fullmatch(words)) is not None:
        if start is not None:
            raise ScheduleError(N_("'starting' only goes with a repeating schedule."))
        on = _parse_date(once.group(1), today) if once.group(1) else today
        if once.group(2) in _TOMORROW:
            on = today + timedelta(days=1)
        if on < today:
            raise ScheduleError(
                N_("{day} is in the past; pick a date from today on."), day=on.isoformat()
            )
        return lambda at: Schedule.once(on, at)
    if _DAILY.fullmatch(words):
        return lambda at: Schedule.weekly(tuple(range(7)), at, start=start)
    if _WEEKDAYS.fullmatch(words):
        return lambda at: Schedule.weekly(tuple(range(5)), at, start=start)
    if (nth := _NTH.fullmatch(words)) is not None and (nth["monthly"] or nth["context"]):
        number = ORDINALS.get(nth["nth"]) or int(nth["nth"][0])
        weekday = weekday_number(nth["day"])
        return lambda at: Schedule.monthly_on_weekday(number, weekday, at, start=start)
    if (monthly := _DAY_OF_MONTH.fullmatch(words)) is not None:
        day = int(monthly["day"])
        return lambda at: Schedule.monthly_on_day(day, at, start=start)
    if (weekly := _WEEKLY.fullmatch(words)) is not None:
        return _weekly(weekly, today, start)
    return None


def _weekly(
    found: re.Match[str], today: date, start: date | None
) -> Callable[[time], Schedule] | None:
    try:
        days = _day_list(found["days"])
    except ValueError:
        return None
    every_weeks = 2 if found["other"] else whole_number(found["n"] or "1")
    if every_weeks is None:  # more digits than any database number holds
        raise ScheduleError(EVERY_WEEKS, most=MAX_EVERY_WEEKS)
    if not found["every"] and len(days) == 1 and every_weeks == 1:
        name, upcoming = WEEKDAYS[days[0]], _upcoming(today, days[0]).isoformat()

        def ask(at: time) -> Schedule:
            raise ScheduleError(
                N_(
                    "Did you mean every {day} ('every {name} {time}'), or only the next one "
                    "('once {upcoming} {time}')?"
                ),
                day=name.title(),
                name=name,
                upcoming=upcoming,
                time=at.strftime("%H:%M"),
            )

        return ask
    if every_weeks > 1 and start is None:
        start = min(_upcoming(today, day) for day in days)
    return lambda at: Schedule.weekly(days, at, every_weeks=every_weeks, start=start)


def _day_list(text: str) -> tuple[int, ...]:
    """`mon,wed,fri`, `monday and thursday`, `mon-fri` → weekday numbers."""
    days: set[int] = set()
    for token in re.split(r"[\s,&/]+|\band\b", text):
        if not token:
            continue
        first, dash, last = token.partition("-")
        low = weekday_number(first)
        high = weekday_number(last) if dash else low
        if high < low:
            raise ValueError(f"range {token!r} runs backwards")
        days.update(range(low, high + 1))
    if not days:
        raise ValueError("no weekday")
    return tuple(sorted(days))


def _parse_date(text: str, today: date) -> date:
    try:
        year, month, day = (int(part) for part in text.split("-"))
        on = date(year, month, day)
    except ValueError:
        raise ScheduleError(
            N_("{typed} isn't a date; write it as YYYY-MM-DD."), typed=repr(text)
        ) from None
    if on > today + timedelta(days=DAYS_AHEAD):
        raise ScheduleError(
            N_("{day} is too far ahead; pick a date within two years."), day=on.isoformat()
        )
    return on


def _upcoming(today: date, weekday: int) -> date:
    return today + timedelta(days=(weekday - today.weekday()) % 7)
