"""The NYSE trading calendar: sessions, holidays and 13:00 early closes.

Built once per process from exchange_calendars' `XNYS` (holidays such as Good Friday and
Juneteenth, days of mourning such as 2025-01-09, early closes such as 2024-07-03 at 13:00)
and kept as plain sorted lists, so a lookup is a `bisect` (microseconds): the calendar sits
on every reply's path (cache keys, freshness) and must not slow a warm one. Outside the
built span (before 1990 or more than a few years ahead) weekdays with a 16:00 close are
assumed, and said so in the log once.
"""

from __future__ import annotations

import bisect
import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

logger = logging.getLogger(__name__)

NEW_YORK = ZoneInfo("America/New_York")
REGULAR_OPEN, REGULAR_CLOSE = time(9, 30), time(16, 0)
SETTLE_DELAY = timedelta(minutes=20)
"""After a session's close, Yahoo's daily bar takes a while to settle: closes count as final
(and cached data refreshes) this long after the close: 16:20 New York, 13:20 on early closes."""
FIRST_DAY = date(1990, 1, 1)


@dataclass(frozen=True)
class Session:
    """One trading day: its date and when it opened and closed (aware datetimes)."""

    day: date
    open: datetime
    close: datetime

    @property
    def final_at(self) -> datetime:
        """When the day's close counts as final: the close plus SETTLE_DELAY."""
        return self.close + SETTLE_DELAY

    @property
    def early_close(self) -> bool:
        """True on a shortened day (e.g. 13:00 New York on 2024-07-03)."""
        return self.close.astimezone(NEW_YORK).time() < REGULAR_CLOSE


def _weekday_session(day: date) -> Session | None:
    """The fallback outside the built span: every weekday, 09:30-16:00 New York."""
    if day.weekday() >= 5:
        return None
    return Session(day, datetime.combine(day, REGULAR_OPEN, tzinfo=NEW_YORK),
                   datetime.combine(day, REGULAR_CLOSE, tzinfo=NEW_YORK))


class TradingCalendar:
    """Sessions of one exchange between `first` and `last` (inclusive), weekdays outside."""

    def __init__(self, sessions: list[Session]) -> None:
        """sessions: every session of the span, sorted by day (at least one)."""
        self._sessions = sessions
        self._days = [s.day.toordinal() for s in sessions]
        self._finals = [s.final_at.timestamp() for s in sessions]
        self.first, self.last = sessions[0].day, sessions[-1].day

    @classmethod
    def xnys(cls, first: date = FIRST_DAY, last: date | None = None) -> TradingCalendar:
        """The NYSE calendar from exchange_calendars (about a second to build)."""
        import exchange_calendars  # lazy: only needed once per process

        last = last or date(datetime.now(UTC).year + 5, 12, 31)
        cal = exchange_calendars.get_calendar("XNYS", start=first.isoformat(),
                                              end=last.isoformat())
        schedule = cal.schedule
        sessions = [Session(day.date(), opened.to_pydatetime(), closed.to_pydatetime())
                    for day, opened, closed in zip(schedule.index, schedule["open"],
                                                   schedule["close"], strict=True)]
        return cls(sessions)

    def _in_span(self, day: date) -> bool:
        return self.first <= day <= self.last

    def session(self, day: date) -> Session | None:
        """The session on `day`, or None on a weekend or exchange holiday."""
        if not self._in_span(day):
            return _weekday_session(day)
        i = bisect.bisect_left(self._days, day.toordinal())
        if i < len(self._days) and self._days[i] == day.toordinal():
            return self._sessions[i]
        return None

    def is_session(self, day: date) -> bool:
        """True when the exchange trades on `day`."""
        return self.session(day) is not None

    def previous_session(self, day: date) -> Session:
        """The last session strictly before `day`."""
        candidate = day - timedelta(days=1)
        if self._in_span(candidate) and candidate > self.first:
            i = bisect.bisect_right(self._days, candidate.toordinal()) - 1
            return self._sessions[i]
        while (found := self.session(candidate)) is None:
            candidate -= timedelta(days=1)
        return found

    def next_session(self, day: date) -> Session:
        """The first session strictly after `day`."""
        candidate = day + timedelta(days=1)
        if self._in_span(candidate) and candidate < self.last:
            i = bisect.bisect_left(self._days, candidate.toordinal())
            return self._sessions[i]
        while (found := self.session(candidate)) is None:
            candidate += timedelta(days=1)
        return found

    def last_final_session(self, now: datetime) -> Session:
        """The latest session whose close is final at `now` (close + SETTLE_DELAY <= now):
        the last completed trading day, the newest close a source should have."""
        stamp = now.timestamp()
        if self._finals[0] <= stamp <= self._finals[-1]:
            return self._sessions[bisect.bisect_right(self._finals, stamp) - 1]
        day = now.astimezone(NEW_YORK).date()
        session = self.session(day)
        if session is not None and session.final_at <= now:
            return session
        return self.previous_session(day)

    def next_final_session(self, now: datetime) -> Session:
        """The first session whose close becomes final strictly after `now`."""
        return self.next_session(self.last_final_session(now).day)

    def open_session(self, now: datetime) -> Session | None:
        """The session under way at `now` (opened, close not yet final), or None."""
        session = self.session(now.astimezone(NEW_YORK).date())
        if session is not None and session.open <= now < session.final_at:
            return session
        return None

    def last_session_of_week(self, day: date) -> Session | None:
        """The last session of `day`'s Monday-to-Sunday week (Thursday when Friday is a
        holiday), or None for a week without any."""
        monday = day - timedelta(days=day.weekday())
        last = None
        for offset in range(5):
            found = self.session(monday + timedelta(days=offset))
            last = found or last
        return last


@lru_cache(maxsize=1)
def nyse() -> TradingCalendar:
    """The process-wide NYSE calendar (built on first use, then shared: it never changes)."""
    return TradingCalendar.xnys()
