"""Quiet hours and delivery in each person's own time zone: a message due at the hospital's
wall-clock time reaches people at the same time in their zone, never in their quiet hours,
across daylight-saving changes; and the quiet-hours setting."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.quiet import QuietHours, delivery_time, parse_clock
from bot.settings import SettingsError, load_settings

NEW_YORK = ZoneInfo("America/New_York")
DENVER = ZoneInfo("America/Denver")
CHICAGO = ZoneInfo("America/Chicago")
HONOLULU = ZoneInfo("Pacific/Honolulu")
LONDON = ZoneInfo("Europe/London")
TOKYO = ZoneInfo("Asia/Tokyo")


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def local(
    tz: ZoneInfo, year: int, month: int, day: int, hour: int = 0, minute: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=tz)


QUIET = QuietHours()
ROUND = local(NEW_YORK, 2026, 3, 9, 10)  # Monday 10:00 at the hospital, EDT


@pytest.mark.parametrize(
    ("tz", "expected"),
    [
        (None, utc(2026, 3, 9, 14)),
        (NEW_YORK, utc(2026, 3, 9, 14)),
        (CHICAGO, utc(2026, 3, 9, 15)),
        (DENVER, utc(2026, 3, 9, 16)),
        (HONOLULU, utc(2026, 3, 9, 20)),  # no DST in Hawaii: UTC-10
    ],
)
def test_a_ten_oclock_survey_reaches_people_at_their_own_ten(
    tz: ZoneInfo | None, expected: datetime
) -> None:
    due = delivery_time(ROUND, tz, NEW_YORK, QUIET, now=ROUND)
    assert due == expected
    assert due.tzinfo is UTC
    assert due.astimezone(tz or NEW_YORK).time() == time(10)


def test_someone_east_of_the_hospital_gets_it_as_the_round_opens() -> None:
    """10:00 in London was hours ago when the round opens at 10:00 in New York."""
    assert delivery_time(ROUND, LONDON, NEW_YORK, QUIET, now=ROUND) == utc(2026, 3, 9, 14)


def test_when_the_round_opens_in_their_quiet_hours_they_get_it_at_seven() -> None:
    """14:00 UTC is 23:00 in Tokyo: it waits until 07:00 there."""
    due = delivery_time(ROUND, TOKYO, NEW_YORK, QUIET, now=ROUND)
    assert due.astimezone(TOKYO) == local(TOKYO, 2026, 3, 10, 7)


def test_a_late_evening_delivery_waits_until_morning() -> None:
    evening = local(NEW_YORK, 2026, 3, 10, 22, 30)
    due = delivery_time(evening, None, NEW_YORK, QUIET, now=evening)
    assert due.astimezone(NEW_YORK) == local(NEW_YORK, 2026, 3, 11, 7)


def test_an_after_midnight_delivery_waits_until_seven_the_same_day() -> None:
    night = local(NEW_YORK, 2026, 3, 11, 1, 15)
    due = delivery_time(night, DENVER, NEW_YORK, QUIET, now=night)
    assert due.astimezone(DENVER) == local(DENVER, 2026, 3, 11, 7)


def test_quiet_hours_end_is_not_quiet_and_start_is() -> None:
    seven = local(NEW_YORK, 2026, 3, 11, 7)
    assert delivery_time(seven, None, NEW_YORK, QUIET, now=seven) == seven.astimezone(UTC)
    nine_pm = local(NEW_YORK, 2026, 3, 11, 21)
    assert delivery_time(nine_pm, None, NEW_YORK, QUIET, now=nine_pm) == local(
        NEW_YORK, 2026, 3, 12, 7
    ).astimezone(UTC)


def test_quiet_hours_across_the_spring_forward_night() -> None:
    """The night of 2026-03-07 is an hour short: 07:00 next morning is 11:00 UTC, not 12:00."""
    evening = local(NEW_YORK, 2026, 3, 7, 22, 30)
    due = delivery_time(evening, None, NEW_YORK, QUIET, now=evening)
    assert due == utc(2026, 3, 8, 11)
    assert due.astimezone(NEW_YORK) == local(NEW_YORK, 2026, 3, 8, 7)


def test_quiet_hours_across_the_fall_back_night() -> None:
    evening = local(NEW_YORK, 2026, 10, 31, 22, 30)
    due = delivery_time(evening, None, NEW_YORK, QUIET, now=evening)
    assert due == utc(2026, 11, 1, 12)
    assert due.astimezone(NEW_YORK) == local(NEW_YORK, 2026, 11, 1, 7)


def test_a_reminder_sent_now_follows_the_same_rules() -> None:
    """Reminders pass `now` as the run: on time by day, held back at night."""
    afternoon = local(NEW_YORK, 2026, 3, 11, 15)
    assert delivery_time(afternoon, DENVER, NEW_YORK, QUIET, now=afternoon) == utc(2026, 3, 11, 21)


def test_quiet_hours_that_do_not_wrap_midnight() -> None:
    lunch = QuietHours(time(12), time(13))
    noon_thirty = local(NEW_YORK, 2026, 3, 11, 12, 30)
    assert delivery_time(noon_thirty, None, NEW_YORK, lunch, now=noon_thirty) == local(
        NEW_YORK, 2026, 3, 11, 13
    ).astimezone(UTC)
    late = local(NEW_YORK, 2026, 3, 11, 23)
    assert delivery_time(late, None, NEW_YORK, lunch, now=late) == late.astimezone(UTC)


def test_equal_ends_turn_quiet_hours_off() -> None:
    off = QuietHours.parse("00:00-00:00")
    late = local(NEW_YORK, 2026, 3, 11, 23, 30)
    assert delivery_time(late, None, NEW_YORK, off, now=late) == late.astimezone(UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("21:00-07:00", QuietHours()),
        ("9pm-7am", QuietHours()),
        ("22:00 to 06:30", QuietHours(time(22), time(6, 30))),
        ("22:00 \u2013 6am", QuietHours(time(22), time(6))),
    ],
)
def test_quiet_hours_parse(text: str, expected: QuietHours) -> None:
    assert QuietHours.parse(text) == expected


@pytest.mark.parametrize("text", ["21:00", "nine to five", "25:00-07:00", "21-07"])
def test_quiet_hours_refuse_nonsense(text: str) -> None:
    with pytest.raises(ValueError, match=r"21:00-07:00|time of day"):
        QuietHours.parse(text)


def test_quiet_hours_setting() -> None:
    assert load_settings({}, env_file=None).quiet_hours == QuietHours(time(21), time(7))
    custom = load_settings({"BREAKROOM_QUIET_HOURS": "22:00-06:00"}, env_file=None)
    assert str(custom.quiet_hours) == "22:00-06:00"
    with pytest.raises(SettingsError, match=r"^BREAKROOM_QUIET_HOURS: "):
        load_settings({"BREAKROOM_QUIET_HOURS": "late"}, env_file=None)


@pytest.mark.parametrize("text", ["\u0661\u0660:\u0663\u0660", "\uff17pm", "7:\u0663\u0660"])
def test_a_time_of_day_is_written_with_ascii_digits(text: str) -> None:
    with pytest.raises(ValueError, match="isn't a time of day"):
        parse_clock(text)
