"""The rolling gap through all history: is today's gap really the worst in 20 years?

For a window length (1y, 3y, 5y, ...) the gap (pp, large minus small) of the window ending
on every trading day, with the distribution of those gaps up to the as-of date: median and
10th/90th percentiles (linear interpolation between closest ranks, numpy's default), today's
value and its rank (`analytics.gap.history_rank`), and both records.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from analytics.errors import present
from analytics.gap import HistoryRank, align_closes, history_rank, rolling_gap_pp
from analytics.pairs import Pair
from analytics.periods import InsufficientHistoryError, Period, Window, resolve_window

BAND_LOW, BAND_HIGH = 10.0, 90.0


@dataclass(frozen=True)
class GapHistory:
    """Every rolling gap of one window length up to the as-of date, and today's place in it."""

    pair: Pair
    period: Period
    window: Window
    """Today's window: start and end (the last common close on or before the as-of date)."""
    gaps: pd.Series
    """`gap_pp` of the window ending on each trading day, first window to `window.end`."""
    current_pp: float
    rank: HistoryRank
    median_pp: float
    band_low_pp: float
    """10th percentile of all the windows' gaps (small caps' strong-lead side)."""
    band_high_pp: float
    """90th percentile (small caps' deep-lag side)."""
    record_lag_pp: float
    record_lag_end: date
    record_lead_pp: float
    """Most negative gap: small caps' widest lead."""
    record_lead_end: date

    @property
    def lagging(self) -> bool:
        return self.current_pp >= 0

    @property
    def band_position(self) -> str:
        """'above' the 90 % band (unusually wide lag), 'below' the 10 % band, or 'inside'."""
        if self.current_pp > self.band_high_pp:
            return "above"
        if self.current_pp < self.band_low_pp:
            return "below"
        return "inside"


def gap_history(pair: Pair, small: pd.Series, large: pd.Series, period: Period,
                as_of: date | None = None) -> GapHistory:
    """Rolling `period` gaps of `small` vs `large` through all history up to `as_of`."""
    if period.kind != "offset":
        raise ValueError("gap history needs a fixed window length such as 1y, 3y or 5y")
    closes = align_closes(small, large)
    window = resolve_window(closes.index, period, as_of)
    gaps = rolling_gap_pp(closes.loc[: window.end], period)
    if len(gaps) < 2:
        raise InsufficientHistoryError(
            f"Only {len(gaps)} {period.adjective()} window(s) end by {window.end.date()}: "
            "not enough history to compare."
        )
    current = float(gaps.iloc[-1])
    rank = present(history_rank(gaps, current, window, period), "the rank of two windows")
    values = gaps.to_numpy()
    low, median, high = np.percentile(values, [BAND_LOW, 50.0, BAND_HIGH])
    return GapHistory(
        pair=pair,
        period=period,
        window=window,
        gaps=gaps,
        current_pp=current,
        rank=rank,
        median_pp=float(median),
        band_low_pp=float(low),
        band_high_pp=float(high),
        record_lag_pp=rank.record_lag_pp,
        record_lag_end=rank.record_lag_end,
        record_lead_pp=rank.record_lead_pp,
        record_lead_end=rank.record_lead_end,
    )
