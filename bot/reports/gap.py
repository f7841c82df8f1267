"""The `gap` report: returns, gap, relative ratio and history rank, with its chart."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from analytics.charts_gap import render_gap_chart
from analytics.gap import GapResult, HistoryRank, compute_gap, window_returns_pct
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
class GapQuery(PeriodPairQuery):
    """What the user asked: a period, a pair and an optional as-of date."""

    command: str = "gap"

    def build(self, history: PriceHistory) -> tuple[Payload, Chart]:
        small, large = self.closes(history)
        result = compute_gap(self.pair, small, large, self.period, self.as_of)
        payload = gap_payload(result, history, self, other_basis(result, history))
        chart = partial(render_gap_chart, result, source=chart_source(payload),
                        fetched=fetched_day(payload))
        return payload, chart


def other_basis(result: GapResult, history: PriceHistory) -> Payload | None:
    """The same window on the other basis (price return for a total-return query and vice
    versa), or None when the pair has one basis only (two indexes). `note` says why the
    returns are missing when the source lacks closes on the window's days."""
    window = result.window
    found = other_basis_closes(history, result.pair, (window.start, window.end))
    if found is None:
        return None
    other, closes = found
    fields: Payload = {"basis": other.basis, "small": None, "large": None, "gap_pp": None,
                       "note": None}
    if isinstance(closes, str):
        return {**fields, "note": closes}
    returns = window_returns_pct(*closes, window)
    assert returns is not None  # other_basis_closes checked both days
    small_pct, large_pct = returns
    pair = result.pair
    return {**fields,
            "small": {"symbol": pair.small.symbol, "return_pct": round(small_pct, 4)},
            "large": {"symbol": pair.large.symbol, "return_pct": round(large_pct, 4)},
            "gap_pp": round(large_pct - small_pct, 4)}


def _leg(symbol: str, name: str, return_pct: float) -> Payload:
    return {"symbol": symbol, "name": name, "return_pct": round(return_pct, 4)}


def gap_payload(result: GapResult, history: PriceHistory, query: GapQuery,
                other: Payload | None = None) -> Payload:
    """The JSON answer to a gap query (stable keys; documented in README); `other` is the
    `other_basis` field (see other_basis)."""
    annual = result.annualised
    return {
        **window_fields("gap", result.period, result.pair, result.window, query.as_of,
                        adjective=True),
        "small": _leg(result.pair.small.symbol, result.pair.small.name, result.small_return_pct),
        "large": _leg(result.pair.large.symbol, result.pair.large.name, result.large_return_pct),
        "gap_pp": round(result.gap_pp, 4),
        "leader": result.leader,
        "other_basis": other,
        "relative_ratio": {
            "start": round(result.relative_ratio_start, 8),
            "end": round(result.relative_ratio_end, 8),
            "change_pct": round(result.relative_change_pct, 4),
        },
        "annualised": None if annual is None else {
            "years": round(annual.years, 4),
            "small_pct": round(annual.small_pct, 4),
            "large_pct": round(annual.large_pct, 4),
            "gap_pp": round(annual.gap_pp, 4),
        },
        "history_rank": rank_payload(result.rank),
        **history_meta(history),
    }


def rank_payload(rank: HistoryRank | None) -> Payload | None:
    """A HistoryRank as JSON (README, "How unusual"): dates ISO, pp to 4 decimals."""
    if rank is None:
        return None
    return {
        "percentile": round(rank.percentile, 2),
        "windows": rank.windows,
        "independent_windows": rank.independent_windows,
        "comparison": rank.comparison,
        "first_window_end": rank.first_window_end.isoformat(),
        "last_as_wide": rank.last_as_wide.isoformat() if rank.last_as_wide else None,
        "widest_since": rank.widest_since.isoformat() if rank.widest_since else None,
        "record_lag": {"pp": round(rank.record_lag_pp, 4),
                       "end": rank.record_lag_end.isoformat()},
        "record_lead": {"pp": round(rank.record_lead_pp, 4),
                        "end": rank.record_lead_end.isoformat()},
    }
