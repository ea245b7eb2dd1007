"""When a pulse survey runs: the schedule as stored, described back in words, and its next run.

Pure functions without I/O, so every rule below is tested with fixed dates. The plain forms HR
types ("every other monday 10:00") are read in `schedule_parser`; when each person is sent a
round, in their own zone and outside their quiet hours, is decided in `bot.quiet`.

Times are wall-clock times in a time zone (the hospital's, `BREAKROOM_TIMEZONE`): a survey at
Monday 10:00 stays at 10:00 local when daylight saving time starts or ends. Around the change
(see `bot.quiet.local_time_utc`):
- a time that does not exist that day (02:30 when clocks spring forward to 03:00) runs as much
  later as the clocks jumped, at 03:30;
- a time that happens twice (01:30 when clocks fall back) runs once, at the first 01:30.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import get_day_names

from bot.crontab import crontab_trigger
from bot.i18n import N_, SOURCE_LANGUAGE, Translator, translator
from bot.quiet import local_time_utc

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MAX_EVERY_WEEKS = 52
LAST_DAY_OF_MONTH = 28  # later days are missing from some months; "last friday" covers month ends
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "last": -1}
ORDINAL_NAMES = {number: name for name, number in ORDINALS.items()}
EVERY_WEEKS = N_("Choose every 1 to {most} weeks.")
# "On the first Monday of every month": a sentence per ordinal, since languages place and
# inflect them differently ("el primer lunes", "el último viernes").
MONTHLY_ON_NTH = {
    1: N_("on the first {weekday} of every month at {time}"),
    2: N_("on the second {weekday} of every month at {time}"),
    3: N_("on the third {weekday} of every month at {time}"),
    4: N_("on the fourth {weekday} of every month at {time}"),
    -1: N_("on the last {weekday} of every month at {time}"),
}


class ScheduleError(ValueError):
    """A schedule that cannot be read or stored; the message tells a person what to type.

    `message` is an English catalog message (marked with `N_` where a person can cause it),
    `values` fill its placeholders; `str()` is the English, `text(t)` the reader's language."""

    def __init__(self, message: str, /, **values: object) -> None:
        super().__init__(message.format(**values) if values else message)
        self.message = message
        self.values = values

    def text(self, t: Translator) -> str:
        return t(self.message, **self.values)


class Kind(StrEnum):
    ONCE = "once"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    CRON = "cron"


