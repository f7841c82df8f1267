"""Price-to-book of small vs large companies from French's size x book-to-market portfolios.
Pure.

Conventions (README explains them):

- One value per year: the portfolios formed at the end of June of that year (an annual
  end-of-June snapshot, not a daily or monthly series).
- A portfolio's market equity ME = number of firms x average market cap ($ millions) of the
  July row; its book equity BE = ME x its value-weighted BE/ME of the July row of
  "BE_FYt-1/ME_June t" (which is, in July, sum of BE / sum of ME at formation).
- The smallest size quintile (the five ME1 portfolios) and the largest (ME5): P/B = sum ME /
  sum BE over the five. Relative P/B = P/B small / P/B large; below 1 small caps are cheaper.
  A portfolio with a missing value (-99.99 / -999 in the file) is left out of that year.
- Percentile of a year = share of years in the range (the year included) whose relative P/B
  is at most its value, counted; the band is the 10th to 90th percentile (linear
  interpolation, numpy's default) of the years since 1990.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics.periods import InsufficientHistoryError

BAND_SINCE = 1990
BAND_LOW, BAND_HIGH = 10, 90
JUMP_SHARE = 0.25
"""A year-on-year move of the relative P/B of at least 25 % is a jump worth explaining..."""
ONE_PORTFOLIO_SHARE = 0.5
"""...one portfolio is behind it when holding its BE/ME undoes at least half of the move..."""
PEER_FACTOR = 2.0
"""...and that portfolio's BE/ME changed by a factor at least 2 away from the median change
of the other nine portfolios of the two quintiles (its new/old BE/ME divided by theirs is
2 or more, or 1/2 or less; log changes): an outlier, not the market (2008 moved all)."""


def quintile_columns(columns: pd.Index, quintile: int) -> list[str]:
    """The five portfolios of size quintile 1 (smallest) or 5 (largest): the file orders them
    size-major, book-to-market-minor."""
    return list(columns[(quintile - 1) * 5: quintile * 5])


def price_to_book(firms: pd.DataFrame, avg_cap: pd.DataFrame, beme: pd.DataFrame,
                  columns: list[str]) -> pd.Series:
    """Sum ME / sum BE of `columns` per year (rows), skipping portfolios with missing data."""
    me = firms[columns] * avg_cap[columns]
    be = me * beme[columns]
    ok = me.notna() & be.notna() & (beme[columns] > 0)
    return me.where(ok).sum(axis=1) / be.where(ok).sum(axis=1)


@dataclass(frozen=True)
class Jump:
    """A year whose relative P/B moved a lot, mostly because of one portfolio's BE/ME: its
    value, the year before's, the portfolio, that portfolio's BE/ME before and after, and the
    value with that portfolio's BE/ME held at the year before's."""

    year: int
    value: float
    previous: float
    portfolio: str
    beme_before: float
    beme_after: float
    value_without_move: float


def single_portfolio_jumps(firms: pd.DataFrame, avg_cap: pd.DataFrame,
                           beme: pd.DataFrame) -> list[Jump]:
    """Years whose relative P/B moved by JUMP_SHARE or more from the year before where holding
    one portfolio's BE/ME at the year before's value undoes ONE_PORTFOLIO_SHARE of the move
    and that BE/ME moved PEER_FACTOR times more than its peers' median (log changes)."""
    columns = [*quintile_columns(beme.columns, 1), *quintile_columns(beme.columns, 5)]
    me = (firms[columns] * avg_cap[columns]).to_numpy()
    ratio = beme[columns].to_numpy()
    ok = np.isfinite(me) & np.isfinite(ratio) & (ratio > 0)
    me, ratio = np.where(ok, me, 0.0), np.where(ok, ratio, np.nan)
    be = np.where(ok, me * np.nan_to_num(ratio), 0.0)
    sums = [(me[:, q].sum(axis=1), be[:, q].sum(axis=1)) for q in (slice(0, 5), slice(5, 10))]
    relative = (sums[0][0] / sums[0][1]) / (sums[1][0] / sums[1][1])
    jumps = []
    for t in range(1, len(beme.index)):
        value, previous = float(relative[t]), float(relative[t - 1])
        move = value - previous
        if not np.isfinite(move) or abs(move) < JUMP_SHARE * abs(previous):
            continue
        held = np.full(len(columns), np.nan)
        for k in range(len(columns)):
            if not (ok[t, k] and ok[t - 1, k]):
                continue
            quintile = 0 if k < 5 else 1
            be_q = [sums[0][1][t], sums[1][1][t]]
            be_q[quintile] += me[t, k] * (ratio[t - 1, k] - ratio[t, k])
            held[k] = (sums[0][0][t] / be_q[0]) / (sums[1][0][t] / be_q[1])
        undone = (value - held) / move
        if np.all(np.isnan(undone)):
            continue
        k = int(np.nanargmax(undone))
        change = np.log(ratio[t] / ratio[t - 1])
        peers = float(np.nanmedian(np.delete(change, k)))
        if undone[k] < ONE_PORTFOLIO_SHARE or abs(change[k] - peers) < np.log(PEER_FACTOR):
            continue
        jumps.append(Jump(int(beme.index[t]), value, previous, columns[k],
                          float(ratio[t - 1, k]), float(ratio[t, k]), float(held[k])))
    return jumps


