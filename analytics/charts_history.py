"""The history chart: the rolling gap through all history, with its bands, as PNG bytes.

One panel: the gap (pp, large minus small) of the window ending on each trading day, shaded
by who leads, the 10th-90th percentile band in grey, the median dashed, today's value ringed
and labelled, the record lag and the last window as wide as today's marked, so "the worst run
in 20 years" can be seen and checked. Same Figure + Agg conventions as the gap chart.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import numpy as np

from analytics.chart_base import (
    BACKGROUND,
    INK,
    LARGE_COLOUR,
    MUTED,
    SIZE,
    SMALL_COLOUR,
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
    since_day,
    since_text,
    style_axes,
    symbol_title,
    title_line,
    to_png,
)
from analytics.formatting import number, percentile_rank
from analytics.history import BAND_HIGH, BAND_LOW, GapHistory
from analytics.periods import Window

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

BAND_COLOUR, BAND_ALPHA = "#8C8C8C", 0.14
LABEL_BOX = (0.19, 0.10)
"""Rough size of a two-line marker label, in axes fractions, for choosing where it goes."""


def render_history_chart(history: GapHistory, *, source: str, fetched: str | None = None) -> bytes:
    """The history chart as 1200x800 PNG bytes (see `history_figure`)."""
    return to_png(history_figure(history, source=source, fetched=fetched))


def history_figure(history: GapHistory, *, source: str, fetched: str | None = None) -> Figure:
    """Render `history` as a 1200x800 PNG: rolling gaps, bands, today and the records."""
    fig = new_figure()
    ax = fig.subplots(1, 1)
    gaps = history.gaps
    format_dates(ax, Window(gaps.index[0], gaps.index[-1]))  # first: labels need the x-limits
    _draw(ax, history)
    style_axes(ax)
    adjective = history.period.adjective()
    header = [
        title_line(symbol_title(f"Rolling {adjective} gap: {{small}} vs {{large}}", history.pair)),
        HeaderLine(f"{len(gaps):,} overlapping windows (about "
                   f"{history.rank.independent_windows:,} independent), ending "
                   f"{gaps.index[0].date().isoformat()} to {gaps.index[-1].date().isoformat()}"),
        HeaderLine(today_line(history), colour=INK),
    ]
    footer = footer_text(history.pair.basis, source, fetched=fetched,
                         end=gaps.index[-1].date().isoformat())
    add_header_and_footer(fig, header, footer)
    return fig


def today_line(history: GapHistory) -> str:
    """'Window ending 2024-03-26: +37.7 pp, 93rd percentile  ·  widest lag since D'."""
    end = history.window.end.date().isoformat()
    rank = (f"{percentile_rank(history.rank.percentile)} percentile" if history.rank.ranked
            else "not ranked (too few)")
    text = f"Window ending {end}: {number(history.current_pp, '+.1f')} pp, {rank}"
    since = since_text(history.rank, history.lagging)
    return f"{text}  ·  {since}" if since else text


def _draw(ax: Axes, history: GapHistory) -> None:
    """Band, median, shaded gap line, today's point and the marked windows."""
    gaps = history.gaps
    x, y = gaps.index.to_numpy(), gaps.to_numpy()
    if history.rank.ranked:  # a band on too few independent windows is not a finding
        ax.axhspan(history.band_low_pp, history.band_high_pp, color=BAND_COLOUR,
                   alpha=BAND_ALPHA, linewidth=0, zorder=0)
    shade_lead(ax, x, np.zeros_like(y), y)  # vermillion where small caps lead
    ax.axhline(0.0, color=MUTED, linewidth=1.0, zorder=1)
    ax.axhline(history.median_pp, color=INK, linewidth=1.2, linestyle=(0, (5, 3)), zorder=2)
    ax.plot(x, y, color=INK, linewidth=line_width(len(x)) * 0.8, zorder=3)
    ax.set_ymargin(0.14)  # room above/below the extremes for the record's label
    _label_levels(ax, history)
    _mark(ax, since_day(history.rank), history, None)  # the header names its date
    record_end, record_pp = (history.record_lag_end, history.record_lag_pp) if history.lagging \
        else (history.record_lead_end, history.record_lead_pp)
    if record_end != history.window.end.date():
        _mark(ax, record_end, history, f"record {number(record_pp, '+.1f')} pp")
    today = np.datetime64(history.window.end.date(), "ns")
    colour = LARGE_COLOUR if history.lagging else SMALL_COLOUR
    ax.plot([today], [history.current_pp], "o", markersize=10, markerfacecolor=colour,
            markeredgecolor=BACKGROUND, markeredgewidth=1.8, zorder=6, clip_on=False)
    names = history.pair.words
    ax.set_ylabel(f"gap, pp (large − small; up = {names.small} {names.verb('lag')})",
                  fontsize=SIZE["label"],
                  color=MUTED)
    ax.yaxis.set_major_formatter(mpl().ticker.FuncFormatter(
        lambda v, _: "0" if round(v) == 0 else number(v, "+.0f")))


