"""The `valuation` report: price-to-book of small vs large companies since 1926, with its chart."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from functools import partial

from analytics.charts_valuation import render_valuation_chart
from analytics.valuation import BAND_HIGH, BAND_LOW, BAND_SINCE, ValuationResult, valuation
from bot.data.market import PriceHistory
from bot.data.reference import ReferenceData
from bot.reports import Chart, Payload

CONVENTION = ("July rows of French's 25 size x book-to-market portfolios (formed at the end of "
              "June): market equity = firms x average market cap, book equity = market equity "
              "x the BE_FYt-1/ME_June t ratio; P/B = sum ME / sum BE of the five smallest "
              "(ME1) and the five largest (ME5) portfolios")


@dataclass(frozen=True)
class ValuationQuery:
    """`valuation` takes no arguments: one annual series since 1926."""

    command: str = "valuation"

    def symbols(self) -> tuple[str, ...]:
        return ()

    def describe(self) -> str:
        return "valuation"

    def build(self, history: PriceHistory) -> tuple[Payload, Chart]:
        raise TypeError("valuation needs reference data: use build_with_reference")

    def build_with_reference(self, history: PriceHistory | None,
                             reference: ReferenceData) -> tuple[Payload, Chart]:
        dataset = reference.size_value()
        data = dataset.data
        result = valuation(data.firms, data.avg_cap, data.beme)
        fetched = dataset.fetched_at.astimezone(UTC).isoformat(timespec="seconds")
        payload = valuation_payload(result, {
            "edition": data.edition,
            "source": dataset.source,
            "source_kind": dataset.source_kind,
            "data_fetched_at": fetched,
            "stale_note": dataset.stale_note,
        })
        chart = partial(render_valuation_chart, result,
                        source="K. R. French Data Library (25 size x B/M portfolios)",
                        edition=data.edition,
                        fetched=None if dataset.source_kind == "files" else fetched[:10])
        return payload, chart


def _r(value: float) -> float:
    return round(value, 4)


def valuation_payload(result: ValuationResult, meta: Payload) -> Payload:
    """The JSON answer to a valuation query (stable keys; documented in README)."""
    frame = result.frame
    return {
        "command": "valuation",
        "first_year": int(frame.index[0]),
        "latest_year": result.latest_year,
        "convention": CONVENTION,
        "snapshot": "annual, end of June",
        "latest_relative_pb": _r(result.latest),
        "latest_pb_small": _r(float(frame["pb_small"].iloc[-1])),
        "latest_pb_large": _r(float(frame["pb_large"].iloc[-1])),
        "percentile_since_1990": round(result.percentile_since_band, 2),
        "percentile_all": round(result.percentile_all, 2),
        "percentile_since_1990_without_jump": None if result.percentile_without_jump is None
        else round(result.percentile_without_jump, 2),
        "previous_year": result.previous_year,
        "previous_relative_pb": None if result.previous is None else _r(result.previous),
        "previous_percentile_since_1990": None if result.previous_percentile_since_band is None
        else round(result.previous_percentile_since_band, 2),
        "years_since_1990": result.band_years,
        "years_all": len(frame),
        "years_lower_since_1990": result.years_lower_since_band,
        "years_lower_all": result.years_lower_all,
        "band_since": BAND_SINCE,
        "band_low_pct": BAND_LOW, "band_high_pct": BAND_HIGH,
        "band_low": _r(result.band_low), "band_high": _r(result.band_high),
        "jumps": [{"year": j.year, "relative_pb": _r(j.value), "previous": _r(j.previous),
                   "portfolio": j.portfolio, "beme_before": j.beme_before,
                   "beme_after": j.beme_after,
                   "relative_pb_without_move": _r(j.value_without_move)}
                  for j in result.jumps],
        "years": [{"year": int(y), "pb_small": _r(r.pb_small), "pb_large": _r(r.pb_large),
                   "relative_pb": _r(r.relative_pb)} for y, r in frame.iterrows()],
        **meta,
    }
