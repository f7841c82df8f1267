"""The `cuts` report: the pair around the first Fed cut of each cycle, with its chart."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date
from functools import partial

from analytics.charts_cuts import render_cuts_chart
from analytics.cycles import (
    MIN_DAYS_BETWEEN,
    CutsResult,
    EventWindow,
    HorizonStats,
    cut_study,
    horizon_label,
    overall_verdict,
)
from analytics.pairs import Pair
from bot.data.market import PriceHistory
from bot.data.reference import ReferenceData
from bot.reports import Chart, Payload, history_meta
from bot.reports.common import (
    as_of_requested,
    as_of_text,
    chart_source,
    fetched_day,
    pair_closes,
)
from bot.reports.trend import instrument_payload

RULE = (f"a cut in the Fed funds target (upper bound from 2008-12-16) after at least one hike "
        f"since the previous cut and at least {MIN_DAYS_BETWEEN} days after it")


@dataclass(frozen=True)
class CutsQuery:
    """A pair and an optional as-of date."""

    pair: Pair
    as_of: date | None = None
    command: str = "cuts"

    def symbols(self) -> tuple[str, ...]:
        return self.pair.symbols

    def describe(self) -> str:
        return f"cuts|{self.pair.key}|{as_of_text(self.as_of)}"

    def build(self, history: PriceHistory) -> tuple[Payload, Chart]:
        raise TypeError("cuts needs reference data: use build_with_reference")

    def build_with_reference(self, history: PriceHistory | None,
                             reference: ReferenceData) -> tuple[Payload, Chart]:
        assert history is not None
        target = reference.fed_target()
        small, large = pair_closes(history, self.pair)
        result = cut_study(small, large, target.data, self.as_of)
        notes = [n for n in (history.stale_note, target.stale_note) if n]
        payload = cuts_payload(result, self, {
            **history_meta(history),
            "rates_source": target.source,
            "rates_source_kind": target.source_kind,
            "rates_fetched_at": target.fetched_at.astimezone(UTC).isoformat(timespec="seconds"),
            "stale_note": " ".join(notes) or None,
        })
        chart = partial(render_cuts_chart, result, self.pair,
                        source=f"{chart_source(payload)}; Fed target: FRED",
                        fetched=fetched_day(payload))
        return payload, chart


def _r(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def window_payload(w: EventWindow) -> Payload:
    return {
        "horizon": horizon_label(w.months), "months": w.months,
        "start": w.start.date().isoformat(), "end": w.end.date().isoformat(),
        "target_date": w.target.date().isoformat(), "complete": w.complete,
        "small_pct": _r(w.small_pct), "large_pct": _r(w.large_pct), "gap_pp": _r(w.gap_pp),
        "ratio_change_pct": _r(w.ratio_change_pct),
        "days_so_far": w.days_so_far, "days_total": w.days_total,
    }


def stats_payload(s: HorizonStats) -> Payload:
    return {
        "horizon": horizon_label(s.months), "months": s.months, "cycles": s.cycles,
        "median_gap_pp": _r(s.median_gap_pp), "mean_gap_pp": _r(s.mean_gap_pp),
        "median_ratio_pct": _r(s.median_ratio_pct), "mean_ratio_pct": _r(s.mean_ratio_pct),
        "small_wins": s.small_wins,
        "hit_rate_pct": round(s.small_wins / s.cycles * 100, 1) if s.cycles else None,
        "leaning": s.leaning,
        "extreme_years": s.extreme_years,
        "median_gap_without_extremes_pp": _r(s.median_gap_without_extremes_pp),
        "mean_gap_without_extremes_pp": _r(s.mean_gap_without_extremes_pp),
        "holds_without_extremes": s.holds_without_extremes,
        "current": None if s.current is None else window_payload(s.current),
        "current_beats": s.current_beats,
    }


def cuts_payload(result: CutsResult, query: CutsQuery, meta: Payload) -> Payload:
    """The JSON answer to a cuts query (stable keys; documented in README)."""
    pair = query.pair
    return {
        "command": "cuts",
        "pair": pair.key,
        "end": result.data_end.date().isoformat(),
        "first_common_close": result.first_common.date().isoformat(),
        "as_of_requested": as_of_requested(query.as_of),
        "basis": pair.basis,
        "small": instrument_payload(pair.small),
        "large": instrument_payload(pair.large),
        "rule": RULE,
        "first_cuts": [{"event_day": c.day.date().isoformat(), "rate_before": c.rate_before,
                        "rate_after": c.rate_after,
                        "previous_cut": c.previous_cut.date().isoformat()}
                       for c in result.cuts],
        "cycles": [{"event_day": c.cut.day.date().isoformat(), "year": c.cut.day.year,
                    "anchor": c.anchor.date().isoformat(),
                    "current": c is result.current,
                    "windows": [window_payload(w) for w in c.windows]}
                   for c in result.cycles],
        "current_event_day": result.current.cut.day.date().isoformat(),
        "earlier_cycles": len(result.cycles) - 1,
        "stats": [stats_payload(s) for s in result.stats],
        "verdict": overall_verdict(result.stats),
        **meta,
    }
