"""`board`: many pairs in one view, as a heatmap and a table.

Grammar `board [PAIR, PAIR...] [as-of DATE]` (rows from the words, a channel's `set board`,
SMALLCAPS_BOARD or the default board); its query (one batched fetch, one heatmap) and
payload; the words for that payload (Block Kit, terminal). Pure functions, apart from
reading the configured default rows (SMALLCAPS_BOARD).

Each row is computed by `analytics.board.board_row`, which calls the `gap` and `trend`
analytics on the same closes, and rounded as the `gap` and `trend` payloads round, so
`board --json` and `gap --json` agree digit for digit for any pair and window.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from functools import partial
from typing import Any, TypedDict

from analytics.board import (
    BOARD_WINDOWS,
    DEFAULT_BOARD,
    RANK_WINDOW,
    BoardError,
    BoardRow,
    BoardRowSpec,
    board_row,
    missing_row,
    ordered,
    parse_board,
    same_year_ytd,
)
from analytics.charts_board import render_board_chart
from analytics.formatting import percentile_rank
from analytics.periods import InsufficientHistoryError, parse_period
from analytics.rank import MIN_INDEPENDENT_WINDOWS
from bot.data.market import PriceHistory
from bot.reports import Chart, Payload, csv_export, history_meta
from bot.reports.common import as_of_requested, chart_source, fetched_day, pair_closes
from bot.reports.identity import IdentifiedQuery
from bot.reports.payloads import Instrument, SourceFields
from bot.slack.escape import escape
from handlers.command import AlertOffer, Command, Export, Rendering, near, pinned_suffix
from handlers.report_text import (
    Cell,
    context,
    header,
    literal_cell,
    source_text,
    table_block,
    title_rule,
)
from handlers.words import CommandError, ParseContext, pop_as_of, pop_end_basis


class CellPayload(TypedDict):
    gap_pp: float | None
    start: str | None
    end: str | None
    note: str | None


class RowPayload(TypedDict):
    label: str
    pair: str
    small: Instrument
    large: Instrument
    basis: str
    end: str | None
    gaps: dict[str, CellPayload]
    """Window ('1m', ..., 'ytd', ...) -> its gap."""
    ratio_vs_200dma_pct: float | None
    gap_1y_percentile: float | None
    gap_1y_independent_windows: int | None
    """Independent 1-year windows the percentile rests on (null percentile: too few)."""
    note: str | None
    """Why the row has no numbers (no data), else None."""


class BoardWindow(TypedDict):
    label: str
    description: str


class BoardPayload(SourceFields):
    """The JSON answer to a board query."""

    command: str
    end: str | None
    as_of_requested: str | None
    windows: list[BoardWindow]
    rank_window: str
    basis_requested: str | None
    """The basis word asked for (`total` or `price`), or None: each row's default."""
    rows: list[RowPayload]

COLUMNS = ("1m", "3m", "YTD", "1y", "3y", "vs 200d", "1y pct", "basis")
LABEL_WIDTH, PAIR_WIDTH = 32, 12


@dataclass(frozen=True)
class BoardQuery(IdentifiedQuery):
    """The rows to show and an optional as-of date."""

    rows: tuple[BoardRowSpec, ...]
    as_of: date | None = None
    basis: str | None = None
    """The basis word asked for (`total` or `price`): applied to every row that has it."""
    command: str = "board"
    missing_ok: bool = True
    """Rows whose symbols the source lacks say so; the others still answer (bot.data.market)."""

    def symbols(self) -> tuple[str, ...]:
        """Every symbol of every row, once, in row order (fetched in one batch)."""
        return tuple(dict.fromkeys(s for r in self.rows for s in r.pair.symbols))

    def build(self, history: PriceHistory) -> tuple[BoardPayload, Chart]:
        rows = ordered(same_year_ytd([self._row(spec, history) for spec in self.rows]))
        if self.as_of is not None and all(r.end is None for r in rows):
            raise InsufficientHistoryError(f"No row of the board has data on or before "
                                           f"{self.as_of} ({(rows[0].note or '').rstrip('.')}).")
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
        try:
            small, large = pair_closes(history, spec.pair)  # on the row's basis
        except InsufficientHistoryError as exc:
            return missing_row(spec, f"no data: {exc}")
        return board_row(spec, small, large, self.as_of)


