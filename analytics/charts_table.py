"""The performance-table chart: both returns per horizon as grouped bars, the gap beside them.

Horizontal bars read well at Slack's preview size: one row per horizon (1w at the top, 10y at
the bottom), small caps above large caps in each row, the value at the end of each bar and
the gap (large − small, pp) in its own column on the right. Annualised horizons sit below a
divider. Figure + Agg only, deterministic PNG bytes (see analytics.chart_base).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from analytics.chart_base import (
    INK,
    LARGE_COLOUR,
    MUTED,
    SIZE,
    SMALL_COLOUR,
    add_header_and_footer,
    footer_text,
    mpl,
    new_figure,
    short_names,
    style_axes,
    symbol_title,
    title_and_subtitles,
    to_png,
)
from analytics.errors import present
from analytics.formatting import MINUS, signed
from analytics.performance import PerformanceRow, PerformanceTable

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

BAR_HEIGHT = 0.36
ROW_FONT = 15  # row labels and values: larger than the gap chart's ticks, as they are the data
VALUE_FONT = 12.5


def render_table_chart(table: PerformanceTable, *, source: str,
                       fetched: str | None = None) -> bytes:
    """Render `table` as a 1200x800 PNG of grouped horizontal bars with a gap column."""
    return to_png(table_figure(table, source=source, fetched=fetched))


def table_figure(table: PerformanceTable, *, source: str, fetched: str | None = None) -> Figure:
    """The table chart as a Figure, not yet laid out (`render_table_chart`)."""
    fig = new_figure()
    ax, gap_ax = fig.subplots(1, 2, sharey=True, width_ratios=[5.2, 1.0])
    rows = table.rows
    _draw_bars(ax, rows, table.first_common.date().isoformat())
    _draw_gap_column(gap_ax, rows)
    _draw_divider(ax, rows)
    style_axes(ax)
    ax.grid(True, axis="x")
    ax.grid(False, axis="y")
    ax.spines["left"].set_visible(False)
    ax.tick_params(axis="y", length=0, labelsize=ROW_FONT)
    ax.xaxis.set_major_formatter(mpl().ticker.FuncFormatter(_tick))
    ax.set_xlabel("return, % (annualised rows: % a year)", fontsize=SIZE["label"], color=MUTED)
    small, large = short_names(table.pair)
    patch = mpl().patches.Patch
    ax.legend(handles=[patch(color=SMALL_COLOUR, label=f"{small} ({table.pair.small.symbol})"),
                       patch(color=LARGE_COLOUR, label=f"{large} ({table.pair.large.symbol})")],
              loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=2,
              handlelength=1.2)
    end = table.end.date().isoformat()
    header = title_and_subtitles(
        symbol_title(f"{{small}} vs {{large}}: returns to {end}", table.pair),
        [f"Every horizon ends {end} (last common close); gap = large − small in pp "
         f"(+ = {table.pair.words.small} {table.pair.words.verb('lag')})"])
    footer = footer_text(table.pair.basis, source, fetched=fetched, end=end)
    add_header_and_footer(fig, header, footer)
    return fig


def _tick(value: float, _pos: int) -> str:
    """'+20 %', '−10 %', '0' for the return axis."""
    return f"{value:+,.0f} %".replace("-", MINUS) if value else "0"


def _extent(rows: tuple[PerformanceRow, ...]) -> tuple[float, float]:
    """x limits with room for the value labels beside the longest bars, 0 always inside."""
    values = [v for r in rows for v in (r.small_pct, r.large_pct) if v is not None] or [0.0]
    low, high = min(0.0, *values), max(0.0, *values)
    pad = max(high - low, 1.0) * 0.2
    return low - (pad if low < 0 else pad * 0.15), high + pad


def _draw_bars(ax: Axes, rows: tuple[PerformanceRow, ...], first_common: str) -> None:
    """Two bars per row (small above large) with their values; 'n/a' where unavailable."""
    y = np.arange(len(rows), dtype=float)
    left, right = _extent(rows)
    ax.set_xlim(left, right)
    ax.set_ylim(len(rows) - 0.45, -0.55)  # first row at the top
    ax.axvline(0.0, color=MUTED, linewidth=1.0, zorder=2)
    offset = (right - left) * 0.008
    for pos, row in zip(y, rows, strict=True):
        if not row.available:
            ax.text(offset, pos, f"n/a: common history starts {first_common}", va="center",
                    ha="left", fontsize=VALUE_FONT, color=MUTED, style="italic")
            continue
        for value, colour, shift in ((row.small_pct, SMALL_COLOUR, -BAR_HEIGHT / 2),
                                     (row.large_pct, LARGE_COLOUR, BAR_HEIGHT / 2)):
            value = present(value, f"{row.label}'s return")
            ax.barh(pos + shift, value, height=BAR_HEIGHT, color=colour, zorder=3)
            ha, dx = ("left", offset) if value >= 0 else ("right", -offset)
            ax.text(value + dx, pos + shift, signed(value, "%"), va="center", ha=ha,
                    fontsize=VALUE_FONT, color=INK, zorder=4)
    ax.set_yticks(y, [row.label for row in rows])


def _draw_gap_column(ax: Axes, rows: tuple[PerformanceRow, ...]) -> None:
    """The gap of each row in its own narrow axes: blue where large caps lead, vermillion
    where small caps do (the colours of the gap chart's shading)."""
    ax.set_axis_off()
    ax.set_xlim(0.0, 1.0)
    ax.text(1.0, 1.0, "Gap", transform=ax.transAxes, ha="right", va="bottom",
            color=INK, fontweight="bold")
    for pos, row in enumerate(rows):
        if row.gap_pp is None:
            text, colour = "n/a", MUTED
        else:
            text = signed(row.gap_pp, "pp")
            colour = LARGE_COLOUR if row.gap_pp > 0.05 else SMALL_COLOUR \
                if row.gap_pp < -0.05 else INK
        ax.text(1.0, pos, text, ha="right", va="center",
                fontsize=ROW_FONT, color=colour, fontweight="bold")


def _draw_divider(ax: Axes, rows: tuple[PerformanceRow, ...]) -> None:
    """A dashed line above the first annualised row (their labels say 'ann.')."""
    first = next((i for i, r in enumerate(rows) if r.annualised), None)
    if first is None or first == 0:
        return
    ax.axhline(first - 0.5, color=MUTED, linewidth=1.0, linestyle=(0, (4, 3)), zorder=1)
