"""Refresh points follow the NYSE calendar: holidays have none, early closes refresh at 13:20.

Expected dates are NYSE's published holiday and early-close schedule (nyse.com, "Holidays
& Trading Hours"), not the library's output.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.data.market_hours import last_final_close, last_refresh_point, next_refresh_point
from bot.data.trading_calendar import nyse


def _utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_good_friday_has_no_refresh_point():
    # Friday 2024-03-29 (Good Friday) 21:00 UTC = 17:00 New York: the last refresh is Thursday's
    now = _utc(2024, 3, 29, 21, 0)
    assert last_refresh_point(now).astimezone(UTC) == _utc(2024, 3, 28, 20, 20)
    assert next_refresh_point(now).astimezone(UTC) == _utc(2024, 4, 1, 20, 20)
    assert last_final_close(now) == date(2024, 3, 28)


def test_early_close_refreshes_at_1320():
    # 2024-07-03 closed at 13:00 New York (EDT = UTC-4): final at 13:20 = 17:20 UTC
    assert next_refresh_point(_utc(2024, 7, 3, 15, 0)).astimezone(UTC) == _utc(2024, 7, 3, 17, 20)
    assert last_final_close(_utc(2024, 7, 3, 17, 25)) == date(2024, 7, 3)
    assert last_final_close(_utc(2024, 7, 3, 17, 15)) == date(2024, 7, 2)
    # the next one skips Independence Day
    assert next_refresh_point(_utc(2024, 7, 3, 18, 0)).astimezone(UTC) == _utc(2024, 7, 5, 20, 20)


def test_juneteenth_and_a_day_of_mourning_are_not_sessions():
    cal = nyse()
    for holiday in (date(2024, 6, 19), date(2025, 1, 9), date(2024, 12, 25), date(2024, 11, 28)):
        assert not cal.is_session(holiday), holiday
    assert cal.session(date(2024, 11, 29)).early_close  # the day after Thanksgiving, 13:00
    assert cal.session(date(2024, 12, 24)).early_close
    assert not cal.session(date(2024, 12, 23)).early_close


def test_last_session_of_a_week_with_good_friday_is_thursday():
    assert nyse().last_session_of_week(date(2024, 3, 26)).day == date(2024, 3, 28)
    assert nyse().last_session_of_week(date(2024, 3, 19)).day == date(2024, 3, 22)


def test_weekday_fallback_outside_the_calendar_span():
    # 1985 is before the built span: weekdays count, as before
    assert last_final_close(_utc(1985, 6, 3, 12, 0)) == date(1985, 5, 31)
