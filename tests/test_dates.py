"""Every date a person reads: one short form, on their own clock."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from bot.dates import reader_zone
from bot.i18n import translator

NEW_YORK = ZoneInfo("America/New_York")
EN, ES = translator("en"), translator("es")
# Friday 11 December 04:00 UTC is still Thursday evening on the US east coast.
CLOSES = datetime(2026, 12, 11, 4, 0, tzinfo=UTC)


def test_a_moment_reads_on_the_readers_clock_in_one_short_form() -> None:
    assert EN.moment(CLOSES, NEW_YORK) == "Thu 10 Dec, 23:00"
    assert EN.moment(CLOSES, ZoneInfo("UTC")) == "Fri 11 Dec, 04:00"
    assert EN.local_day(CLOSES, NEW_YORK) == "Thu 10 Dec"
    assert EN.day(date(2026, 3, 2)) == "Mon 2 Mar"


def test_a_spanish_reader_reads_the_same_form_in_spanish() -> None:
    assert ES.moment(CLOSES, NEW_YORK) == "jue 10 dic, 23:00"
    assert ES.local_day(CLOSES, NEW_YORK) == "jue 10 dic"
    assert ES.day(date(2026, 3, 2)) == "lun 2 mar"


def test_the_year_is_named_only_for_a_moment_in_another_year() -> None:
    assert EN.moment(CLOSES, NEW_YORK, now=CLOSES) == "Thu 10 Dec, 23:00"
    later = datetime(2027, 1, 5, tzinfo=UTC)
    assert EN.moment(CLOSES, NEW_YORK, now=later) == "Thu 10 Dec 2026, 23:00"
    assert ES.moment(CLOSES, NEW_YORK, now=later) == "jue 10 dic 2026, 23:00"


def test_a_missing_or_unknown_zone_falls_back_to_the_hospitals() -> None:
    assert reader_zone("America/Los_Angeles", "America/New_York").key == "America/Los_Angeles"
    assert reader_zone(None, "America/New_York") == NEW_YORK
    assert reader_zone("Mars/Olympus_Mons", "America/New_York") == NEW_YORK
