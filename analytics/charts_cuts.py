"""The cuts chart: the small/large ratio around each cycle's first Fed cut, as PNG bytes.

One thin grey line per earlier cycle (labelled by year at its end), their median path bold,
the current cycle in the small-cap colour; the ratio is rebased to 100 on the last close
before the event day, from 3 months before to 12 months after. Above 100 small caps beat
large caps since the cut. Same Figure + Agg conventions as the gap chart.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from analytics.chart_base import (
    INK,
    MUTED,
    SIZE,
    SMALL_COLOUR,
    HeaderLine,
    add_header_and_footer,
    footer_text,
    mpl,
    new_figure,
    style_axes,
    symbol_title,
    title_line,
    to_png,
)
from analytics.cycles import CutsResult, horizon_label, median_path
from analytics.formatting import number
from analytics.pairs import Pair

if TYPE_CHECKING:
    from matplotlib.axes import Axes

EARLIER_COLOUR = "#9A9A9A"
MONTH_TICKS = {-3: -91, 0: 0, 1: 30, 3: 91, 6: 182, 12: 365}
"""Approximate calendar days of each month mark on the x axis."""


def render_cuts_chart(result: CutsResult, pair: Pair, *, source: str,
                      fetched: str | None = None) -> bytes:
    """Render `result` as a 1200x800 PNG (see the module docstring)."""
    fig = new_figure()
    ax = fig.subplots()
    _draw_paths(ax, result)
    current = result.current
    twelve = next(s for s in result.stats if s.months == 12)
    earlier = len(result.cycles) - 1
    if earlier:
        reading = (f"12 months after: small caps beat large caps in {twelve.small_wins} of "
                   f"{twelve.cycles} earlier cycles")
        what = f"{earlier} earlier cycle{'s' if earlier > 1 else ''}, median bold"
    else:
        reading, what = "No earlier cycle in this pair's history", "only the current cycle"
    header = [
        title_line(symbol_title("{small} / {large} around the first Fed cut", pair)),
        HeaderLine(f"Ratio rebased to 100 on the last close before each cycle's first cut  ·  "
                   f"{what}"),
        HeaderLine(f"{reading}  ·  current: cut of {current.cut.day.date().isoformat()}",
                   colour=INK),
    ]
    footer = footer_text(pair.basis, source, fetched=fetched,
                         end=result.data_end.date().isoformat())
    add_header_and_footer(fig, header, footer)
    return to_png(fig)


def _draw_paths(ax: Axes, result: CutsResult) -> None:
    """Earlier cycles thin and grey, their median bold, the current cycle in colour."""
    ticker = mpl().ticker
    earlier, current = result.cycles[:-1], result.current
    style_axes(ax)
    ax.axhline(100.0, color=MUTED, linewidth=1.0, zorder=1)
    ax.axvline(0.0, color=INK, linewidth=1.2, linestyle=(0, (4, 3)), zorder=1)
    ax.text(2, 0.01, " first cut takes effect", transform=ax.get_xaxis_transform(),
            ha="left", va="bottom", fontsize=SIZE["note"] - 2, color=MUTED)
    ends = []
    for cycle in earlier:
        path = cycle.path.dropna()
        ax.plot(path.index, path.to_numpy(), color=EARLIER_COLOUR, linewidth=1.0, zorder=2)
        ends.append((float(path.index[-1]), float(path.iloc[-1]), str(cycle.cut.day.year)))
    median = median_path(earlier)
    if not median.empty:
        ax.plot(median.index, median.to_numpy(), color=INK, linewidth=3.0, zorder=3,
                label=f"median of {len(earlier)} earlier cycles")
    path = current.path.dropna()
    last = current.windows[-1]
    state = (f"{number(path.iloc[-1], '.1f')} at +12m" if last.complete
             else f"in progress, {number(path.iloc[-1], '.1f')} so far")
    ax.plot(path.index, path.to_numpy(), color=SMALL_COLOUR, linewidth=2.6, zorder=4,
            label=f"current cycle, {current.cut.day.year} ({state})")
    ax.set_xlim(-95, 410)
    ax.xaxis.set_major_locator(ticker.FixedLocator(list(MONTH_TICKS.values())))
    ax.xaxis.set_major_formatter(ticker.FixedFormatter(
        ["−3m" if m < 0 else ("cut" if m == 0 else f"+{horizon_label(m)}")
         for m in MONTH_TICKS]))
    ax.set_xlabel("calendar months from the day the first cut takes effect",
                  fontsize=SIZE["label"], color=MUTED)
    ax.set_ylabel("small / large ratio (100 = close before the cut)",
                  fontsize=SIZE["label"], color=MUTED)
    ax.yaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _: number(v, ".0f")))
    values = np.concatenate([c.path.dropna().to_numpy() for c in result.cycles])
    pad = (values.max() - values.min()) * 0.05
    ax.set_ylim(values.min() - pad, values.max() + pad)
    _label_ends(ax, ends)
    ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=2,
              fontsize=SIZE["legend"] - 1)


END_LABEL_SPACING = 1.5
"""Year labels at the lines' ends are at least this many font heights apart (a margin for
the layout engine, which shrinks the axes after they are placed)."""


def _label_ends(ax: Axes, ends: list[tuple[float, float, str]]) -> None:
    """Each earlier cycle's year just right of its line's end; labels whose ends are too
    close are pushed up (by points, lowest first), so no two overlap. Call after the y
    limits are set."""
    size = SIZE["tick"] - 2
    low, high = ax.get_ylim()
    axes_points = ax.bbox.height * 72.0 / ax.figure.dpi  # the axes' height in points
    per_point = (high - low) / max(axes_points, 1.0)  # data units per point
    gap = size * END_LABEL_SPACING * per_point
    placed: list[float] = []
    for x, y, text in sorted(ends, key=lambda end: end[1]):
        at = max(y, placed[-1] + gap) if placed else y
        placed.append(at)
        ax.annotate(text, (x, y), xytext=(4, (at - y) / per_point), textcoords="offset points",
                    va="center", fontsize=size, color=MUTED)
