"""`table`: both returns and the gap over 1w to 10y, like a fund-vs-benchmark view.

Grammar `table [PAIR] [BASIS] [as-of DATE] [live]` (the horizons are fixed); its query (both
series' returns and the gap over 1w..10y, with a bar chart) and payload; the words for that
payload: a monospace table for Slack and the terminal. Pure functions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import partial
from typing import Any, TypedDict

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
from bot.reports import Chart, csv_export, history_meta
from bot.reports.common import (
    as_of_requested,
    basis_end_note,
    basis_requested,
    chart_source,
    check_as_of,
    fetched_day,
    other_basis_closes,
    pair_closes,
)
from bot.reports.identity import IdentifiedQuery
from bot.reports.payloads import PairEndFields
from handlers.command import Command, Export, Rendering
from handlers.report_text import (
    basis_source_text,
    context,
    header,
    indented,
    pair_symbols,
    section,
    table_block,
    title_rule,
    warning_lines,
    words,
)
from handlers.words import ParseContext, parse_period_pair


class TableRow(TypedDict):
    horizon: str
    label: str
    annualised: bool
    start: str | None
    end: str
    calendar_days: int | None
    small_pct: float | None
    large_pct: float | None
    gap_pp: float | None
    note: str | None


class OtherBasisRow(TypedDict):
    horizon: str
    label: str
    small_pct: float | None
    large_pct: float | None
    gap_pp: float | None


class TableOtherBasis(TypedDict):
    """Every horizon on the other basis; `rows` is null (and `note` says why) when the
    source lacks those closes."""

    basis: str
    rows: list[OtherBasisRow] | None
    note: str | None


class TablePayload(PairEndFields):
    """The JSON answer to a table query."""

    annualisation: str
    rows: list[TableRow]
    other_basis: TableOtherBasis | None


@dataclass(frozen=True)
class TableQuery(IdentifiedQuery):
    """What the user asked: a pair and an optional as-of date (the horizons are fixed)."""

    pair: Pair
    as_of: date | None = None
    live: bool = field(default=False, kw_only=True)
    """True: end on the session under way (today's last trade), labelled intraday."""
    command: str = "table"

    def symbols(self) -> tuple[str, ...]:
        return self.pair.symbols

    def build(self, history: PriceHistory) -> tuple[TablePayload, Chart]:
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


def _row(row: PerformanceRow) -> TableRow:
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
                common: pd.DatetimeIndex) -> TableOtherBasis | None:
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


def _other_row(headline: PerformanceRow, row: PerformanceRow) -> OtherBasisRow:
    """One row on the other basis; n/a (None) unless it starts on the headline row's close
    (the other basis' history can be shorter or have gaps)."""
    same = row.start is not None and row.start == headline.start
    return {"horizon": row.horizon, "label": row.label,
            "small_pct": _number(row.small_pct) if same else None,
            "large_pct": _number(row.large_pct) if same else None,
            "gap_pp": _number(row.gap_pp) if same else None}


def table_payload(table: PerformanceTable, history: PriceHistory, query: TableQuery,
                  other: TableOtherBasis | None = None) -> TablePayload:
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
        **history_meta(history, basis_end_note(history, query.pair, table.end.date())),
    }


def parse_table(args: list[str], context: ParseContext) -> TableQuery:
    """`table [PAIR] [as-of DATE]`: the horizons are fixed (1w to 10y), so no period."""
    parsed = parse_period_pair(args, "table", context, fixed_window=(
        "`table` always shows 1w to 10y, so `{word}` is not needed: give a pair or nothing."))
    return TableQuery(pair=parsed.pair, as_of=parsed.as_of, live=parsed.live)


HORIZON_WIDTH, DATE_WIDTH, NUMBER_WIDTH = 8, 10, 8


def title(p: TablePayload) -> str:
    """'^RUT vs ^GSPC · returns to 2024-03-26' (`key_line` names the series)."""
    return f"{pair_symbols(p)} · returns to {p['end']}"


def _cell(value: float | None, width: int) -> str:
    return ("n/a" if value is None else f"{value:+.2f}").rjust(width)


def table_lines(p: TablePayload) -> list[str]:
    """The aligned table: horizon, start date, both returns (%) and the gap (pp)."""
    heads = [f"{p['small']['symbol']} %", f"{p['large']['symbol']} %", "Gap pp"]
    widths = [max(NUMBER_WIDTH, len(h)) for h in heads]
    lines = ["Horizon".ljust(HORIZON_WIDTH) + "  " + "From".ljust(DATE_WIDTH)
             + "".join("  " + h.rjust(w) for h, w in zip(heads, widths, strict=True))]
    for row in p["rows"]:
        cells = (row["small_pct"], row["large_pct"], row["gap_pp"])
        lines.append(row["label"].ljust(HORIZON_WIDTH) + "  "
                     + (row["start"] or "n/a").ljust(DATE_WIDTH)
                     + "".join("  " + _cell(v, w) for v, w in zip(cells, widths, strict=True)))
    return lines


def other_basis_lines(p: TablePayload) -> list[str]:
    """The same horizons on the other basis (issue #10), under the table with its columns
    lined up: a header naming the basis, then label and the three numbers per row; one
    line when those closes are missing; nothing for two indexes (one basis only)."""
    other = p.get("other_basis")
    if not other:
        return []
    name = other["basis"][:1].upper() + other["basis"][1:]
    if other["rows"] is None:
        return [f"{name}: not available ({other['note']})."]
    heads = [f"{p['small']['symbol']} %", f"{p['large']['symbol']} %", "Gap pp"]
    widths = [max(NUMBER_WIDTH, len(h)) for h in heads]
    first = HORIZON_WIDTH + 2 + DATE_WIDTH
    lines = [name.ljust(first)
             + "".join("  " + h.rjust(w) for h, w in zip(heads, widths, strict=True))]
    for row in other["rows"]:
        cells = (row["small_pct"], row["large_pct"], row["gap_pp"])
        lines.append(row["label"].ljust(first)
                     + "".join("  " + _cell(v, w) for v, w in zip(cells, widths, strict=True)))
    if any(row["gap_pp"] is None for row in other["rows"]):
        lines.append(f"n/a: no {other['basis']} closes on that row's first day.")
    return lines


