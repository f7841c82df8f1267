"""The `rates` report: the rolling 1-year gap against the 10-year Treasury yield, with its chart."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from analytics.charts_rates import render_rates_chart
from analytics.pairs import KNOWN_NAMES
from analytics.rates import (
    CHANGE_DAYS,
    GAP_PERIOD,
    MIN_INDEPENDENT_CHANGES,
    MIN_LEVEL_DAYS,
    YIELD_SYMBOL,
    Correlation,
    RatesResult,
    compute_rates,
)
from bot.data.market import PriceHistory
from bot.reports import Chart, Payload, history_meta
from bot.reports.common import PeriodPairQuery, chart_source, fetched_day, window_fields
from bot.reports.trend import instrument_payload


@dataclass(frozen=True)
class RatesQuery(PeriodPairQuery):
    """A comparison period, a pair and an optional as-of date."""

    command: str = "rates"

    def symbols(self) -> tuple[str, ...]:
        return (*self.pair.symbols, YIELD_SYMBOL)

    def build(self, history: PriceHistory) -> tuple[Payload, Chart]:
        small, large = self.closes(history)
        result = compute_rates(self.pair, small, large, history.closes[YIELD_SYMBOL],
                               self.period, self.as_of)
        payload = rates_payload(result, history, self)
        chart = partial(render_rates_chart, result, source=chart_source(payload),
                        fetched=fetched_day(payload))
        return payload, chart


def correlation_payload(corr: Correlation) -> Payload:
    return {"r": None if corr.r is None else round(corr.r, 4), "n": corr.n,
            "slope": None if corr.slope is None else round(corr.slope, 4)}


def changes_payload(corr: Correlation) -> Payload:
    """The change correlation, with the number of independent (non-overlapping) changes."""
    return {**correlation_payload(corr), "days": CHANGE_DAYS,
            "independent": corr.independent, "min_independent": MIN_INDEPENDENT_CHANGES}


def rates_payload(result: RatesResult, history: PriceHistory, query: RatesQuery) -> Payload:
    """The JSON answer to a rates query (stable keys; documented in README)."""
    return {
        **window_fields("rates", result.period, result.pair, result.window, query.as_of),
        "small": instrument_payload(result.pair.small),
        "large": instrument_payload(result.pair.large),
        "days": len(result.frame),
        "yield": {
            "symbol": YIELD_SYMBOL,
            "name": KNOWN_NAMES[YIELD_SYMBOL],
            "unit": "percent",
            "start_pct": round(result.yield_start, 4),
            "end_pct": round(result.yield_end, 4),
            "last_date": result.yield_last_date.isoformat(),
        },
        "gap": {
            "period": GAP_PERIOD.label,
            "start_pp": round(result.gap_start, 4),
            "end_pp": round(result.gap_end, 4),
            "latest_pp": round(result.gap_last_pp, 4),
            "latest_date": result.gap_last_date.isoformat(),
        },
        "correlation": {
            "levels": {**correlation_payload(result.levels), "min_days": MIN_LEVEL_DAYS},
            "changes": changes_payload(result.changes),
        },
        "verdict": result.verdict,
        **history_meta(history),
    }