def _label_levels(ax: Axes, history: GapHistory) -> None:
    """The end window's value (pp) right of the plot; band and median in a legend above."""
    parts = mpl()
    side = parts.transforms.blended_transform_factory(ax.transAxes, ax.transData)
    ax.annotate(f"{number(history.current_pp, '+.1f')} pp", xy=(1.014, history.current_pp),
                xycoords=side, ha="left", va="center", fontsize=SIZE["note"],
                fontweight="bold", color=INK)
    band = parts.patches.Patch(facecolor=BAND_COLOUR, alpha=BAND_ALPHA, linewidth=0,
                               label=f"{BAND_LOW:.0f}th\u2013{BAND_HIGH:.0f}th percentile  "
                                     f"{number(history.band_low_pp, '+.1f')} to "
                                     f"{number(history.band_high_pp, '+.1f')} pp")
    median = parts.lines.Line2D([], [], color=INK, linewidth=1.2, linestyle=(0, (5, 3)),
                                label=f"median  {number(history.median_pp, '+.1f')} pp")
    handles = [band, median] if history.rank.ranked else [median]
    ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=2,
              handlelength=1.6, columnspacing=1.6)


def _mark(ax: Axes, when: date | None, history: GapHistory, text: str | None) -> None:
    """A ringed point on the gap line at `when`, labelled with `text` and the date (no label
    for `text` None: 'widest since' is named in the header, and a box in the middle of
    decades of data would hide some of them)."""
    if when is None:
        return
    value = float(history.gaps.loc[str(when)])
    point = np.datetime64(when, "ns")
    ax.plot([point], [value], "o", markersize=8, markerfacecolor=BACKGROUND, markeredgecolor=INK,
            markeredgewidth=1.5, zorder=5)
    if text is None:
        return
    gaps = history.gaps
    points = points_in_axes(ax, gaps.index.to_numpy(), gaps.to_numpy())
    x, y = points_in_axes(ax, np.array([point]), np.array([value]))[0]
    width, height = LABEL_BOX
    places = {  # offset (points), alignment, box in axes fractions
        "right": ((10, 0), "left", "center", (x + 0.01, y - height / 2, x + 0.01 + width,
                                              y + height / 2)),
        "left": ((-10, 0), "right", "center", (x - 0.01 - width, y - height / 2, x - 0.01,
                                               y + height / 2)),
        "above": ((0, 10), "center", "bottom", (x - width / 2, y + 0.02, x + width / 2,
                                                y + 0.02 + height)),
        "below": ((0, -10), "center", "top", (x - width / 2, y - 0.02 - height, x + width / 2,
                                              y - 0.02)),
    }
    offset, ha, va, _ = list(places.values())[quietest_box(points, [p[3] for p in
                                                                    places.values()])]
    ax.annotate(f"{text}\n{when.isoformat()}", xy=(point, value), xytext=offset,
                textcoords="offset points", ha=ha, va=va, fontsize=SIZE["note"] - 2,
                color=INK, linespacing=1.1, zorder=7,
                bbox={"boxstyle": "round,pad=0.2", "facecolor": BACKGROUND, "edgecolor": "none",
                      "alpha": 0.8})