def headline(p: TablePayload) -> str:
    """'Small caps lag on 8 of 9 horizons and lead on 1 (they overlap: ...)' (rows with
    numbers only): the horizons all end on the same day, each longer one holding the
    shorter, so the count is not a tally of independent results."""
    gaps = [r["gap_pp"] for r in p["rows"] if r["gap_pp"] is not None]
    lag = sum(1 for g in gaps if g >= 0.005)
    lead = sum(1 for g in gaps if g <= -0.005)
    names = words(p)
    other = "" if names.plural else f" {names.large}"
    text = f"{names.capitalised()} {names.verb('lag')}{other} on {lag} of {len(gaps)} horizons"
    text += f" and {names.verb('lead')} on {lead}" if lead else ""
    if len(gaps) > 1:
        text += (" (the horizons overlap: all end on the same day and each longer one holds "
                 "the shorter, so this is not a count of independent results)")
    return text


def key_line(p: TablePayload) -> str:
    """Which symbol is which, and where the windows end."""
    small, large = p["small"], p["large"]
    return (f"{small['symbol']} = {small['name']}, {large['symbol']} = {large['name']}; "
            f"every row ends {p['end']} (last common close).")


def conventions(p: TablePayload) -> list[str]:
    """How to read and reproduce the table."""
    lines = [
        f"Gap = large − small in pp (+ = {words(p).small} {words(p).verb('lag')}). Each row "
        "starts on the last common "
        "close on or before the same date one horizon earlier (YTD: last close of the "
        "previous year); returns are last/first − 1.",
        f"Rows marked ann. are annualised: {p['annualisation']}, using the calendar days "
        "between the two closes; their gap is the difference of annualised returns (pp a "
        "year). `stats` annualises its CAGR by trading days instead (returns / 252, as "
        "empyrical does), so the same window can differ slightly there.",
    ]
    if any(r["gap_pp"] is None for r in p["rows"]):
        lines.append(f"n/a: the common history starts {p['first_common_close']}, too late "
                     "for that horizon.")
    return lines


def table_rows(p: TablePayload) -> list[list[str]]:
    """The table as rows of cells (header first) for Slack's native table: horizon, start
    date, both returns (%) and the gap (pp), then the same horizons on the other basis."""
    def numbers(row: Any) -> list[str]:
        return [_cell(row[k], 0) for k in ("small_pct", "large_pct", "gap_pp")]

    rows = [["Horizon", "From", f"{p['small']['symbol']} %", f"{p['large']['symbol']} %",
             "Gap pp"]]
    rows += [[r["label"], r["start"] or "n/a", *numbers(r)] for r in p["rows"]]
    other = p.get("other_basis")
    if other and other["rows"] is not None:
        name = other["basis"][:1].upper() + other["basis"][1:]
        rows += [[name, "", "", "", ""], *([r["label"], "", *numbers(r)] for r in other["rows"])]
    return rows


def table_blocks(p: TablePayload) -> list[dict[str, Any]]:
    """The in-channel Block Kit reply: header, headline, the table (Slack's native table,
    numbers right-aligned), conventions."""
    other = p.get("other_basis")
    notes = [line for line in other_basis_lines(p)
             if not other or other["rows"] is None or line.startswith("n/a")]
    body = "\n".join([f"*{headline(p)}.*", key_line(p), *notes])
    return [
        header(title(p)),
        section(body),
        table_block(table_rows(p), right={2, 3, 4}),
        context(p, " ".join(conventions(p)), basis_source_text(p)),
    ]


def table_fallback_text(p: TablePayload) -> str:
    """Notification text: the headline and the YTD, 1y and 3y rows."""
    parts = []
    for row in p["rows"]:
        if row["horizon"] in ("ytd", "1y", "3y") and row["gap_pp"] is not None:
            parts.append(f"{row['label']} {row['small_pct']:+.2f} % vs {row['large_pct']:+.2f} %")
    return (f"{title(p)}: {headline(p)}. {p['small']['symbol']} vs {p['large']['symbol']}: "
            f"{'; '.join(parts) or 'no horizon available'} ({p['basis']}).")


def table_plain_text(p: TablePayload) -> str:
    """The same table for a terminal."""
    other = other_basis_lines(p)
    lines = [*title_rule(title(p)), f"{headline(p)}.", key_line(p), "",
             *indented(table_lines(p)), *([""] + indented(other) if other else []), "",
             *conventions(p), *warning_lines(p), basis_source_text(p)]
    return "\n".join(lines)


COMMAND = Command(
    name="table",
    usage="table [PAIR] [as-of DATE]",
    summary="Returns of both series and the gap over 1w, 1m, 3m, 6m, YTD, 1y, 3y, 5y and 10y, "
            "like a fund-vs-benchmark view; rows beyond 1y are annualised (1 + r)^(365.25 / "
            "calendar days) − 1 and marked ann.; n/a where history is too short. Posts a chart.",
    example="table etf",
    parse=parse_table,
    rendering=Rendering(table_blocks, table_fallback_text, table_plain_text, title),
    prerendered=True,
    export=Export(csv_export.closes_ratio_csv),
    pinned_query=lambda period, pair, day: TableQuery(pair, day),
    digest=True,
    defaults=frozenset({"pair", "basis"}),
    schedulable=True,
)
