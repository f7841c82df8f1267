"""Risk statistics against empyrical, plain Python and published facts, on the real series."""

from __future__ import annotations

import csv
import math
import statistics
from datetime import date, datetime
from pathlib import Path

import empyrical
import numpy as np
import pandas as pd
import pytest

from analytics.pairs import PAIRS
from analytics.periods import InsufficientHistoryError, parse_period
from analytics.risk import compute_risk, max_drawdown, sharpe_ratio

CASES = [("index", "3y", date(2024, 3, 26)), ("etf", "10y", None), ("index", "max", None),
         ("etf", "1y", date(2008, 12, 31)), ("index", "1m", date(2020, 3, 23))]

# Tolerances. Our formulas are the same as empyrical's (total return, CAGR with
# years = n/252, std ddof=1 * sqrt(252), Sharpe = mean/std(ddof=1) of excess * sqrt(252),
# beta = cov/var), so the only differences are floating-point: empyrical compounds the
# daily returns (cumprod) where we divide the last close by the first, and sums in another
# order. Over up to ~10,000 returns that accumulates to ~1e-12 relative; rel=1e-8 leaves a
# wide margin and still fails for any convention change (ddof=0 moves volatility by
# 1/(2n) relative, 5e-5 for 10,000 days; 365 days a year moves it by 20 %).
# Max drawdown: empyrical prepends a start value (100) to the cumulative returns, i.e. it
# measures from the window's first close exactly as we do, so the same tolerance holds.
REL = 1e-8


def _stats(real_closes, pair, period, as_of, rf=0.0):
    chosen = PAIRS[pair]
    return compute_risk(chosen, real_closes[chosen.small.symbol],
                        real_closes[chosen.large.symbol], parse_period(period), as_of, rf)


def _window_returns(real_closes, stats, column):
    """Daily returns of the window straight from the CSV series, on the pair's common days."""
    chosen = stats.pair
    both = pd.concat([real_closes[chosen.small.symbol], real_closes[chosen.large.symbol]],
                     axis=1, join="inner", keys=["small", "large"]).dropna()
    window = both.loc[stats.window.start : stats.window.end, column]
    return window.pct_change().dropna()


@pytest.mark.parametrize("pair,period,as_of", CASES)
def test_matches_empyrical(real_closes, pair, period, as_of):
    stats = _stats(real_closes, pair, period, as_of)
    for column, leg in (("small", stats.small), ("large", stats.large)):
        r = _window_returns(real_closes, stats, column)
        assert stats.n_returns == len(r)
        assert leg.total_return_pct / 100 == pytest.approx(empyrical.cum_returns_final(r),
                                                           rel=REL)
        assert leg.cagr_pct / 100 == pytest.approx(empyrical.cagr(r), rel=REL)
        assert leg.volatility_pct / 100 == pytest.approx(empyrical.annual_volatility(r),
                                                         rel=REL)
        assert leg.sharpe == pytest.approx(empyrical.sharpe_ratio(r), rel=REL)
        assert leg.max_drawdown.depth_pct / 100 == pytest.approx(empyrical.max_drawdown(r),
                                                                 rel=REL)
    small = _window_returns(real_closes, stats, "small")
    large = _window_returns(real_closes, stats, "large")
    assert stats.beta == pytest.approx(empyrical.beta(small, large), rel=REL)


def test_sharpe_with_a_risk_free_rate_matches_empyrical_given_the_daily_rate(real_closes):
    """4 % a year de-compounded over 252 days is the daily rate empyrical subtracts."""
    stats = _stats(real_closes, "etf", "5y", date(2025, 12, 31), rf=0.04)
    r = _window_returns(real_closes, stats, "large")
    daily = 1.04 ** (1 / 252) - 1
    assert stats.large.sharpe == pytest.approx(empyrical.sharpe_ratio(r, risk_free=daily),
                                               rel=REL)
    assert stats.large.sharpe < _stats(real_closes, "etf", "5y", date(2025, 12, 31)).large.sharpe


