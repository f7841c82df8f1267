"""The `trend` report: where the small/large ratio stands against its averages, with its chart."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from analytics.charts_trend import render_trend_chart
from analytics.pairs import Instrument
from analytics.trend import TrendStatus, TrendView, compute_trend
from bot.data.market import PriceHistory
from bot.reports import Chart, Payload, history_meta
from bot.reports.common import PeriodPairQuery, chart_source, fetched_day, window_fields


@dataclass(frozen=True)
class TrendQuery(PeriodPairQuery):
    """A chart window, a pair and an optional as-of date."""

    command: str = "trend"

    def build(self, history: PriceHistory) -> tuple[Payload, Chart]:
        small, large = self.closes(history)
        view = compute_trend(self.pair, small, large, self.period, self.as_of)
        payload = trend_payload(view, history, self)
        chart = partial(render_trend_chart, view, source=chart_source(payload),
                        fetched=fetched_day(payload))
        return payload, chart


def instrument_payload(instrument: Instrument) -> Payload:
    return {"symbol": instrument.symbol, "name": instrument.name}


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def status_payload(status: TrendStatus) -> Payload:
    """A TrendStatus as JSON (dates ISO, ratios to 8 digits, percentages to 4)."""
    return {
        "as_of": status.as_of.isoformat(),
        "history_start": status.history_start.isoformat(),
        "history_days": status.history_days,
        "ratio": round(status.ratio, 8),
        "ma50": _round(status.ma50, 8),
        "ma200": _round(status.ma200, 8),
        "pct_vs_50dma": _round(status.pct_vs_50dma, 4),
        "pct_vs_200dma": _round(status.pct_vs_200dma, 4),
        "zscore": _round(status.zscore, 4),
        "percentile": _round(status.percentile, 2),
        "last_cross_date": status.last_cross_date.isoformat() if status.last_cross_date else None,
        "last_cross_direction": status.last_cross_direction,
        "days_since_cross": status.days_since_cross,
        "peak_date": status.peak_date.isoformat(),
        "peak_ratio": round(status.peak_ratio, 8),
        "drawdown_pct": round(status.drawdown_pct, 4),
        "days_since_peak": status.days_since_peak,
    }


def trend_payload(view: TrendView, history: PriceHistory, query: TrendQuery) -> Payload:
    """The JSON answer to a trend query (stable keys; documented in README)."""
    ratio = view.frame["ratio"]
    return {
        **window_fields("trend", view.period, view.pair, view.window, query.as_of),
        "small": instrument_payload(view.pair.small),
        "large": instrument_payload(view.pair.large),
        "window_ratio": {
            "start": round(float(ratio.iloc[0]), 8),
            "end": round(float(ratio.iloc[-1]), 8),
            "change_pct": round(float(ratio.iloc[-1] / ratio.iloc[0] - 1.0) * 100.0, 4),
        },
        "status": status_payload(view.status),
        **history_meta(history),
    }
