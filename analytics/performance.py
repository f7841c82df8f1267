"""A performance table: both series' returns and the gap over standard horizons, 1w to 10y.

Each row uses the same window convention as the gap (`resolve_window` on the common closes):
it ends on the last common close on or before the as-of date and starts on the last common
close on or before the same calendar date one horizon earlier. Returns are `last / first - 1`
of the closes. Horizons longer than a year are annualised, as performance views do:
`(1 + r) ** (365.25 / calendar_days) - 1`, with `calendar_days` the days between the two
closes actually used; the gap of an annualised row is the difference of the annualised
returns (pp per year). A horizon the common history cannot cover is reported as unavailable
rather than failing the whole table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from analytics.errors import present
from analytics.gap import align_closes
from analytics.pairs import Pair
from analytics.periods import (
    InsufficientHistoryError,
    Period,
    history_up_to,
    last_on_or_before,
    parse_period,
    resolve_window,
)

TABLE_HORIZONS = ("1w", "1m", "3m", "6m", "ytd", "1y", "3y", "5y", "10y")
"""Rows of the table, shortest first."""
DAYS_PER_YEAR = 365.25
ANNUALISATION = "(1 + r) ^ (365.25 / calendar days) − 1"


@dataclass(frozen=True)
class PerformanceRow:
    """One horizon: both returns and the gap, or why the history cannot cover it."""

    horizon: str
    """The period label: '1w', 'ytd', '3y'."""
    annualised: bool
    """True for horizons longer than a year: returns are % per year."""
    start: pd.Timestamp | None
    end: pd.Timestamp
    small_pct: float | None
    large_pct: float | None
    gap_pp: float | None
    """Large minus small, in percentage points (per year when annualised): + = small lag."""
    note: str | None = None
    """Why the row is empty (history too short), None when it has numbers."""

    @property
    def label(self) -> str:
        """'1w', 'YTD', '3y ann.': what the row is called in tables and charts."""
        text = "YTD" if self.horizon == "ytd" else self.horizon
        return f"{text} ann." if self.annualised else text

    @property
    def available(self) -> bool:
        return self.gap_pp is not None

    @property
    def calendar_days(self) -> int | None:
        return None if self.start is None else (self.end - self.start).days


@dataclass(frozen=True)
class PerformanceTable:
    """The rows for one pair, all ending on the same common close."""

    pair: Pair
    end: pd.Timestamp
    first_common: pd.Timestamp
    """The first close both series have: rows reaching before it are unavailable."""
    rows: tuple[PerformanceRow, ...]


def is_annualised(period: Period) -> bool:
    """Horizons longer than one year (in months or years) are annualised."""
    if period.kind != "offset":
        return False
    months = {"d": period.count / 30.44, "w": period.count * 7 / 30.44, "m": period.count,
              "y": period.count * 12}[period.unit]
    return months > 12


def annualise(total_return: float, calendar_days: int) -> float:
    """Compound a total return (a fraction) to a per-year rate over `calendar_days` days."""
    return float((1.0 + total_return) ** (DAYS_PER_YEAR / calendar_days) - 1.0)


def performance_row(closes: pd.DataFrame, period: Period, as_of: date | None) -> PerformanceRow:
    """The row for `period` on common `closes` (columns small, large), or an empty row."""
    annualised = is_annualised(period)
    try:
        window = resolve_window(closes.index, period, as_of)
    except InsufficientHistoryError as exc:
        end = present(last_on_or_before(closes.index, pd.Timestamp(as_of) if as_of
                                        else closes.index[-1]), "the window's end")
        return PerformanceRow(period.label, annualised, None, end, None, None, None, str(exc))
    first, last = closes.loc[window.start], closes.loc[window.end]
    small, large = (float(last[c] / first[c] - 1.0) for c in ("small", "large"))
    if annualised:
        days = (window.end - window.start).days
        small, large = annualise(small, days), annualise(large, days)
    return PerformanceRow(
        horizon=period.label, annualised=annualised, start=window.start, end=window.end,
        small_pct=small * 100.0, large_pct=large * 100.0, gap_pp=(large - small) * 100.0,
    )


def performance_table(
    pair: Pair,
    small: pd.Series,
    large: pd.Series,
    as_of: date | None = None,
    horizons: tuple[str, ...] = TABLE_HORIZONS,
) -> PerformanceTable:
    """Returns of `small` and `large` and their gap over each horizon, ending on/before `as_of`.

    Raises InsufficientHistoryError only when no row can be computed at all (no common close
    on or before `as_of`, or fewer than two common closes).
    """
    closes = history_up_to(align_closes(small, large), as_of,
                           "common closes for a performance table")
    rows = tuple(performance_row(closes, parse_period(h), as_of) for h in horizons)
    return PerformanceTable(pair=pair, end=closes.index[-1], first_common=closes.index[0],
                            rows=rows)