def history_source_short(history: PriceHistory) -> str:
    """'Yahoo Finance' or 'the CSV source' (no server paths in what users see)."""
    return "the CSV source" if history.source.startswith("CSV files") else history.source


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def row_payload(row: BoardRow) -> RowPayload:
    """One row as JSON; gaps rounded to 4 digits and the percentile to 2, as `gap` does."""
    pair = row.spec.pair
    gaps: dict[str, CellPayload] = {}
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
        "gap_1y_independent_windows": row.gap_1y_independent,
        "note": row.note,
    }


def board_payload(rows: list[BoardRow], history: PriceHistory, query: BoardQuery
                  ) -> BoardPayload:
    """The JSON answer to a board query (stable keys; documented in README)."""
    ends = [r.end for r in rows if r.end is not None]
    return {
        "command": "board",
        "end": max(ends).isoformat() if ends else None,
        "as_of_requested": as_of_requested(query.as_of),
        "windows": [{"label": w, "description": parse_period(w).describe()}
                    for w in BOARD_WINDOWS],
        "rank_window": RANK_WINDOW,
        "basis_requested": query.basis,
        "rows": [row_payload(r) for r in rows],
        **history_meta(history),
    }


def configured_rows(context: ParseContext) -> tuple[BoardRowSpec, ...]:
    """SMALLCAPS_BOARD's rows (`context.board`), or the default board (the setting is
    validated at start)."""
    return parse_board(context.board or DEFAULT_BOARD)


def parse_board_command(args: list[str], context: ParseContext) -> BoardQuery:
    """`board [PAIR, PAIR...] [BASIS] [as-of DATE]`: the given pairs (a channel's `set board`
    arrives as typed words, handlers.channel_defaults.apply_defaults), else SMALLCAPS_BOARD,
    else the default board; BASIS applies to every row that has both bases."""
    words, as_of = pop_as_of(args, "board")
    if as_of is not None and as_of > context.today:
        raise CommandError(f"`{as_of}` is in the future.", "board as-of 2024-03-26")
    words, basis = pop_end_basis(words, "board")
    try:
        rows = parse_board(" ".join(words)) if words else configured_rows(context)
    except BoardError as exc:
        raise CommandError(str(exc), "board IWM/SPY, IJR/SPY, RSP/SPY") from None
    if basis is not None:  # every row that has the basis; index rows stay price return
        rows = tuple(replace(r, pair=r.pair.with_basis(basis)) if r.pair.has_both_bases
                     else r for r in rows)
    return BoardQuery(rows=rows, as_of=as_of, basis=basis)


def _gap(row: RowPayload, window: str) -> str:
    cell = row["gaps"].get(window.lower())
    if cell is None or cell["gap_pp"] is None:
        return "n/a"
    return f"{cell['gap_pp']:+.1f}"


def _basis(basis: str) -> str:
    return {"total return": "total", "price return": "price"}.get(basis, "mixed")


def row_cells(row: RowPayload) -> list[str]:
    """The row's columns as text: gaps in pp, ratio vs 200-day average in %, percentile, basis."""
    if row["note"]:
        return []
    vs200 = row["ratio_vs_200dma_pct"]
    pct = row["gap_1y_percentile"]
    return [*(_gap(row, w) for w in COLUMNS[:5]),
            "n/a" if vs200 is None else f"{vs200:+.1f}%",
            "n/a" if pct is None else percentile_rank(pct),
            _basis(row["basis"])]


def table_lines(p: BoardPayload) -> list[str]:
    """A fixed-width table (for a code block or a terminal), one line per row."""
    head = f"{'row':<{LABEL_WIDTH}}{'pair':<{PAIR_WIDTH}}" + "".join(f"{c:>8}" for c in COLUMNS)
    lines = [head]
    for row in p["rows"]:
        name = (f"{row['label'][:LABEL_WIDTH - 1]:<{LABEL_WIDTH}}"
                f"{row['pair'][:PAIR_WIDTH - 1]:<{PAIR_WIDTH}}")
        cells = row_cells(row)
        if not cells:
            lines.append(f"{name}{row['note']}")
            continue
        ends = "" if row["end"] == p["end"] else f"  to {row['end']}"
        lines.append(name + "".join(f"{c:>8}" for c in cells) + ends)
    return lines


def title(p: BoardPayload) -> str:
    """'Size and style board · to 2024-03-26'."""
    return f"Size and style board · to {p['end'] or 'n/a'}"


def sample_text(p: BoardPayload) -> str:
    """'about 9 to 38 independent years per row' (what the 1y percentiles rest on), ''."""
    counts = [n for r in p["rows"] if (n := r.get("gap_1y_independent_windows")) is not None]
    if not counts:
        return ""
    low, high = min(counts), max(counts)
    span = f"{low}" if low == high else f"{low} to {high}"
    return (f", resting on about {span} independent (non-overlapping) years per row; n/a "
            f"with fewer than {MIN_INDEPENDENT_WINDOWS}")


