"""The `board` report: many pairs in one message, one batched fetch, one heatmap.

Each row is computed by `analytics.board.board_row`, which calls the `gap` and `trend`
analytics on the same closes, and rounded as the `gap` and `trend` payloads round, so
`board --json` and `gap --json` agree digit for digit for any pair and window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import partial

from analytics.board import (
    BOARD_WINDOWS,
    RANK_WINDOW,
    BoardRow,
    BoardRowSpec,
    board_row,
    board_text,
    missing_row,
    ordered,
)
from analytics.charts_board import render_board_chart
from analytics.periods import parse_period
from bot.data.market import PriceHistory
from bot.reports import Chart, Payload, history_meta
from bot.reports.common import as_of_requested, as_of_text, chart_source, fetched_day


@dataclass(frozen=True)
class BoardQuery:
    """The rows to show and an optional as-of date."""

    rows: tuple[BoardRowSpec, ...]
    as_of: date | None = None
    command: str = "board"
    missing_ok: bool = True
    """Rows whose symbols the source lacks say so; the others still answer (bot.data.market)."""

    def symbols(self) -> tuple[str, ...]:
        """Every symbol of every row, once, in row order (fetched in one batch)."""
        return tuple(dict.fromkeys(s for r in self.rows for s in r.pair.symbols))

    def describe(self) -> str:
        return f"board|{board_text(self.rows)}|{as_of_text(self.as_of)}"

    def build(self, history: PriceHistory) -> tuple[Payload, Chart]:
        rows = ordered([self._row(spec, history) for spec in self.rows])
        payload = board_payload(rows, history, self)
        title = "Size and style board: gap = large − small return"
        subtitle = (f"As of {payload['end'] or 'n/a'} · red: small side lags, blue: it leads"
                    " · rows by 1-year gap")
        fresh = "" if payload.get("source_kind") == "files" else f" · {fetched_day(payload)}"
        footer = (f"Gaps in pp, each row on its own basis and to its own last close · "
                  f"Source: {chart_source(payload)}{fresh}")  # row labels give late ends
        chart = partial(render_board_chart, rows, title=title, subtitle=subtitle, footer=footer,
                        end=payload["end"])
        return payload, chart

    def _row(self, spec: BoardRowSpec, history: PriceHistory) -> BoardRow:
        lacking = [s for s in spec.pair.symbols if s in history.missing]
        if lacking:
            names = ", ".join(lacking)
            return missing_row(spec, f"no data: {history_source_short(history)} has no "
                                     f"daily data for {names}")
        small, large = (history.closes[s] for s in spec.pair.symbols)
        return board_row(spec, small, large, self.as_of)


def history_source_short(history: PriceHistory) -> str:
    """'Yahoo Finance' or 'the CSV source' (no server paths in what users see)."""
    return "the CSV source" if history.source.startswith("CSV files") else history.source


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def row_payload(row: BoardRow) -> Payload:
    """One row as JSON; gaps rounded to 4 digits and the percentile to 2, as `gap` does."""
    pair = row.spec.pair
    gaps: Payload = {}
    for cell in row.cells:
        gaps[cell.window] = {
            "gap_pp": _round(cell.gap_pp, 4),
            "start": cell.start.isoformat() if cell.start else None,
            "end": cell.end.isoformat() if cell.end else None,
            "note": cell.note,
        }
    return {
        "label": row.spec.label,
        "pair": pair.key,
        "small": {"symbol": pair.small.symbol, "name": pair.small.name},
        "large": {"symbol": pair.large.symbol, "name": pair.large.name},
        "basis": pair.basis,
        "end": row.end.isoformat() if row.end else None,
        "gaps": gaps,
        "ratio_vs_200dma_pct": _round(row.ratio_vs_200dma_pct, 4),
        "gap_1y_percentile": _round(row.gap_1y_percentile, 2),
        "note": row.note,
    }


def board_payload(rows: list[BoardRow], history: PriceHistory, query: BoardQuery) -> Payload:
    """The JSON answer to a board query (stable keys; documented in README)."""
    ends = [r.end for r in rows if r.end is not None]
    return {
        "command": "board",
        "end": max(ends).isoformat() if ends else None,
        "as_of_requested": as_of_requested(query.as_of),
        "windows": [{"label": w, "description": parse_period(w).describe()}
                    for w in BOARD_WINDOWS],
        "rank_window": RANK_WINDOW,
        "rows": [row_payload(r) for r in rows],
        **history_meta(history),
    }