@dataclass(frozen=True)
class Schedule:
    """A survey's schedule, stored as `SurveyRow.schedule` (see `to_json`).

    Build one with `parse_schedule` or the class methods; the fields a kind does not use stay
    empty. `start` is the first day a weekly or monthly schedule may run; for "every other week"
    it also fixes which weeks count.
    """

    kind: Kind
    at: time | None = None
    on: date | None = None
    start: date | None = None
    weekdays: tuple[int, ...] = ()  # 0 = Monday, as date.weekday()
    every_weeks: int = 1
    day: int | None = None
    nth: int | None = None  # 1-4, or -1 for the last such weekday of the month
    cron: str | None = None

    def __post_init__(self) -> None:
        if self.kind is Kind.CRON:
            if self.cron is None:
                raise ScheduleError("a cron schedule needs an expression")
            try:
                crontab_trigger(self.cron, UTC)
            except ValueError as exc:
                raise ScheduleError(
                    N_("That cron expression doesn't work: {why}."), why=exc
                ) from None
            return
        if self.at is None or self.at.microsecond or self.at.tzinfo:
            raise ScheduleError("a schedule needs a local time of day in whole seconds")
        if self.kind is Kind.ONCE and self.on is None:
            raise ScheduleError("a one-off schedule needs a date")
        if any(not 0 <= day <= 6 for day in self.weekdays) or len(set(self.weekdays)) != len(
            self.weekdays
        ):
            raise ScheduleError("weekdays must be distinct numbers 0 (Monday) to 6 (Sunday)")
        if self.kind is Kind.WEEKLY:
            if not self.weekdays:
                raise ScheduleError(N_("Say which day of the week, e.g. 'every monday 10:00'."))
            if not 1 <= self.every_weeks <= MAX_EVERY_WEEKS:
                raise ScheduleError(EVERY_WEEKS, most=MAX_EVERY_WEEKS)
            if self.every_weeks > 1 and self.start is None:
                raise ScheduleError("every few weeks needs a start date to count weeks from")
        if self.kind is Kind.MONTHLY:
            by_day = self.day is not None and self.nth is None and not self.weekdays
            by_weekday = self.day is None and self.nth in ORDINAL_NAMES and len(self.weekdays) == 1
            if not (by_day or by_weekday):
                raise ScheduleError("a monthly schedule needs a day, or e.g. the first monday")
            if self.day is not None and not 1 <= self.day <= LAST_DAY_OF_MONTH:
                raise ScheduleError(
                    N_(
                        "Not every month has a {day}{suffix}: pick a day from 1 to {last}, or "
                        "say e.g. 'last friday of the month'."
                    ),
                    day=self.day,
                    suffix=_ordinal(self.day).removeprefix(str(self.day)),
                    last=LAST_DAY_OF_MONTH,
                )

    # -- constructors --------------------------------------------------------------------------

    @classmethod
    def once(cls, on: date, at: time) -> Schedule:
        return cls(Kind.ONCE, at=at, on=on)

    @classmethod
    def weekly(
        cls, weekdays: tuple[int, ...], at: time, *, every_weeks: int = 1, start: date | None = None
    ) -> Schedule:
        return cls(
            Kind.WEEKLY,
            at=at,
            weekdays=tuple(sorted(weekdays)),
            every_weeks=every_weeks,
            start=start,
        )

    @classmethod
    def monthly_on_day(cls, day: int, at: time, *, start: date | None = None) -> Schedule:
        return cls(Kind.MONTHLY, at=at, day=day, start=start)

    @classmethod
    def monthly_on_weekday(
        cls, nth: int, weekday: int, at: time, *, start: date | None = None
    ) -> Schedule:
        return cls(Kind.MONTHLY, at=at, nth=nth, weekdays=(weekday,), start=start)

    @classmethod
    def from_cron(cls, expr: str) -> Schedule:
        return cls(Kind.CRON, cron=" ".join(expr.split()))

    # -- storage -------------------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind.value}
        if self.at is not None:
            data["at"] = self.at.isoformat("seconds" if self.at.second else "minutes")
        for name, value in (("on", self.on), ("start", self.start)):
            if value is not None:
                data[name] = value.isoformat()
        if self.weekdays:
            data["weekdays"] = [WEEKDAYS[day][:3] for day in self.weekdays]
        if self.kind is Kind.WEEKLY:
            data["every_weeks"] = self.every_weeks
        for name, number in (("day", self.day), ("nth", self.nth)):
            if number is not None:
                data[name] = number
        if self.cron is not None:
            data["cron"] = self.cron
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Schedule:
        try:
            return cls(
                Kind(data["kind"]),
                at=time.fromisoformat(data["at"]) if "at" in data else None,
                on=date.fromisoformat(data["on"]) if "on" in data else None,
                start=date.fromisoformat(data["start"]) if "start" in data else None,
                weekdays=tuple(weekday_number(name) for name in data.get("weekdays", ())),
                every_weeks=int(data.get("every_weeks", 1)),
                day=int(data["day"]) if "day" in data else None,
                nth=int(data["nth"]) if "nth" in data else None,
                cron=str(data["cron"]) if "cron" in data else None,
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ScheduleError(f"stored schedule {dict(data)!r} is malformed: {exc}") from None

    # -- for people ----------------------------------------------------------------------------

    def describe(self, t: Translator | None = None) -> str:
        """The schedule in words, to confirm back to HR ("every other Monday at 10:00"), in the
        reader's language (`t`; English without one)."""
        t = t or translator(SOURCE_LANGUAGE)
        if self.kind is Kind.CRON:
            return t("on the cron schedule `{cron}`", cron=self.cron)
        assert self.at is not None
        at = self.at.strftime("%H:%M")
        if self.kind is Kind.ONCE:
            assert self.on is not None
            return t("once, on {day}, {time}", day=t.day(self.on), time=at)
        if self.kind is Kind.MONTHLY:
            if self.nth is not None:
                weekday = _day_name(t, self.weekdays[0])
                text = t(MONTHLY_ON_NTH[self.nth], weekday=weekday, time=at)
            else:
                day = self.day or 0
                # The suffix is English grammar ("1st", "22nd"); other languages leave it out.
                text = t(
                    "on the {day}{suffix} of every month at {time}",
                    day=day,
                    suffix=_ordinal(day).removeprefix(str(day)),
                    time=at,
                )
        else:
            text = self._weeks(t, at)
        if self.start is not None:
            text = t("{schedule}, starting {day}", schedule=text, day=t.day(self.start))
        return text

    def _weeks(self, t: Translator, at: str) -> str:
        days = self.weekdays
        if days == tuple(range(7)):
            if self.every_weeks == 1:
                return t("every day at {time}", time=at)
            named = t("every day")
        elif days == tuple(range(5)):
            if self.every_weeks == 1:
                return t("every weekday at {time}", time=at)
            named = t("weekdays")
        else:
            named = t.list(_day_name(t, day) for day in days)
            if self.every_weeks == 1:
                return t("every {days} at {time}", days=named, time=at)
            if self.every_weeks == 2 and len(days) == 1:
                return t("every other {day} at {time}", day=named, time=at)
        if self.every_weeks == 2:
            return t("every other week on {days} at {time}", days=named, time=at)
        return t(
            "every {weeks} weeks on {days} at {time}",
            weeks=t.number(self.every_weeks),
            days=named,
            time=at,
        )


# -- next run ------------------------------------------------------------------------------------


def next_run(schedule: Schedule, after: datetime, tz: ZoneInfo) -> datetime | None:
    """The first run strictly after `after` (aware), in UTC; None when a one-off has run.

    Wall-clock times are read in `tz`; see the module docstring for the daylight-saving rules.
    """
    after = after.astimezone(UTC)
    if schedule.kind is Kind.CRON:
        return _next_cron(schedule, after, tz)
    assert schedule.at is not None
    if schedule.kind is Kind.ONCE:
        assert schedule.on is not None
        run = local_time_utc(schedule.on, schedule.at, tz)
        return run if run > after else None
    if schedule.start is not None:
        # Nothing before the start day: search from just before its midnight.
        after = max(after, local_time_utc(schedule.start, time(0), tz) - timedelta(microseconds=1))
    if schedule.kind is Kind.WEEKLY:
        return _next_weekly(schedule, schedule.at, after, tz)
    return _next_monthly(schedule, schedule.at, after, tz)


def _next_weekly(schedule: Schedule, at: time, after: datetime, tz: ZoneInfo) -> datetime:
    anchor = _monday(schedule.start) if schedule.start is not None else None
    day = after.astimezone(tz).date() - timedelta(days=1)  # a day early: DST can shift the date
    while True:
        in_cycle = anchor is None or (day - anchor).days // 7 % schedule.every_weeks == 0
        if day.weekday() in schedule.weekdays and in_cycle:
            run = local_time_utc(day, at, tz)
            if run > after:
                return run
        day += timedelta(days=1)


def _next_monthly(schedule: Schedule, at: time, after: datetime, tz: ZoneInfo) -> datetime:
    local = after.astimezone(tz)
    year, month = local.year, local.month
    while True:
        run = local_time_utc(_day_in_month(schedule, year, month), at, tz)
        if run > after:
            return run
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def _day_in_month(schedule: Schedule, year: int, month: int) -> date:
    if schedule.day is not None:
        return date(year, month, schedule.day)
    assert schedule.nth is not None
    weekday = schedule.weekdays[0]
    if schedule.nth > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (schedule.nth - 1))
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    last = following - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _next_cron(schedule: Schedule, after: datetime, tz: ZoneInfo) -> datetime | None:
    assert schedule.cron is not None
    trigger = crontab_trigger(schedule.cron, tz)
    moment = after
    while True:
        # Without a previous fire time APScheduler searches from `now` inclusive.
        found: datetime | None = trigger.get_next_fire_time(
            None, (moment + timedelta(microseconds=1)).astimezone(tz)
        )
        if found is None or not _repeated_wall_time(found):
            return None if found is None else found.astimezone(UTC)
        # APScheduler fires at both 01:30s when clocks fall back; a survey runs at the first.
        # (Step on in UTC: adding to a local time is wall-clock arithmetic and would go back.)
        moment = found.astimezone(UTC)


