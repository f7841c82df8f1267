"""Relative-ratio statistics against plain Python recomputations (no look-ahead)."""

from __future__ import annotations

import statistics

import numpy as np
import pandas as pd
import pytest

from analytics.relative import (
    drawdown_from_peak,
    expanding_percentile,
    expanding_zscore,
    last_cross,
    moving_average,
    pct_vs_moving_average,
    relative_ratio,
)

RNG = np.random.default_rng(7)
DAYS = pd.bdate_range("2015-01-01", periods=600)
SERIES = pd.Series(np.exp(np.cumsum(RNG.normal(0, 0.01, len(DAYS)))), index=DAYS)


def test_ratio_uses_common_days_only():
    small = SERIES.iloc[5:]
    large = SERIES.iloc[:-5] * 2
    ratio = relative_ratio(small, large)
    assert ratio.index[0] == DAYS[5] and ratio.index[-1] == DAYS[-6]
    assert ratio.iloc[0] == pytest.approx(0.5)


def test_moving_average_and_distance_match_plain_mean():
    values = SERIES.to_list()
    i = 450
    expected_ma = sum(values[i - 199: i + 1]) / 200
    assert moving_average(SERIES, 200).iloc[i] == pytest.approx(expected_ma, rel=1e-12)
    assert np.isnan(moving_average(SERIES, 200).iloc[198])
    assert pct_vs_moving_average(SERIES, 200).iloc[i] == pytest.approx(
        (values[i] / expected_ma - 1) * 100, rel=1e-9)


def test_zscore_and_percentile_use_only_the_past():
    values = SERIES.to_list()
    i = 400
    past = values[: i + 1]
    z = (values[i] - statistics.fmean(past)) / statistics.stdev(past)
    assert expanding_zscore(SERIES).iloc[i] == pytest.approx(z, rel=1e-9)
    pct = sum(v <= values[i] for v in past) / len(past) * 100
    assert expanding_percentile(SERIES).iloc[i] == pytest.approx(pct, rel=1e-12)
    future_changed = SERIES.copy()
    future_changed.iloc[i + 1:] *= 10
    assert expanding_zscore(future_changed).iloc[i] == pytest.approx(z, rel=1e-9)


def test_drawdown_is_zero_at_peaks_and_negative_below():
    dd = drawdown_from_peak(pd.Series([1.0, 2.0, 1.5, 3.0, 2.4]))
    assert dd.tolist() == pytest.approx([0, 0, -25, 0, -20])


def test_last_cross_finds_the_latest_side_change():
    series = pd.Series([1, 2, 3, 2, 1, 2, 3.0], index=DAYS[:7])
    reference = pd.Series(2.5, index=DAYS[:7])
    assert last_cross(series, reference) == DAYS[6]
    assert last_cross(series.iloc[:6], reference.iloc[:6]) == DAYS[3]
    assert last_cross(pd.Series([1.0, 1.1], index=DAYS[:2]), reference.iloc[:2]) is None


def test_last_cross_is_none_when_the_reference_does_not_exist_yet():
    series = SERIES.iloc[:50]
    assert last_cross(series, moving_average(series, 200)) is None
