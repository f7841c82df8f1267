"""The board: several small/large pairs side by side, each through the `gap` and `trend` math.

Every number on a board row comes from the functions the `gap` and `trend` reports use
(`analytics.gap.compute_gap`, `analytics.trend.trend_status`) on the same closes, so a row
equals what `gap WINDOW PAIR` and `trend PAIR` answer for that pair. Gaps are large minus
small in percentage points (positive: small caps lag); the ratio is small / large.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import pandas as pd

from analytics.gap import compute_gap
from analytics.pairs import Pair, PairError, parse_pair
from analytics.periods import InsufficientHistoryError, Period, parse_period
from analytics.trend import trend_status

BOARD_WINDOWS = ("1m", "3m", "ytd", "1y", "3y")
"""The board's gap columns, in order (labels as `gap` takes them)."""
RANK_WINDOW = "1y"
"""The window whose gap is ranked against its own history (the percentile column)."""
MAX_ROWS = 12

DEFAULT_BOARD = (
    "index=Russell 2000 vs S&P 500 (index), "
    "IWM/SPY=Small caps (ETFs), "
    "IJR/SPY=Profitable small caps (S&P 600), "
    "IWC/SPY=Micro caps, "
    "IJH/SPY=Mid caps (S&P 400), "
    "RSP/SPY=Equal- vs cap-weight S&P 500, "
    "IWN/IWO=Small value vs small growth"
)
"""The default rows as `PAIR=Label` items (SMALLCAPS_BOARD uses the same syntax)."""

KNOWN_LABELS = {
    "index": "Russell 2000 vs S&P 500 (index)",
    "etf": "Small caps (ETFs)",
    "IWM/SPY": "Small caps (ETFs)",
    "IJR/SPY": "Profitable small caps (S&P 600)",
    "IWC/SPY": "Micro caps",
    "IJH/SPY": "Mid caps (S&P 400)",
    "MDY/SPY": "Mid caps (S&P 400)",
    "RSP/SPY": "Equal- vs cap-weight S&P 500",
    "IWN/IWO": "Small value vs small growth",
}
"""Short labels for well-known pairs when a board names only the pair."""


class BoardError(ValueError):
    """The board text is not valid; the message says what is."""


@dataclass(frozen=True)
class BoardRowSpec:
    """One row to show: a pair and the short label saying what it measures."""

    pair: Pair
    label: str


def parse_board(text: str) -> tuple[BoardRowSpec, ...]:
    """Rows from 'IWM/SPY, IJR/SPY=Profitable small caps, index' (commas or spaces between
    items; `PAIR=Label` sets a label, otherwise a known pair's label or the pair's names).

    Raises BoardError for an empty board, a bad pair, a repeated pair or more than MAX_ROWS.
    """
    items = [i.strip() for i in text.replace(";", ",").split(",") if i.strip()]
    if len(items) == 1 and "=" not in items[0]:
        items = items[0].split()
    rows: list[BoardRowSpec] = []
    for item in items:
        pair_text, _, label = item.partition("=")
        try:
            pair = parse_pair(pair_text.strip())
        except PairError as exc:
            raise BoardError(str(exc)) from None
        if any(r.pair.key == pair.key for r in rows):
            raise BoardError(f"`{pair.key}` is on the board twice.")
        name = label.strip() or KNOWN_LABELS.get(pair.key) or pair.label
        rows.append(BoardRowSpec(pair, name[:60]))
    if not rows:
        raise BoardError("A board needs at least one pair, e.g. `IWM/SPY, IJR/SPY`.")
    if len(rows) > MAX_ROWS:
        raise BoardError(f"A board shows at most {MAX_ROWS} pairs (got {len(rows)}).")
    return tuple(rows)


def board_text(rows: tuple[BoardRowSpec, ...]) -> str:
    """The inverse of `parse_board`: 'IWM/SPY=Small caps (ETFs), ...' (stable, for cache keys)."""
    return ", ".join(f"{r.pair.key}={r.label}" for r in rows)


