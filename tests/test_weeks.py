"""ISO weeks in Europe/London time, across the clock changes and in 53-week years."""

from datetime import UTC, datetime, timedelta

import pytest

from locator.weeks import BadWeek, IsoWeek


def test_parse_and_print():
    week = IsoWeek.parse("2026-W47")
    assert (week.year, week.week, str(week)) == (2026, 47, "2026-W47")
    assert week.label == "16 to 22 November 2026"


@pytest.mark.parametrize("text", ["2026-W54", "2025-W53", "2026-W00", "abc", "2026W47", "",
                                  "2026-W7", "99999-W01"])
def test_impossible_or_malformed_weeks(text):
    with pytest.raises(BadWeek):
        IsoWeek.parse(text)


def test_week_53_years():
    assert IsoWeek.parse("2020-W53").next() == IsoWeek(2021, 1)
    assert IsoWeek.parse("2026-W53").next() == IsoWeek(2027, 1)  # 2026 has 53 weeks
    assert IsoWeek.parse("2026-W01").previous() == IsoWeek(2025, 52)
    assert IsoWeek(2021, 1).previous() == IsoWeek(2020, 53)
    # 1 January 2027 is a Friday: it belongs to 2026-W53.
    assert IsoWeek.containing(datetime(2027, 1, 1, 12, tzinfo=UTC)) == IsoWeek(2026, 53)


def test_summer_time_monday_starts_at_2300_utc_on_sunday():
    week = IsoWeek.parse("2026-W27")  # July: London is UTC+1
    assert week.starts == datetime(2026, 6, 28, 23, 0, tzinfo=UTC)
    # 00:30 BST on Monday is 23:30 UTC on Sunday: it belongs to the Monday's week.
    assert IsoWeek.containing(datetime(2026, 6, 28, 23, 30, tzinfo=UTC)) == week
    assert IsoWeek.containing(datetime(2026, 6, 28, 22, 59, tzinfo=UTC)) == week.previous()


def test_weeks_with_clock_changes_are_167_and_169_hours():
    spring = IsoWeek.containing(datetime(2026, 3, 29, 12, tzinfo=UTC))  # clocks go forward
    autumn = IsoWeek.containing(datetime(2026, 10, 25, 12, tzinfo=UTC))  # clocks go back
    assert spring.ends - spring.starts == timedelta(hours=167)
    assert autumn.ends - autumn.starts == timedelta(hours=169)
    winter = IsoWeek.parse("2026-W02")
    assert winter.starts == datetime(2026, 1, 5, 0, 0, tzinfo=UTC)
    assert winter.ends - winter.starts == timedelta(hours=168)
