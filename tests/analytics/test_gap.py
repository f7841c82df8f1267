"""The gap against published figures and computations that do not use our code."""

from __future__ import annotations

import csv
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analytics.gap import compute_gap
from analytics.pairs import PAIRS
from analytics.periods import parse_period


def _closes_by_csv_module(path: Path) -> dict[date, float]:
    with path.open() as handle:
        return {datetime.strptime(r["Date"], "%Y-%m-%d").date(): float(r["Close"])
                for r in csv.DictReader(handle)}


def _last_on_or_before(days: list[date], when: date) -> date:
    return max(d for d in days if d <= when)


def test_three_years_to_2024_03_26_match_published_figures(real_closes):
    """Commentary (March 2024): S&P 500 about +31 %, Russell 2000 -6.8 % over three years."""
    result = compute_gap(PAIRS["index"], real_closes["^RUT"], real_closes["^GSPC"],
                         parse_period("3y"), date(2024, 3, 26))
    assert result.large_return_pct == pytest.approx(31.0, abs=0.5)
    assert result.small_return_pct == pytest.approx(-6.8, abs=0.05)
    assert result.gap_pp > 37


@pytest.mark.parametrize("pair,period,as_of", [
    ("index", "3y", date(2024, 3, 26)), ("etf", "5y", date(2025, 12, 31)),
    ("index", "1m", date(2020, 3, 23)), ("etf", "ytd", date(2026, 2, 20)),
])
def test_returns_match_plain_csv_computation(market_data_dir, real_closes, pair, period, as_of):
    """Recompute with the csv module and date arithmetic only: same days, same returns."""
    chosen = PAIRS[pair]
    small = _closes_by_csv_module(market_data_dir / f"{chosen.small.symbol}.csv")
    large = _closes_by_csv_module(market_data_dir / f"{chosen.large.symbol}.csv")
    common = sorted(set(small) & set(large))
    end = _last_on_or_before(common, as_of)
    if period == "ytd":
        target = date(end.year - 1, 12, 31)
    else:
        target = (pd.Timestamp(end) - parse_period(period).offset).date()
    start = _last_on_or_before(common, target)
    result = compute_gap(chosen, real_closes[chosen.small.symbol],
                         real_closes[chosen.large.symbol], parse_period(period), as_of)
    small_ret = (small[end] / small[start] - 1) * 100
    large_ret = (large[end] / large[start] - 1) * 100
    assert (result.window.start.date(), result.window.end.date()) == (start, end)
    assert result.small_return_pct == pytest.approx(small_ret, rel=1e-12)
    assert result.gap_pp == pytest.approx(large_ret - small_ret, rel=1e-12)
    ratio_change = (small[end] / large[end]) / (small[start] / large[start]) * 100 - 100
    assert result.relative_change_pct == pytest.approx(ratio_change, rel=1e-10)


def test_history_rank_matches_brute_force(real_closes):
    """Percentile, 'last as wide' and 'widest since' recomputed window by window with plain
    Python."""
    as_of = date(2024, 3, 26)
    result = compute_gap(PAIRS["index"], real_closes["^RUT"], real_closes["^GSPC"],
                         parse_period("3y"), as_of)
    small, large = real_closes["^RUT"], real_closes["^GSPC"]
    common = sorted(set(small.index.date) & set(large.index.date))
    s = dict(zip(small.index.date, small.to_numpy(), strict=True))
    g = dict(zip(large.index.date, large.to_numpy(), strict=True))
    gaps = {}
    for i, end in enumerate(common):
        if end > as_of:
            break
        try:
            target = end.replace(year=end.year - 3)
        except ValueError:  # Feb 29 -> Feb 28, as calendar offsets do
            target = end.replace(year=end.year - 3, day=28)
        earlier = [d for d in common[max(0, i - 800): i + 1] if d <= target]
        if not earlier or target < common[0]:
            continue
        start = earlier[-1]
        gaps[end] = ((g[end] / g[start]) - (s[end] / s[start])) * 100
    current = gaps[result.window.end.date()]
    below = sum(1 for v in gaps.values() if v <= current + 1e-9)
    assert result.rank.windows == len(gaps)
    assert result.rank.percentile == pytest.approx(below / len(gaps) * 100, abs=1e-9)
    wider = [d for d, v in gaps.items() if v >= current - 1e-9 and d < result.window.end.date()]
    assert result.rank.last_as_wide == max(wider)
    # 'widest since' is said only a month or more back (here the day before was as wide)
    assert max(wider) > date(2024, 2, 26) and result.rank.widest_since is None


def _synthetic(daily_growth: float, days: int = 800) -> pd.Series:
    index = pd.bdate_range("2020-01-01", periods=days)
    return pd.Series(100 * (1 + daily_growth) ** np.arange(days), index=index)


def test_small_caps_leading_gives_negative_gap_and_low_percentile():
    small, large = _synthetic(0.001), _synthetic(0.0002)
    result = compute_gap(PAIRS["index"], small, large, parse_period("1y"))
    assert result.gap_pp < 0 and result.leader == "small"
    # constant growth: every 1-year window has nearly the same gap, so ranks say so
    assert result.rank is not None and result.rank.windows > 200


def test_only_common_days_are_used():
    small = _synthetic(0.001)
    large = _synthetic(0.0005).drop(_synthetic(0.0005).index[-1])  # large lacks the last day
    result = compute_gap(PAIRS["index"], small, large, parse_period("1m"))
    assert result.window.end == large.index[-1]


def test_history_rank_ignores_data_after_the_window(real_closes):
    early = compute_gap(PAIRS["index"], real_closes["^RUT"], real_closes["^GSPC"],
                        parse_period("1y"), date(2010, 6, 30))
    cut = compute_gap(PAIRS["index"], real_closes["^RUT"].loc[:"2010-06-30"],
                      real_closes["^GSPC"].loc[:"2010-06-30"], parse_period("1y"))
    assert early.rank == cut.rank


def test_max_has_no_rank(real_closes):
    result = compute_gap(PAIRS["etf"], real_closes["IWM"], real_closes["SPY"],
                         parse_period("max"))
    assert result.rank is None
    assert result.window.start.date() == date(2000, 5, 26) - timedelta(days=0)
