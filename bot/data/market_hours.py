"""When US daily data changes: the refresh point after each trading session's close.

Cached prices and results are valid until the next refresh point: the close of the next NYSE
session plus SETTLE_DELAY for the daily bar to settle (16:20 New York on a full day, 13:20
after a 13:00 early close). Weekends and exchange holidays (Good Friday, Juneteenth, days of
mourning) have no refresh point, so nothing is refetched or re-rendered for them. The
sessions come from bot.data.trading_calendar (exchange_calendars' XNYS).
"""

from __future__ import annotations

from datetime import date, datetime

from bot.data.trading_calendar import NEW_YORK, SETTLE_DELAY, nyse

__all__ = ["NEW_YORK", "SETTLE_DELAY", "last_refresh_point", "market_today",
           "next_refresh_point", "seconds_until_refresh", "last_final_close"]


def market_today(now: datetime | None = None) -> date:
    """Today's date in New York, where the closes are dated (the server's own date can be a
    day ahead or behind)."""
    return (now or datetime.now(NEW_YORK)).astimezone(NEW_YORK).date()


def last_final_close(now: datetime) -> date:
    """The last trading day whose close is final at `now` (aware): the newest close every
    symbol should have. On a Saturday, Good Friday or a Monday morning: the last session."""
    return nyse().last_final_session(now).day


def last_refresh_point(now: datetime) -> datetime:
    """The most recent session close + settle delay at or before `now` (aware datetime, New
    York time): 16:20, or 13:20 after an early close; holidays and weekends have none."""
    return nyse().last_final_session(now).final_at.astimezone(NEW_YORK)


def next_refresh_point(now: datetime) -> datetime:
    """The first session close + settle delay strictly after `now` (New York time)."""
    return nyse().next_final_session(now).final_at.astimezone(NEW_YORK)


def seconds_until_refresh(now: datetime) -> int:
    """Cache lifetime in whole seconds for data read at `now` (at least 1)."""
    return max(1, int((next_refresh_point(now) - now).total_seconds()))
