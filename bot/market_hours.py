"""When US daily data changes: the refresh point after each trading day's close.

Cached prices and results are valid until the next refresh point (16:20 New York time on a
weekday: the 16:00 close plus time for the daily bar to settle). Exchange holidays are not
modelled; on a holiday the cache simply refreshes once for nothing.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

NEW_YORK = ZoneInfo("America/New_York")
REFRESH_TIME = time(16, 20)


def market_today(now: datetime | None = None) -> date:
    """Today's date in New York, where the closes are dated (the server's own date can be a
    day ahead or behind)."""
    return (now or datetime.now(NEW_YORK)).astimezone(NEW_YORK).date()


def last_refresh_point(now: datetime) -> datetime:
    """The most recent weekday 16:20 New York time at or before `now` (aware datetime)."""
    local = now.astimezone(NEW_YORK)
    candidate = datetime.combine(local.date(), REFRESH_TIME, tzinfo=NEW_YORK)
    if candidate > local:
        candidate -= timedelta(days=1)
    while candidate.weekday() >= 5:
        candidate -= timedelta(days=1)
    return candidate


def next_refresh_point(now: datetime) -> datetime:
    """The first weekday 16:20 New York time strictly after `now`."""
    local = now.astimezone(NEW_YORK)
    candidate = datetime.combine(local.date(), REFRESH_TIME, tzinfo=NEW_YORK)
    if candidate <= local:
        candidate += timedelta(days=1)
    while candidate.weekday() >= 5:
        candidate += timedelta(days=1)
    return candidate


def seconds_until_refresh(now: datetime) -> int:
    """Cache lifetime in whole seconds for data read at `now` (at least 1)."""
    return max(1, int((next_refresh_point(now) - now).total_seconds()))
