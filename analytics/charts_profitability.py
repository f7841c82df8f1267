"""The profitability chart: OP / BE of the smallest and largest size quintiles per year, and
the relative P/B against the profitability gap, as PNG bytes.

Left: both quintiles' operating profitability (% of book equity) each July since 1963, a ring
on every year a portfolio was left out of that quintile (|OP / BE| beyond the limit), the
latest year labelled. Right: one dot per year, the gap (large − small, pp) across and the
relative P/B up, r in the title, the latest year marked. Same Figure + Agg conventions as the
other charts (analytics.chart_base).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from analytics.chart_base import (
    INK,
    LARGE_COLOUR,
    MUTED,
    SIZE,
    SMALL_COLOUR,
    HeaderLine,
    add_header_and_footer,
    mpl,
    new_figure,
    style_axes,
    title_line,
    to_png,
)
from analytics.formatting import MINUS, number, percentile_rank
from analytics.profitability import OP_LIMIT, ProfitabilityResult

if TYPE_CHECKING:
    from matplotlib.axes import Axes


def render_profitability_chart(result: ProfitabilityResult, *, source: str, edition: str,
                               fetched: str | None = None) -> bytes:
    """Render `result` as a 1200x800 PNG (see the module docstring)."""
    fig = new_figure()
    left, right = fig.subplots(1, 2, width_ratios=[2.1, 1.0])
    _draw_levels(left, result)
    _draw_link(right, result)
    frame = result.frame
    latest = frame.iloc[-1]
    header = [
        title_line("Operating profitability: smallest vs largest size quintile"),
        HeaderLine(f"OP / book equity, market-cap weighted, each July {int(frame.index[0])}–"
                   f"{result.latest_year}; portfolios beyond ±{OP_LIMIT * 100:.0f} % left out"),
        HeaderLine(f"{result.latest_year}: smallest {number(latest['op_small'] * 100, '+.1f')} %, "
                   f"largest {number(latest['op_large'] * 100, '+.1f')} %, gap "
                   f"{number(latest['gap_pp'], '+.1f')} pp, "
                   f"{percentile_rank(result.percentile_all)} percentile since "
                   f"{int(frame.index[0])}", colour=INK),
    ]
    when = f"  ·  Data fetched {fetched}" if fetched else ""
    add_header_and_footer(fig, header, f"Source: {source}, CRSP {edition} edition{when}")
    return to_png(fig)


def _percent(value: float, _pos: int) -> str:
    return f"{value:+.0f} %".replace("-", MINUS) if value else "0"


def _draw_levels(ax: Axes, result: ProfitabilityResult) -> None:
    """Both quintiles' OP / BE per year, rings on years with a portfolio left out."""
    style_axes(ax)
    frame = result.frame
    years = frame.index.to_numpy()
    for column, colour, label in (("op_small", SMALL_COLOUR, "smallest size quintile"),
                                  ("op_large", LARGE_COLOUR, "largest size quintile")):
        ax.plot(years, frame[column].to_numpy() * 100, color=colour, linewidth=1.8,
                marker="o", markersize=3.0, zorder=3, label=label)
    ringed = {(o.year, o.quintile) for o in result.outliers if o.year in frame.index}
    for i, (year, quintile) in enumerate(sorted(ringed)):
        column = "op_small" if quintile == "small" else "op_large"
        ax.plot([year], [frame.loc[year, column] * 100], marker="o", markersize=11,
                markerfacecolor="none", markeredgecolor=MUTED, markeredgewidth=1.3,
                linestyle="none", zorder=4,
                label=f"a portfolio beyond ±{OP_LIMIT * 100:.0f} % left out" if i == 0
                else None)
    ax.axhline(0.0, color=MUTED, linewidth=1.0, zorder=2)
    ax.yaxis.set_major_formatter(mpl().ticker.FuncFormatter(_percent))
    ax.xaxis.set_major_locator(mpl().ticker.MultipleLocator(10))
    ax.set_xlim(years[0] - 1, years[-1] + 1)
    low = min(0.0, float(frame[["op_small", "op_large"]].min().min()) * 100)
    high = float(frame[["op_small", "op_large"]].max().max()) * 100
    ax.set_ylim(low - (high - low) * 0.08, high + (high - low) * 0.45)
    ax.set_ylabel("operating profit / book equity, %", fontsize=SIZE["label"], color=MUTED)
    ax.legend(loc="upper left", frameon=False, fontsize=SIZE["legend"] - 2)


def _draw_link(ax: Axes, result: ProfitabilityResult) -> None:
    """Relative P/B against the gap, one dot per year, the latest in vermillion."""
    style_axes(ax)
    frame = result.frame.dropna(subset=["relative_pb"])
    ax.scatter(frame["gap_pp"], frame["relative_pb"], s=18, color=LARGE_COLOUR, alpha=0.75,
               zorder=3, linewidths=0)
    last = frame.iloc[-1]
    ax.scatter([last["gap_pp"]], [last["relative_pb"]], s=60, color=SMALL_COLOUR, zorder=4)
    ax.annotate(str(int(frame.index[-1])), (last["gap_pp"], last["relative_pb"]),
                xytext=(0, 8), textcoords="offset points", ha="center", va="bottom",
                fontsize=SIZE["note"] - 2, color=SMALL_COLOUR)
    r = "n/a" if result.levels_r is None else number(result.levels_r, "+.2f")
    ax.set_title(f"each dot a year  ·  r = {r}", fontsize=SIZE["label"], color=INK, loc="left")
    low, high = float(frame["gap_pp"].min()), float(frame["gap_pp"].max())
    ax.set_xlim(low - (high - low) * 0.08, high + (high - low) * 0.1)
    ax.set_xlabel("OP gap, large − small, pp", fontsize=SIZE["label"], color=MUTED)
    ax.set_ylabel("P/B small / P/B large", fontsize=SIZE["label"], color=MUTED)
    ax.xaxis.set_major_locator(mpl().ticker.MultipleLocator(25))
    ax.xaxis.set_major_formatter(mpl().ticker.FuncFormatter(
        lambda v, _: f"{v:+.0f}".replace("-", MINUS) if v else "0"))
    ax.set_ylim(bottom=0)
