"""The trend status on real data, against a plain-Python recomputation from the CSV files."""

from __future__ import annotations

import statistics
from datetime import date

import numpy as np
import pandas as pd
import pytest

from analytics.pairs import PAIRS
from analytics.periods import InsufficientHistoryError, parse_period
from analytics.trend import compute_trend, trend_status
from tests.analytics.plain import common_dates, read_closes

AS_OF = date(2024, 3, 26)


@pytest.fixture(scope="module")
def plain_ratio(market_data_dir) -> tuple[list[date], list[float]]:
    """Russell 2000 / S&P 500 on common days up to AS_OF, from the csv module."""
    rut = read_closes(market_data_dir / "^RUT.csv")
    gspc = read_closes(market_data_dir / "^GSPC.csv")
    days = common_dates(rut, gspc, until=AS_OF)
    return days, [rut[d] / gspc[d] for d in days]


def plain_mean(values: list[float], end: int, days: int) -> float | None:
    """Mean of the `days` values ending at position `end`, None if there are fewer."""
    if end + 1 < days:
        return None
    window = values[end + 1 - days : end + 1]
    return sum(window) / days


@pytest.fixture(scope="module")
def status(real_closes):
    return trend_status(real_closes["^RUT"], real_closes["^GSPC"], AS_OF)


def test_ratio_and_moving_averages_match_plain_means(status, plain_ratio):
    days, ratio = plain_ratio
    last = len(ratio) - 1
    assert status.as_of == days[-1] == AS_OF
    assert status.history_start == days[0] and status.history_days == len(days)
    assert status.ratio == pytest.approx(ratio[-1], rel=1e-12)
    ma50, ma200 = plain_mean(ratio, last, 50), plain_mean(ratio, last, 200)
    assert status.ma50 == pytest.approx(ma50, rel=1e-10)
    assert status.ma200 == pytest.approx(ma200, rel=1e-10)
    assert status.pct_vs_200dma == pytest.approx((ratio[-1] / ma200 - 1) * 100, rel=1e-8)
    assert status.pct_vs_50dma == pytest.approx((ratio[-1] / ma50 - 1) * 100, rel=1e-8)


def test_zscore_and_percentile_over_all_history_to_the_as_of_date(status, plain_ratio):
    _, ratio = plain_ratio
    z = (ratio[-1] - statistics.fmean(ratio)) / statistics.stdev(ratio)
    assert status.zscore == pytest.approx(z, rel=1e-8)
    at_most = sum(1 for v in ratio if v <= ratio[-1])
    assert status.percentile == pytest.approx(at_most / len(ratio) * 100, rel=1e-12)


def test_peak_drawdown_and_days_since_peak(status, plain_ratio):
    days, ratio = plain_ratio
    peak = max(ratio)
    peak_pos = max(i for i, v in enumerate(ratio) if v == peak)
    assert status.peak_date == days[peak_pos] == date(2014, 3, 4)
    assert status.peak_ratio == pytest.approx(peak, rel=1e-12)
    assert status.days_since_peak == len(ratio) - 1 - peak_pos
    assert status.drawdown_pct == pytest.approx((ratio[-1] / peak - 1) * 100, rel=1e-10)
    assert not status.at_peak


def test_last_200_day_cross_is_the_last_change_of_side(status, plain_ratio):
    days, ratio = plain_ratio
    sides = []  # (day, above?) for every day with a 200-day average, oldest first
    running = sum(ratio[:199])
    for i in range(199, len(ratio)):
        running += ratio[i]
        sides.append((days[i], ratio[i] > running / 200))
        running -= ratio[i - 199]
    crosses = [(d, above) for (_, prev), (d, above) in zip(sides, sides[1:], strict=False)
               if above != prev]
    cross_day, above = crosses[-1]
    assert status.last_cross_date == cross_day
    assert status.last_cross_direction == ("above" if above else "below")
    assert status.days_since_cross == len(days) - 1 - days.index(cross_day)


def test_later_data_does_not_change_a_past_status(real_closes, status):
    cut = {s: real_closes[s].loc[:"2024-03-26"] for s in ("^RUT", "^GSPC")}
    assert trend_status(cut["^RUT"], cut["^GSPC"]) == status


def test_chart_window_has_a_200_day_average_from_its_first_day(real_closes):
    view = compute_trend(PAIRS["index"], real_closes["^RUT"], real_closes["^GSPC"],
                         parse_period("2y"), AS_OF)
    assert view.window.start == pd.Timestamp("2022-03-25")
    assert view.window.end == pd.Timestamp(AS_OF)
    assert not view.frame["ma200"].isna().any()
    assert view.frame.index[0] == view.window.start


def _days(n: int) -> pd.DatetimeIndex:
    return pd.bdate_range("2020-01-01", periods=n)


def test_short_history_has_no_200_day_average_rank_or_cross():
    days = _days(120)
    small = pd.Series(np.linspace(50, 60, len(days)), index=days)
    large = pd.Series(100.0, index=days)
    s = trend_status(small, large)
    assert s.ma50 is not None and s.ma200 is None and s.pct_vs_200dma is None
    assert s.zscore is None and s.percentile is None
    assert s.last_cross_date is None and s.last_cross_direction is None
    assert s.at_peak and s.drawdown_pct == 0.0 and s.days_since_peak == 0


def test_too_little_data_is_a_clear_error():
    days = _days(3)
    with pytest.raises(InsufficientHistoryError):
        trend_status(pd.Series([1.0, 2, 3], index=days), pd.Series([1.0, 1, 1], index=days),
                     as_of=date(2019, 1, 1))
