"""Look-back periods (`3y`, `ytd`, `2021-03-26..2024-03-28`) and how they map onto trading days.

Convention (stated in the help text too): the end is the last common close on or before the
as-of date; the start is the last common close on or before the same calendar date one period
before that end (`ytd`: the last close of the previous year; `max`: the first common close).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

import numpy as np
import pandas as pd

from analytics.errors import present

PeriodKind = Literal["offset", "ytd", "max", "range"]

NAMED_PERIODS = ("1m", "3m", "6m", "ytd", "1y", "2y", "3y", "5y", "10y", "20y", "max")
_UNIT_WORDS = {"d": "day", "w": "week", "m": "month", "y": "year"}
_OFFSET_RE = re.compile(r"^(\d{1,12})([dwmy])$", re.ASCII)
_RANGE_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$", re.ASCII)
"""ASCII digits only: handlers.normalise turns every Unicode digit into ASCII first."""
MAX_YEARS = 100
EARLIEST_DATE, LATEST_DATE = date(1900, 1, 1), date(2199, 12, 31)
"""Dates a query may name (as-of, a range's ends): the market data here starts in the
1920s at the earliest, and pandas cannot hold dates before 1677-09-22 or after 2262-04-11,
so a date outside these is refused as bad input instead of failing deep inside."""


class PeriodError(ValueError):
    """The period text is not one we understand; the message says what is valid."""


def check_date(day: date, text: str) -> None:
    """PeriodError when `day` (typed as `text`) is outside EARLIEST_DATE..LATEST_DATE."""
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise PeriodError(f"`{text}` is out of range: use dates from {EARLIEST_DATE} to "
                          f"{LATEST_DATE}.")


class InsufficientHistoryError(ValueError):
    """The data does not reach back (or forward) far enough for the requested window."""


@dataclass(frozen=True)
class Period:
    """A look-back period as the user typed it, normalised."""

    label: str
    kind: PeriodKind
    count: int = 0
    unit: str = ""
    range_start: date | None = None
    range_end: date | None = None

    @property
    def offset(self) -> pd.DateOffset | None:
        """Calendar offset for `Nd/Nw/Nm/Ny` periods, None otherwise."""
        if self.kind != "offset":
            return None
        key = {"d": "days", "w": "weeks", "m": "months", "y": "years"}[self.unit]
        return pd.DateOffset(**{key: self.count})

    def describe(self) -> str:
        """Human wording: '3 years', 'year to date', 'all available history', or the range."""
        if self.kind == "offset":
            word = _UNIT_WORDS[self.unit]
            return f"{self.count} {word}{'s' if self.count != 1 else ''}"
        if self.kind == "ytd":
            return "year to date"
        if self.kind == "max":
            return "all available history"
        return f"{self.range_start} to {self.range_end}"

    def range_dates(self) -> tuple[date, date]:
        """A range's first and last date (InvariantError for another kind: a bug)."""
        return (present(self.range_start, "a range's start"),
                present(self.range_end, "a range's end"))

    def nominal_years(self, window_days: int) -> float:
        """The period's length in years: `Nd/Nw/Nm/Ny` as typed (365.25-day years), a range by
        its two dates, `max` by `window_days` (calendar days of the window used), `ytd` < 1."""
        if self.kind == "offset":
            per_unit = {"d": 1 / 365.25, "w": 7 / 365.25, "m": 1 / 12, "y": 1.0}[self.unit]
            return self.count * per_unit
        if self.kind == "range":
            start, end = self.range_dates()
            return (end - start).days / 365.25
        if self.kind == "ytd":
            return 0.0
        return window_days / 365.25

    def adjective(self) -> str:
        """Short adjective for ranks: '3-year', '6-month', 'year-to-date'."""
        if self.kind == "offset":
            return f"{self.count}-{_UNIT_WORDS[self.unit]}"
        return {"ytd": "year-to-date", "max": "full-history"}.get(self.kind, "same-length")


def parse_period(text: str) -> Period:
    """Parse `1m 3m 6m ytd 1y ... max`, any `Nd/Nw/Nm/Ny`, or `YYYY-MM-DD..YYYY-MM-DD`."""
    raw = text.strip().lower()
    if raw in ("ytd", "max"):
        return Period(label=raw, kind=raw)  # type: ignore[arg-type]
    match = _OFFSET_RE.match(raw)
    if match:
        count, unit = int(match.group(1)), match.group(2)
        days = count * {"d": 1, "w": 7, "m": 31, "y": 366}[unit]
        if count == 0 or days > MAX_YEARS * 366:
            raise PeriodError(f"`{text}` is out of range: use a length from 1 day to {MAX_YEARS}y.")
        return Period(label=raw, kind="offset", count=count, unit=unit)
    match = _RANGE_RE.match(raw)
    if match:
        try:
            start, end = (date.fromisoformat(g) for g in match.groups())
        except ValueError as exc:
            raise PeriodError(f"`{text}` has an invalid date ({exc}).") from None
        for day in (start, end):
            check_date(day, text)
        if start >= end:
            raise PeriodError(f"`{text}`: the start date must come before the end date.")
        return Period(label=raw, kind="range", range_start=start, range_end=end)
    raise PeriodError(
        f"`{text}` is not a period. Use one of {', '.join(NAMED_PERIODS)}, any Nd/Nw/Nm/Ny "
        "(e.g. `18m`), or a range like `2021-03-26..2024-03-28`."
    )


@dataclass(frozen=True)
class Window:
    """The trading days a result really used."""

    start: pd.Timestamp
    end: pd.Timestamp


def as_of_for(period: Period, as_of: date | None) -> date | None:
    """The as-of date a query really has: a range ends on its second date (or earlier, when
    an as-of date before it is given), so 'latest' values and statuses are read there."""
    if period.kind != "range":
        return as_of
    range_end = period.range_dates()[1]
    return range_end if as_of is None else min(as_of, range_end)


def up_to(data: pd.Series | pd.DataFrame, as_of: date | None) -> pd.Series | pd.DataFrame:
    """`data` (sorted by day) on or before `as_of` (all of it when None). Any date works,
    even one pandas cannot hold as a nanosecond timestamp (before 1677-09-22): it is
    compared as a date, so an as-of before the data gives an empty slice, never an error."""
    if as_of is None:
        return data
    if len(data) == 0 or as_of < data.index[0].date():
        return data.iloc[:0]
    return data.loc[: pd.Timestamp(as_of)]


def history_up_to(data: pd.Series | pd.DataFrame, as_of: date | None,
                  what: str) -> pd.Series | pd.DataFrame:
    """`data` (sorted by day) on or before `as_of` (all of it when None); at least two days,
    else InsufficientHistoryError naming `what` is missing ('common closes for a table')."""
    cut = up_to(data, as_of)
    if len(cut) < 2:
        raise InsufficientHistoryError(
            f"Not enough {what}" + (f" on or before {as_of}." if as_of else "."))
    return cut


def last_on_or_before(dates: pd.DatetimeIndex, when: pd.Timestamp) -> pd.Timestamp | None:
    """The last trading day in `dates` (sorted) on or before `when`, or None."""
    pos = int(dates.searchsorted(when, side="right")) - 1
    return dates[pos] if pos >= 0 else None


def resolve_window(
    dates: pd.DatetimeIndex, period: Period, as_of: date | None = None
) -> Window:
    """Map a period onto common trading days `dates` (sorted, unique) under our convention."""
    if len(dates) < 2:
        raise InsufficientHistoryError("Not enough common trading days for these two series.")
    if period.kind == "range":
        cap = pd.Timestamp(period.range_dates()[1])
        if as_of is not None:
            cap = min(cap, pd.Timestamp(as_of))
    else:
        cap = pd.Timestamp(as_of) if as_of is not None else dates[-1]
    end = last_on_or_before(dates, cap)
    if end is None:
        raise InsufficientHistoryError(
            f"No common close on or before {cap.date()}; data starts {dates[0].date()}."
        )
    if period.kind == "max":
        start = dates[0]
    else:
        target = start_target(period, end)
        start = last_on_or_before(dates, target)
        if start is None:
            raise InsufficientHistoryError(
                f"The data starts {dates[0].date()}, so it has no close on or before "
                f"{target.date()} for a {period.describe()} window ending {end.date()}."
            )
    if start >= end:
        raise InsufficientHistoryError(
            f"The window {start.date()}..{end.date()} has no trading days to compare."
        )
    return Window(start=start, end=end)


def start_target(period: Period, end: pd.Timestamp) -> pd.Timestamp:
    """The calendar date whose last close starts a window ending at `end`."""
    if period.kind == "offset":
        return end - period.offset
    if period.kind == "ytd":
        return pd.Timestamp(year=end.year - 1, month=12, day=31)
    if period.kind == "range":
        return pd.Timestamp(period.range_start)
    raise ValueError("`max` has no start target")


def rolling_start_positions(dates: pd.DatetimeIndex, period: Period) -> np.ndarray:
    """For every day in `dates`, the position of its window's start day, or -1 if none.

    Vectorised version of `resolve_window` for history ranks: offset periods use their own
    offset, `ytd` uses each year's last close, and a fixed range uses its length in calendar
    days (so windows of the same length are compared).
    """
    if period.kind == "max":
        return np.full(len(dates), -1)
    if period.kind == "offset":
        targets = dates - period.offset
    elif period.kind == "ytd":
        year_ends = pd.DataFrame({"year": dates.year - 1, "month": 12, "day": 31})
        targets = pd.DatetimeIndex(pd.to_datetime(year_ends))
    else:
        range_start, range_end = period.range_dates()
        days = (range_end - range_start).days
        targets = dates - pd.Timedelta(days=days)
    positions = dates.searchsorted(targets, side="right") - 1
    positions = np.asarray(positions)
    positions[positions >= np.arange(len(dates))] = -1
    return positions
