"""Calendar-year returns of both series, who won each year, and the tallies. Pure.

Conventions (README, "Calendar years"), the same as everywhere else in the bot:

- A calendar year Y runs from the last common close of Y−1 to the last common close of Y
  (quantstats' and the index factsheets' year-end to year-end); returns are `last / first − 1`
  of the closes given (price return for index levels, total or price return for ETF closes).
- Only years with a close in the year before count: the first year of a pair's common history
  is partial and left out (^RUT and ^GSPC share closes from 1987-09-10: 1988 is the first).
- The latest year is the year to date unless its year is over: the caller says whether the
  end close is the last session of its year (`year_over`); without that, only a close on
  31 December counts as a year end.
- Gap = large − small in percentage points (+ = small lags). The small side *won* a year when
  the gap is below −TIE_PP, the large side when above +TIE_PP; otherwise a tie (the gap
  rounds to 0.00 pp). Counts, streaks and best/worst years use complete years only; the year
  to date is shown apart.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pandas as pd

from analytics.gap import align_closes
from analytics.pairs import Pair
from analytics.periods import InsufficientHistoryError, history_up_to

TIE_PP = 0.005
"""A gap within ±0.005 pp reads 0.00 pp: nobody won that year."""


def is_december_31(day: date) -> bool:
    """The default year-end test: only a close dated 31 December ends its year."""
    return day.month == 12 and day.day == 31


@dataclass(frozen=True)
class YearRow:
    """One calendar year (or the year to date): both returns (%) and the gap (pp)."""

    year: int
    start: pd.Timestamp
    """The last common close of the year before."""
    end: pd.Timestamp
    """The last common close of the year (or on or before the as-of date, to date)."""
    small_pct: float
    large_pct: float
    complete: bool
    """False for the year to date."""

    @property
    def gap_pp(self) -> float:
        """Large minus small, pp (+ = the small side lags)."""
        return self.large_pct - self.small_pct

    @property
    def winner(self) -> str:
        """'small', 'large' or 'tie' (|gap| < TIE_PP)."""
        if self.gap_pp < -TIE_PP:
            return "small"
        return "large" if self.gap_pp > TIE_PP else "tie"


@dataclass(frozen=True)
class Streak:
    """A run of consecutive complete years won by one side."""

    side: str
    """'small' or 'large'."""
    years: int
    first: int
    last: int


@dataclass(frozen=True)
class CalendarYears:
    """Every complete calendar year (oldest first), the year to date and the tallies."""

    pair: Pair
    rows: tuple[YearRow, ...]
    """Complete years, oldest first."""
    to_date: YearRow | None
    """The year under way, or None when the end close ends its year."""
    small_wins: int
    large_wins: int
    ties: int
    longest: dict[str, Streak | None]
    """The longest streak of each side ('small', 'large'), the earliest when tied."""
    current: Streak | None
    """The streak the last complete year belongs to (None when it was a tie)."""
    best: YearRow
    """The small side's best year against the large: the lowest gap."""
    worst: YearRow
    """Its worst: the highest gap."""
    first_common: pd.Timestamp


def year_rows(closes: pd.DataFrame, year_over: Callable[[date], bool]) -> list[YearRow]:
    """One row per year that has a close in the year before, from common `closes` (columns
    small, large; sorted); the last row is incomplete unless `year_over(its end)`."""
    year_end = closes.groupby(closes.index.year).tail(1)
    rows = []
    for previous, current in zip(year_end.index[:-1], year_end.index[1:], strict=True):
        first, last = year_end.loc[previous], year_end.loc[current]
        small, large = (float(last[c] / first[c] - 1.0) * 100.0 for c in ("small", "large"))
        complete = current != year_end.index[-1] or year_over(current.date())
        rows.append(YearRow(current.year, previous, current, small, large, complete))
    return rows


def streaks(rows: tuple[YearRow, ...]) -> list[Streak]:
    """The runs of consecutive years won by the same side, oldest first (ties break runs)."""
    runs: list[Streak] = []
    for row in rows:
        if row.winner == "tie":
            continue
        last = runs[-1] if runs else None
        if last is not None and last.side == row.winner and last.last == row.year - 1:
            runs[-1] = Streak(last.side, last.years + 1, last.first, row.year)
        else:
            runs.append(Streak(row.winner, 1, row.year, row.year))
    return runs


def calendar_years(pair: Pair, small: pd.Series, large: pd.Series, as_of: date | None = None,
                   year_over: Callable[[date], bool] = is_december_31) -> CalendarYears:
    """The calendar-year study of `small` and `large` closes up to `as_of` (module
    docstring). Raises InsufficientHistoryError without one complete calendar year."""
    closes = history_up_to(align_closes(small, large), as_of,
                           "common closes for calendar years")
    rows = year_rows(closes, year_over)
    full = tuple(r for r in rows if r.complete)
    if not full:
        raise InsufficientHistoryError(
            f"No complete calendar year: the common closes run {closes.index[0].date()} to "
            f"{closes.index[-1].date()}, and a year needs the last close of the year before.")
    to_date = rows[-1] if not rows[-1].complete else None
    runs = streaks(full)
    longest = {side: max((s for s in runs if s.side == side), key=lambda s: s.years,
                         default=None) for side in ("small", "large")}
    last = full[-1]
    current = runs[-1] if runs and last.winner != "tie" and runs[-1].last == last.year else None
    return CalendarYears(
        pair, full, to_date,
        sum(r.winner == "small" for r in full), sum(r.winner == "large" for r in full),
        sum(r.winner == "tie" for r in full), longest, current,
        min(full, key=lambda r: r.gap_pp), max(full, key=lambda r: r.gap_pp), closes.index[0])
