"""The gap chart: both series rebased to 100 above, their relative ratio below, as PNG bytes.

Built on the chart base (analytics.chart_base: style, header and footer, date axis, PNG
output). Pure: no I/O besides rendering into memory, and the same input always gives the
same bytes.
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
    HeaderLine,
    add_header_and_footer,
    footer_text,
    format_dates,
    line_width,
    mpl,
    new_figure,
    shade_lead,
    short_names,
    since_text,
    style_axes,
    symbol_title,
    title_line,
    to_png,
    too_few_text,
)
from analytics.formatting import percentile_rank, signed
from analytics.gap import GapResult
from analytics.rank import HistoryRank

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

LEGEND_ROW_UP_TO = 44  # longer names stack the legend in two rows
LOG_SCALE_ABOVE = 8.0  # log level axis once the rebased series span more than 8x (3 doublings)


def render_gap_chart(result: GapResult, *, source: str, fetched: str | None = None) -> bytes:
    """Render `result` as a 1200x800 PNG: rebased levels (2/3) over the relative ratio (1/3).

    `source` names the data provider for the footer ("Yahoo Finance"); `fetched` says when the
    data was fetched and defaults to the last close used.
    """
    return to_png(gap_figure(result, source=source, fetched=fetched))


def gap_figure(result: GapResult, *, source: str, fetched: str | None = None) -> Figure:
    """The chart as a matplotlib Figure, not yet laid out or drawn (`render_gap_chart`)."""
    fig = new_figure()
    levels_ax, ratio_ax = fig.subplots(2, 1, sharex=True, height_ratios=[2, 1])
    draw_gap(fig, levels_ax, ratio_ax, result, source=source, fetched=fetched)
    return fig


def draw_gap(fig: Figure, levels_ax: Axes, ratio_ax: Axes, result: GapResult, *, source: str,
             fetched: str | None = None) -> None:
    """Draw the gap chart into a figure that has its two axes (levels above the ratio, sharing
    x) already: the whole chart but the figure itself, which the benchmark makes with pyplot."""
    _draw_levels(levels_ax, result)
    _draw_ratio(ratio_ax, result)
    for ax in (levels_ax, ratio_ax):
        style_axes(ax)
    format_dates(ratio_ax, result.window)
    add_header_and_footer(fig, _header(result), footer_text(
        result.pair.basis, source, fetched=fetched, end=result.window.end.date().isoformat()))


def rank_line(rank: HistoryRank, adjective: str) -> str:
    """'93rd percentile of 8,450 overlapping 3-year windows since 1990, about 12 independent'
    (for `ytd`: '... year-to-date windows at this date of each year since 1988')."""
    if not rank.ranked:
        return too_few_text(rank, adjective)
    if rank.comparison == "same_date_each_year":
        return (f"{percentile_rank(rank.percentile)} percentile of {rank.windows:,} "
                f"year-to-date windows at this date of each year since "
                f"{rank.first_window_end.year}")
    return (f"{percentile_rank(rank.percentile)} percentile of {rank.windows:,} overlapping "
            f"{adjective} windows since {rank.first_window_end.year}, about "
            f"{rank.independent_windows:,} independent")


def _draw_levels(ax: Axes, result: GapResult) -> None:
    """Both series rebased to 100, the area between them shaded by who leads, legend above."""
    levels = result.rebased()
    x = levels.index.to_numpy()
    small, large = levels["small"].to_numpy(), levels["large"].to_numpy()
    shade_lead(ax, x, small, large)
    ax.axhline(100.0, color=MUTED, linewidth=1.0, zorder=1)
    pair = result.pair
    for values, colour, name, pct in (
        (small, SMALL_COLOUR, pair.small.name, result.small_return_pct),
        (large, LARGE_COLOUR, pair.large.name, result.large_return_pct),
    ):
        label = f"{name}  {signed(pct, '%')}"
        ax.plot(x, values, color=colour, linewidth=line_width(len(x)), label=label)
        ax.plot(x[-1:], values[-1:], "o", color=colour, markersize=5.5, zorder=4)
    ncols = 2 if len(pair.small.name) + len(pair.large.name) <= LEGEND_ROW_UP_TO else 1
    ax.legend(
        loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=ncols,
        handlelength=1.4,
    )
    _scale_levels(ax, levels.to_numpy())
    _annotate_gap(ax, result, small[-1], large[-1])


def _scale_levels(ax: Axes, values: np.ndarray) -> None:
    """Linear level axis, or log (1-2-5 ticks) when the series grow several-fold."""
    ticker = mpl().ticker
    if values.max() / values.min() > LOG_SCALE_ABOVE:
        ax.set_yscale("log")
        ax.yaxis.set_major_locator(ticker.LogLocator(subs=(1.0, 2.0, 5.0)))
        ax.yaxis.set_major_formatter(ticker.StrMethodFormatter("{x:,.0f}"))
        ax.yaxis.set_minor_locator(ticker.NullLocator())
        ax.set_ylabel("start = 100, log scale", fontsize=SIZE["label"], color=MUTED)
    else:
        ax.yaxis.set_major_formatter(ticker.ScalarFormatter(useOffset=False))
        ax.set_ylabel("start = 100", fontsize=SIZE["label"], color=MUTED)


def _annotate_gap(ax: Axes, result: GapResult, small_end: float, large_end: float) -> None:
    """A bracket joining the two end points just right of the plot, with the gap and leader."""
    side = mpl().transforms.blended_transform_factory(ax.transAxes, ax.transData)
    ax.plot([1.008, 1.022, 1.022, 1.008], [small_end, small_end, large_end, large_end],
            transform=side, clip_on=False, color=INK, linewidth=1.3)
    log = ax.get_yscale() == "log"
    mid = np.sqrt(small_end * large_end) if log else (small_end + large_end) / 2
    names = result.pair.words
    leader = {"small": names.small, "large": names.large}.get(result.leader)
    colour = {"small": SMALL_COLOUR, "large": LARGE_COLOUR}.get(result.leader, INK)
    for text, dy, va, tint, weight in (
        (f"gap {abs(result.gap_pp):,.1f} pp", 2, "bottom", INK, "bold"),
        (f"{leader} ahead" if leader else "no leader", -2, "top", colour, "normal"),
    ):
        ax.annotate(text, xy=(1.035, mid), xycoords=side, xytext=(0, dy),
                    textcoords="offset points", ha="left", va=va, color=tint, fontweight=weight,
                    fontsize=SIZE["note"])


def _draw_ratio(ax: Axes, result: GapResult) -> None:
    """Small / large rebased to 1.0, shaded against 1.0, with its change at the right edge."""
    parts = mpl()
    ratio = result.relative_ratio()
    x, y = ratio.index.to_numpy(), ratio.to_numpy()
    shade_lead(ax, x, y, np.ones_like(y))
    ax.axhline(1.0, color=MUTED, linewidth=1.0, zorder=1)
    ax.plot(x, y, color=INK, linewidth=line_width(len(x)) * 0.85)
    ax.plot(x[-1:], y[-1:], "o", color=INK, markersize=5, zorder=4)
    side = parts.transforms.blended_transform_factory(ax.transAxes, ax.transData)
    ax.annotate(f"ratio {signed(result.relative_change_pct, '%')}", xy=(1.035, y[-1]),
                xycoords=side, ha="left", va="center", fontsize=SIZE["note"], color=INK,
                fontweight="bold")
    small, large = short_names(result.pair)
    ax.set_title(f"Ratio {small} / {large} (start = 1)",
                 loc="left", fontsize=SIZE["label"], color=MUTED, pad=4)
    ax.yaxis.set_major_locator(parts.ticker.MaxNLocator(nbins=4, steps=[1, 2, 2.5, 5, 10]))
    ax.yaxis.set_major_formatter(parts.ticker.ScalarFormatter(useOffset=False))


def _header(result: GapResult) -> list[HeaderLine]:
    """Title, then the dates (with the annualised gap and 'widest since'), then the rank."""
    window, pair = result.window, result.pair
    span = f"{window.start.date().isoformat()} to {window.end.date().isoformat()}"
    dates = f"{span}  ·  {len(result.closes):,} daily closes"
    annual = result.annualised
    if annual is not None:
        dates += f"  ·  gap {abs(annual.gap_pp):.2f} pp a year, annualised"
    if result.rank is not None and since_text(result.rank, result.gap_pp >= 0):
        dates += f"  ·  {since_text(result.rank, result.gap_pp >= 0)}"
    header = [title_line(symbol_title(f"{{small}} vs {{large}}: {result.period.describe()}", pair)),
              HeaderLine(dates)]
    if result.rank is not None:
        header.append(HeaderLine(rank_line(result.rank, result.period.adjective()), colour=INK))
    return header
