"""The small/large relative-strength ratio and the statistics people watch on it.

Every statistic here uses only data up to each day (no look-ahead), so a value shown for a
past date is what an analyst would have seen on that date, and alert replays are honest.
"""

from __future__ import annotations

from typing import Literal

import pandas as pd

from analytics.gap import align_closes

Side = Literal["above", "below"]
"""Which side of a level a series is on, or which way it crossed it (up: 'above')."""


def relative_ratio(small: pd.Series, large: pd.Series) -> pd.Series:
    """Small / large closes on common trading days (not rebased)."""
    closes = align_closes(small, large)
    return (closes["small"] / closes["large"]).rename("relative_ratio")


def moving_average(series: pd.Series, days: int) -> pd.Series:
    """Simple moving average over `days` trading days; NaN until `days` values exist."""
    return series.rolling(days, min_periods=days).mean()


def pct_vs_moving_average(series: pd.Series, days: int) -> pd.Series:
    """How far the series stands above (+) or below (-) its `days`-day average, in %."""
    return (series / moving_average(series, days) - 1.0) * 100.0


def expanding_zscore(series: pd.Series, min_periods: int = 252) -> pd.Series:
    """(value - mean) / std (ddof=1) over all values up to each day; NaN for the first year."""
    mean = series.expanding(min_periods=min_periods).mean()
    std = series.expanding(min_periods=min_periods).std(ddof=1)
    return (series - mean) / std


def expanding_percentile(series: pd.Series, min_periods: int = 252) -> pd.Series:
    """Share (in %) of values up to each day that are at most that day's value."""
    return series.expanding(min_periods=min_periods).rank(method="max", pct=True) * 100.0


def drawdown_from_peak(series: pd.Series) -> pd.Series:
    """Fall from the running peak, in % (0 at a new high, negative below it)."""
    return (series / series.cummax() - 1.0) * 100.0


def last_cross(series: pd.Series, reference: pd.Series) -> pd.Timestamp | None:
    """The last day `series` moved to the other side of `reference` (both must exist)."""
    side = (series - reference).dropna()
    if side.empty:  # e.g. fewer days than the moving average needs
        return None
    sign = side.gt(0)
    changed = sign.ne(sign.shift()) & sign.shift().notna()
    changed.iloc[0] = False
    days = changed[changed].index
    return days[-1] if len(days) else None