def _repeated_wall_time(moment: datetime) -> bool:
    return moment.fold == 1 and moment.replace(fold=0).utcoffset() != moment.utcoffset()


def within_window(missed_run: datetime, now: datetime, window: timedelta) -> bool:
    """Whether a run that was due while the bot was down should still happen now.

    The caller runs it once (not once per missed occurrence) and then schedules the next run
    after `now`; a run older than `window` is skipped, since a survey opened days late would
    collide with the next one.
    """
    return missed_run <= now <= missed_run + window


def weekday_number(name: str) -> int:
    """`mon`, `Tues`, `thurs`, `fridays` → 0-6 (Monday = 0)."""
    word = name.strip().lower()
    if len(word) > 3:
        word = word.removesuffix("s")
    if len(word) >= 2:
        for number, full in enumerate(WEEKDAYS):
            if full.startswith(word):
                return number
    raise ScheduleError(N_("{typed} is not a day of the week."), typed=repr(name))


# -- helpers -------------------------------------------------------------------------------------


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _day_name(t: Translator, weekday: int) -> str:
    """A weekday's name in the reader's language ("Monday", "lunes")."""
    return str(get_day_names("wide", locale=t.locale)[weekday])


def _ordinal(number: int) -> str:
    suffix = (
        "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    )
    return f"{number}{suffix}"