def test_correlation_matches_plain_python(real_closes):
    stats = _stats(real_closes, "index", "3y", date(2024, 3, 26))
    small = list(_window_returns(real_closes, stats, "small"))
    large = list(_window_returns(real_closes, stats, "large"))
    assert stats.correlation == pytest.approx(statistics.correlation(small, large), rel=1e-9)
    # beta = correlation * sd(small) / sd(large): a second, independent route
    beta = statistics.correlation(small, large) * statistics.stdev(small) / statistics.stdev(large)
    assert stats.beta == pytest.approx(beta, rel=1e-9)


def _drawdown_by_loop(path: Path, start: date, end: date):
    """Peak, trough, depth and recovery with a plain loop over the CSV rows."""
    with path.open() as handle:
        rows = [(datetime.strptime(r["Date"], "%Y-%m-%d").date(), float(r["Close"]))
                for r in csv.DictReader(handle)]
    rows = [(d, c) for d, c in rows if start <= d <= end]
    high_day, high = rows[0]
    worst = (0.0, rows[0][0], rows[0][0])
    for day, close in rows:
        if close >= high:
            high_day, high = day, close
        depth = close / high - 1
        if depth < worst[0]:
            worst = (depth, high_day, day)
    depth, peak, trough = worst
    peak_close = dict(rows)[peak]
    recovery = next((d for d, c in rows if d > trough and c >= peak_close), None)
    return depth * 100, peak, trough, recovery


def test_2022_bear_market_dates_match_the_published_record(real_closes, market_data_dir):
    """The S&P 500 peaked on 2022-01-03, bottomed on 2022-10-12 (-25.4 %) and closed at a
    new record on 2024-01-19; the Russell 2000 had not regained its 2021-11-08 high by
    March 2024."""
    stats = _stats(real_closes, "index", "3y", date(2024, 3, 26))
    large, small = stats.large.max_drawdown, stats.small.max_drawdown
    assert (large.peak.date(), large.trough.date()) == (date(2022, 1, 3), date(2022, 10, 12))
    assert large.recovery.date() == date(2024, 1, 19)
    assert large.depth_pct == pytest.approx(-25.4, abs=0.05)
    assert small.peak.date() == date(2021, 11, 8) and small.recovery is None
    for symbol, leg in (("^GSPC", large), ("^RUT", small)):
        depth, peak, trough, recovery = _drawdown_by_loop(
            market_data_dir / f"{symbol}.csv", stats.window.start.date(), date(2024, 3, 26))
        assert leg.depth_pct == pytest.approx(depth, rel=1e-12)
        assert (leg.peak.date(), leg.trough.date()) == (peak, trough)
        assert (leg.recovery.date() if leg.recovery is not None else None) == recovery


def test_rising_series_has_no_drawdown_and_flat_returns_no_sharpe():
    days = pd.bdate_range("2024-01-01", periods=30)
    rising = pd.Series(np.linspace(100, 130, 30), index=days)
    dd = max_drawdown(rising)
    assert dd.depth_pct == 0.0 and dd.recovery is None and dd.peak == dd.trough
    steady = pd.Series(np.full(29, 0.001), index=days[1:])
    assert sharpe_ratio(steady) is None


def test_deeper_fall_makes_a_deeper_drawdown():
    """Property: scaling every close after the peak down deepens the drawdown by that much."""
    days = pd.bdate_range("2024-01-01", periods=6)
    closes = pd.Series([100, 110, 99, 88, 95, 111.0], index=days)
    base = max_drawdown(closes)
    assert base.depth_pct == pytest.approx(-20.0)
    assert (base.peak, base.trough, base.recovery) == (days[1], days[3], days[5])
    lower = closes.copy()
    lower.iloc[2:5] *= 0.9
    assert max_drawdown(lower).depth_pct == pytest.approx(-28.0)


def test_a_single_return_is_not_enough(real_closes):
    with pytest.raises(InsufficientHistoryError, match="at least 2"):
        _stats(real_closes, "index", "1d", date(2024, 3, 26))


def test_rolling_volatility_uses_history_before_the_window(real_closes):
    stats = _stats(real_closes, "index", "1m", date(2024, 3, 26))
    vol = stats.rolling_volatility
    assert vol.notna().all().all()  # decades of history precede this month
    r = real_closes["^GSPC"].loc[:"2024-03-26"].pct_change().dropna().iloc[-252:]
    assert vol["large"].iloc[-1] == pytest.approx(statistics.stdev(r) * math.sqrt(252) * 100,
                                                  rel=1e-9)
