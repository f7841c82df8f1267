"""The data behind a report's chart as CSV: dates, closes and the computed series.

Every export starts with one `#` line naming the command, pair, source, basis and window,
then a header row. The series come from the same analytics calls as the chart. Each
function below is one kind of export, `(market, query, report) -> CSV text`; a command
declares the one its chart draws (`Command.export` in handlers/command.py), so nothing here
switches on command names:
- rebased_csv: the window's common closes, both rebased to 100 and the relative ratio;
- ratio_averages_csv: closes, the ratio, its 50/200-day averages and % vs the 200-day one;
- rolling_gap_csv: closes and the rolling WINDOW gap (pp) ending on each day;
- closes_ratio_csv: the pair's common closes and relative ratio over the report's window;
- board_rows_csv: one row per pair with the gaps (pp), ratio vs 200-day average and
  percentile (a heatmap's numbers);
- calendar_years_csv: one row per calendar year (the year to date last) with both returns,
  the gap and the winner (the bars' numbers).
"""

from __future__ import annotations

import csv
import io
from typing import Any

import pandas as pd

from analytics.board import BOARD_WINDOWS
from analytics.gap import align_closes, compute_gap
from analytics.history import gap_history
from analytics.pairs import Pair
from analytics.trend import compute_trend
from bot.data.market import MarketData
from bot.reports import Payload, Report, chart_filename
from bot.reports.common import chart_source

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""A text cell starting with one of these is read as a formula by spreadsheets (OWASP's
"CSV Injection"): such cells get a leading `'`, which spreadsheets show as text. Numbers are
written as numbers (a negative gap stays -3.2)."""


def _number(value: Any) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float | int):
        return f"{value:.10g}" if isinstance(value, float) else str(value)
    return neutralised(str(value))


def neutralised(text: str) -> str:
    """A text cell that no spreadsheet runs as a formula (FORMULA_STARTS)."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _write(header: str, columns: list[str], rows: list[list[Any]]) -> str:
    buffer = io.StringIO()
    buffer.write(f"# {neutralised(header)}\n")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([neutralised(c) for c in columns])
    writer.writerows([[_number(v) for v in row] for row in rows])
    return buffer.getvalue()


def _header(p: Payload, window: str) -> str:
    pair = p.get("pair", "")
    return (f"smallcaps {p['command']} {p.get('period', '')} {pair}".replace("  ", " ").strip()
            + f"; source: {chart_source(p)}; basis: {p.get('basis', 'per row')}; "
            f"window: {window}")


def _frame_rows(frame: pd.DataFrame) -> list[list[Any]]:
    return [[day.date().isoformat(), *map(float, values)]
            for day, values in zip(frame.index, frame.to_numpy(), strict=True)]


def board_csv(p: Payload) -> str:
    """The board payload's rows (the heatmap's numbers)."""
    columns = ["label", "pair", "basis", "end", *(f"gap_{w}_pp" for w in BOARD_WINDOWS),
               "ratio_vs_200dma_pct", "gap_1y_percentile", "note"]
    rows = [[r["label"], r["pair"], r["basis"], r["end"],
             *((r["gaps"].get(w) or {}).get("gap_pp") for w in BOARD_WINDOWS),
             r["ratio_vs_200dma_pct"], r["gap_1y_percentile"], r["note"]] for r in p["rows"]]
    header = (f"smallcaps {p['command']}; source: {chart_source(p)}; basis: per row; windows: "
              f"{', '.join(BOARD_WINDOWS)} to each row's end on or before {p['end']}")
    return _write(header, columns, rows)


def years_csv(p: Payload) -> str:
    """The years payload's rows (the chart's bars): each year's closes used, both returns (%),
    the gap (pp) and who won; the year to date last, marked `complete` 0."""
    small, large = p["small"]["symbol"], p["large"]["symbol"]
    columns = ["year", "start", "end", f"{small}_return_pct", f"{large}_return_pct", "gap_pp",
               "winner", "complete"]
    years = [(y, 1) for y in p["years"]] + ([(p["year_to_date"], 0)] if p["year_to_date"]
                                            else [])
    rows = [[y["year"], y["start"], y["end"], y["small_pct"], y["large_pct"], y["gap_pp"],
             y["winner"], complete] for y, complete in years]
    return _write(_header(p, f"{p['start']}..{p['end']}"), columns, rows)


