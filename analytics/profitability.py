"""Operating profitability of small vs large companies from French's size x book-to-market
portfolios, and whether it goes with their relative price-to-book. Pure.

Conventions (README, "profitability"):

- One value per year, the July row of each section (portfolios formed at the end of June), as
  `valuation` does. French's "Value Weight Average of OP" is, per portfolio, Sum[ME(month) x
  OP / BE of fiscal year t−1] / Sum[ME(month)]; in July the weights are market equity at
  formation, so it is the market-cap-weighted average of its firms' OP / BE.
- A size quintile's figure weights its five portfolios by market equity ME = number of firms
  x average market cap ($ millions, same July row): sum(ME x OP) / sum(ME), which is the
  market-cap-weighted average OP / BE over every firm of the quintile (smallest: the five ME1
  portfolios; largest: the five ME5).
- OP / BE explodes where book equity is tiny: SMALL LoBM reads −131.14 (−13,114 %) in July
  2019. A portfolio whose |OP / BE| exceeds `limit` (OP_LIMIT = 2: an operating profit or loss
  over twice its book equity, as a market-cap-weighted average over a whole portfolio) is
  left out of its quintile that year and listed; so is a missing value (−99.99 / −999).
- Gap = large − small, in percentage points of book equity (+ = small firms less
  profitable); percentile of the latest year = share of years, counted, whose gap is at most
  its value (100 = the widest shortfall), since the first year and since BAND_SINCE.
- The link with valuation: Pearson r between the relative P/B (analytics.valuation) and the
  gap over the years both exist, in levels and in year-on-year changes. Negative r: years
  with a wider profitability shortfall had a lower relative P/B.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics.periods import InsufficientHistoryError
from analytics.valuation import BAND_SINCE, percentile_of, quintile_columns

OP_LIMIT = 2.0
"""|OP / BE| above this (200 % of book equity) is an explosion of a tiny denominator."""
STRICT_LIMIT = 1.0
"""The sensitivity check: the same study with every |OP / BE| over 100 % left out."""
MIN_YEARS = 10
"""No correlation is reported on fewer common years."""


@dataclass(frozen=True)
class Outlier:
    """A portfolio-year left out of its quintile: its OP / BE (fraction), its quintile
    ('small' or 'large') and the quintile's OP / BE with it included."""

    year: int
    portfolio: str
    quintile: str
    op: float
    quintile_with: float


def quintile_op(firms: pd.DataFrame, avg_cap: pd.DataFrame, op: pd.DataFrame,
                columns: list[str], limit: float | None = OP_LIMIT) -> pd.Series:
    """Market-cap-weighted OP / BE of `columns` per year (rows of `op`): sum(ME x OP) /
    sum(ME), ME = firms x average cap, leaving out missing values and |OP| > `limit`
    (None: no limit)."""
    me = (firms[columns] * avg_cap[columns]).reindex(op.index)
    ratio = op[columns]
    ok = me.notna() & ratio.notna() & (me > 0)
    if limit is not None:
        ok &= ratio.abs() <= limit
    return (me * ratio).where(ok).sum(axis=1) / me.where(ok).sum(axis=1)


def outliers(firms: pd.DataFrame, avg_cap: pd.DataFrame, op: pd.DataFrame,
             limit: float = OP_LIMIT) -> list[Outlier]:
    """Every portfolio-year of the smallest and largest quintiles with |OP / BE| > `limit`,
    oldest first."""
    found = []
    for quintile, name in ((1, "small"), (5, "large")):
        columns = quintile_columns(op.columns, quintile)
        with_all = quintile_op(firms, avg_cap, op, columns, limit=None)
        for year, row in op[columns].iterrows():
            for portfolio, value in row.items():
                if pd.notna(value) and abs(value) > limit:
                    found.append(Outlier(int(year), str(portfolio), name, float(value),
                                         float(with_all[year])))
    return sorted(found, key=lambda o: (o.year, o.quintile != "small"))


def correlation(a: pd.Series, b: pd.Series) -> float | None:
    """Pearson r of two aligned series, None under MIN_YEARS points."""
    both = pd.concat([a, b], axis=1).dropna()
    if len(both) < MIN_YEARS:
        return None
    return float(np.corrcoef(both.iloc[:, 0], both.iloc[:, 1])[0, 1])


@dataclass(frozen=True)
class ProfitabilityResult:
    """Per-year OP / BE of both quintiles, the gap, the latest year's rank, the left-out
    portfolio-years, the strict-limit check and the link with relative P/B."""

    frame: pd.DataFrame
    """Index: year; columns `op_small`, `op_large` (fractions), `gap_pp`, `relative_pb`."""
    latest_year: int
    percentile_all: float
    percentile_since_band: float
    band_years: int
    outliers: list[Outlier]
    latest_with_all: tuple[float, float]
    """The latest year's (small, large) OP / BE with every portfolio included."""
    strict_gap_pp: float
    strict_percentile_all: float
    """The latest gap and its percentile since the first year with STRICT_LIMIT instead."""
    levels_r: float | None
    changes_r: float | None
    link_years: int


def _gaps(firms: pd.DataFrame, avg_cap: pd.DataFrame, op: pd.DataFrame,
          limit: float | None) -> tuple[pd.Series, pd.Series, pd.Series]:
    small = quintile_op(firms, avg_cap, op, quintile_columns(op.columns, 1), limit)
    large = quintile_op(firms, avg_cap, op, quintile_columns(op.columns, 5), limit)
    return small, large, ((large - small) * 100.0).dropna()


def profitability(firms: pd.DataFrame, avg_cap: pd.DataFrame, op: pd.DataFrame,
                  relative_pb: pd.Series) -> ProfitabilityResult:
    """The study of French's July rows (frames indexed by year, the 25 portfolio columns in
    the file's order; `relative_pb` from analytics.valuation.relative_pb). Raises
    InsufficientHistoryError without a year since BAND_SINCE."""
    small, large, gap = _gaps(firms, avg_cap, op, OP_LIMIT)
    frame = pd.DataFrame({"op_small": small, "op_large": large, "gap_pp": gap,
                          "relative_pb": relative_pb.reindex(small.index)}) \
        .dropna(subset=["op_small", "op_large"])
    recent = frame.loc[frame.index >= BAND_SINCE, "gap_pp"]
    if recent.empty:
        raise InsufficientHistoryError(f"The profitability data has no year since {BAND_SINCE}.")
    year, latest = int(frame.index[-1]), float(frame["gap_pp"].iloc[-1])
    all_small, all_large, _ = _gaps(firms, avg_cap, op, None)
    strict = _gaps(firms, avg_cap, op, STRICT_LIMIT)[2]
    pb = frame["relative_pb"]
    return ProfitabilityResult(
        frame, year, percentile_of(frame["gap_pp"], latest), percentile_of(recent, latest),
        len(recent), outliers(firms, avg_cap, op),
        (float(all_small[year]), float(all_large[year])),
        float(strict[year]), percentile_of(strict, float(strict[year])),
        correlation(pb, frame["gap_pp"]), correlation(pb.diff(), frame["gap_pp"].diff()),
        int(pb.notna().sum()))
