"""`board`: its grammar and the words for its payload (Block Kit, terminal). Pure functions,
apart from reading the configured default rows (SMALLCAPS_BOARD)."""

from __future__ import annotations

from typing import Any

from analytics.board import DEFAULT_BOARD, BoardError, BoardRowSpec, parse_board
from analytics.formatting import percentile_rank
from bot.data.market_hours import market_today
from bot.reports.board import BoardQuery
from bot.runtime.config import get_settings
from handlers.parsing import CommandError, pop_as_of
from handlers.report_text import Payload, context, header, section, source_text, title_rule

COLUMNS = ("1m", "3m", "YTD", "1y", "3y", "vs 200d", "1y pct", "basis")
LABEL_WIDTH, PAIR_WIDTH = 32, 12


def configured_rows() -> tuple[BoardRowSpec, ...]:
    """SMALLCAPS_BOARD's rows, or the default board (the setting is validated at start)."""
    return parse_board(get_settings().smallcaps_board or DEFAULT_BOARD)


def parse_board_command(args: list[str],
                        default_rows: tuple[BoardRowSpec, ...] | None = None) -> BoardQuery:
    """`board [PAIR, PAIR...] [as-of DATE]`: the given pairs, else `default_rows` (a channel's
    `set board`), else SMALLCAPS_BOARD, else the default board."""
    words, as_of = pop_as_of(args, "board")
    if as_of is not None and as_of > market_today():
        raise CommandError(f"`{as_of}` is in the future.", "board as-of 2024-03-26")
    try:
        rows = parse_board(" ".join(words)) if words else (default_rows or configured_rows())
    except BoardError as exc:
        raise CommandError(str(exc), "board IWM/SPY, IJR/SPY, RSP/SPY") from None
    return BoardQuery(rows=rows, as_of=as_of)


def _gap(row: Payload, window: str) -> str:
    cell = row["gaps"].get(window.lower())
    if cell is None or cell["gap_pp"] is None:
        return "n/a"
    return f"{cell['gap_pp']:+.1f}"


def _basis(basis: str) -> str:
    return {"total return": "total", "price return": "price"}.get(basis, "mixed")


def row_cells(row: Payload) -> list[str]:
    """The row's columns as text: gaps in pp, ratio vs 200-day average in %, percentile, basis."""
    if row["note"]:
        return []
    vs200 = row["ratio_vs_200dma_pct"]
    pct = row["gap_1y_percentile"]
    return [*(_gap(row, w) for w in COLUMNS[:5]),
            "n/a" if vs200 is None else f"{vs200:+.1f}%",
            "n/a" if pct is None else percentile_rank(pct),
            _basis(row["basis"])]


def table_lines(p: Payload) -> list[str]:
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


def title(p: Payload) -> str:
    """'Size and style board · to 2024-03-26'."""
    return f"Size and style board · to {p['end'] or 'n/a'}"


def explanation(p: Payload) -> str:
    return ("Gap = large − small return in percentage points (+: the small side lags) over "
            "1 month, 3 months, year to date, 1 and 3 years; vs 200d = small/large ratio vs its "
            "200-day average; 1y pct = percentile of the 1-year gap among all 1-year windows "
            "of its history (100 = widest lag). Same numbers as `gap` and `trend`; each row "
            "on its own basis and last common close.")


def board_blocks(p: Payload) -> list[dict[str, Any]]:
    """The channel reply: the table as a code block, what the columns mean, the source."""
    return [header(title(p)),
            section("```" + "\n".join(table_lines(p)) + "```"),
            context(p, explanation(p), source_text(p))]


def board_fallback_text(p: Payload) -> str:
    """Notification text: the first (widest-lag) row."""
    first = next((r for r in p["rows"] if not r["note"]), None)
    if first is None:
        return f"{title(p)}: no row has data."
    return (f"{title(p)}: widest 1-year lag {first['label']} ({first['pair']}) "
            f"{_gap(first, '1y')} pp.")


def board_plain_text(p: Payload) -> str:
    """The terminal rendering."""
    warning = [f"Warning: {p['stale_note']}"] if p.get("stale_note") else []
    return "\n".join([*title_rule(title(p)), *table_lines(p), "", *warning, explanation(p),
                      source_text(p)])