@dataclass(frozen=True)
class BoardCell:
    """One pair's gap over one window, or why there is none."""

    window: str
    gap_pp: float | None
    """Large minus small return over the window, in percentage points (None: no data)."""
    start: date | None = None
    end: date | None = None
    note: str | None = None


@dataclass(frozen=True)
class BoardRow:
    """One pair's row: gaps per window, ratio vs its 200-day average, 1y gap percentile."""

    spec: BoardRowSpec
    cells: tuple[BoardCell, ...] = ()
    end: date | None = None
    """The last common close of the pair on or before the as-of date."""
    ratio_vs_200dma_pct: float | None = None
    """Small/large ratio vs its 200-day average, in % (as `trend` reports it)."""
    gap_1y_percentile: float | None = None
    gap_1y_independent: int | None = None
    """Independent 1-year windows the percentile rests on (analytics.rank); the percentile
    is None when they are too few to rank."""
    """Share (in %) of all 1-year windows with a gap at most today's (as `gap 1y` ranks it)."""
    note: str | None = None
    """Why the row has no numbers (missing data), or None."""

    def gap(self, window: str) -> float | None:
        """The gap in pp over `window` ('1y'), None if the row has none."""
        return next((c.gap_pp for c in self.cells if c.window == window), None)


def missing_row(spec: BoardRowSpec, reason: str) -> BoardRow:
    """A row that cannot be computed, saying why ('no data: ...')."""
    return BoardRow(spec=spec, note=reason)


def board_row(spec: BoardRowSpec, small: pd.Series, large: pd.Series,
              as_of: date | None = None) -> BoardRow:
    """A row from the pair's daily closes (any length; aligned on common days inside).

    Each window's gap is `compute_gap(...).gap_pp` for that window; a window the data does not
    reach gives a cell with `gap_pp` None and the reason in `note`.
    """
    try:
        status = trend_status(small, large, as_of)
    except InsufficientHistoryError as exc:
        return missing_row(spec, f"no data: {exc}")
    cells = []
    percentile, independent = None, None
    for label in BOARD_WINDOWS:
        period: Period = parse_period(label)
        try:
            result = compute_gap(spec.pair, small, large, period, as_of,
                                 with_rank=label == RANK_WINDOW)
        except InsufficientHistoryError as exc:
            cells.append(BoardCell(label, None, note=str(exc)))
            continue
        if label == RANK_WINDOW and result.rank is not None:
            independent = result.rank.independent_windows
            percentile = result.rank.percentile if result.rank.ranked else None
        cells.append(BoardCell(label, result.gap_pp, result.window.start.date(),
                               result.window.end.date()))
    return BoardRow(spec=spec, cells=tuple(cells), end=status.as_of,
                    ratio_vs_200dma_pct=status.pct_vs_200dma, gap_1y_percentile=percentile,
                    gap_1y_independent=independent)


def same_year_ytd(rows: list[BoardRow]) -> list[BoardRow]:
    """`rows` with the year-to-date cell of each row that ends in an earlier year than the
    board's latest row made empty, with a note: a 2025 YTD next to 2026 ones is another
    window, not the same column."""
    ends = [r.end for r in rows if r.end is not None]
    if not ends:
        return rows
    year = max(ends).year
    out = []
    for row in rows:
        if row.end is None or row.end.year == year:
            out.append(row)
            continue
        note = (f"no {year} year to date: this row's data ends {row.end.isoformat()}")
        cells = tuple(BoardCell(c.window, None, note=note) if c.window == "ytd" else c
                      for c in row.cells)
        out.append(replace(row, cells=cells))
    return out


def ordered(rows: list[BoardRow]) -> list[BoardRow]:
    """Rows by 1-year gap, widest small-cap lag first; rows without a 1-year gap last."""
    def key(row: BoardRow) -> tuple[int, float]:
        gap = row.gap(RANK_WINDOW)
        return (1, 0.0) if gap is None else (0, -gap)
    return sorted(rows, key=key)
