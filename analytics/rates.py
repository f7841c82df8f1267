"""Do interest rates explain the gap? The rolling 1-year gap against the 10-year yield.

The seed commentary says higher rates hurt small caps (they borrow more, at floating rates).
We test it on the data: the rolling 1-year gap (pp, large minus small) against the 10-year
Treasury yield (Yahoo `^TNX`, whose close is the yield in percent: 4.06 = 4.06 %), on the
trading days both have. Level correlation of two trending series can be large by accident,
so we also correlate their 3-month changes, which is the fairer test.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Literal

import numpy as np
import pandas as pd

from analytics.gap import align_closes, rolling_gap_pp
from analytics.pairs import Pair
from analytics.periods import (
    InsufficientHistoryError,
    Period,
    Window,
    as_of_for,
    parse_period,
    resolve_window,
    up_to,
)

YIELD_SYMBOL = "^TNX"
GAP_PERIOD = parse_period("1y")
CHANGE_DAYS = 63
"""3 months of trading days: the horizon of the change correlation."""
MIN_INDEPENDENT_CHANGES = 8
"""Fewer non-overlapping 3-month changes than this (two years) and the change correlation is
not reported: overlapping daily changes are not independent, so 2,452 of them over ten years
carry about 39 changes' worth of evidence, and a few weeks carry none."""
MIN_LEVEL_DAYS = 252
"""Fewer common days than this (a year) and the level correlation is not reported: r from a
few days of two slow-moving series is noise (six days once gave r = +0.93)."""

Verdict = Literal["supports", "weakly_supports", "no_relation", "weakly_contradicts",
                  "contradicts", "too_short"]


@dataclass(frozen=True)
class Correlation:
    """Pearson r between two aligned series and how many pairs it used."""

    r: float | None
    n: int
    slope: float | None = None
    """Least-squares slope of the gap on the yield (pp of gap per pp of yield)."""
    independent: int | None = None
    """For overlapping k-day changes: how many non-overlapping ones the same days hold."""


@dataclass(frozen=True)
class RatesResult:
    """The 1-year gap and the 10-year yield over a window of their common trading days."""

    pair: Pair
    period: Period
    window: Window
    frame: pd.DataFrame
    """Columns `gap_pp` (1-year gap, large minus small) and `yield_pct`, window days only."""
    change_frame: pd.DataFrame
    """3-month changes of both columns, indexed by the change's end day (window days only)."""
    levels: Correlation
    changes: Correlation
    """Of 3-month (63-trading-day) changes, overlapping, both ends inside the window."""
    yield_last_date: date
    """Last yield close on or before the as-of date (the yield series may end early)."""
    gap_last_date: date
    """Last close of the pair on or before the as-of date."""
    gap_last_pp: float
    """The 1-year gap on `gap_last_date` (may be later than the window end)."""

    @property
    def verdict(self) -> Verdict:
        return verdict(self.changes.r)

    @property
    def yield_start(self) -> float:
        return float(self.frame["yield_pct"].iloc[0])

    @property
    def yield_end(self) -> float:
        return float(self.frame["yield_pct"].iloc[-1])

    @property
    def gap_start(self) -> float:
        return float(self.frame["gap_pp"].iloc[0])

    @property
    def gap_end(self) -> float:
        return float(self.frame["gap_pp"].iloc[-1])


def correlation(gap: np.ndarray, yields: np.ndarray) -> Correlation:
    """Pearson r of `gap` on `yields` and the regression slope (None if undefined)."""
    n = len(gap)
    if n < 3 or np.std(gap) == 0 or np.std(yields) == 0:
        return Correlation(None, n)
    r = float(np.corrcoef(gap, yields)[0, 1])
    slope = float(np.polyfit(yields, gap, 1)[0])
    return Correlation(r, n, slope)


def independent_changes(overlapping: int, days: int = CHANGE_DAYS) -> int:
    """Non-overlapping `days`-day changes in the span of `overlapping` daily-stepped ones
    (they cover overlapping + days closes): (overlapping + days - 1) // days."""
    return (overlapping + days - 1) // days if overlapping > 0 else 0