def explanation(p: BoardPayload) -> str:
    return ("Gap = large − small return in percentage points (+: the small side lags) over "
            "1 month, 3 months, year to date, 1 and 3 years; vs 200d = small/large ratio vs its "
            "200-day average; 1y pct = percentile of the 1-year gap among all daily 1-year "
            f"windows of its history (100 = widest lag){sample_text(p)}. YTD is n/a for a row "
            "whose data ends in an earlier year than the board's. Same numbers as "
            "`gap` and `trend`; each row on its own basis and last common close.")


def board_rows(p: BoardPayload) -> list[list[Cell]]:
    """The board as rows of cells (header first) for Slack's native table; a row without
    data shows why, a row ending on another day says so in its last cell. Labels are typed
    by users (`set board`), so they are literal cells, never markup."""
    rows: list[list[Cell]] = [["Row", "Pair", *COLUMNS]]
    for row in p["rows"]:
        cells = row_cells(row)
        label = literal_cell(row["label"])
        if not cells:
            rows.append([label, row["pair"], row["note"] or "n/a"])
            continue
        if row["end"] != p["end"]:
            cells[-1] += f" · to {row['end']}"
        rows.append([label, row["pair"], *cells])
    return rows


def board_blocks(p: BoardPayload) -> list[dict[str, Any]]:
    """The channel reply: the board as Slack's native table (numbers right-aligned), what
    the columns mean, the source."""
    return [header(title(p)),
            table_block(board_rows(p), right=range(2, 2 + len(COLUMNS) - 1)),
            context(p, explanation(p), source_text(p))]


def board_fallback_text(p: BoardPayload) -> str:
    """Notification text: the first (widest-lag) row."""
    first = next((r for r in p["rows"] if not r["note"]), None)
    if first is None:
        return f"{title(p)}: no row has data."
    return (f"{title(p)}: widest 1-year lag {escape(first['label'])} ({first['pair']}) "
            f"{_gap(first, '1y')} pp.")


def board_plain_text(p: BoardPayload) -> str:
    """The terminal rendering."""
    warning = [f"Warning: {p['stale_note']}"] if p.get("stale_note") else []
    return "\n".join([*title_rule(title(p)), *table_lines(p), "", *warning, explanation(p),
                      source_text(p)])


def pinned_board(p: Payload) -> str:
    """The board behind a payload, row by row (`PAIR=LABEL, ...`), pinned to its end."""
    rows = ", ".join(f"{r['pair']}={r['label']}" for r in p["rows"])
    return f"{p['command']} {rows}{pinned_suffix(p)}"


def alert_offer(p: Mapping[str, Any]) -> AlertOffer | None:
    """"Alert me on this": the gap over the board's ranking window (1y) of its index row
    (else its first row with that gap), crossing the nearest whole pp to today's."""
    window = p.get("rank_window") or "1y"
    rows = [r for r in p.get("rows") or []
            if ((r.get("gaps") or {}).get(window) or {}).get("gap_pp") is not None]
    row = next((r for r in rows if r["pair"] == "index"), rows[0] if rows else None)
    if row is None:
        return None
    gap = row["gaps"][window]
    return AlertOffer(f"gap {window} {row['pair']} crosses {near(gap['gap_pp'], 1):g}",
                      f"{row['label']}: the {window} gap is {gap['gap_pp']:.2f} pp on "
                      f"{gap['end']}", row["basis"])


COMMAND = Command(
    name="board",
    usage="board [PAIR, PAIR...] [BASIS] [as-of DATE]",
    summary="Many pairs in one view: the gap (pp) over 1m, 3m, YTD, 1y and 3y, the ratio vs "
            "its 200-day average, the 1y gap's percentile in its own history and the basis, for "
            "small caps, profitable small caps, micro, mid, equal-weight and value/growth pairs "
            "(rows from SMALLCAPS_BOARD or `set board`). Same numbers as `gap`/`trend`. Posts a "
            "heatmap.",
    example="board",
    parse=parse_board_command,
    rendering=Rendering(board_blocks, board_fallback_text, board_plain_text, title),
    prerendered=True,
    export=Export(csv_export.board_rows_csv, pinned=pinned_board),
    defaults=frozenset({"board"}),
    schedulable=True,
    alert_offer=alert_offer,
)
