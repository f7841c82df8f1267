"""Is the small/large relative-strength ratio turning? Its moving averages, rank and drawdown.

Everything is computed over the full common history up to the as-of date (no look-ahead), so
the 200-day average already exists at the start of any chart window, and the z-score and
percentile compare today with every day before it. `trend_status` is the one summary the
trend report, the App Home dashboard and alerts share.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from analytics.pairs import Pair
from analytics.periods import (
    Period,
    Window,
    as_of_for,
    history_up_to,
    resolve_window,
)
from analytics.relative import (
    Side,
    drawdown_from_peak,
    expanding_percentile,
    expanding_zscore,
    last_cross,
    moving_average,
    pct_vs_moving_average,
    relative_ratio,
)

SHORT_MA_DAYS, LONG_MA_DAYS = 50, 200
RANK_MIN_DAYS = 252
"""The z-score and percentile need a year of history before they mean anything."""


@dataclass(frozen=True)
class TrendStatus:
    """Where the small/large ratio stands on `as_of` (the last common close used)."""

    as_of: date
    history_start: date
    """First common close: the z-score and percentile compare against [history_start, as_of]."""
    history_days: int
    ratio: float
    """Small close / large close on `as_of` (not rebased)."""
    ma50: float | None
    ma200: float | None
    pct_vs_50dma: float | None
    """Ratio vs its 50-day average, in % (+ above, - below); None before 50 days exist."""
    pct_vs_200dma: float | None
    zscore: float | None
    """(ratio - mean) / std (ddof=1) of all ratios up to `as_of`; None before a year exists."""
    percentile: float | None
    """Share of days up to `as_of` (in %) with a ratio at most today's: 0 = record low."""
    last_cross_date: date | None
    """First day on the current side of the 200-day average (None: never crossed)."""
    last_cross_direction: Side | None
    """'above' if the ratio crossed up through the 200-day average that day, else 'below'."""
    days_since_cross: int | None
    """Trading days from `last_cross_date` to `as_of`."""
    peak_date: date
    """The ratio's highest close up to `as_of` (its latest date if the high was repeated)."""
    peak_ratio: float
    drawdown_pct: float
    """Ratio vs that peak, in % (0 at a new high, negative below it)."""
    days_since_peak: int
    """Trading days (common closes) from `peak_date` to `as_of`."""

    @property
    def at_peak(self) -> bool:
        return self.days_since_peak == 0


def trend_frame(small: pd.Series, large: pd.Series, as_of: date | None = None) -> pd.DataFrame:
    """Daily `ratio`, `ma50`, `ma200`, `pct_vs_200dma` and `drawdown_pct` up to `as_of`.

    Columns are computed over all common closes on or before `as_of`, so the averages at any
    chart window's start use the days before it.
    """
    ratio = history_up_to(relative_ratio(small, large), as_of,
                          "common trading days for these two series")
    return pd.DataFrame({
        "ratio": ratio,
        "ma50": moving_average(ratio, SHORT_MA_DAYS),
        "ma200": moving_average(ratio, LONG_MA_DAYS),
        "pct_vs_50dma": pct_vs_moving_average(ratio, SHORT_MA_DAYS),
        "pct_vs_200dma": pct_vs_moving_average(ratio, LONG_MA_DAYS),
        "drawdown_pct": drawdown_from_peak(ratio),
    })


def _value(series: pd.Series) -> float | None:
    """The last value as a float, None if it is NaN."""
    value = float(series.iloc[-1])
    return None if np.isnan(value) else value


def status_from_frame(frame: pd.DataFrame) -> TrendStatus:
    """The summary of a `trend_frame` on its last day."""
    ratio = frame["ratio"]
    dates = ratio.index
    cross = last_cross(ratio, frame["ma200"])
    direction: Side | None = None
    days_since_cross = None
    if cross is not None:
        direction = "above" if ratio.loc[cross] > frame["ma200"].loc[cross] else "below"
        days_since_cross = len(dates) - 1 - int(dates.get_loc(cross))
    values = ratio.to_numpy()
    peak_pos = len(values) - 1 - int(np.argmax(values[::-1]))  # latest day at the high
    return TrendStatus(
        as_of=dates[-1].date(),
        history_start=dates[0].date(),
        history_days=len(dates),
        ratio=float(values[-1]),
        ma50=_value(frame["ma50"]),
        ma200=_value(frame["ma200"]),
        pct_vs_50dma=_value(frame["pct_vs_50dma"]),
        pct_vs_200dma=_value(frame["pct_vs_200dma"]),
        zscore=_value(expanding_zscore(ratio, RANK_MIN_DAYS)),
        percentile=_value(expanding_percentile(ratio, RANK_MIN_DAYS)),
        last_cross_date=cross.date() if cross is not None else None,
        last_cross_direction=direction,
        days_since_cross=days_since_cross,
        peak_date=dates[peak_pos].date(),
        peak_ratio=float(values[peak_pos]),
        drawdown_pct=float(values[-1] / values[peak_pos] - 1.0) * 100.0,
        days_since_peak=len(values) - 1 - peak_pos,
    )


def trend_status(small: pd.Series, large: pd.Series, as_of: date | None = None) -> TrendStatus:
    """Where the small/large ratio stands on the last common close on or before `as_of`."""
    return status_from_frame(trend_frame(small, large, as_of))


@dataclass(frozen=True)
class TrendView:
    """A trend status plus the daily series over the chart window (for the report)."""

    pair: Pair
    period: Period
    window: Window
    status: TrendStatus
    frame: pd.DataFrame
    """`trend_frame` columns over the window only (averages computed on the full history)."""

    @property
    def cross_in_window(self) -> bool:
        cross = self.status.last_cross_date
        return cross is not None and pd.Timestamp(cross) >= self.window.start


def compute_trend(pair: Pair, small: pd.Series, large: pd.Series, period: Period,
                  as_of: date | None = None) -> TrendView:
    """The trend status on the last common close on or before `as_of`, charted over `period`.

    For a date range the status is read at the range's end (`as_of_for`), never later."""
    frame = trend_frame(small, large, as_of_for(period, as_of))
    window = resolve_window(frame.index, period)
    return TrendView(pair=pair, period=period, window=window, status=status_from_frame(frame),
                     frame=frame.loc[window.start : window.end])
