"""What an alert rule watches: a daily metric series computed without look-ahead.

Four metrics, each a value per trading day that uses only data up to that day, so a value
evaluated for a past date is what the bot would have seen on that date (replays are honest):

- `gap`: the gap over a rolling window (`gap 3y`), large minus small, in percentage points.
- `vs_ma`: the relative ratio (small / large) against its N-day simple moving average, in %.
- `percentile`: the ratio's percentile among all its values up to that day (0-100).
- `zscore`: the ratio's z-score against all its values up to that day (standard deviations).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

import pandas as pd

from analytics.gap import align_closes, rolling_gap_pp
from analytics.pairs import DEFAULT_PAIR, Pair
from analytics.periods import Period, last_on_or_before, resolve_window
from analytics.relative import (
    expanding_percentile,
    expanding_zscore,
    pct_vs_moving_average,
    relative_ratio,
)

MetricKind = Literal["gap", "vs_ma", "percentile", "zscore"]
EXPANDING_MIN_DAYS = 252
"""Percentile and z-score need a year of ratio history before they have a value."""


@dataclass(frozen=True)
class Metric:
    """One watchable series: its kind, the pair, and its window (gap) or average length."""

    kind: MetricKind
    pair: Pair
    period: Period | None = None
    """The gap's look-back window (`gap` only)."""
    ma_days: int | None = None
    """The moving-average length in trading days (`vs_ma` only)."""

    @property
    def unit(self) -> str:
        """'pp', '%', 'percentile' or 'σ': how values of this metric are read."""
        return {"gap": "pp", "vs_ma": "%", "percentile": "percentile", "zscore": "σ"}[self.kind]

    def words(self) -> str:
        """The metric as typed in a rule: 'gap 3y', 'ratio vs 200dma', 'ratio zscore'."""
        pair = "" if self.pair.key == DEFAULT_PAIR else f" {self.pair.key}"
        if self.kind == "gap":
            assert self.period is not None
            return f"gap {self.period.label}{pair}"
        if self.kind == "vs_ma":
            return f"ratio vs {self.ma_days}dma{pair}"
        return f"ratio {self.kind}{pair}"

    def label(self) -> str:
        """Analyst wording: 'the 3-year gap (S&P 500 − Russell 2000)'."""
        small, large = self.pair.small.name, self.pair.large.name
        if self.kind == "gap":
            assert self.period is not None
            return f"the {self.period.adjective()} gap ({large} − {small})"
        ratio = f"the {small}/{large} ratio"
        if self.kind == "vs_ma":
            return f"{ratio} vs its {self.ma_days}-day average"
        if self.kind == "percentile":
            return f"{ratio}'s percentile of its history"
        return f"{ratio}'s z-score against its history"

    def format(self, value: float, extra_decimals: int = 0) -> str:
        """'37.73 pp', '+1.23 %', 'percentile 12.3', '-1.85 σ' for a value of this metric
        (`extra_decimals` more digits when needed to tell two values apart)."""
        if self.kind == "gap":
            return f"{value:.{2 + extra_decimals}f} pp"
        if self.kind == "percentile":
            return f"percentile {value:.{1 + extra_decimals}f}"
        text = f"{value:+.{2 + extra_decimals}f}"
        text = text[1:] if float(text) == 0 else text  # no sign on zero
        return f"{text} %" if self.kind == "vs_ma" else f"{text} σ"

    def format_apart(self, value: float, level: float, max_extra: int = 4) -> str:
        """`value` with just enough decimals not to read as `level` (a value just past a
        threshold must not print as the threshold: 'below -1.60 σ: now -1.600 σ' would
        otherwise say 'now -1.60 σ')."""
        for extra in range(max_extra + 1):
            text = self.format(value, extra)
            if value == level or text != self.format(level, extra):
                return text
        return text

    def window_words(self, start: date, end: date) -> str:
        """The days a value depends on: '3-year window 2021-03-26 → 2024-03-26'."""
        if self.kind == "gap":
            assert self.period is not None
            return f"{self.period.adjective()} window {start} → {end}"
        if self.kind == "vs_ma":
            return f"{self.ma_days}-day average over {start} → {end}"
        return f"ranked against all closes {start} → {end}"


def metric_series(metric: Metric, small: pd.Series, large: pd.Series) -> pd.Series:
    """The metric on every common trading day that has a value (NaN warm-up days dropped)."""
    if metric.kind == "gap":
        assert metric.period is not None
        values = rolling_gap_pp(align_closes(small, large), metric.period)
    else:
        ratio = relative_ratio(small, large)
        if metric.kind == "vs_ma":
            assert metric.ma_days is not None
            values = pct_vs_moving_average(ratio, metric.ma_days)
        elif metric.kind == "percentile":
            values = expanding_percentile(ratio, EXPANDING_MIN_DAYS)
        else:
            values = expanding_zscore(ratio, EXPANDING_MIN_DAYS)
    return values.dropna().rename(metric.kind)


def metric_window(metric: Metric, dates: pd.DatetimeIndex, day: date) -> tuple[date, date]:
    """The first and last trading day a value on `day` depends on (for the reply's dates).

    `dates` are the pair's common trading days; `day` must be one of them (or after one).
    """
    end = last_on_or_before(dates, pd.Timestamp(day))
    if end is None:
        raise ValueError(f"no common close on or before {day}")
    if metric.kind == "gap":
        assert metric.period is not None
        window = resolve_window(dates, metric.period, end.date())
        return window.start.date(), window.end.date()
    if metric.kind == "vs_ma":
        assert metric.ma_days is not None
        pos = int(dates.get_loc(end))
        return dates[max(0, pos - metric.ma_days + 1)].date(), end.date()
    return dates[0].date(), end.date()
