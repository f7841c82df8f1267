"""The small-vs-large performance gap over a period, and how unusual it is historically.

All returns are simple point-to-point returns of the closes given (price return for index
levels, total return for adjusted ETF closes): `last / first - 1`. The gap is large minus
small, in percentage points, so a positive gap means small caps lag.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from analytics.pairs import Pair
from analytics.periods import Period, Window, resolve_window, rolling_start_positions

UNUSUAL_PERCENTILE = 90.0
"""A lag at or above this percentile (a lead at or below 100 minus it) counts as unusual; only
then do replies and charts call it 'the widest since' a date, which otherwise reads like a
record for an ordinary gap."""


def is_unusual(percentile: float, lagging: bool) -> bool:
    """Whether a gap at `percentile` of its history is in the unusual tail of its direction."""
    return percentile >= UNUSUAL_PERCENTILE if lagging else percentile <= 100 - UNUSUAL_PERCENTILE


@dataclass(frozen=True)
class HistoryRank:
    """Where a gap stands among all windows of the same length up to its end date."""

    percentile: float
    """Share of windows (in %) whose gap was at most this one: 100 = small caps' worst lag."""
    windows: int
    """How many windows (one per trading day) were compared, this one included."""
    first_window_end: date
    last_as_wide: date | None
    """The latest earlier end date with a gap at least as wide in the same direction."""
    widest_since: date | None
    """Like `last_as_wide`, among windows that end on or before this window's start, so they
    do not overlap it: 'the widest 3-year lag since 2000-11-10'."""
    record_pp: float
    """The widest gap in the same direction over the history compared."""
    record_end: date


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


def history_rank(history: pd.Series, gap_pp: float, window: Window) -> HistoryRank | None:
    """Rank `gap_pp` against `history` (rolling gaps) up to and including `window.end`."""
    end = window.end
    past = history.loc[:end]
    if len(past) < 2:
        return None
    values = past.to_numpy()
    percentile = float((values <= gap_pp + 1e-12).mean() * 100.0)
    earlier = past.iloc[:-1] if past.index[-1] == end else past
    lagging = gap_pp >= 0
    as_wide = earlier[earlier >= gap_pp - 1e-12] if lagging else earlier[earlier <= gap_pp + 1e-12]
    disjoint = as_wide.loc[: window.start]
    record_pos = int(np.argmax(values) if lagging else np.argmin(values))
    return HistoryRank(
        percentile=percentile,
        windows=len(values),
        first_window_end=past.index[0].date(),
        last_as_wide=as_wide.index[-1].date() if len(as_wide) else None,
        widest_since=disjoint.index[-1].date() if len(disjoint) else None,
        record_pp=float(values[record_pos]),
        record_end=past.index[record_pos].date(),
    )


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
        rank = history_rank(rolling_gap_pp(closes.loc[: window.end], period), gap_pp, window)
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
