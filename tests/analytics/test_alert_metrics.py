"""The alert metrics: each one's series against a plain-Python computation, its words, its
stored form, and the registry that refuses a metric with something missing."""

from __future__ import annotations

import calendar
import math
from abc import abstractmethod
from datetime import date

import numpy as np
import pandas as pd
import pytest

from analytics.alert_metric_base import Metric, MetricWordsError
from analytics.alert_metrics import (
    METRICS,
    GapMetric,
    RatioPercentile,
    RatioVsAverage,
    RatioZscore,
    _registry,
    metric_from_dict,
    metric_help,
    metric_to_dict,
    parse_metric,
)
from analytics.pairs import PAIRS
from analytics.periods import parse_period

INDEX, ETF = PAIRS["index"], PAIRS["etf"]


@pytest.fixture(scope="module")
def closes() -> tuple[pd.Series, pd.Series]:
    """Two random-walk close series over 400 business days (no look-ahead to test here,
    just arithmetic)."""
    rng = np.random.default_rng(7)
    days = pd.bdate_range("2020-01-01", periods=400)
    small = pd.Series(100 * np.exp(np.cumsum(rng.normal(0, 0.012, 400))), index=days)
    large = pd.Series(100 * np.exp(np.cumsum(rng.normal(0.0003, 0.01, 400))), index=days)
    return small, large


def month_before(day: date) -> date:
    """The same calendar date a month earlier, clipped to the month's end."""
    year, month = (day.year, day.month - 1) if day.month > 1 else (day.year - 1, 12)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def test_gap_is_large_minus_small_over_the_window_in_pp(closes):
    small, large = closes
    series = GapMetric(INDEX, parse_period("1m")).series(small, large)
    days = [d.date() for d in small.index]
    for day in (days[30], days[200], days[-1]):
        start = max(d for d in days if d <= month_before(day))
        s, lg = small[pd.Timestamp(start)], large[pd.Timestamp(start)]
        expected = ((large[pd.Timestamp(day)] / lg - 1) - (small[pd.Timestamp(day)] / s - 1)) * 100
        assert series[pd.Timestamp(day)] == pytest.approx(expected)
    assert series.name == "gap" and not series.isna().any()


def test_ratio_vs_average_is_the_percent_distance_from_the_plain_mean(closes):
    small, large = closes
    ratio = [s / lg for s, lg in zip(small, large, strict=True)]
    series = RatioVsAverage(INDEX, 20).series(small, large)
    assert series.index[0] == small.index[19]  # 20 values before the first average
    for i in (19, 250, 399):
        mean = sum(ratio[i - 19:i + 1]) / 20
        assert series[small.index[i]] == pytest.approx((ratio[i] / mean - 1) * 100)


def test_percentile_and_zscore_rank_against_every_value_so_far(closes):
    small, large = closes
    ratio = [s / lg for s, lg in zip(small, large, strict=True)]
    pct = RatioPercentile(INDEX).series(small, large)
    z = RatioZscore(INDEX).series(small, large)
    assert pct.index[0] == z.index[0] == small.index[251]  # a year of history first
    for i in (251, 300, 399):
        seen = ratio[:i + 1]
        assert pct[small.index[i]] == pytest.approx(
            100 * sum(v <= ratio[i] for v in seen) / len(seen))
        mean = sum(seen) / len(seen)
        std = math.sqrt(sum((v - mean) ** 2 for v in seen) / (len(seen) - 1))
        assert z[small.index[i]] == pytest.approx((ratio[i] - mean) / std)


def test_each_metric_says_which_days_a_value_depends_on(closes):
    small, large = closes
    dates = small.index
    day = dates[300].date()
    assert GapMetric(INDEX, parse_period("1m")).window(dates, day) == \
        (max(d.date() for d in dates if d.date() <= month_before(day)), day)
    assert RatioVsAverage(INDEX, 20).window(dates, day) == (dates[281].date(), day)
    assert RatioZscore(INDEX).window(dates, day) == (dates[0].date(), day)
    with pytest.raises(ValueError):
        RatioZscore(INDEX).window(dates, date(2019, 1, 1))


@pytest.mark.parametrize("metric", METRICS, ids=lambda m: m.key)
def test_every_metric_reads_its_example_back_and_stores_round_trip(metric):
    for pair, suffix in ((INDEX, ""), (ETF, " etf")):
        found, rest = parse_metric(metric.example.split() + ["above", "1"], pair)
        assert type(found) is metric and rest == ["above", "1"]
        assert found.words() == metric.example + suffix
        assert metric_from_dict(metric_to_dict(found)) == found
        assert f"`{metric.example}`" in metric_help()
        assert metric.unit in found.format(1.0)


def test_stored_form_keeps_the_first_layout():
    assert metric_to_dict(GapMetric(INDEX, parse_period("3y"))) == \
        {"metric": "gap", "pair": "index", "period": "3y", "ma_days": None}
    assert metric_to_dict(RatioVsAverage(ETF, 200)) == \
        {"metric": "vs_ma", "pair": "etf", "period": None, "ma_days": 200}
    assert metric_to_dict(RatioZscore(INDEX)) == \
        {"metric": "zscore", "pair": "index", "period": None, "ma_days": None}


def test_values_are_worded_in_the_metrics_unit():
    assert GapMetric(INDEX, parse_period("3y")).format(37.734) == "37.73 pp"
    assert RatioVsAverage(INDEX, 200).format(1.234) == "+1.23 %"
    assert RatioPercentile(INDEX).format(12.34) == "percentile 12.3"
    assert RatioZscore(INDEX).format(-1.849) == "-1.85 σ"
    assert RatioZscore(INDEX).format(-0.001) == "0.00 σ"  # no sign on zero


def test_charts_follow_the_metric():
    gap = GapMetric(INDEX, parse_period("18m")).chart()
    assert (gap.command, gap.period.label) == ("gap", "18m")
    for metric in (RatioVsAverage(INDEX, 50), RatioPercentile(INDEX), RatioZscore(INDEX)):
        assert (metric.chart().command, metric.chart().period.label) == ("trend", "2y")


def test_unknown_words_name_every_metric():
    with pytest.raises(MetricWordsError) as err:
        parse_metric(["volume", "above", "3"], INDEX)
    assert all(f"`{m.example}`" in err.value.message for m in METRICS)
    with pytest.raises(MetricWordsError) as err:
        parse_metric(["ratio", "momentum"], INDEX)
    assert err.value.message == ("After `ratio` say `vs 200dma`, `percentile` or `zscore` "
                                 "(not `momentum`).")


def test_the_registry_refuses_a_metric_with_something_missing():
    with pytest.raises(TypeError, match=r"Bare lacks \['head', 'example', 'unit'"):
        _registry(type("Bare", (Metric,), {"key": "bare"}))
    no_format = {"key": "plain_z", "format": abstractmethod(RatioZscore.format)}
    with pytest.raises(TypeError, match=r"NoFormat lacks \['format'\]"):
        _registry(type("NoFormat", (RatioZscore,), no_format))
    with pytest.raises(TypeError, match="keys must differ"):
        _registry(*METRICS, type("Again", (GapMetric,), {"key": "gap"}))
    with pytest.raises(TypeError, match="must start with"):
        _registry(type("Odd", (GapMetric,), {"key": "odd", "example": "spread 3y"}))
    assert _registry(*METRICS) == METRICS
