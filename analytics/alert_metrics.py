"""What an alert rule watches: one class per metric behind `analytics.alert_metric_base.Metric`.

- `GapMetric` (`gap 3y`): the gap over a rolling window, large minus small, in percentage
  points.
- `RatioVsAverage` (`ratio vs 200dma`): the relative ratio (small / large) against its
  N-day simple moving average, in %.
- `RatioPercentile` (`ratio percentile`): the ratio's percentile among all its values up to
  that day (0-100).
- `RatioZscore` (`ratio zscore`): the ratio's z-score against all its values up to that day
  (standard deviations).

The parser, the help text, the stored rules, the evaluator, the posts and the charts all
derive from `METRICS`; nothing else branches on the metric. A new metric is one class here,
added to `METRICS`, and its test.
"""

from __future__ import annotations

import re
from abc import abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar

import pandas as pd

from analytics.alert_metric_base import (
    CONDITION_WORDS,
    ChartNeed,
    Limits,
    Metric,
    MetricWordsError,
)
from analytics.formatting import pp, signed_unless_zero
from analytics.gap import align_closes, rolling_gap_pp
from analytics.pairs import Pair, parse_pair
from analytics.periods import Period, PeriodError, parse_period, resolve_window
from analytics.relative import (
    expanding_percentile,
    expanding_zscore,
    pct_vs_moving_average,
    relative_ratio,
)

EXPANDING_MIN_DAYS = 252
"""Percentile and z-score need a year of ratio history before they have a value."""
TREND_CHART_PERIOD = "2y"
"""The chart window of a ratio metric's firing: the `trend` command's default."""
STORED_PARAMS = ("period", "ma_days")
"""Parameter fields every stored rule has carried since the first version (null when its
metric has no such parameter); a metric with other parameters adds its own."""


@dataclass(frozen=True)
class GapMetric(Metric):
    """`gap [WINDOW]`: the gap over a rolling window (default 3y), large minus small, pp."""

    period: Period

    key = "gap"
    head = "gap"
    example = "gap 3y"
    unit = "pp"
    kind_name = "gap (pp)"
    limits = Limits(-1000.0, 1000.0, 200.0)
    hint = "any window, pp"
    help_hint = "in pp"

    @classmethod
    def parse(cls, words: list[str], pair: Pair) -> tuple[Metric, list[str]]:
        text = words[0] if words and words[0] not in CONDITION_WORDS else "3y"
        rest = words[1:] if words and text == words[0] else words
        try:
            period = parse_period(text)
        except PeriodError as exc:
            raise MetricWordsError(str(exc)) from None
        if period.kind not in ("offset", "ytd"):
            raise MetricWordsError("A gap alert needs a rolling window such as `3y`, `18m` or "
                                   "`ytd`.")
        return cls(pair, period), rest

    @classmethod
    def from_params(cls, pair: Pair, params: Mapping[str, Any]) -> GapMetric:
        return cls(pair, parse_period(params["period"]))

    def params(self) -> dict[str, Any]:
        return {"period": self.period.label}

    def tail(self) -> str:
        return self.period.label

    def label(self) -> str:
        small, large = self.pair.small.name, self.pair.large.name
        return f"the {self.period.adjective()} gap ({large} − {small})"

    def format(self, value: float, extra_decimals: int = 0) -> str:
        return pp(value, 2 + extra_decimals)

    def window_words(self, start: date, end: date) -> str:
        return f"{self.period.adjective()} window {start} → {end}"

    def values(self, small: pd.Series, large: pd.Series) -> pd.Series:
        return rolling_gap_pp(align_closes(small, large), self.period)

    def first_day(self, dates: pd.DatetimeIndex, end: pd.Timestamp) -> date:
        return resolve_window(dates, self.period, end.date()).start.date()

    def chart(self) -> ChartNeed:
        return ChartNeed("gap", self.period)


@dataclass(frozen=True)
class _RatioMetric(Metric):
    """A statistic of the relative ratio (small / large); its chart is the `trend`."""

    head: ClassVar[str] = "ratio"

    @abstractmethod
    def of_ratio(self, ratio: pd.Series) -> pd.Series:
        """The statistic on every day of the ratio (NaN while warming up)."""

    def ratio_words(self) -> str:
        """'the Russell 2000/S&P 500 ratio'."""
        return f"the {self.pair.small.name}/{self.pair.large.name} ratio"

    def values(self, small: pd.Series, large: pd.Series) -> pd.Series:
        return self.of_ratio(relative_ratio(small, large))

    def chart(self) -> ChartNeed:
        return ChartNeed("trend", parse_period(TREND_CHART_PERIOD))


