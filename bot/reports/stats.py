"""The `stats` report: return and risk of both series, beta and correlation, with a chart."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import partial

import pandas as pd

from analytics.charts_stats import render_stats_chart
from analytics.gap import annualised_pct, window_returns_pct
from analytics.risk import TRADING_DAYS, Drawdown, RiskStats, SeriesStats, cagr, compute_risk
from bot.data.market import PriceHistory
from bot.reports import Chart, Payload, history_meta
from bot.reports.common import (
    PeriodPairQuery,
    chart_source,
    fetched_day,
    other_basis_closes,
    window_fields,
)


@dataclass(frozen=True)
class StatsQuery(PeriodPairQuery):
    """What the user asked, plus the configured annual risk-free rate (0.04 = 4 %)."""

    risk_free_rate: float = 0.0
    command: str = "stats"

    def describe(self) -> str:
        return f"{super().describe()}|rf={self.risk_free_rate!r}"

    def build(self, history: PriceHistory) -> tuple[Payload, Chart]:
        small, large = self.closes(history)
        stats = compute_risk(self.pair, small, large, self.period, self.as_of,
                             self.risk_free_rate)
        payload = stats_payload(stats, history, self, other_basis(stats, history))
        chart = partial(render_stats_chart, stats, source=chart_source(payload),
                        fetched=fetched_day(payload))
        return payload, chart


def _finite(value: float | None, digits: int) -> float | None:
    """Rounded, or None for missing/infinite values (JSON has no NaN)."""
    if value is None or not math.isfinite(value):
        return None
    return round(value, digits)


def _day(when: pd.Timestamp | None) -> str | None:
    return None if when is None else when.date().isoformat()


def _drawdown(dd: Drawdown) -> Payload:
    return {"depth_pct": round(dd.depth_pct, 4), "peak": _day(dd.peak),
            "trough": _day(dd.trough), "recovery": _day(dd.recovery)}


def _leg(symbol: str, name: str, leg: SeriesStats, calendar_days: int) -> Payload:
    calendar = annualised_pct(leg.total_return_pct, calendar_days) if calendar_days else None
    return {
        "symbol": symbol,
        "name": name,
        "total_return_pct": round(leg.total_return_pct, 4),
        "cagr_pct": _finite(leg.cagr_pct, 4),
        "cagr_calendar_pct": _finite(calendar, 4),
        "volatility_pct": _finite(leg.volatility_pct, 4),
        "sharpe": _finite(leg.sharpe, 4),
        "max_drawdown": _drawdown(leg.max_drawdown),
    }


def other_basis(stats: RiskStats, history: PriceHistory) -> Payload | None:
    """Total return and CAGR on the other basis between the same two closes (issue #10):
    `basis`, `small` and `large` (each `symbol`, `total_return_pct`, `cagr_pct`, CAGR over
    the headline's number of daily returns, 252 a year) and `note` saying why they are
    null; None for two indexes (one basis only)."""
    window = stats.window
    found = other_basis_closes(history, stats.pair, (window.start, window.end))
    if found is None:
        return None
    other, closes = found
    fields: Payload = {"basis": other.basis, "small": None, "large": None, "note": None}
    if isinstance(closes, str):
        return {**fields, "note": closes}
    returns = window_returns_pct(*closes, window)
    assert returns is not None  # other_basis_closes checked both days
    legs = zip((stats.pair.small, stats.pair.large), returns, strict=True)
    return {**fields, **{
        key: {"symbol": leg.symbol, "total_return_pct": round(pct, 4),
              "cagr_pct": _finite(cagr(pct / 100.0, stats.n_returns) * 100.0, 4)}
        for key, (leg, pct) in zip(("small", "large"), legs, strict=True)}}


def stats_payload(stats: RiskStats, history: PriceHistory, query: StatsQuery,
                  other: Payload | None = None) -> Payload:
    """The JSON answer to a stats query (stable keys; documented in README); `other` is the
    `other_basis` field (see other_basis)."""
    pair = stats.pair
    days = int((stats.window.end - stats.window.start).days)
    return {
        **window_fields("stats", stats.period, pair, stats.window, query.as_of),
        "daily_returns": stats.n_returns,
        "trading_days_per_year": TRADING_DAYS,
        "risk_free_rate_pct": round(stats.risk_free_rate * 100.0, 6),
        "small": _leg(pair.small.symbol, pair.small.name, stats.small, days),
        "large": _leg(pair.large.symbol, pair.large.name, stats.large, days),
        "beta": _finite(stats.beta, 4),
        "correlation": _finite(stats.correlation, 4),
        "other_basis": other,
        **history_meta(history),
    }
