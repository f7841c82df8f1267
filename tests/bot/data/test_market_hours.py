"""Refresh points: 16:20 New York on trading days, across weekends and DST changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.data.market_hours import (
    last_refresh_point,
    market_today,
    next_refresh_point,
    seconds_until_refresh,
)
from handlers.words import CommandError
from tests.query_helpers import parse_command


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


def test_market_today_is_the_new_york_date_not_the_servers():
    # 01:30 UTC on Wednesday is still Tuesday evening in New York (EST, UTC-5)
    assert market_today(datetime(2026, 11, 25, 1, 30, tzinfo=UTC)) == date(2026, 11, 24)
    assert market_today(datetime(2026, 11, 25, 5, 0, tzinfo=UTC)) == date(2026, 11, 25)


def test_an_as_of_date_after_new_yorks_today_is_refused():
    tomorrow = datetime.now(ZoneInfo("America/New_York")).date() + timedelta(days=1)
    with pytest.raises(CommandError, match="is in the future"):
        parse_command(f"gap 3y as-of {tomorrow}")
    assert parse_command(f"gap 3y as-of {tomorrow - timedelta(days=1)}").as_of is not None
