"""The calendar-years chart: both returns per year as paired bars, the gap per year below.

Top panel: each year's two returns side by side (small caps vermillion on the left, large caps
blue on the right), the year to date hatched. Bottom panel: the gap (large − small, pp) per
year, coloured by who won it, with the small side's best and worst years labelled. One tick
label every few years (a minor tick every year) keeps 38+ years readable. Figure + Agg only,
deterministic PNG bytes (see analytics.chart_base).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from analytics.calendar_years import CalendarYears, YearRow
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
from analytics.formatting import MINUS, signed

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.container import BarContainer
    from matplotlib.figure import Figure

BAR = 0.4
"""Width of one return bar (a year is 1 wide)."""
TIE_COLOUR = MUTED


def render_years_chart(result: CalendarYears, *, source: str, fetched: str | None = None) -> bytes:
    """Render `result` as a 1200x800 PNG (see the module docstring)."""
    return to_png(years_figure(result, source=source, fetched=fetched))


def _rows(result: CalendarYears) -> list[YearRow]:
    return [*result.rows, *([result.to_date] if result.to_date else [])]


def years_figure(result: CalendarYears, *, source: str, fetched: str | None = None) -> Figure:
    """The chart as a Figure, not yet laid out (`render_years_chart`)."""
    fig = new_figure()
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=[1.35, 1.0])
    rows = _rows(result)
    _draw_returns(top, rows, result)
    _draw_gaps(bottom, rows, result)
    step = 1 if len(rows) <= 12 else 2 if len(rows) <= 20 else 5 if len(rows) <= 60 else 10
    ticker = mpl().ticker
    bottom.xaxis.set_major_locator(ticker.MultipleLocator(step))
    bottom.xaxis.set_minor_locator(ticker.MultipleLocator(1))
    bottom.xaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f"{int(round(v))}"))
    bottom.tick_params(axis="x", labelsize=SIZE["tick"])
    bottom.set_xlim(rows[0].year - 0.7, rows[-1].year + 0.7)
    words = result.pair.words
    first, last = result.rows[0].year, result.rows[-1].year
    span = f"{first}–{last}"
    counts = (f"{words.capitalised()} won {result.small_wins} of {len(result.rows)} "
              f"calendar years {span}")
    ytd = result.to_date
    to_date = (f"; {ytd.year} to {ytd.end.date()} hatched" if ytd else "")
    header = title_and_subtitles(
        symbol_title("{small} vs {large}: calendar-year returns", result.pair),
        [f"{counts}{to_date}", "Each year: last close of the year before → last close of the "
         "year; gap = large − small in pp"])
    end = rows[-1].end.date().isoformat()
    add_header_and_footer(fig, header, footer_text(result.pair.basis, source, fetched=fetched,
                                                   end=end))
    return fig


def _percent_tick(value: float, _pos: int) -> str:
    return f"{value:+,.0f} %".replace("-", MINUS) if value else "0"


def _pp_tick(value: float, _pos: int) -> str:
    return f"{value:+,.0f} pp".replace("-", MINUS) if value else "0"


def _hatch_year_to_date(bars: BarContainer, rows: list[YearRow]) -> None:
    """Lighten and hatch the bar of the year to date (the last row, when incomplete)."""
    for bar, row in zip(bars, rows, strict=True):
        if not row.complete:
            bar.set_alpha(0.55)
            bar.set_hatch("///")
            bar.set_edgecolor("white")


def _draw_returns(ax: Axes, rows: list[YearRow], result: CalendarYears) -> None:
    """Two bars per year: small caps left, large caps right; the year to date hatched."""
    style_axes(ax)
    ax.grid(False, axis="x")
    years = np.array([r.year for r in rows], dtype=float)
    for values, colour, shift in (([r.small_pct for r in rows], SMALL_COLOUR, -BAR / 2),
                                  ([r.large_pct for r in rows], LARGE_COLOUR, BAR / 2)):
        _hatch_year_to_date(ax.bar(years + shift, values, width=BAR, color=colour, zorder=3),
                            rows)
    ax.axhline(0.0, color=MUTED, linewidth=1.0, zorder=2)
    ax.yaxis.set_major_formatter(mpl().ticker.FuncFormatter(_percent_tick))
    ax.set_ylabel("return, %", fontsize=SIZE["label"], color=MUTED)
    low = min(0.0, *(v for r in rows for v in (r.small_pct, r.large_pct)))
    high = max(0.0, *(v for r in rows for v in (r.small_pct, r.large_pct)))
    pad = (high - low) * 0.08
    ax.set_ylim(low - pad, high + pad)
    small, large = short_names(result.pair)
    patch = mpl().patches.Patch
    ax.legend(handles=[patch(color=SMALL_COLOUR, label=f"{small} ({result.pair.small.symbol})"),
                       patch(color=LARGE_COLOUR, label=f"{large} ({result.pair.large.symbol})")],
              loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=2, frameon=False,
              fontsize=SIZE["legend"], handlelength=1.2, borderaxespad=0.1, borderpad=0.1)


def _gap_colour(row: YearRow) -> str:
    return {"small": SMALL_COLOUR, "large": LARGE_COLOUR}.get(row.winner, TIE_COLOUR)


def _draw_gaps(ax: Axes, rows: list[YearRow], result: CalendarYears) -> None:
    """The gap per year coloured by the winner; best and worst complete years labelled."""
    style_axes(ax)
    ax.grid(False, axis="x")
    years = np.array([r.year for r in rows], dtype=float)
    gaps = np.array([r.gap_pp for r in rows])
    _hatch_year_to_date(ax.bar(years, gaps, width=0.7, color=[_gap_colour(r) for r in rows],
                               zorder=3), rows)
    ax.axhline(0.0, color=MUTED, linewidth=1.0, zorder=2)
    ax.yaxis.set_major_formatter(mpl().ticker.FuncFormatter(_pp_tick))
    words = result.pair.words
    ax.set_ylabel(f"gap, pp\n(+ = {words.small} {words.verb('lag')})", fontsize=SIZE["label"],
                  color=MUTED)
    extent = max(abs(gaps.min()), abs(gaps.max()), 1.0)
    ax.set_ylim(min(0.0, gaps.min()) - extent * 0.3, max(0.0, gaps.max()) + extent * 0.35)
    first, last = rows[0].year, rows[-1].year
    for row, va in ((result.worst, "bottom"), (result.best, "top")):
        offset = 4 if va == "bottom" else -4
        where = (row.year - first) / max(last - first, 1)  # keep the label inside the axes
        ha = "left" if where < 0.15 else "right" if where > 0.85 else "center"
        ax.annotate(f"{row.year}: {signed(row.gap_pp, 'pp')}", (row.year, row.gap_pp),
                    xytext=({"left": -6, "right": 6, "center": 0}[ha], offset),
                    textcoords="offset points", ha=ha, va=va, fontsize=SIZE["note"] - 2,
                    color=INK, zorder=5)
    handles = [mpl().patches.Patch(color=SMALL_COLOUR, label=f"{words.small} won the year"),
               mpl().patches.Patch(color=LARGE_COLOUR, label=f"{words.large} won the year")]
    ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=2,
              frameon=False, fontsize=SIZE["legend"] - 2, handlelength=1.2, borderaxespad=0.1,
              borderpad=0.1)
