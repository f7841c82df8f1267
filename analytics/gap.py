"""The small-vs-large performance gap over a period, and how unusual it is historically.

All returns are simple point-to-point returns of the closes given (price return for index
levels, total return for adjusted ETF closes): `last / first - 1`. The gap is large minus
small, in percentage points, so a positive gap means small caps lag.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from analytics.pairs import Pair
from analytics.periods import Period, Window, resolve_window, rolling_start_positions
from analytics.rank import HistoryRank, history_rank, ranked_period

__all__ = ["Annualised", "GapResult", "HistoryRank", "align_closes", "compute_gap", "history_rank",
           "rolling_gap_pp"]

ANNUALISE_OVER_YEARS = 5.0
"""Windows longer than this (nominal length) lead with the annualised gap: 634 pp over 39
years (Russell 2000 vs S&P 500) is 0.84 pp a year, which says more."""
DAYS_PER_YEAR = 365.25
"""Annualisation by calendar days between the two closes, as `table` does (ffn's convention)."""


def annualised_pct(total_pct: float, calendar_days: int) -> float:
    """A total return (%) over `calendar_days` as a compound annual rate (%):
    `(1 + r) ^ (365.25 / days) - 1`."""
    return ((1.0 + total_pct / 100.0) ** (DAYS_PER_YEAR / calendar_days) - 1.0) * 100.0


@dataclass(frozen=True)
class Annualised:
    """Both returns as compound annual rates (% a year) and their gap (pp a year)."""

    years: float
    """Calendar days between the two closes / 365.25."""
    small_pct: float
    large_pct: float
    gap_pp: float
    """large_pct - small_pct, pp a year."""


@dataclass(frozen=True)
class GapResult:
    """Everything a reply needs about one gap query."""

    pair: Pair
    period: Period
    window: Window
    small_return_pct: float
    large_return_pct: float
    gap_pp: float
    relative_ratio_start: float
    relative_ratio_end: float
    relative_change_pct: float
    rank: HistoryRank | None
    closes: pd.DataFrame
    """Common closes over the window, columns `small` and `large`."""

    @property
    def leader(self) -> str:
        """'small', 'large' or 'tie'."""
        if abs(self.gap_pp) < 0.005:
            return "tie"
        return "large" if self.gap_pp > 0 else "small"

    @property
    def calendar_days(self) -> int:
        """Calendar days between the window's two closes."""
        return int((self.window.end - self.window.start).days)

    @property
    def annualised(self) -> Annualised | None:
        """The annualised returns and gap, for windows longer than 5 years (else None)."""
        if self.period.nominal_years(self.calendar_days) <= ANNUALISE_OVER_YEARS:
            return None
        days = self.calendar_days
        small = annualised_pct(self.small_return_pct, days)
        large = annualised_pct(self.large_return_pct, days)
        return Annualised(days / DAYS_PER_YEAR, small, large, large - small)

    def rebased(self) -> pd.DataFrame:
        """Both series rebased to 100 at the window start."""
        return self.closes / self.closes.iloc[0] * 100.0

    def relative_ratio(self) -> pd.Series:
        """Small / large, rebased to 1.0 at the window start."""
        ratio = self.closes["small"] / self.closes["large"]
        return ratio / ratio.iloc[0]


def align_closes(small: pd.Series, large: pd.Series) -> pd.DataFrame:
    """Closes on the trading days both series have, columns `small` and `large`."""
    frame = pd.concat({"small": small, "large": large}, axis=1, join="inner").dropna()
    frame = frame[~frame.index.duplicated(keep="last")].sort_index()
    return frame.astype("float64")


def rolling_gap_pp(closes: pd.DataFrame, period: Period) -> pd.Series:
    """The gap (pp, large minus small) of the window ending on every day that has one."""
    positions = rolling_start_positions(closes.index, period)
    valid = positions >= 0
    values = closes.to_numpy()
    ends = values[valid]
    starts = values[positions[valid]]
    returns = ends / starts - 1.0
    gaps = (returns[:, 1] - returns[:, 0]) * 100.0
    return pd.Series(gaps, index=closes.index[valid], name="gap_pp")


def window_returns_pct(small: pd.Series, large: pd.Series,
                       window: Window) -> tuple[float, float] | None:
    """(small, large) returns in % between the closes on `window.start` and `window.end`
    (`last / first - 1`, times 100), or None when either series lacks either day. Used to
    restate a gap on another basis over exactly the same days."""
    days = (window.start, window.end)
    if not all(day in series.index for series in (small, large) for day in days):
        return None
    small_pct = (float(small.loc[window.end]) / float(small.loc[window.start]) - 1.0) * 100.0
    large_pct = (float(large.loc[window.end]) / float(large.loc[window.start]) - 1.0) * 100.0
    return small_pct, large_pct


def compute_gap(
    pair: Pair,
    small: pd.Series,
    large: pd.Series,
    period: Period,
    as_of: date | None = None,
    with_rank: bool = True,
) -> GapResult:
    """The gap between `small` and `large` closes over `period` ending on/before `as_of`."""
    closes = align_closes(small, large)
    window = resolve_window(closes.index, period, as_of)
    start, end = closes.loc[window.start], closes.loc[window.end]
    small_ret = end["small"] / start["small"] - 1.0
    large_ret = end["large"] / start["large"] - 1.0
    ratio_start = start["small"] / start["large"]
    ratio_end = end["small"] / end["large"]
    gap_pp = float((large_ret - small_ret) * 100.0)
    rank = None
    if with_rank and period.kind != "max":
        compared = ranked_period(period, window, closes.index[-1], as_of)
        rank = history_rank(rolling_gap_pp(closes.loc[: window.end], compared), gap_pp, window,
                            compared, cut_short=compared != period)
    return GapResult(
        pair=pair,
        period=period,
        window=window,
        small_return_pct=float(small_ret * 100.0),
        large_return_pct=float(large_ret * 100.0),
        gap_pp=gap_pp,
        relative_ratio_start=float(ratio_start),
        relative_ratio_end=float(ratio_end),
        relative_change_pct=float((ratio_end / ratio_start - 1.0) * 100.0),
        rank=rank,
        closes=closes.loc[window.start : window.end],
    )
