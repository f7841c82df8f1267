"""The rates chart: the rolling 1-year gap against the 10-year yield, as PNG bytes.

Left: both series over time on twin axes (gap in pp on the left, shaded by who leads; yield in
% on the right, in its own colour, as are its axis and labels). Right: a scatter of their
3-month changes with a least-squares line and r, the fairer test of "rates drive the gap",
since two trending levels can correlate by accident. Same Figure + Agg conventions as the
gap chart.
"""

from __future__ import annotations

import numpy as np
from matplotlib import ticker
from matplotlib.axes import Axes

from analytics.chart_parts import (
    YIELD_COLOUR,
    HeaderLine,
    add_header_and_footer,
    format_dates,
    new_figure,
    number,
    title_line,
)
from analytics.charts import (
    INK,
    MUTED,
    SIZE,
    _line_width,
    _shade_lead,
    _style_axes,
    _to_png,
    footer_text,
    short_names,
)
from analytics.rates import CHANGE_DAYS, YIELD_SYMBOL, Correlation, RatesResult

STORY = "\u201chigher rates hurt small caps\u201d"
VERDICT_WORDS = {
    "supports": f"consistent with {STORY}",
    "weakly_supports": f"weakly consistent with {STORY}",
    "no_relation": "no link: rates do not explain the gap",
    "weakly_contradicts": f"weak, and opposite to {STORY}",
    "contradicts": f"opposite to {STORY}",
    "too_short": "too short a period for 3-month changes",
}
"""The chart's one-line reading of the change correlation (see analytics.rates.verdict)."""


def r_text(corr: Correlation) -> str:
    """'r = +0.22' or 'r = n/a'."""
    return "r = n/a" if corr.r is None else f"r = {number(corr.r, '+.2f')}"


def render_rates_chart(result: RatesResult, *, source: str, fetched: str | None = None) -> bytes:
    """Render `result` as a 1200x800 PNG: twin-axis time series (left), change scatter (right)."""
    fig = new_figure()
    time_ax, scatter_ax = fig.subplots(1, 2, width_ratios=[2.15, 1])
    yield_ax = time_ax.twinx()
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
    if result.yield_last_date < result.gap_last_date:
        footer += f"  ·  {YIELD_SYMBOL} ends {result.yield_last_date.isoformat()}"
    add_header_and_footer(fig, header, footer)
    return _to_png(fig)


def _draw_levels(gap_ax: Axes, yield_ax: Axes, result: RatesResult) -> None:
    """The gap (pp, shaded vs 0) on the left axis, the yield (%) on the right one."""
    frame = result.frame
    x = frame.index.to_numpy()
    gap, yields = frame["gap_pp"].to_numpy(), frame["yield_pct"].to_numpy()
    width = _line_width(len(x))
    _shade_lead(gap_ax, x, np.zeros_like(gap), gap)  # vermillion where small caps lead
    gap_ax.axhline(0.0, color=MUTED, linewidth=1.0, zorder=1)
    gap_line, = gap_ax.plot(x, gap, color=INK, linewidth=width * 0.85,
                            label=f"1-year gap  {number(result.gap_end, '+.1f')} pp")
    yield_line, = yield_ax.plot(x, yields, color=YIELD_COLOUR, linewidth=width * 1.1,
                                label=f"10-year yield  {result.yield_end:.2f} %")
    _style_axes(gap_ax)
    gap_ax.set_ylabel("gap, pp (large − small; up = small caps lag)", fontsize=SIZE["label"],
                      color=MUTED)
    gap_ax.yaxis.set_major_formatter(ticker.FuncFormatter(
        lambda v, _: "0" if round(v) == 0 else number(v, "+.0f")))
    for name in ("top", "left", "bottom"):
        yield_ax.spines[name].set_visible(False)
    yield_ax.spines["right"].set_color(YIELD_COLOUR)
    yield_ax.tick_params(labelsize=SIZE["tick"], colors=YIELD_COLOUR, labelcolor=YIELD_COLOUR,
                         length=3)
    yield_ax.set_ylabel("10-year yield, %", fontsize=SIZE["label"], color=YIELD_COLOUR)
    yield_ax.yaxis.set_major_formatter(ticker.StrMethodFormatter("{x:.1f}"))
    gap_ax.legend(handles=[gap_line, yield_line], loc="lower left", bbox_to_anchor=(0.0, 1.0),
                  ncols=2, frameon=False, fontsize=SIZE["legend"] - 1, handlelength=1.4,
                  borderaxespad=0.1, borderpad=0.1, columnspacing=1.2)
    format_dates(gap_ax, result.window)


def _draw_changes(ax: Axes, result: RatesResult) -> None:
    """3-month changes of the gap (pp) against those of the yield (pp), with the fitted line."""
    changes = result.change_frame
    x, y = changes["yield_pct"].to_numpy(), changes["gap_pp"].to_numpy()
    _style_axes(ax)
    ax.axhline(0.0, color=MUTED, linewidth=1.0, zorder=1)
    ax.axvline(0.0, color=MUTED, linewidth=1.0, zorder=1)
    ax.set_title("3-month changes", loc="left",
                 fontsize=SIZE["label"], color=MUTED, pad=4)
    ax.set_xlabel(f"yield change, pp ({CHANGE_DAYS} days)", fontsize=SIZE["label"], color=MUTED)
    ax.set_ylabel("gap change, pp", fontsize=SIZE["label"], color=MUTED, labelpad=2)
    if len(x) == 0:
        ax.text(0.5, 0.5, "not enough data", transform=ax.transAxes, ha="center",
                va="center", fontsize=SIZE["note"], color=MUTED)
        return
    ax.scatter(x, y, s=7 if len(x) > 1000 else 12, color=YIELD_COLOUR, alpha=0.22,
               linewidths=0, rasterized=False)
    corr = result.changes
    if corr.slope is not None:
        intercept = float(np.mean(y) - corr.slope * np.mean(x))
        span = np.array([x.min(), x.max()])
        ax.plot(span, intercept + corr.slope * span, color=INK, linewidth=2.0)
    ax.text(0.04, 0.96, r_text(corr), transform=ax.transAxes, ha="left", va="top",
            fontsize=SIZE["note"], color=INK, fontweight="bold",
            bbox={"boxstyle": "round,pad=0.25", "facecolor": "white", "edgecolor": "none",
                  "alpha": 0.85})
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_locator(ticker.MaxNLocator(nbins=5, symmetric=False))
        axis.set_major_formatter(ticker.FuncFormatter(
            lambda v, _: "0" if round(v, 3) == 0 else number(v, "+g")))
