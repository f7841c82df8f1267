"""Gap vs 10-year yield on real data, against numpy.corrcoef on hand-aligned plain data."""

from __future__ import annotations

import statistics
from datetime import date

import numpy as np
import pandas as pd
import pytest

from analytics.pairs import PAIRS
from analytics.periods import InsufficientHistoryError, parse_period
from analytics.rates import CHANGE_DAYS, compute_rates, verdict
from tests.analytics.plain import last_on_or_before, read_closes, rolling_gaps, years_before


@pytest.fixture(scope="module")
def plain_csv(market_data_dir):
    return {s: read_closes(market_data_dir / f"{s}.csv") for s in ("^RUT", "^GSPC", "^TNX")}


def plain_comparison(csv, years: int, until: date | None = None):
    """(days, gaps, yields) over the last `years` of days with both a 1-year gap and a yield."""
    gaps = dict(rolling_gaps(csv["^RUT"], csv["^GSPC"], 1, until=until))
    tnx = csv["^TNX"]
    days = sorted(d for d in gaps if d in tnx)
    start = days[last_on_or_before(days, years_before(days[-1], years))]
    days = [d for d in days if d >= start]
    return days, [gaps[d] for d in days], [tnx[d] for d in days]


@pytest.fixture(scope="module")
def ten_years(real_closes):
    return compute_rates(PAIRS["index"], real_closes["^RUT"], real_closes["^GSPC"],
                         real_closes["^TNX"], parse_period("10y"))


def test_window_ends_where_the_yield_data_ends(ten_years, plain_csv):
    days, _, _ = plain_comparison(plain_csv, 10)
    assert ten_years.window.start.date() == days[0] == date(2016, 2, 12)
    assert ten_years.window.end.date() == days[-1] == date(2026, 2, 13)
    assert ten_years.yield_last_date == date(2026, 2, 13)
    assert ten_years.gap_last_date == date(2026, 8, 21) == max(plain_csv["^RUT"])
    assert len(ten_years.frame) == len(days)


def test_level_correlation_matches_numpy_on_hand_aligned_data(ten_years, plain_csv):
    _, gaps, yields = plain_comparison(plain_csv, 10)
    expected = np.corrcoef(np.array(gaps), np.array(yields))[0, 1]
    assert ten_years.levels.r == pytest.approx(expected, abs=1e-9)
    assert ten_years.levels.n == len(gaps)
    slope = statistics.covariance(yields, gaps) / statistics.variance(yields)
    assert ten_years.levels.slope == pytest.approx(slope, rel=1e-7)


def test_change_correlation_uses_63_day_changes_inside_the_window(ten_years, plain_csv):
    _, gaps, yields = plain_comparison(plain_csv, 10)
    d_gap = [gaps[i] - gaps[i - CHANGE_DAYS] for i in range(CHANGE_DAYS, len(gaps))]
    d_yield = [yields[i] - yields[i - CHANGE_DAYS] for i in range(CHANGE_DAYS, len(yields))]
    assert ten_years.changes.n == len(d_gap) == len(gaps) - 63
    expected = np.corrcoef(np.array(d_gap), np.array(d_yield))[0, 1]
    assert ten_years.changes.r == pytest.approx(expected, abs=1e-9)
    slope = statistics.covariance(d_yield, d_gap) / statistics.variance(d_yield)
    assert ten_years.changes.slope == pytest.approx(slope, rel=1e-7)


def test_tnx_close_is_the_yield_in_percent(real_closes):
    """Yahoo's ^TNX close is the yield itself: the Oct 2023 high was about 5 %, the Aug 2020
    low about 0.5 % (not x10, whatever older docs say)."""
    tnx = real_closes["^TNX"]
    assert 4.9 < tnx["2023-10-19"] < 5.1
    assert 0.45 < tnx["2020-08-04"] < 0.6
    assert tnx.max() < 20


def test_current_yield_and_gap_at_the_window_end(ten_years, plain_csv):
    days, gaps, yields = plain_comparison(plain_csv, 10)
    assert ten_years.yield_end == yields[-1] == pytest.approx(4.056)
    assert ten_years.gap_end == pytest.approx(gaps[-1], abs=1e-9)
    latest = rolling_gaps(plain_csv["^RUT"], plain_csv["^GSPC"], 1)[-1]
    assert ten_years.gap_last_pp == pytest.approx(latest[1], abs=1e-9)


def test_as_of_date_cuts_both_series(real_closes, plain_csv):
    result = compute_rates(PAIRS["index"], real_closes["^RUT"], real_closes["^GSPC"],
                           real_closes["^TNX"], parse_period("3y"), date(2024, 3, 26))
    days, gaps, yields = plain_comparison(plain_csv, 3, until=date(2024, 3, 26))
    assert (result.window.start.date(), result.window.end.date()) == (days[0], days[-1])
    assert result.gap_last_date == result.yield_last_date == date(2024, 3, 26)
    assert result.levels.r == pytest.approx(np.corrcoef(gaps, yields)[0, 1], abs=1e-9)


def test_before_the_yield_data_starts_is_a_clear_error(real_closes):
    with pytest.raises(InsufficientHistoryError, match="no common days"):
        compute_rates(PAIRS["index"], real_closes["^RUT"], real_closes["^GSPC"],
                      real_closes["^TNX"], parse_period("1y"), date(2000, 12, 29))


def test_short_window_reports_no_change_correlation(real_closes):
    result = compute_rates(PAIRS["index"], real_closes["^RUT"], real_closes["^GSPC"],
                           real_closes["^TNX"], parse_period("3m"))
    assert result.changes.r is None and result.verdict == "too_short"
    assert result.levels.r is None  # about 63 days: under the year a level r needs
    assert result.changes.independent is not None and result.changes.independent < 8


@pytest.mark.parametrize(("r", "expected"), [
    (None, "too_short"), (0.05, "no_relation"), (-0.099, "no_relation"),
    (0.12, "weakly_supports"), (0.3, "supports"), (0.8, "supports"),
    (-0.23, "weakly_contradicts"), (-0.31, "contradicts"),
])
def test_verdict_thresholds(r, expected):
    assert verdict(r) == expected


def test_constant_series_have_no_correlation():
    days = pd.bdate_range("2019-01-01", periods=800)
    flat = pd.Series(100.0, index=days)
    result = compute_rates(PAIRS["index"], flat, flat * 2, flat / 25, parse_period("1y"))
    assert result.levels.r is None and result.changes.r is None