def relative_pb(firms: pd.DataFrame, avg_cap: pd.DataFrame, beme: pd.DataFrame) -> pd.Series:
    """P/B of the smallest size quintile / P/B of the largest, per year."""
    small = price_to_book(firms, avg_cap, beme, quintile_columns(beme.columns, 1))
    large = price_to_book(firms, avg_cap, beme, quintile_columns(beme.columns, 5))
    return (small / large).rename("relative_pb")


def percentile_of(values: pd.Series, value: float) -> float:
    """Share (%) of `values` at most `value`, counted (the value itself included)."""
    return float((values <= value).sum()) / len(values) * 100.0


@dataclass(frozen=True)
class ValuationResult:
    """Per-year P/B of the small and large quintiles and their ratio, the latest year's
    percentiles since BAND_SINCE and since the first year, the years it was lower, the band
    since BAND_SINCE, and the single-portfolio jumps."""

    frame: pd.DataFrame
    """Index: year; columns `pb_small`, `pb_large`, `relative_pb`."""
    latest_year: int
    latest: float
    percentile_since_band: float
    percentile_all: float
    years_lower_since_band: list[int]
    years_lower_all: list[int]
    band_low: float
    band_high: float
    band_years: int
    jumps: list[Jump]
    percentile_without_jump: float | None
    previous_year: int | None
    """The year before the latest, its value and its percentile among the years since
    BAND_SINCE up to it: what the data said a year earlier (2023 for the March 2024 claim)."""
    previous: float | None
    previous_percentile_since_band: float | None
    """When one portfolio drives the latest year's move: the percentile since BAND_SINCE the
    latest year would have with that portfolio's BE/ME held at the year before's."""


def valuation(firms: pd.DataFrame, avg_cap: pd.DataFrame, beme: pd.DataFrame) -> ValuationResult:
    """The relative P/B study of French's 25-portfolio July rows (frames indexed by year with
    the 25 portfolio columns in the file's order). Raises InsufficientHistoryError without a
    year since BAND_SINCE."""
    small = price_to_book(firms, avg_cap, beme, quintile_columns(beme.columns, 1))
    large = price_to_book(firms, avg_cap, beme, quintile_columns(beme.columns, 5))
    frame = pd.DataFrame({"pb_small": small, "pb_large": large,
                          "relative_pb": small / large}).dropna()
    recent = frame.loc[frame.index >= BAND_SINCE, "relative_pb"]
    if recent.empty:
        raise InsufficientHistoryError(f"The portfolio data has no year since {BAND_SINCE}.")
    year = int(frame.index[-1])
    latest = float(frame["relative_pb"].iloc[-1])
    everything = frame["relative_pb"]
    jumps = single_portfolio_jumps(firms, avg_cap, beme)
    latest_jump = next((j for j in jumps if j.year == year), None)
    without = None
    if latest_jump is not None:
        held = recent.copy()
        held[year] = latest_jump.value_without_move
        without = percentile_of(held, latest_jump.value_without_move)
    return ValuationResult(
        frame, year, latest, percentile_of(recent, latest), percentile_of(everything, latest),
        [int(y) for y, v in recent.items() if v < latest],
        [int(y) for y, v in everything.items() if v < latest],
        float(np.percentile(recent, BAND_LOW)), float(np.percentile(recent, BAND_HIGH)),
        len(recent), jumps, without, *_previous(recent))


def _previous(recent: pd.Series) -> tuple[int | None, float | None, float | None]:
    if len(recent) < 2:
        return None, None, None
    earlier = recent.iloc[:-1]
    value = float(earlier.iloc[-1])
    return int(earlier.index[-1]), value, percentile_of(earlier, value)