MA_DAYS = (5, 1000)
"""The moving averages `ratio vs Ndma` accepts, in trading days."""
_MA_EXAMPLE = "ratio vs 200dma crosses 0"
_MA_RE = re.compile(r"^(\d{1,4})(?:-?day|d|dma|-dma|-day-ma|sma)?$", re.ASCII)
"""ASCII digits only: handlers.normalise turns Unicode digits into ASCII first."""


def _ma_days(word: str) -> int:
    """200 from '200dma', '200d', '200-day', '200'; MetricWordsError outside MA_DAYS."""
    match = _MA_RE.match(word)
    days = int(match.group(1)) if match else 0
    if not MA_DAYS[0] <= days <= MA_DAYS[1]:
        raise MetricWordsError(f"`vs {word}`: give a moving average of {MA_DAYS[0]} to "
                               f"{MA_DAYS[1]} trading days, e.g. `vs 200dma`.", _MA_EXAMPLE)
    return days


@dataclass(frozen=True)
class RatioVsAverage(_RatioMetric):
    """`ratio vs Ndma`: the ratio against its N-day simple moving average, in %."""

    ma_days: int

    key = "vs_ma"
    example = "ratio vs 200dma"
    unit = "%"
    kind_name = "ratio-vs-average (%)"
    limits = Limits(-100.0, 1000.0, 100.0)
    hint = "%"
    help_hint = "in percent"

    @classmethod
    def parse(cls, words: list[str], pair: Pair) -> tuple[Metric, list[str]] | None:
        if words[:1] not in (["vs"], ["vs."]):
            return None
        return cls(pair, _ma_days(words[1] if len(words) > 1 else "")), words[2:]

    @classmethod
    def from_params(cls, pair: Pair, params: Mapping[str, Any]) -> RatioVsAverage:
        return cls(pair, int(params["ma_days"]))

    def params(self) -> dict[str, Any]:
        return {"ma_days": self.ma_days}

    def tail(self) -> str:
        return f"vs {self.ma_days}dma"

    def label(self) -> str:
        return f"{self.ratio_words()} vs its {self.ma_days}-day average"

    def format(self, value: float, extra_decimals: int = 0) -> str:
        return f"{signed_unless_zero(value, 2 + extra_decimals)} %"

    def window_words(self, start: date, end: date) -> str:
        return f"{self.ma_days}-day average over {start} → {end}"

    def of_ratio(self, ratio: pd.Series) -> pd.Series:
        return pct_vs_moving_average(ratio, self.ma_days)

    def first_day(self, dates: pd.DatetimeIndex, end: pd.Timestamp) -> date:
        return dates[max(0, int(dates.get_loc(end)) - self.ma_days + 1)].date()


@dataclass(frozen=True)
class _RankedRatio(_RatioMetric):
    """The ratio ranked against all its values up to each day (a year of them at least)."""

    words_in: ClassVar[tuple[str, ...]]
    """The words after `ratio` that name this metric; the first is its canonical one."""

    @classmethod
    def parse(cls, words: list[str], pair: Pair) -> tuple[Metric, list[str]] | None:
        if not words or words[0] not in cls.words_in:
            return None
        return cls(pair), words[1:]

    @classmethod
    def from_params(cls, pair: Pair, params: Mapping[str, Any]) -> Metric:
        return cls(pair)

    def params(self) -> dict[str, Any]:
        return {}

    def tail(self) -> str:
        return self.words_in[0]

    def window_words(self, start: date, end: date) -> str:
        return f"ranked against all closes {start} → {end}"

    def first_day(self, dates: pd.DatetimeIndex, end: pd.Timestamp) -> date:
        return dates[0].date()


@dataclass(frozen=True)
class RatioPercentile(_RankedRatio):
    """`ratio percentile`: the ratio's percentile among all its values so far (0-100)."""

    key = "percentile"
    words_in = ("percentile", "pctile", "pct", "rank")
    example = "ratio percentile"
    unit = "percentile"
    kind_name = "percentile"
    limits = Limits(0.0, 100.0, 100.0)

    def label(self) -> str:
        return f"{self.ratio_words()}'s percentile of its history"

    def format(self, value: float, extra_decimals: int = 0) -> str:
        return f"percentile {value:.{1 + extra_decimals}f}"

    def of_ratio(self, ratio: pd.Series) -> pd.Series:
        return expanding_percentile(ratio, EXPANDING_MIN_DAYS)


