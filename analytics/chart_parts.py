"""Pieces the table, stats, trend, rates and history charts share, in the gap chart's style.

The style itself (colours, sizes, axes, date ticks, PNG output) lives in `analytics.charts`
and is imported from there; this module only adds what is generic beyond the gap chart: a
figure with a header and footer band given as text, the footer wording, titles that fit,
and a date axis for any window.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from matplotlib import dates as mdates
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from analytics.chart_words import percentile_rank  # noqa: F401  (the replies' wording)
from analytics.charts import (
    _PT_TO_FIG,
    DPI,
    FIGSIZE,
    INK,
    MINUS,
    MUTED,
    SIZE,
    _format_dates,
)
from analytics.pairs import Pair
from analytics.periods import Window

YIELD_COLOUR = "#009E73"  # Okabe-Ito bluish green: the 10-year yield
SHORT_MA_COLOUR = "#E69F00"  # Okabe-Ito orange: 50-day average
LONG_MA_COLOUR = "#CC79A7"  # Okabe-Ito reddish purple: 200-day average


@dataclass(frozen=True)
class HeaderLine:
    text: str
    size: int = SIZE["sub"]
    colour: str = MUTED
    weight: str = "normal"


def title_line(text: str) -> HeaderLine:
    return HeaderLine(text, SIZE["title"], INK, "bold")


def title_and_subtitles(title: str, subtitles: list[str]) -> list[HeaderLine]:
    """A bold title line then grey subtitle lines."""
    return [title_line(title), *(HeaderLine(text) for text in subtitles)]


def new_figure() -> Figure:
    """A white 1200x800 figure with the constrained layout (no pyplot)."""
    return Figure(figsize=FIGSIZE, dpi=DPI, layout="constrained", facecolor="white")


def add_header_and_footer(fig: Figure, header: list[HeaderLine], footer: str) -> None:
    """Header lines from the top, footer at the bottom; the axes get the band in between."""
    top = 1.0 - 10 * _PT_TO_FIG
    for line in header:
        fig.text(0.012, top, line.text, fontsize=line.size, color=line.colour,
                 fontweight=line.weight, va="top")
        top -= line.size * 1.45 * _PT_TO_FIG
    bottom = 8 * _PT_TO_FIG
    fig.text(0.012, bottom, footer, fontsize=SIZE["foot"], color=MUTED, va="bottom")
    foot_band = bottom + SIZE["foot"] * 1.6 * _PT_TO_FIG
    fig.set_layout_engine("constrained", rect=(0.0, foot_band, 1.0, top - foot_band))


@dataclass(frozen=True)
class _Windowed:
    window: Window


def format_dates(ax: Axes, window: Window) -> None:
    """The gap chart's date axis (concise ticks, exact limits) over `window`."""
    _format_dates(ax, _Windowed(window))  # type: ignore[arg-type]  # reads only .window


def number(value: float, spec: str) -> str:
    """`value` formatted with `spec` ('.2f', '+.1f'), with a typographic minus, no -0."""
    text = format(value, spec)
    if float(text.replace(",", "")) == 0:
        text = format(0.0, spec)
    return text.replace("-", MINUS)


Box = tuple[float, float, float, float]
"""(x0, y0, x1, y1) in axes fractions."""


def points_in_axes(ax: Axes, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Data points (dates as datetime64 or numbers) as axes fractions, shape (n, 2)."""
    xs = mdates.date2num(x) if np.issubdtype(np.asarray(x).dtype, np.datetime64) else x
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    return np.column_stack(((np.asarray(xs, float) - x0) / (x1 - x0),
                            (np.asarray(y, float) - y0) / (y1 - y0)))


def quietest_box(points: np.ndarray, boxes: list[Box]) -> int:
    """Index of the box (inside the axes) that covers the fewest `points`, for a label.

    Boxes that stick out of the axes are skipped unless none fits; ties go to the first.
    """
    inside = [i for i, (x0, y0, x1, y1) in enumerate(boxes)
              if x0 >= 0.0 and y0 >= 0.0 and x1 <= 1.0 and y1 <= 1.0] or list(range(len(boxes)))
    px, py = points[:, 0], points[:, 1]
    counts = [int(((px >= x0) & (px <= x1) & (py >= y0) & (py <= y1)).sum())
              for x0, y0, x1, y1 in (boxes[i] for i in inside)]
    return inside[int(np.argmin(counts))]


TITLE_UP_TO = 58
"""Longest title (characters) that fits the 1200 px figure at the title size."""


def fit_title(template: str, pair: Pair) -> str:
    """`template` ('{small} / {large} ratio') with names, or symbols when names overflow."""
    title = template.format(small=pair.small.name, large=pair.large.name)
    if len(title) <= TITLE_UP_TO:
        return title
    return template.format(small=pair.small.symbol, large=pair.large.symbol)
