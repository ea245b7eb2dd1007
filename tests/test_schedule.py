"""Pulse survey schedules: the plain forms HR types, the next run across daylight-saving changes,
and the missed-run window."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.crontab import crontab_trigger
from bot.i18n import translator
from skills.pulse.schedule import Schedule, ScheduleError, next_run, within_window
from skills.pulse.schedule_parser import parse_schedule

NEW_YORK = ZoneInfo("America/New_York")
TODAY = date(2026, 3, 4)  # a Wednesday
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def local(
    tz: ZoneInfo, year: int, month: int, day: int, hour: int = 0, minute: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=tz)


def runs(schedule: Schedule, after: datetime, count: int, tz: ZoneInfo = NEW_YORK) -> list[str]:
    """The next `count` runs as local wall-clock strings, to read the tests at a glance."""
    found: list[str] = []
    for _ in range(count):
        run = next_run(schedule, after, tz)
        assert run is not None
        assert run.tzinfo is UTC
        found.append(f"{run.astimezone(tz):%a %Y-%m-%d %H:%M %Z}")
        after = run
    return found


# -- parsing ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("once 2026-12-01 10:00", Schedule.once(date(2026, 12, 1), time(10))),
        ("on 2026-12-01 at 2pm", Schedule.once(date(2026, 12, 1), time(14))),
        ("tomorrow 9:30", Schedule.once(date(2026, 3, 5), time(9, 30))),
        ("today at 4:15 pm", Schedule.once(TODAY, time(16, 15))),
        # One moment in Spanish, as the announcement form offers it to Spanish readers.
        ("mañana 9:30", Schedule.once(date(2026, 3, 5), time(9, 30))),
        ("manana 9:30", Schedule.once(date(2026, 3, 5), time(9, 30))),
        ("hoy 17:00", Schedule.once(TODAY, time(17))),
        ("una vez el 2026-12-01 10:00", Schedule.once(date(2026, 12, 1), time(10))),
        ("every monday 10:00", Schedule.weekly((MON,), time(10))),
        ("Every Monday at 10", Schedule.weekly((MON,), time(10))),
        ("weekly on thursday 12:30", Schedule.weekly((THU,), time(12, 30))),
        (
            "every other monday 10:00",
            Schedule.weekly((MON,), time(10), every_weeks=2, start=date(2026, 3, 9)),
        ),
        (
            "every other monday 10:00 starting 2026-03-16",
            Schedule.weekly((MON,), time(10), every_weeks=2, start=date(2026, 3, 16)),
        ),
        (
            "every 2 weeks on tuesday at 14:00",
            Schedule.weekly((TUE,), time(14), every_weeks=2, start=date(2026, 3, 10)),
        ),
        (
            "every 3 weeks on wed and fri 08:00",
            Schedule.weekly((WED, FRI), time(8), every_weeks=3, start=TODAY),
        ),
        ("every weekday 08:00", Schedule.weekly((MON, TUE, WED, THU, FRI), time(8))),
        ("weekdays 6:45am", Schedule.weekly((MON, TUE, WED, THU, FRI), time(6, 45))),
        ("every mon-fri 8am", Schedule.weekly((MON, TUE, WED, THU, FRI), time(8))),
        ("mon,wed,fri 7:30am", Schedule.weekly((MON, WED, FRI), time(7, 30))),
        ("every tues and thurs at 7pm", Schedule.weekly((TUE, THU), time(19))),
        ("daily 09:00", Schedule.weekly(tuple(range(7)), time(9))),
        ("every day at 12am", Schedule.weekly(tuple(range(7)), time(0))),
        ("first monday of the month 10:00", Schedule.monthly_on_weekday(1, MON, time(10))),
        ("monthly on the 2nd tuesday 11:00", Schedule.monthly_on_weekday(2, TUE, time(11))),
        ("last friday of every month 4pm", Schedule.monthly_on_weekday(-1, FRI, time(16))),
        ("on the 1st at 09:00", Schedule.monthly_on_day(1, time(9))),
        ("the 15th of each month 13:00", Schedule.monthly_on_day(15, time(13))),
        ("every month on the 28th 08:00", Schedule.monthly_on_day(28, time(8))),
        ("cron 0 10 * * 1", Schedule.from_cron("0 10 * * 1")),
        ("CRON  30 7   * * mon-fri", Schedule.from_cron("30 7 * * mon-fri")),
    ],
)
def test_plain_forms_are_read(text: str, expected: Schedule) -> None:
    assert parse_schedule(text, TODAY) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Say when it should run"),
        ("every blursday 10:00", "couldn't read 'every blursday 10:00'"),
        ("whenever you like", "couldn't read"),
        ("every monday", "Add a time of day"),
        ("every monday 25:00", "'25:00' isn't a time of day"),
        ("every monday 13pm", "with am/pm the hour is 1 to 12"),
        ("once 2025-01-01 10:00", "2025-01-01 is in the past"),
        ("once 2026-02-30 10:00", "'2026-02-30' isn't a date"),
        ("on the 31st at 9:00", "Not every month has a 31st"),
        ("every 0 weeks on monday 10:00", "every 1 to 52 weeks"),
        ("every 60 weeks on monday 10:00", "every 1 to 52 weeks"),
        ("first monkey of the month 10:00", "'monkey' is not a day of the week"),
        ("monday 10:00", "'every monday 10:00'"),
        ("tomorrow 9:00 starting 2026-04-01", "'starting' only goes with a repeating"),
        ("cron 0 10 * *", "5 fields"),
        ("cron 0 10 * * 9", "weekday must be 0-7"),
        ("cron 61 10 * * *", "doesn't work"),
    ],
)
def test_unreadable_schedules_say_what_to_type(text: str, message: str) -> None:
    with pytest.raises(ScheduleError) as caught:
        parse_schedule(text, TODAY)
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("every \u0662 weeks on monday 10:00", "with the digits 0 to 9"),
        ("every monday \u0661\u0660:\u0663\u0660", "with the digits 0 to 9"),
        ("every monday \uff11\uff10:00", "with the digits 0 to 9"),
        ("once \u0662\u0660\u0662\u0666-\u0661\u0662-\u0660\u0661 10:00", "digits 0 to 9"),
        ("on the \u0663rd 10:00", "with the digits 0 to 9"),
        ("cron 0 \u0661\u0660 * * 1", "with the digits 0 to 9"),
        ("cron 0 10 * * \u00b2", "with the digits 0 to 9"),
        ("every " + "9" * 5000 + " weeks on monday 10:00", "every 1 to 52 weeks"),
        ("every 99999999999999999999 weeks on monday 10:00", "every 1 to 52 weeks"),
        ("once 9999-12-31 10:00", "9999-12-31 is too far ahead; pick a date within two years."),
        ("once 2028-03-06 10:00", "too far ahead"),
        ("every monday 10:00 starting 9999-12-31", "too far ahead"),
        ("every other monday 10:00 starting 2030-01-07", "too far ahead"),
        ("cron 0 99999999999999999999 * * *", "a cron number is at most 59 (minutes)"),
        ("cron 0 10 * * 1/" + "9" * 5000, "a cron number is at most 59"),
    ],
)
def test_numbers_in_a_schedule_are_ascii_digits_within_bounds(text: str, message: str) -> None:
    with pytest.raises(ScheduleError) as caught:
        parse_schedule(text, TODAY)
    assert message in str(caught.value)
    assert len(str(caught.value)) < 200  # a long number is never echoed back


def test_a_date_two_years_ahead_is_still_accepted() -> None:
    assert parse_schedule("once 2028-03-04 10:00", TODAY).on == date(2028, 3, 4)


def test_a_single_bare_weekday_asks_which_was_meant() -> None:
    with pytest.raises(ScheduleError) as caught:
        parse_schedule("friday 3pm", TODAY)
    assert str(caught.value) == (
        "Did you mean every Friday ('every friday 15:00'), "
        "or only the next one ('once 2026-03-06 15:00')?"
    )


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("once 2026-12-01 10:00", "once, on Tue 1 Dec, 10:00"),
        ("every monday 10:00", "every Monday at 10:00"),
        (
            "every other monday 10:00",
            "every other Monday at 10:00, starting Mon 9 Mar",
        ),
        (
            "every 3 weeks on mon,thu 08:00",
            "every 3 weeks on Monday and Thursday at 08:00, starting Thu 5 Mar",
        ),
        ("every weekday 08:00", "every weekday at 08:00"),
        ("mon,wed,fri 7:30am", "every Monday, Wednesday, and Friday at 07:30"),
        ("daily 09:00", "every day at 09:00"),
        ("first monday of the month 10:00", "on the first Monday of every month at 10:00"),
        ("last friday of the month 16:00", "on the last Friday of every month at 16:00"),
        ("on the 1st at 09:00", "on the 1st of every month at 09:00"),
        ("on the 22nd at 09:00", "on the 22nd of every month at 09:00"),
        ("cron 0 10 * * 1", "on the cron schedule `0 10 * * 1`"),
    ],
)
def test_describe_confirms_the_schedule_in_words(text: str, words: str) -> None:
    assert parse_schedule(text, TODAY).describe() == words


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("once 2026-12-01 10:00", "una vez, el mar 1 dic, 10:00"),
        ("every sunday 10:00", "cada domingo a las 10:00"),
        (
            "every other monday 10:00",
            "cada dos semanas, el lunes a las 10:00, a partir del lun 9 mar",
        ),
        (
            "every 3 weeks on mon,thu 08:00",
            "cada 3 semanas (lunes y jueves) a las 08:00, a partir del jue 5 mar",
        ),
        ("every weekday 08:00", "de lunes a viernes a las 08:00"),
        ("mon,wed,fri 7:30am", "cada lunes, miércoles y viernes a las 07:30"),
        ("daily 09:00", "todos los días a las 09:00"),
        ("first monday of the month 10:00", "el primer lunes de cada mes a las 10:00"),
        ("last friday of the month 16:00", "el último viernes de cada mes a las 16:00"),
        ("on the 22nd at 09:00", "el día 22 de cada mes a las 09:00"),
        ("cron 0 10 * * 1", "según el horario cron `0 10 * * 1`"),
    ],
)
def test_describe_speaks_the_readers_language(text: str, words: str) -> None:
    assert parse_schedule(text, TODAY).describe(translator("es")) == words


@pytest.mark.parametrize(
    "text",
    [
        "once 2026-12-01 10:00",
        "every other monday 10:00",
        "every weekday 08:00",
        "first monday of the month 10:00",
        "last sunday of the month 10:00",
        "on the 1st at 09:00",
        "cron 0 10 * * 1",
    ],
)
def test_json_round_trip(text: str) -> None:
    schedule = parse_schedule(text, TODAY)
    assert Schedule.from_json(schedule.to_json()) == schedule


def test_json_is_readable() -> None:
    schedule = parse_schedule("every other monday 10:00", TODAY)
    assert schedule.to_json() == {
        "kind": "weekly",
        "at": "10:00",
        "start": "2026-03-09",
        "weekdays": ["mon"],
        "every_weeks": 2,
    }


def test_a_one_off_at_a_moment_with_seconds_round_trips() -> None:
    schedule = Schedule.once(date(2026, 3, 4), time(9, 41, 7))
    assert schedule.to_json()["at"] == "09:41:07"
    assert Schedule.from_json(schedule.to_json()) == schedule


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"kind": "hourly", "at": "10:00"},
        {"kind": "weekly", "at": "10:00"},
        {"kind": "weekly", "at": "ten", "weekdays": ["mon"]},
        {"kind": "weekly", "at": "10:00", "weekdays": ["funday"]},
        {"kind": "once", "at": "10:00"},
        {"kind": "monthly", "at": "10:00", "day": 31},
        {"kind": "cron", "cron": "every day"},
    ],
)
def test_malformed_stored_schedules_are_refused(data: dict[str, object]) -> None:
    with pytest.raises(ScheduleError, match="malformed"):
        Schedule.from_json(data)


def test_cron_weekday_numbers_are_classic_cron() -> None:
    """APScheduler 3 counts Monday as 0; `1` must still mean Monday, 0 and 7 Sunday."""
    trigger = crontab_trigger("0 10 * * 1", NEW_YORK)
    fire = trigger.get_next_fire_time(None, local(NEW_YORK, 2026, 3, 4))
    assert fire == local(NEW_YORK, 2026, 3, 9, 10)
    sunday = crontab_trigger("0 10 * * 7", NEW_YORK).get_next_fire_time(
        None, local(NEW_YORK, 2026, 3, 4)
    )
    assert sunday == local(NEW_YORK, 2026, 3, 8, 10)


# -- next run ------------------------------------------------------------------------------------


def test_once_runs_at_its_moment_then_never_again() -> None:
    schedule = parse_schedule("once 2026-12-01 10:00", TODAY)
    run = next_run(schedule, utc(2026, 3, 4), NEW_YORK)
    assert run == utc(2026, 12, 1, 15)
    assert next_run(schedule, run, NEW_YORK) is None
    assert next_run(schedule, utc(2027, 1, 1), NEW_YORK) is None


def test_weekly_and_several_days() -> None:
    schedule = parse_schedule("mon,wed,fri 7:30am", TODAY)
    assert runs(schedule, utc(2026, 3, 4, 13), 4) == [
        "Fri 2026-03-06 07:30 EST",
        "Mon 2026-03-09 07:30 EDT",
        "Wed 2026-03-11 07:30 EDT",
        "Fri 2026-03-13 07:30 EDT",
    ]


def test_a_run_later_today_is_next() -> None:
    schedule = parse_schedule("every wednesday 10:00", TODAY)
    assert next_run(schedule, local(NEW_YORK, 2026, 3, 4, 9, 59), NEW_YORK) == utc(2026, 3, 4, 15)
    assert next_run(schedule, local(NEW_YORK, 2026, 3, 4, 10), NEW_YORK) == utc(2026, 3, 11, 14)


def test_every_other_week_counts_from_its_start() -> None:
    schedule = parse_schedule("every other monday 10:00", TODAY)
    assert runs(schedule, utc(2026, 3, 1), 3) == [
        "Mon 2026-03-09 10:00 EDT",
        "Mon 2026-03-23 10:00 EDT",
        "Mon 2026-04-06 10:00 EDT",
    ]
    later = parse_schedule("every other monday 10:00 starting 2026-03-16", TODAY)
    assert runs(later, utc(2026, 3, 1), 2) == [
        "Mon 2026-03-16 10:00 EDT",
        "Mon 2026-03-30 10:00 EDT",
    ]


def test_every_three_weeks_on_two_days() -> None:
    schedule = parse_schedule("every 3 weeks on tue,thu 14:00", TODAY)
    assert runs(schedule, utc(2026, 3, 4), 4) == [
        "Thu 2026-03-05 14:00 EST",
        "Tue 2026-03-24 14:00 EDT",
        "Thu 2026-03-26 14:00 EDT",
        "Tue 2026-04-14 14:00 EDT",
    ]


def test_nothing_runs_before_the_start_day() -> None:
    schedule = parse_schedule("every weekday 08:00 starting 2026-04-01", TODAY)
    assert runs(schedule, utc(2026, 3, 4), 2) == [
        "Wed 2026-04-01 08:00 EDT",
        "Thu 2026-04-02 08:00 EDT",
    ]


def test_monthly_forms() -> None:
    after = utc(2026, 3, 4)
    first_monday = parse_schedule("first monday of the month 10:00", TODAY)
    assert runs(first_monday, after, 3) == [
        "Mon 2026-04-06 10:00 EDT",
        "Mon 2026-05-04 10:00 EDT",
        "Mon 2026-06-01 10:00 EDT",
    ]
    last_friday = parse_schedule("last friday of the month 16:00", TODAY)
    assert runs(last_friday, after, 3) == [
        "Fri 2026-03-27 16:00 EDT",
        "Fri 2026-04-24 16:00 EDT",
        "Fri 2026-05-29 16:00 EDT",
    ]
    first = parse_schedule("on the 1st at 09:00", TODAY)
    assert runs(first, utc(2026, 11, 15), 3) == [
        "Tue 2026-12-01 09:00 EST",
        "Fri 2027-01-01 09:00 EST",
        "Mon 2027-02-01 09:00 EST",
    ]


def test_cron_runs() -> None:
    schedule = parse_schedule("cron 0 10 * * 1", TODAY)
    assert runs(schedule, utc(2026, 3, 4), 2) == [
        "Mon 2026-03-09 10:00 EDT",
        "Mon 2026-03-16 10:00 EDT",
    ]


# -- daylight saving time ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["every monday 10:00", "cron 0 10 * * 1", "first monday of the month 10:00"]
)
def test_ten_oclock_stays_ten_oclock_across_both_changes(text: str) -> None:
    schedule = parse_schedule(text, TODAY)
    for after in (utc(2026, 3, 1), utc(2026, 10, 26, 16)):
        run = next_run(schedule, after, NEW_YORK)
        assert run is not None
        assert run.astimezone(NEW_YORK).time() == time(10)
    # Same wall clock, different UTC hour: EST (UTC-5) before March 8, EDT (UTC-4) after.
    weekly = parse_schedule("every monday 10:00", TODAY)
    assert next_run(weekly, utc(2026, 3, 1), NEW_YORK) == utc(2026, 3, 2, 15)
    assert next_run(weekly, utc(2026, 3, 3), NEW_YORK) == utc(2026, 3, 9, 14)
    assert next_run(weekly, utc(2026, 10, 27), NEW_YORK) == utc(2026, 11, 2, 15)


def test_daily_runs_through_the_spring_and_autumn_changes() -> None:
    daily = parse_schedule("daily 10:00", TODAY)
    assert runs(daily, utc(2026, 3, 7), 2) == [
        "Sat 2026-03-07 10:00 EST",
        "Sun 2026-03-08 10:00 EDT",
    ]
    assert runs(daily, utc(2026, 10, 31), 2) == [
        "Sat 2026-10-31 10:00 EDT",
        "Sun 2026-11-01 10:00 EST",
    ]


@pytest.mark.parametrize("text", ["daily 02:30", "cron 30 2 * * *"])
def test_a_time_skipped_by_spring_forward_runs_as_much_later(text: str) -> None:
    """02:30 does not exist on 2026-03-08 in New York (02:00 → 03:00): it runs at 03:30."""
    schedule = parse_schedule(text, TODAY)
    assert runs(schedule, utc(2026, 3, 7, 12), 2) == [
        "Sun 2026-03-08 03:30 EDT",
        "Mon 2026-03-09 02:30 EDT",
    ]


@pytest.mark.parametrize("text", ["daily 01:30", "cron 30 1 * * *"])
def test_a_time_repeated_by_fall_back_runs_once(text: str) -> None:
    """01:30 happens twice on 2026-11-01 in New York: the survey runs at the first only."""
    schedule = parse_schedule(text, TODAY)
    assert runs(schedule, utc(2026, 10, 31, 12), 2) == [
        "Sun 2026-11-01 01:30 EDT",
        "Mon 2026-11-02 01:30 EST",
    ]


# -- missed runs ---------------------------------------------------------------------------------


def test_a_missed_run_still_happens_inside_its_window_only() -> None:
    missed = utc(2026, 3, 9, 14)
    window = timedelta(hours=12)
    assert within_window(missed, missed, window)
    assert within_window(missed, missed + timedelta(hours=11, minutes=59), window)
    assert not within_window(missed, missed + timedelta(hours=12, seconds=1), window)
    assert not within_window(missed, missed - timedelta(seconds=1), window)
