"""Refresh points: 16:20 New York on weekdays, across weekends and DST changes."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.market_hours import last_refresh_point, next_refresh_point, seconds_until_refresh


def test_before_the_close_the_last_refresh_was_the_previous_weekday():
    # Monday 2024-03-25 14:00 UTC = 10:00 New York (EDT) -> Friday 16:20 EDT = 20:20 UTC
    now = datetime(2024, 3, 25, 14, 0, tzinfo=UTC)
    assert last_refresh_point(now).astimezone(UTC) == datetime(2024, 3, 22, 20, 20, tzinfo=UTC)
    assert next_refresh_point(now).astimezone(UTC) == datetime(2024, 3, 25, 20, 20, tzinfo=UTC)


def test_winter_time_is_utc_minus_five():
    now = datetime(2024, 1, 6, 12, 0, tzinfo=UTC)  # Saturday
    assert next_refresh_point(now).astimezone(UTC) == datetime(2024, 1, 8, 21, 20, tzinfo=UTC)


def test_cache_lifetime_runs_to_the_next_refresh():
    now = datetime(2024, 3, 25, 20, 0, tzinfo=UTC)  # 16:00 EDT, 20 minutes before refresh
    assert seconds_until_refresh(now) == 20 * 60