def csv_filename(payload: Payload) -> str:
    """The export's file name: the chart's, with `.csv` ('smallcaps-gap-3y-index-....csv')."""
    return chart_filename(payload).removesuffix(".png") + ".csv"


def _pair_closes(market: MarketData, query: Any) -> tuple[Pair, pd.Series, pd.Series]:
    """The query's pair and its (small, large) closes, as the report read them."""
    pair: Pair = query.pair
    history = market.history(list(pair.symbols))
    small, large = (history.closes[s] for s in pair.symbols)
    return pair, small, large


def _frame_csv(p: Payload, columns: list[str], frame: pd.DataFrame) -> str:
    window = f"{frame.index[0].date()}..{frame.index[-1].date()}"
    return _write(_header(p, window), columns, _frame_rows(frame))


def rebased_csv(market: MarketData, query: Any, report: Report) -> str:
    """A window's common closes, both rebased to 100 at its start and the relative ratio
    (start = 1): the numbers of the rebased-lines chart."""
    pair, small, large = _pair_closes(market, query)
    result = compute_gap(pair, small, large, query.period, query.as_of, with_rank=False)
    rebased = result.rebased()
    frame = pd.DataFrame({"s": result.closes["small"], "l": result.closes["large"],
                          "sr": rebased["small"], "lr": rebased["large"],
                          "ratio": result.relative_ratio()})
    s, lg = pair.small.symbol, pair.large.symbol
    return _frame_csv(report.payload, ["date", f"{s}_close", f"{lg}_close", f"{s}_rebased_100",
                                       f"{lg}_rebased_100", "relative_ratio_start_1"], frame)


def ratio_averages_csv(market: MarketData, query: Any, report: Report) -> str:
    """Closes, the ratio, its 50/200-day averages and % vs the 200-day average over the
    chart window: the numbers of the ratio-trend chart."""
    pair, small, large = _pair_closes(market, query)
    view = compute_trend(pair, small, large, query.period, query.as_of)
    closes = align_closes(small, large).loc[view.frame.index]
    frame = pd.concat([closes, view.frame[["ratio", "ma50", "ma200", "pct_vs_200dma"]]], axis=1)
    s, lg = pair.small.symbol, pair.large.symbol
    return _frame_csv(report.payload, ["date", f"{s}_close", f"{lg}_close", "ratio",
                                       "ratio_ma50", "ratio_ma200", "ratio_vs_200dma_pct"],
                      frame)


def rolling_gap_csv(market: MarketData, query: Any, report: Report) -> str:
    """Closes and the rolling WINDOW gap (pp) ending on each day: the rolling-gap chart."""
    pair, small, large = _pair_closes(market, query)
    result = gap_history(pair, small, large, query.period, query.as_of)
    frame = align_closes(small, large).loc[result.gaps.index].assign(gap=result.gaps)
    s, lg = pair.small.symbol, pair.large.symbol
    return _frame_csv(report.payload, ["date", f"{s}_close", f"{lg}_close",
                                       f"gap_{query.period.label}_pp"], frame)


def closes_ratio_csv(market: MarketData, query: Any, report: Report) -> str:
    """The pair's common closes and relative ratio over the report's window (its `start`,
    else the earliest start of its rows, to its `end`)."""
    p = report.payload
    pair, small, large = _pair_closes(market, query)
    closes = align_closes(small, large)
    starts = [r["start"] for r in p.get("rows", []) if r.get("start")]  # a table's rows
    start = p.get("start") or (min(starts) if starts else None)
    closes = closes.loc[pd.Timestamp(start) if start else None: pd.Timestamp(p["end"])]
    frame = closes.assign(ratio=closes["small"] / closes["large"])
    s, lg = pair.small.symbol, pair.large.symbol
    return _frame_csv(p, ["date", f"{s}_close", f"{lg}_close", "relative_ratio"], frame)


def board_rows_csv(market: MarketData, query: Any, report: Report) -> str:
    """The board's rows (the heatmap's numbers): see board_csv."""
    return board_csv(report.payload)


def calendar_years_csv(market: MarketData, query: Any, report: Report) -> str:
    """One row per calendar year (the bars' numbers): see years_csv."""
    return years_csv(report.payload)
