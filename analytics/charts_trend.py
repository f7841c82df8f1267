"""The trend chart: the small/large ratio with its 50- and 200-day averages, as PNG bytes.

Top (2/3): the ratio, its 50-day and 200-day moving averages (computed on the full history,
so both exist from the window's first day), the area between the ratio and its 200-day
average shaded vermillion where small caps are above it and blue where below, and the last
200-day cross marked. Bottom (1/3): the ratio's distance from its 200-day average, in %.
Same Figure + Agg, deterministic-bytes conventions as the gap chart.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from analytics.chart_base import (
    BACKGROUND,
    INK,
    LONG_MA_COLOUR,
    MUTED,
    SHORT_MA_COLOUR,
    SIZE,
    HeaderLine,
    add_header_and_footer,
    footer_text,
    format_dates,
    line_width,
    mpl,
    new_figure,
    points_in_axes,
    quietest_box,
    shade_lead,
    style_axes,
    symbol_title,
    title_line,
    to_png,
)
from analytics.formatting import number, percentile_rank, signed
from analytics.trend import LONG_MA_DAYS, SHORT_MA_DAYS, TrendStatus, TrendView

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

LABEL_CROSS_UP_TO = 1300
"""Label the 200-day cross on the chart for windows up to about 5 years of closes."""


def render_trend_chart(view: TrendView, *, source: str, fetched: str | None = None) -> bytes:
    """The trend chart as 1200x800 PNG bytes (see `trend_figure`)."""
    return to_png(trend_figure(view, source=source, fetched=fetched))


def trend_figure(view: TrendView, *, source: str, fetched: str | None = None) -> Figure:
    """Render `view` as a 1200x800 PNG (ratio and averages over % vs the 200-day average)."""
    fig = new_figure()
    ratio_ax, dist_ax = fig.subplots(2, 1, sharex=True, height_ratios=[2, 1])
    format_dates(dist_ax, view.window)  # first: label placement needs the final x-limits
    _draw_ratio(ratio_ax, view)
    _draw_distance(dist_ax, view)
    for ax in (ratio_ax, dist_ax):
        style_axes(ax)
    window = view.window
    header = [
        title_line(symbol_title(f"{{small}} / {{large}} ratio: {view.period.describe()}",
                                view.pair)),
        HeaderLine(f"{window.start.date().isoformat()} to {window.end.date().isoformat()}  ·  "
                   f"{len(view.frame):,} daily closes  ·  {cross_text(view.status)}"),
        HeaderLine(stats_line(view.status), colour=INK),
    ]
    footer = footer_text(view.pair.basis, source, fetched=fetched,
                         end=window.end.date().isoformat())
    add_header_and_footer(fig, header, footer)
    return fig


def cross_text(status: TrendStatus) -> str:
    """'above its 200-day average since 2025-11-24' (or 'no 200-day average yet')."""
    if status.last_cross_date is None:
        if status.ma200 is None:
            return f"no {LONG_MA_DAYS}-day average yet"
        side = "above" if (status.pct_vs_200dma or 0.0) > 0 else "below"
        return f"{side} its {LONG_MA_DAYS}-day average throughout"
    return (f"{status.last_cross_direction} its {LONG_MA_DAYS}-day average since "
            f"{status.last_cross_date.isoformat()}")


def stats_line(status: TrendStatus) -> str:
    """'13th percentile since 1987 (z-score −1.37)  ·  −39.0 % from the 2014-03-04 peak'."""
    parts = []
    if status.percentile is not None and status.zscore is not None:
        parts.append(f"{percentile_rank(status.percentile)} percentile since "
                     f"{status.history_start.year} (z-score {number(status.zscore, '+.2f')})")
    if status.at_peak:
        parts.append("at a record high")
    else:
        parts.append(f"{signed(status.drawdown_pct, '%')} from the "
                     f"{status.peak_date.isoformat()} peak")
    return "  ·  ".join(parts)


def _draw_ratio(ax: Axes, view: TrendView) -> None:
    """Ratio, 50/200-day averages, shading against the 200-day, and the last cross."""
    frame = view.frame
    x = frame.index.to_numpy()
    ratio, ma50, ma200 = (frame[c].to_numpy() for c in ("ratio", "ma50", "ma200"))
    has_long = ~np.isnan(ma200)
    if has_long.any():
        shade_lead(ax, x[has_long], ratio[has_long], ma200[has_long])
    width = line_width(len(x))
    ax.plot(x, ma200, color=LONG_MA_COLOUR, linewidth=width * 1.25,
            label=f"{LONG_MA_DAYS}-day average")
    ax.plot(x, ma50, color=SHORT_MA_COLOUR, linewidth=width, linestyle=(0, (4, 1.5)),
            label=f"{SHORT_MA_DAYS}-day average")
    ax.plot(x, ratio, color=INK, linewidth=width * 0.85, label="ratio (small / large)")
    ax.plot(x[-1:], ratio[-1:], "o", color=INK, markersize=5, zorder=5)
    _mark_cross(ax, view)
    handles, labels = ax.get_legend_handles_labels()
    order = [2, 1, 0]
    ax.legend([handles[i] for i in order], [labels[i] for i in order], loc="lower left",
              bbox_to_anchor=(0.0, 1.0), ncols=3,
              handlelength=1.6)
    ax.yaxis.set_major_locator(mpl().ticker.MaxNLocator(nbins=6))
    ax.yaxis.set_major_formatter(mpl().ticker.StrMethodFormatter("{x:.3f}"))
    ax.set_ylabel("small / large", fontsize=SIZE["label"], color=MUTED)
    side = mpl().transforms.blended_transform_factory(ax.transAxes, ax.transData)
    ax.annotate(f"ratio\n{ratio[-1]:.4f}", xy=(1.012, ratio[-1]), xycoords=side, ha="left",
                va="center", fontsize=SIZE["note"], color=INK, fontweight="bold")


def _mark_cross(ax: Axes, view: TrendView) -> None:
    """A dotted line and a ringed dot on the day of the last 200-day cross, if in view,
    labelled in whichever corner beside the line the lines leave most empty."""
    status = view.status
    if not view.cross_in_window or status.last_cross_date is None:
        return
    labelled = len(view.frame) <= LABEL_CROSS_UP_TO
    frame = view.frame
    when = np.datetime64(status.last_cross_date, "ns")
    level = float(frame["ratio"].loc[str(status.last_cross_date)])
    # matplotlib's stubs say float; its unit converters take the date (as for ax.plot)
    ax.axvline(when, color=MUTED, linewidth=1.0, linestyle=":", zorder=1)  # type: ignore[arg-type]
    ax.plot([when], [level], "o", markersize=9, markerfacecolor=BACKGROUND,
            markeredgecolor=INK, markeredgewidth=1.6, zorder=6)
    if not labelled:  # decades of data leave no room: the header says when it crossed
        return
    arrow = "\u2191" if status.last_cross_direction == "above" else "\u2193"
    label = f"{arrow} crossed {status.last_cross_direction}\n{LONG_MA_DAYS}-day average\n" \
            f"{status.last_cross_date.isoformat()}"
    x_frac = float(points_in_axes(ax, np.array([when]), np.array([level]))[0, 0])
    plotted = frame[["ratio", "ma50", "ma200"]]
    points = points_in_axes(ax, np.repeat(plotted.index.to_numpy(), 3),
                            plotted.to_numpy().ravel())
    corners = [(True, True), (True, False), (False, True), (False, False)]  # (right, top)
    boxes = []
    for right, top in corners:
        x0 = x_frac if right else x_frac - 0.26
        y0 = 0.7 if top else 0.0
        boxes.append((x0, y0, x0 + 0.26, y0 + 0.3))
    right, top = corners[quietest_box(points, boxes)]
    ax.annotate(label, xy=(x_frac + (0.012 if right else -0.012), 0.97 if top else 0.03),
                xycoords="axes fraction", ha="left" if right else "right",
                va="top" if top else "bottom", fontsize=SIZE["note"] - 1, color=INK,
                linespacing=1.15, zorder=7,
                bbox={"boxstyle": "round,pad=0.3", "facecolor": BACKGROUND, "edgecolor": "none",
                      "alpha": 0.9})


def _draw_distance(ax: Axes, view: TrendView) -> None:
    """% above (+) or below (-) the 200-day average, shaded by side, value at the edge."""
    series = view.frame["pct_vs_200dma"]
    x, y = series.index.to_numpy(), series.to_numpy()
    ok = ~np.isnan(y)
    ax.axhline(0.0, color=MUTED, linewidth=1.0, zorder=1)
    if ok.any():
        shade_lead(ax, x[ok], y[ok], np.zeros(ok.sum()))
        ax.plot(x[ok], y[ok], color=INK, linewidth=line_width(len(x)) * 0.75)
        ax.plot(x[-1:], y[-1:], "o", color=INK, markersize=4.5, zorder=4)
        side = mpl().transforms.blended_transform_factory(ax.transAxes, ax.transData)
        ax.annotate(signed(float(y[-1]), "%"), xy=(1.012, y[-1]), xycoords=side, ha="left",
                    va="center", fontsize=SIZE["note"], color=INK, fontweight="bold")
    ax.set_title(f"Ratio vs its {LONG_MA_DAYS}-day average, % (above = "
                 f"{view.pair.words.small} stronger)",
                 loc="left", fontsize=SIZE["label"], color=MUTED, pad=4)
    ax.yaxis.set_major_locator(mpl().ticker.MaxNLocator(nbins=4, steps=[1, 2, 2.5, 5, 10]))
    ax.yaxis.set_major_formatter(mpl().ticker.FuncFormatter(
        lambda v, _: "0" if round(v) == 0 else number(v, "+.0f")))