NO_LINK_BELOW = 0.1
"""|r| below this: no link (text, chart and README all say 'no link', never 'weak')."""
CLEAR_FROM = 0.3
"""|r| from NO_LINK_BELOW up to this: a weak link; from this on: a clear one."""


def verdict(r_changes: float | None) -> Verdict:
    """What the change correlation says about 'higher rates hurt small caps'.

    Positive r: when the yield rose, the gap widened (small caps lagged more) = supports.
    Thresholds on |r| (the one rule for text, chart and README): below NO_LINK_BELOW (0.1)
    no link, up to CLEAR_FROM (0.3) weak, CLEAR_FROM and above clear.
    """
    if r_changes is None:
        return "too_short"
    if abs(r_changes) < NO_LINK_BELOW:
        return "no_relation"
    side = "supports" if r_changes > 0 else "contradicts"
    return side if abs(r_changes) >= CLEAR_FROM else f"weakly_{side}"  # type: ignore[return-value]


def gap_and_yield(gap_pp: pd.Series, yields: pd.Series) -> pd.DataFrame:
    """`gap_pp` and `yield_pct` on the trading days both series have."""
    frame = pd.concat({"gap_pp": gap_pp, "yield_pct": yields.astype("float64")}, axis=1,
                      join="inner").dropna()
    return frame[~frame.index.duplicated(keep="last")].sort_index()


def compute_rates(pair: Pair, small: pd.Series, large: pd.Series, yields: pd.Series,
                  period: Period, as_of: date | None = None) -> RatesResult:
    """The gap-vs-yield comparison over `period` ending on the last common day <= `as_of`
    (for a date range, <= its end: the 'latest' gap is read there too)."""
    as_of = as_of_for(period, as_of)
    closes = align_closes(small, large)
    yields = yields.dropna()
    if as_of is not None:
        closes = up_to(closes, as_of)
        yields_before = up_to(yields, as_of)
        if yields_before.empty and not yields.empty:
            raise InsufficientHistoryError(
                f"The {YIELD_SYMBOL} data starts {yields.index[0].date()}, after {as_of}: "
                "there are no common days to compare.")
        yields = yields_before
    if closes.empty or yields.empty:
        raise InsufficientHistoryError(f"No data on or before {as_of} for this comparison.")
    gap_all = rolling_gap_pp(closes, GAP_PERIOD)
    if gap_all.empty:
        raise InsufficientHistoryError("Less than a year of common closes: no 1-year gap yet.")
    frame = gap_and_yield(gap_all, yields)
    if len(frame) < 2:
        raise InsufficientHistoryError(
            f"The 1-year gap and the {YIELD_SYMBOL} yield have no common days to compare "
            f"(gap from {gap_all.index[0].date()}, yield {yields.index[0].date()} to "
            f"{yields.index[-1].date()})."
        )
    window = resolve_window(frame.index, period)
    inside = frame.loc[window.start : window.end]
    changes = inside.diff(CHANGE_DAYS).dropna()
    independent = independent_changes(len(changes))
    change_corr = Correlation(None, len(changes), independent=independent)
    if independent >= MIN_INDEPENDENT_CHANGES:
        change_corr = replace(correlation(changes["gap_pp"].to_numpy(),
                                          changes["yield_pct"].to_numpy()),
                              independent=independent)
    levels = correlation(inside["gap_pp"].to_numpy(), inside["yield_pct"].to_numpy()) \
        if len(inside) >= MIN_LEVEL_DAYS else Correlation(None, len(inside))
    return RatesResult(
        pair=pair,
        period=period,
        window=window,
        frame=inside,
        change_frame=changes,
        levels=levels,
        changes=change_corr,
        yield_last_date=yields.index[-1].date(),
        gap_last_date=gap_all.index[-1].date(),
        gap_last_pp=float(gap_all.iloc[-1]),
    )
