"""Metric series for alert rules from cached market data, computed once per run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from analytics.alert_metric_base import Metric
from analytics.gap import align_closes
from bot.data.market import MarketData, PriceHistory


@dataclass(frozen=True)
class MetricData:
    """A metric's daily values and where they came from."""

    metric: Metric
    series: pd.Series
    dates: pd.DatetimeIndex
    """The pair's common trading days (the metric's windows are made of them)."""
    source: str
    stale_note: str | None

    def value_on(self, day: date) -> float | None:
        """The value on the last trading day on or before `day`, or None."""
        upto = self.series.loc[: pd.Timestamp(day)]
        return float(upto.iloc[-1]) if len(upto) else None

    def latest(self) -> tuple[date, float] | None:
        """(last day, value) of the series, or None when it has no value yet."""
        if self.series.empty:
            return None
        return self.series.index[-1].date(), float(self.series.iloc[-1])

    def window(self, day: date) -> tuple[date, date]:
        """First and last trading day the value on `day` depends on."""
        return self.metric.window(self.dates, day)


class MetricCache:
    """Computes each distinct metric once and fetches each pair's history once."""

    def __init__(self, market: MarketData) -> None:
        self.market = market
        self._histories: dict[tuple[str, ...], PriceHistory] = {}
        self._metrics: dict[str, MetricData] = {}

    def get(self, metric: Metric) -> MetricData:
        """The metric's data; raises DataUnavailableError / InsufficientHistoryError."""
        key = metric.words() + "|" + metric.pair.key
        if key not in self._metrics:
            symbols = metric.symbols
            if symbols not in self._histories:
                self._histories[symbols] = self.market.history(list(symbols))
            history = self._histories[symbols]
            small, large = (history.closes[s] for s in symbols)
            self._metrics[key] = MetricData(
                metric=metric, series=metric.series(small, large),
                dates=align_closes(small, large).index, source=history.source,
                stale_note=history.stale_note)
        return self._metrics[key]
