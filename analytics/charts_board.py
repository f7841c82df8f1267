"""The board chart: a heatmap of each pair's gap over 1m..3y, rows by 1-year gap.

Colours: ColorBrewer RdBu (diverging, safe for the common colour-vision deficiencies),
centred on 0 and symmetric, red where small caps lag (positive gap, pp) and blue where they
lead. Every cell prints its value with its unit; two text columns add the ratio vs its
200-day average (%) and the percentile of the 1-year gap in its own history. Rows without
data are grey and say why.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from analytics.board import BOARD_WINDOWS, BoardRow
from analytics.chart_base import (
    BACKGROUND,
    INK,
    MUTED,
    SIZE,
    add_header_and_footer,
    mpl,
    new_figure,
    title_and_subtitles,
    to_png,
)
from analytics.formatting import clip, number, percentile_rank

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

COLOUR_MAP = "RdBu_r"
NO_DATA = "#C6CBD1"  # darker than the card (BACKGROUND) it sits on
WINDOW_NAMES = {"1m": "1m", "3m": "3m", "ytd": "YTD", "1y": "1y", "3y": "3y"}
SHORT_BASIS = {"total return": "total return", "price return": "price return"}


def _matrix(rows: list[BoardRow]) -> np.ndarray:
    """Gaps (pp) as a rows x windows array, NaN where there is none."""
    return np.array([[np.nan if row.gap(w) is None else row.gap(w) for w in BOARD_WINDOWS]
                     for row in rows], dtype=float).reshape(len(rows), len(BOARD_WINDOWS))


def _row_label(row: BoardRow, end: str | None) -> str:
    """'Micro caps\\nIWC/SPY · total return' (plus 'to DATE' when the row ends earlier)."""
    pair = row.spec.pair
    key = pair.key if "/" in pair.key else f"{pair.small.symbol}/{pair.large.symbol}"
    basis = pair.basis if len(pair.basis) <= 14 else "mixed basis"
    ends = f" · to {row.end}" if row.end is not None and str(row.end) != end else ""
    return f"{row.spec.label}\n{key} · {basis}{ends}"


def _text_colour(value: float, limit: float) -> str:
    """White on the darker ends of the map, ink elsewhere (contrast)."""
    return "white" if abs(value) > 0.6 * limit else INK


def board_figure(rows: list[BoardRow], *, title: str, subtitle: str, footer: str,
                 end: str | None) -> Figure:
    """The heatmap of `rows` (already ordered) as a Figure, not laid out or drawn.

    `end` is the board's as-of date (ISO); rows ending earlier say so in their label. A
    second subtitle line says how many independent years the 1y percentiles rest on.
    """
    fig = new_figure()
    ax = fig.subplots()
    gaps = _matrix(rows)
    finite = gaps[np.isfinite(gaps)]
    limit = max(5.0, float(np.abs(finite).max())) if finite.size else 5.0
    norm = mpl().colors.TwoSlopeNorm(vcenter=0.0, vmin=-limit, vmax=limit)
    n_rows, n_cols = gaps.shape
    ax.pcolormesh(np.arange(n_cols + 1) - 0.5, np.arange(n_rows + 1) - 0.5,
                  np.ma.masked_invalid(gaps), cmap=COLOUR_MAP, norm=norm)  # cheap to draw
    for i, row in enumerate(rows):
        if row.note is not None:
            ax.add_patch(_grey(i, n_cols))
            ax.text((n_cols - 1) / 2, i, clip(row.note, 90), ha="center", va="center",
                    fontsize=SIZE["tick"] - 1, color=MUTED)
            continue
        for j, cell in enumerate(row.cells):
            if cell.gap_pp is None:
                ax.add_patch(_grey(i, 1, x0=j))
                ax.text(j, i, "n/a", ha="center", va="center", fontsize=SIZE["tick"],
                        color=MUTED)
            else:
                ax.text(j, i, number(cell.gap_pp, "+.1f") + " pp", ha="center", va="center",
                        fontsize=SIZE["tick"] - 1, color=_text_colour(cell.gap_pp, limit))
        vs200 = ("n/a" if row.ratio_vs_200dma_pct is None
                 else number(row.ratio_vs_200dma_pct, "+.1f") + " %")
        pct = "n/a" if row.gap_1y_percentile is None else percentile_rank(row.gap_1y_percentile)
        ax.text(n_cols, i, vs200, ha="center", va="center", fontsize=SIZE["tick"], color=INK)
        ax.text(n_cols + 1, i, pct, ha="center", va="center", fontsize=SIZE["tick"], color=INK)
    ax.set_xlim(-0.5, n_cols + 1.6)
    ax.set_ylim(n_rows - 0.5, -0.5)
    ax.set_xticks(range(n_cols + 2),
                  [*(f"gap {WINDOW_NAMES[w]}" for w in BOARD_WINDOWS),
                   "ratio vs\n200-day avg", "1y gap\npercentile"])
    ax.xaxis.tick_top()
    ax.set_yticks(range(n_rows), [_row_label(r, end) for r in rows])
    ax.tick_params(length=0, labelsize=SIZE["tick"] - 1, labelcolor=INK)
    ax.tick_params(axis="x", labelsize=SIZE["tick"] - 2)
    for spine in ax.spines.values():
        spine.set_visible(False)
    for x in (n_cols - 0.5,):
        ax.axvline(x, color=BACKGROUND, linewidth=6)
    ax.hlines(np.arange(n_rows - 1) + 0.5, -0.5, n_cols - 0.5, color=BACKGROUND, linewidth=2)
    counts = [r.gap_1y_independent for r in rows if r.gap_1y_independent is not None]
    sample = [f"1y gap percentile: among each row's daily 1-year windows, about "
              f"{min(counts)} to {max(counts)} independent years"] if counts else []
    add_header_and_footer(fig, title_and_subtitles(title, [subtitle, *sample]), footer)
    return fig


def _grey(i: int, width: int, x0: int = 0) -> Rectangle:
    """A grey cell (`width` columns from `x0`) on row `i`: no data there."""
    return mpl().patches.Rectangle((x0 - 0.5, i - 0.5), width, 1.0, facecolor=NO_DATA,
                                   edgecolor=BACKGROUND)


def render_board_chart(rows: list[BoardRow], *, title: str, subtitle: str, footer: str,
                       end: str | None) -> bytes:
    """The board heatmap as 1200x800 PNG bytes (see `board_figure`)."""
    return to_png(board_figure(rows, title=title, subtitle=subtitle, footer=footer, end=end))
