"""The rates chart: the rolling 1-year gap against the 10-year yield, as PNG bytes.

Left: both series over time, each in its own panel on its own scale (the gap in pp above,
shaded by who leads; the yield in % below, in its own colour), sharing the dates: two
unrelated scales on twin axes invite reading meaning into where the lines cross. Right: a
scatter of their 3-month changes with a least-squares line and r in its title, the fairer
test of "rates drive the gap", since two trending levels can correlate by accident. Same
Figure + Agg conventions as the gap chart.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from analytics.chart_base import (
    INK,
    MUTED,
    SIZE,
    YIELD_COLOUR,
    HeaderLine,
    add_header_and_footer,
    footer_text,
    format_dates,
    line_width,
    mpl,
    new_figure,
    shade_lead,
    short_names,
    style_axes,
    title_line,
    to_png,
)
from analytics.formatting import number
from analytics.rates import CHANGE_DAYS, YIELD_SYMBOL, Correlation, RatesResult

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

STORY = "\u201chigher rates hurt small caps\u201d"
VERDICT_WORDS = {
    "supports": f"consistent with {STORY}",
    "weakly_supports": f"weakly consistent with {STORY}",
    "no_relation": "no link: rates do not explain the gap",
    "weakly_contradicts": f"weak, and opposite to {STORY}",
    "contradicts": f"opposite to {STORY}",
    "too_short": "too few independent 3-month changes to judge",
}
"""The chart's one-line reading of the change correlation (see analytics.rates.verdict)."""


def r_text(corr: Correlation) -> str:
    """'r = +0.22' or 'r = n/a'."""
    return "r = n/a" if corr.r is None else f"r = {number(corr.r, '+.2f')}"


def render_rates_chart(result: RatesResult, *, source: str, fetched: str | None = None) -> bytes:
    """The rates chart as 1200x800 PNG bytes (see `rates_figure`)."""
    return to_png(rates_figure(result, source=source, fetched=fetched))


def rates_figure(result: RatesResult, *, source: str, fetched: str | None = None) -> Figure:
    """`result` as a Figure: the gap (top left) over the yield (bottom left), each on its own
    scale and sharing the dates, and the change scatter (right)."""
    fig = new_figure()
    axes = fig.subplot_mosaic([["gap", "changes"], ["yield", "changes"]],
                              width_ratios=[2.15, 1], height_ratios=[1.35, 1])
    time_ax, yield_ax, scatter_ax = axes["gap"], axes["yield"], axes["changes"]
    time_ax.sharex(yield_ax)
    _draw_levels(time_ax, yield_ax, result)
    _draw_changes(scatter_ax, result)
    window = result.window
    small, large = short_names(result.pair)
    header = [
        title_line(f"1-year gap vs 10-year Treasury yield: {result.period.describe()}"),
        HeaderLine(f"{small} vs {large}  ·  {window.start.date().isoformat()} to "
                   f"{window.end.date().isoformat()}  ·  {len(result.frame):,} common days"),
        HeaderLine(f"Levels {r_text(result.levels)}  ·  3-month changes "
                   f"{r_text(result.changes)}: {VERDICT_WORDS[result.verdict]}", colour=INK),
    ]
    footer = footer_text(result.pair.basis, source, fetched=fetched,
                         end=window.end.date().isoformat())
    if result.yield_last_date < result.gap_last_date and YIELD_SYMBOL not in footer:
        footer += f"  ·  {YIELD_SYMBOL} ends {result.yield_last_date.isoformat()}"
    add_header_and_footer(fig, header, footer)
    return fig


def _draw_levels(gap_ax: Axes, yield_ax: Axes, result: RatesResult) -> None:
    """The gap (pp, shaded vs 0) in the upper panel, the yield (%) in the lower one: two
    unrelated scales never share a plot area."""
    frame = result.frame
    x = frame.index.to_numpy()
    gap, yields = frame["gap_pp"].to_numpy(), frame["yield_pct"].to_numpy()
    width = line_width(len(x))
    shade_lead(gap_ax, x, np.zeros_like(gap), gap)  # vermillion where small caps lead
    gap_ax.axhline(0.0, color=MUTED, linewidth=1.0, zorder=1)
    gap_ax.plot(x, gap, color=INK, linewidth=width * 0.85)
    yield_ax.plot(x, yields, color=YIELD_COLOUR, linewidth=width * 1.1)
    names = result.pair.words
    gap_ax.set_title(f"1-year gap (up = {names.small} {names.verb('lag')}): "
                     f"{number(result.gap_end, '+.1f')} pp", loc="left",
                     fontsize=SIZE["label"], color=INK, pad=4)
    yield_ax.set_title(f"10-year Treasury yield: {result.yield_end:.2f} %", loc="left",
                       fontsize=SIZE["label"], color=YIELD_COLOUR, pad=4)
    gap_ax.set_ylabel("pp", fontsize=SIZE["label"], color=MUTED)
    yield_ax.set_ylabel("%", fontsize=SIZE["label"], color=MUTED)
    for ax in (gap_ax, yield_ax):
        style_axes(ax)
    gap_ax.yaxis.set_major_formatter(mpl().ticker.FuncFormatter(
        lambda v, _: "0" if round(v) == 0 else number(v, "+.0f")))
    gap_ax.yaxis.set_major_locator(mpl().ticker.MaxNLocator(nbins=5))
    gap_ax.tick_params(labelbottom=False)
    yield_ax.yaxis.set_major_locator(mpl().ticker.MaxNLocator(nbins=4))
    yield_ax.yaxis.set_major_formatter(mpl().ticker.StrMethodFormatter("{x:.2f}"))
    format_dates(yield_ax, result.window)


def _draw_changes(ax: Axes, result: RatesResult) -> None:
    """3-month changes of the gap (pp) against those of the yield (pp), with the fitted line."""
    changes = result.change_frame
    x, y = changes["yield_pct"].to_numpy(), changes["gap_pp"].to_numpy()
    style_axes(ax)
    ax.axhline(0.0, color=MUTED, linewidth=1.0, zorder=1)
    ax.axvline(0.0, color=MUTED, linewidth=1.0, zorder=1)
    ax.set_title(f"3-month changes: {r_text(result.changes)}", loc="left",
                 fontsize=SIZE["label"], color=INK, pad=4)
    ax.set_xlabel(f"yield change, pp ({CHANGE_DAYS} days)", fontsize=SIZE["label"], color=MUTED)
    ax.set_ylabel("gap change, pp", fontsize=SIZE["label"], color=MUTED, labelpad=2)
    if len(x) == 0:
        ax.text(0.5, 0.5, "not enough data", transform=ax.transAxes, ha="center",
                va="center", fontsize=SIZE["note"], color=MUTED)
        ax.set_xticks([])
        ax.set_yticks([])
        return
    ax.scatter(x, y, s=7 if len(x) > 1000 else 12, color=YIELD_COLOUR, alpha=0.22,
               linewidths=0, rasterized=False)
    corr = result.changes
    if corr.slope is not None:
        intercept = float(np.mean(y) - corr.slope * np.mean(x))
        span = np.array([x.min(), x.max()])
        ax.plot(span, intercept + corr.slope * span, color=INK, linewidth=2.0)
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_locator(mpl().ticker.MaxNLocator(nbins=5, symmetric=False))
        axis.set_major_formatter(mpl().ticker.FuncFormatter(
            lambda v, _: "0" if round(v, 3) == 0 else number(v, "+g")))
