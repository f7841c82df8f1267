"""Independent plain-Python recomputations on the real CSV files, for checking the analytics.

Nothing here uses pandas or the project's code: the csv module, datetime, bisect and
statistics only, written the slow obvious way, so a bug in the vectorised code cannot hide in
a shared helper.
"""

from __future__ import annotations

import bisect
import calendar
import csv
from datetime import date
from pathlib import Path


def read_closes(path: Path, column: str = "Close") -> dict[date, float]:
    """Date -> close from a `Date,Open,High,Low,Close,Volume` file (last row wins), or from
    another column such as `Adj Close`."""
    closes: dict[date, float] = {}
    with open(path, newline="") as handle:
        for row in csv.DictReader(handle):
            if row[column]:
                closes[date.fromisoformat(row["Date"][:10])] = float(row[column])
    return closes


def period_returns_pct(small: dict[date, float], large: dict[date, float], years: int,
                       as_of: date | None = None) -> tuple[date, date, float, float]:
    """(start, end, small %, large %) over `years` ending at the last common close on or
    before `as_of`, starting at the last common close on or before the same date `years`
    earlier: the window convention of docs/methodology.md, the slow way."""
    days = common_dates(small, large, until=as_of)
    end = days[-1]
    start = days[bisect.bisect_right(days, years_before(end, years)) - 1]
    return (start, end, (small[end] / small[start] - 1) * 100,
            (large[end] / large[start] - 1) * 100)


def common_dates(*series: dict[date, float], until: date | None = None) -> list[date]:
    """Sorted dates every series has, up to `until` (inclusive)."""
    days = set(series[0])
    for other in series[1:]:
        days &= set(other)
    return sorted(d for d in days if until is None or d <= until)


def years_before(day: date, years: int) -> date:
    """The same calendar date `years` earlier (29 Feb -> 28 Feb)."""
    year = day.year - years
    return date(year, day.month, min(day.day, calendar.monthrange(year, day.month)[1]))


def last_on_or_before(days: list[date], when: date) -> int | None:
    """Position of the last day in sorted `days` on or before `when`."""
    pos = bisect.bisect_right(days, when) - 1
    return pos if pos >= 0 else None


def rolling_gaps(small: dict[date, float], large: dict[date, float], years: int,
                 until: date | None = None) -> list[tuple[date, float]]:
    """(end day, gap in pp) for every window of `years` ending on a common day."""
    days = common_dates(small, large, until=until)
    out = []
    for i, end in enumerate(days):
        start_pos = last_on_or_before(days, years_before(end, years))
        if start_pos is None or start_pos >= i:
            continue
        start = days[start_pos]
        small_ret = small[end] / small[start] - 1
        large_ret = large[end] / large[start] - 1
        out.append((end, (large_ret - small_ret) * 100))
    return out


def add_months(day: date, months: int) -> date:
    """Calendar month arithmetic, clipping to month end (by hand)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def event_window(rut: dict[date, float], gspc: dict[date, float], event: date, months: int,
                 until: date | None = None) -> tuple[date, date, float, float, bool]:
    """(start, end, gap_pp, ratio_change_pct, complete) of the `cuts` window of `months`
    around `event` (negative = before), on common closes up to `until`, the slow obvious way."""
    days = sorted(d for d in rut.keys() & gspc.keys() if until is None or d <= until)
    anchor = max(d for d in days if d < event)
    target = add_months(event, months)
    if months < 0:
        start, end = max(d for d in days if d <= target), anchor
    else:
        start, end = anchor, max(d for d in days if d <= target)
    small = (rut[end] / rut[start] - 1) * 100
    large = (gspc[end] / gspc[start] - 1) * 100
    ratio = ((rut[end] / gspc[end]) / (rut[start] / gspc[start]) - 1) * 100
    return start, end, large - small, ratio, days[-1] >= target


def calendar_year_returns(small: dict[date, float], large: dict[date, float],
                          until: date | None = None
                          ) -> list[tuple[int, date, date, float, float]]:
    """(year, start, end, small %, large %) for each year after the first: from the last
    common close of the year before to the last common close of the year, the slow way."""
    last_of: dict[int, date] = {}
    for day in common_dates(small, large, until=until):
        last_of[day.year] = day  # sorted: the year's last close wins
    years = sorted(last_of)
    out = []
    for before, year in zip(years, years[1:], strict=False):
        start, end = last_of[before], last_of[year]
        out.append((year, start, end, (small[end] / small[start] - 1) * 100,
                    (large[end] / large[start] - 1) * 100))
    return out