@dataclass(frozen=True)
class RatioZscore(_RankedRatio):
    """`ratio zscore`: the ratio's z-score against all its values so far (σ)."""

    key = "zscore"
    words_in = ("zscore", "z-score", "z")
    example = "ratio zscore"
    unit = "σ"
    kind_name = "z-score"
    limits = Limits(-10.0, 10.0, 10.0)

    def label(self) -> str:
        return f"{self.ratio_words()}'s z-score against its history"

    def format(self, value: float, extra_decimals: int = 0) -> str:
        return f"{signed_unless_zero(value, 2 + extra_decimals)} σ"

    def of_ratio(self, ratio: pd.Series) -> pd.Series:
        return expanding_zscore(ratio, EXPANDING_MIN_DAYS)


_REQUIRED = ("key", "head", "example", "unit", "kind_name", "limits")


def _registry(*metrics: type[Metric]) -> tuple[type[Metric], ...]:
    """`metrics`, refused at import when one is abstract, lacks a class attribute, reuses
    a key or has an example that does not start with its head word."""
    for metric in metrics:
        missing = [name for name in _REQUIRED if not hasattr(metric, name)]
        abstract = sorted(getattr(metric, "__abstractmethods__", ()))
        if missing or abstract:
            raise TypeError(f"alert metric {metric.__name__} lacks {missing + abstract}")
        if not metric.example.startswith(metric.head + " "):
            raise TypeError(f"{metric.__name__}.example must start with `{metric.head} `")
    keys = [m.key for m in metrics]
    if len(set(keys)) != len(keys):
        raise TypeError(f"alert metric keys must differ: {keys}")
    return metrics


METRICS: tuple[type[Metric], ...] = _registry(GapMetric, RatioVsAverage, RatioPercentile,
                                              RatioZscore)
"""Every alert metric, in the order help and errors list them."""
METRIC_TYPES: dict[str, type[Metric]] = {m.key: m for m in METRICS}
"""Stored key -> metric class."""


def _one_of(items: list[str]) -> str:
    """'a', 'a or b', 'a, b or c'."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} or {items[-1]}"


def parse_metric(words: list[str], pair: Pair) -> tuple[Metric, list[str]]:
    """(metric, remaining words) from the lower-case words at the start of a rule;
    MetricWordsError naming what is accepted when they name no metric."""
    first, rest = (words[0], words[1:]) if words else ("", [])
    candidates = [m for m in METRICS if m.head == first]
    if not candidates:
        known = [f"`{m.example}`" + (f" ({m.hint})" if m.hint else "") for m in METRICS]
        raise MetricWordsError(f"`{first or '(nothing)'}` is not a metric. Alerts watch "
                               f"{_one_of(known)}.")
    for metric in candidates:
        found = metric.parse(rest, pair)
        if found is not None:
            return found
    word = rest[0] if rest else ""
    tails = [f"`{m.example[len(first) + 1:]}`" for m in candidates]
    raise MetricWordsError(f"After `{first}` say {_one_of(tails)}"
                           f"{f' (not `{word}`)' if word else ''}.",
                           f"{candidates[0].example} crosses 0")


def metric_help() -> str:
    """The metrics for the help text: '`gap 3y` (in pp), `ratio vs 200dma` (in percent), …'."""
    return ", ".join(f"`{m.example}`" + (f" ({m.help_hint})" if m.help_hint else "")
                     for m in METRICS)


def metric_to_dict(metric: Metric) -> dict[str, Any]:
    """The metric as stored with a rule: {'metric': 'gap', 'pair': 'index', 'period': '3y',
    'ma_days': None} (the STORED_PARAMS always, then any other parameter of the metric)."""
    return {"metric": metric.key, "pair": metric.pair.key, **dict.fromkeys(STORED_PARAMS),
            **metric.params()}


def metric_from_dict(data: Mapping[str, Any]) -> Metric:
    """The metric of a stored rule (see `metric_to_dict`); KeyError for an unknown one."""
    return METRIC_TYPES[data["metric"]].from_params(parse_pair(data["pair"]), data)
