"""The `history` report: the rolling gap through all history, bands and records, with its chart."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from analytics.charts_history import render_history_chart
from analytics.history import BAND_HIGH, BAND_LOW, GapHistory, gap_history
from bot.data.market import PriceHistory
from bot.reports import Chart, Payload, history_meta
from bot.reports.common import PeriodPairQuery, chart_source, fetched_day, window_fields
from bot.reports.trend import instrument_payload


@dataclass(frozen=True)
class HistoryQuery(PeriodPairQuery):
    """A window length (1y, 3y, ...), a pair and an optional as-of date."""

    command: str = "history"

    def build(self, history: PriceHistory) -> tuple[Payload, Chart]:
        small, large = self.closes(history)
        result = gap_history(self.pair, small, large, self.period, self.as_of)
        payload = history_payload(result, history, self)
        chart = partial(render_history_chart, result, source=chart_source(payload),
                        fetched=fetched_day(payload))
        return payload, chart


def history_payload(result: GapHistory, history: PriceHistory, query: HistoryQuery) -> Payload:
    """The JSON answer to a history query (stable keys; documented in README)."""
    rank = result.rank
    return {
        **window_fields("history", result.period, result.pair, result.window, query.as_of,
                        adjective=True),
        "small": instrument_payload(result.pair.small),
        "large": instrument_payload(result.pair.large),
        "current_pp": round(result.current_pp, 4),
        "leader": "large" if result.lagging else "small",
        "percentile": round(rank.percentile, 2),
        "windows": rank.windows,
        "independent_windows": rank.independent_windows,
        "first_window_end": rank.first_window_end.isoformat(),
        "median_pp": round(result.median_pp, 4),
        "band_low_pct": BAND_LOW,
        "band_high_pct": BAND_HIGH,
        "band_low_pp": round(result.band_low_pp, 4),
        "band_high_pp": round(result.band_high_pp, 4),
        "band_position": result.band_position,
        "last_as_wide": rank.last_as_wide.isoformat() if rank.last_as_wide else None,
        "widest_since": rank.widest_since.isoformat() if rank.widest_since else None,
        "record_lag": {"pp": round(result.record_lag_pp, 4),
                       "end": result.record_lag_end.isoformat()},
        "record_lead": {"pp": round(result.record_lead_pp, 4),
                        "end": result.record_lead_end.isoformat()},
        **history_meta(history),
    }
