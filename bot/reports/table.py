"""The `table` report: both series' returns and the gap over 1w..10y, with a bar chart."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import partial

import pandas as pd

from analytics.charts_table import render_table_chart
from analytics.pairs import Pair
from analytics.performance import (
    ANNUALISATION,
    PerformanceRow,
    PerformanceTable,
    performance_table,
)
from bot.data.market import PriceHistory
from bot.reports import Chart, Payload, history_meta
from bot.reports.common import (
    as_of_requested,
    as_of_text,
    basis_requested,
    chart_source,
    check_as_of,
    fetched_day,
    other_basis_closes,
    pair_closes,
    query_text,
)


@dataclass(frozen=True)
class TableQuery:
    """What the user asked: a pair and an optional as-of date (the horizons are fixed)."""

    pair: Pair
    as_of: date | None = None
    live: bool = field(default=False, kw_only=True)
    """True: end on the session under way (today's last trade), labelled intraday."""
    command: str = "table"

    def symbols(self) -> tuple[str, ...]:
        return self.pair.symbols

    def describe(self) -> str:
        text = query_text("table", self.pair, self.pair.key, as_of_text(self.as_of))
        return text + "|live" if self.live else text

    def build(self, history: PriceHistory) -> tuple[Payload, Chart]:
        check_as_of(self.as_of, self.pair, history)
        small, large = pair_closes(history, self.pair)
        table = performance_table(self.pair, small, large, self.as_of)
        other = other_basis(table, history, small.index.intersection(large.index))
        payload = table_payload(table, history, self, other)
        chart = partial(render_table_chart, table, source=chart_source(payload),
                        fetched=fetched_day(payload))
        return payload, chart


def _number(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _row(row: PerformanceRow) -> Payload:
    return {
        "horizon": row.horizon,
        "label": row.label,
        "annualised": row.annualised,
        "start": row.start.date().isoformat() if row.start is not None else None,
        "end": row.end.date().isoformat(),
        "calendar_days": row.calendar_days,
        "small_pct": _number(row.small_pct),
        "large_pct": _number(row.large_pct),
        "gap_pp": _number(row.gap_pp),
        "note": row.note,
    }


def other_basis(table: PerformanceTable, history: PriceHistory,
                common: pd.DatetimeIndex) -> Payload | None:
    """Every horizon on the other basis over the same closes as `table` (issue #10): `basis`,
    `rows` (each `horizon`, `label`, `small_pct`, `large_pct`, `gap_pp`, as in the headline
    rows; a row is null where the other basis lacks that row's first close) and `note`
    saying why `rows` is null (no such closes on the table's end day); None for two
    indexes (one basis only). `common`: the headline's common days; the other closes are
    kept to those, so each row starts on the same close as its headline row or is null."""
    found = other_basis_closes(history, table.pair, (table.end,))
    if found is None:
        return None
    other, closes = found
    if isinstance(closes, str):
        return {"basis": other.basis, "rows": None, "note": closes}
    small, large = (series[series.index.isin(common)] for series in closes)
    rows = performance_table(other, small, large, table.end.date()).rows
    return {"basis": other.basis, "note": None,
            "rows": [_other_row(mine, theirs) for mine, theirs in zip(table.rows, rows,
                                                                      strict=True)]}


def _other_row(headline: PerformanceRow, row: PerformanceRow) -> Payload:
    """One row on the other basis; n/a (None) unless it starts on the headline row's close
    (the other basis' history can be shorter or have gaps)."""
    same = row.start is not None and row.start == headline.start
    return {"horizon": row.horizon, "label": row.label,
            "small_pct": _number(row.small_pct) if same else None,
            "large_pct": _number(row.large_pct) if same else None,
            "gap_pp": _number(row.gap_pp) if same else None}


def table_payload(table: PerformanceTable, history: PriceHistory, query: TableQuery,
                  other: Payload | None = None) -> Payload:
    """The JSON answer to a table query (stable keys; documented in README); `other` is the
    `other_basis` field (see other_basis)."""
    pair = table.pair
    return {
        "command": "table",
        "pair": pair.key,
        "end": table.end.date().isoformat(),
        "first_common_close": table.first_common.date().isoformat(),
        "as_of_requested": as_of_requested(query.as_of),
        "basis": pair.basis,
        "basis_requested": basis_requested(pair),
        "small": {"symbol": pair.small.symbol, "name": pair.small.name},
        "large": {"symbol": pair.large.symbol, "name": pair.large.name},
        "annualisation": ANNUALISATION,
        "rows": [_row(row) for row in table.rows],
        "other_basis": other,
        **history_meta(history),
    }
