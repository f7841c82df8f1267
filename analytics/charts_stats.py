"""The stats chart: underwater curves (fall from the running high) above, rolling 1-year
volatility below, for both series over the window.

Underwater curves show at a glance how deep and how long each drawdown was and whether it
has recovered; the volatility panel shows whether risk is rising. The deepest point of each
series is marked with its depth and date. Figure + Agg only, deterministic PNG bytes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from analytics.chart_base import (
    BACKGROUND,
    LARGE_COLOUR,
    MUTED,
    SIZE,
    SMALL_COLOUR,
    add_header_and_footer,
    footer_text,
    format_dates,
    line_width,
    mpl,
    new_figure,
    style_axes,
    symbol_title,
    title_and_subtitles,
    to_png,
)
from analytics.formatting import MINUS, signed
from analytics.risk import ROLLING_VOL_DAYS, RiskStats

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

LEGEND_NAMES_UP_TO = 30  # longer names fall back to symbols: the legend must fit one row


def render_stats_chart(stats: RiskStats, *, source: str, fetched: str | None = None) -> bytes:
    """The stats chart as 1200x800 PNG bytes (see `stats_figure`)."""
    return to_png(stats_figure(stats, source=source, fetched=fetched))


def stats_figure(stats: RiskStats, *, source: str, fetched: str | None = None) -> Figure:
    """Render `stats` as a 1200x800 PNG: drawdowns (3/5 of the height) over rolling vol."""
    fig = new_figure()
    dd_ax, vol_ax = fig.subplots(2, 1, sharex=True, height_ratios=[3, 2])
    _draw_drawdowns(dd_ax, stats)
    _draw_volatility(vol_ax, stats)
    for ax in (dd_ax, vol_ax):
        style_axes(ax)
    format_dates(vol_ax, stats.window)
    window = stats.window
    start, end = window.start.date().isoformat(), window.end.date().isoformat()
    subtitle = f"{start} to {end}  ·  {stats.n_returns:,} daily returns"
    if stats.beta is not None and stats.correlation is not None:
        subtitle += (f"  ·  beta {_num(stats.beta)}, correlation {_num(stats.correlation)} "
                     f"({stats.pair.small.symbol} on {stats.pair.large.symbol})")
    title = symbol_title(f"{{small}} vs {{large}}: risk over {stats.period.describe()}", stats.pair)
    footer = footer_text(stats.pair.basis, source, fetched=fetched, end=end)
    add_header_and_footer(fig, title_and_subtitles(title, [subtitle]), footer)
    return fig


def _num(value: float) -> str:
    return f"{value:.2f}".replace("-", MINUS)


def _pct_tick(x: float, low: float, high: float) -> str:
    """'−20 %', '−1.5 %', '0.25 %': as many decimals as the axis span (`low` to `high`)
    needs, and no '−0'."""
    span = abs(high - low)
    decimals = 0 if span >= 8 else 1 if span >= 0.8 else 2
    value = round(x, decimals) + 0.0  # + 0.0 turns -0.0 into 0.0
    return f"{value:,.{decimals}f} %".replace("-", MINUS)


def _pct_axis(ax: Axes) -> None:
    """Percent tick labels on the y axis, with the decimals its current span needs."""
    axis = ax.yaxis
    axis.set_major_formatter(mpl().ticker.FuncFormatter(
        lambda x, _: _pct_tick(x, *axis.get_view_interval())))


def _draw_drawdowns(ax: Axes, stats: RiskStats) -> None:
    """Both underwater curves (lines: fills would muddy where they overlap), with the deepest
    point of each marked by its depth and date."""
    drawdowns = stats.drawdowns()
    x = drawdowns.index.to_numpy()
    pair = stats.pair
    names = (pair.small.name, pair.large.name)
    if sum(len(n) for n in names) > LEGEND_NAMES_UP_TO:
        names = pair.symbols
    legs = (("small", SMALL_COLOUR, names[0], stats.small),
            ("large", LARGE_COLOUR, names[1], stats.large))
    for column, colour, name, leg in legs:
        dd = leg.max_drawdown
        label = f"{name}  " + (f"max drawdown {signed(dd.depth_pct, '%')} on "
                               f"{dd.trough.date().isoformat()}" if dd.depth_pct < 0
                               else "no drawdown")
        ax.plot(x, drawdowns[column].to_numpy(), color=colour, linewidth=line_width(len(x)),
                label=label)
    _mark_troughs(ax, stats)
    ax.axhline(0.0, color=MUTED, linewidth=1.0, zorder=1)
    low = float(np.nanmin(drawdowns.to_numpy())) if len(drawdowns) else 0.0
    ax.set_ylim(min(low * 1.1, -1.0), max(-low * 0.04, 0.5))
    _pct_axis(ax)
    ax.set_ylabel("below running high", fontsize=SIZE["label"], color=MUTED)
    ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=1,
              fontsize=SIZE["legend"] - 1, handlelength=1.4,
              labelspacing=0.25)


def _mark_troughs(ax: Axes, stats: RiskStats) -> None:
    """A ringed dot at each series' deepest point; its depth and date are in the legend, so
    no label box sits on the crash it describes."""
    for colour, dd in ((SMALL_COLOUR, stats.small.max_drawdown),
                       (LARGE_COLOUR, stats.large.max_drawdown)):
        if dd.depth_pct < 0:
            ax.plot([dd.trough], [dd.depth_pct], "o", markersize=7, markerfacecolor=colour,
                    markeredgecolor=BACKGROUND, markeredgewidth=1.2, zorder=4, clip_on=False)


END_LABEL_GAP = 0.09
"""End labels closer than this share of the panel height are pushed apart."""


def _label_ends(ax: Axes, ends: dict[str, tuple[float, str]], top: float) -> None:
    """The latest value of each line just right of the plot; two close values are pushed
    apart (by points, so the labels never overlap) with the higher one above."""
    nudge = {}
    if len(ends) == 2:
        (high, _), (low, _) = sorted(ends.values(), reverse=True)
        if abs(high - low) < END_LABEL_GAP * max(top, 1e-9) * 1.05:
            nudge = {high: 7, low: -7}
    for value, colour in ends.values():
        ax.annotate(f"{value:.1f} %", xy=(1.01, value), xycoords=(ax.transAxes, ax.transData),
                    xytext=(0, nudge.get(value, 0)), textcoords="offset points", ha="left",
                    va="center", fontsize=SIZE["note"] - 1, color=colour, fontweight="bold")


def _draw_volatility(ax: Axes, stats: RiskStats) -> None:
    """Rolling 252-day annualised volatility of both series, with the latest values."""
    vol = stats.rolling_volatility
    x = vol.index.to_numpy()
    ends = {}
    for column, colour in (("small", SMALL_COLOUR), ("large", LARGE_COLOUR)):
        y = vol[column].to_numpy()
        ax.plot(x, y, color=colour, linewidth=line_width(len(x)) * 0.85)
        finite = np.isfinite(y)
        if finite.any():
            ends[column] = (float(y[int(np.nonzero(finite)[0][-1])]), colour)
    _label_ends(ax, ends, float(np.nanmax(vol.to_numpy())) if ends else 1.0)
    ax.set_title(f"Rolling 1-year volatility (annualised, {ROLLING_VOL_DAYS} daily returns)",
                 loc="left", fontsize=SIZE["label"], color=MUTED, pad=4)
    has_value = np.isfinite(vol.to_numpy()).any(axis=1)
    if not has_value.any():
        ax.text(0.5, 0.5, f"needs {ROLLING_VOL_DAYS} daily returns; the common history is "
                "shorter", transform=ax.transAxes, ha="center", va="center", color=MUTED,
                fontsize=SIZE["note"], style="italic")
        ax.set_yticks([])
    else:
        ax.set_ylim(bottom=0.0)
        # prune: '0 %' would collide with the first date label in the corner
        ax.yaxis.set_major_locator(mpl().ticker.MaxNLocator(nbins=4, prune="lower"))
        _pct_axis(ax)
        first = vol.index[int(np.argmax(has_value))]
        if first > stats.window.start:
            ax.text(0.02, 0.5, f"first value {first.date().isoformat()}: each needs "
                    f"{ROLLING_VOL_DAYS} daily returns", transform=ax.transAxes, ha="left",
                    va="center", color=MUTED, fontsize=SIZE["note"], style="italic")
    ax.set_ylabel(" ", fontsize=SIZE["label"])  # aligns the plot edge with the panel above
