"""The valuation chart: relative price-to-book small/large per year since 1926, as PNG bytes.

The annual series (end-of-June snapshots) as a line with dots, the 10th-90th percentile band
of the years since 1990 shaded over those years, the latest year marked, and any year whose
move comes from one portfolio circled and labelled. Same Figure + Agg conventions as the gap
chart.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from analytics.chart_base import (
    BACKGROUND,
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
from analytics.formatting import number, percentile_rank
from analytics.valuation import BAND_HIGH, BAND_LOW, BAND_SINCE, ValuationResult

if TYPE_CHECKING:
    from matplotlib.axes import Axes

BAND_COLOUR = "#CFE3F2"


def render_valuation_chart(result: ValuationResult, *, source: str, edition: str,
                           fetched: str | None = None) -> bytes:
    """Render `result` as a 1200x800 PNG (see the module docstring)."""
    fig = new_figure()
    ax = fig.subplots()
    _draw(ax, result)
    header = [
        title_line("Price-to-book: smallest vs largest size quintile"),
        HeaderLine(f"P/B small / P/B large, each year at the end of June, "
                   f"{int(result.frame.index[0])}–{result.latest_year}  ·  below 1× = small caps "
                   "cheaper"),
        HeaderLine(latest_text(result), colour=INK),
    ]
    when = f"  ·  Data fetched {fetched}" if fetched else ""
    footer = f"Source: {source}, CRSP {edition} edition{when}"
    add_header_and_footer(fig, header, footer)
    return to_png(fig)


def latest_text(result: ValuationResult) -> str:
    """The latest year's value and percentiles; led by the value without one portfolio's
    move when that portfolio drives the latest year (as the reply leads with it)."""
    year = result.latest_year
    jump = next((j for j in result.jumps if j.year == year), None)
    if jump is not None and result.percentile_without_jump is not None:
        return (f"{year}: {number(jump.value_without_move, '.3f')} without one portfolio's "
                f"jump ({percentile_rank(result.percentile_without_jump)} percentile since "
                f"{BAND_SINCE}); {number(result.latest, '.3f')} as published "
                f"({percentile_rank(result.percentile_since_band)})")
    return (f"{year}: {number(result.latest, '.3f')}, "
            f"{percentile_rank(result.percentile_since_band)} percentile since "
            f"{BAND_SINCE}, {percentile_rank(result.percentile_all)} since "
            f"{int(result.frame.index[0])}")


def _draw(ax: Axes, result: ValuationResult) -> None:
    """The yearly series, the band since BAND_SINCE, one-portfolio years and the latest."""
    ticker = mpl().ticker
    series = result.frame["relative_pb"]
    years = series.index.to_numpy()
    style_axes(ax)
    band_years = years[years >= BAND_SINCE]
    ax.fill_between(band_years, result.band_low, result.band_high, color=BAND_COLOUR,
                    zorder=1, label=f"{BAND_LOW}th–{BAND_HIGH}th percentile since {BAND_SINCE}")
    ax.plot(years, series.to_numpy(), color=LARGE_COLOUR, linewidth=1.8, marker="o",
            markersize=3.0, zorder=3, label="relative P/B (small / large)")
    for i, jump in enumerate(result.jumps):
        ax.plot([jump.year], [jump.value], marker="o", markersize=13, markerfacecolor="none",
                markeredgecolor=MUTED, markeredgewidth=1.4, zorder=4, linestyle="none",
                label="the move comes from one portfolio" if i == 0 else None)
    latest_jump = next((j for j in result.jumps if j.year == result.latest_year), None)
    ax.plot([result.latest_year], [result.latest], marker="o", markersize=8,
            color=SMALL_COLOUR, zorder=5)
    label = f"{result.latest_year}: ratio {number(result.latest, '.2f')}"
    if latest_jump is not None:
        label += (f"\nratio {number(latest_jump.value_without_move, '.2f')} with "
                  f"{latest_jump.portfolio}'s BE/ME\nheld at {latest_jump.year - 1}'s "
                  f"(BE/ME {number(latest_jump.beme_before, '.2f')} → "
                  f"{number(latest_jump.beme_after, '.2f')})")
    ax.annotate(label, (result.latest_year, result.latest), xytext=(-12, 0),
                textcoords="offset points", ha="right", va="center",
                fontsize=SIZE["note"] - 2, color=SMALL_COLOUR,
                bbox={"boxstyle": "round,pad=0.25", "facecolor": BACKGROUND, "edgecolor": "none",
                      "alpha": 0.85})
    ax.set_xlim(years[0] - 1, years[-1] + 2)
    ax.set_ylim(bottom=0)
    ax.xaxis.set_major_locator(ticker.MultipleLocator(10))
    ax.yaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _: number(v, ".1f")))
    ax.set_ylabel("P/B small / P/B large", fontsize=SIZE["label"], color=MUTED)
    ax.legend(loc="upper left", fontsize=SIZE["legend"] - 1)
