"""What every chart shares: the style (colours, sizes, axes), the header and footer bands, the
date axis, label placement, and drawing into PNG bytes.

Conventions: a 1200x800 `matplotlib.figure.Figure` drawn once on the Agg canvas, never pyplot
(whose global figure registry leaks in a long-running server); colours from the Okabe-Ito
palette, safe for the common colour-vision deficiencies; no label covers data and nothing
leaves the figure; the same input always gives the same PNG bytes (no software metadata).

matplotlib is imported on the first chart drawn, through `mpl()`, not when a chart module is
imported: see `mpl` for why. Chart modules import its types for annotations only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from io import BytesIO
from types import ModuleType
from typing import TYPE_CHECKING, Any

import numpy as np

from analytics.pairs import Pair
from analytics.periods import Window
from analytics.rank import HistoryRank

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.typing import RcKeyType

SMALL_COLOUR = "#D55E00"  # Okabe-Ito vermillion: small caps
LARGE_COLOUR = "#0072B2"  # Okabe-Ito blue: large caps
YIELD_COLOUR = "#009E73"  # Okabe-Ito bluish green: the 10-year yield
SHORT_MA_COLOUR = "#E69F00"  # Okabe-Ito orange: 50-day average
LONG_MA_COLOUR = "#CC79A7"  # Okabe-Ito reddish purple: 200-day average
INK, MUTED, GRID = "#1A1A1A", "#4D5258", "#CDD2D8"
BACKGROUND = "#E8EBEE"
"""A neutral card, not white: on a dark client (#1a1d21) a white chart glares, and a
transparent one would lose its dark text; this grey reads on light and dark clients alike
(INK on it: contrast 14:1; MUTED: 6:1). Label boxes and marker rims use it too."""
FIGSIZE, DPI = (10.0, 20.0 / 3.0), 120  # 1200 x 800 px
SIZE = {"title": 19, "sub": 14, "label": 13, "tick": 13, "legend": 14, "note": 14, "foot": 12}
"""Font sizes (points) by role."""
STYLE: dict[RcKeyType, Any] = {
    "figure.facecolor": BACKGROUND, "axes.facecolor": BACKGROUND,
    "text.color": INK, "axes.labelcolor": INK, "axes.edgecolor": MUTED,
    "axes.labelsize": SIZE["label"],
    "xtick.color": MUTED, "ytick.color": MUTED, "xtick.labelcolor": INK,
    "ytick.labelcolor": INK, "xtick.labelsize": SIZE["tick"], "ytick.labelsize": SIZE["tick"],
    "xtick.major.size": 3, "ytick.major.size": 3,
    "grid.color": GRID, "grid.linewidth": 0.8,
    "legend.frameon": False, "legend.fontsize": SIZE["legend"], "legend.borderaxespad": 0.1,
    "legend.borderpad": 0.1,
}
"""The one matplotlib style every chart draws with (rcParams, set once by `mpl`): colours,
sizes, grid and legend defaults; chart modules pass only what differs from it."""
PT_TO_FIG = 1.0 / (FIGSIZE[1] * 72.0)
"""One point as a fraction of the figure height."""
NAMES_UP_TO = 48
"""Longer 'small vs large' names fall back to symbols in legends (`short_names`)."""


@dataclass(frozen=True)
class Matplotlib:
    """The matplotlib (and Pillow) pieces the charts draw with; see `mpl`."""

    figure_class: type[Figure]
    canvas_class: type[FigureCanvasAgg]
    dates: ModuleType
    ticker: ModuleType
    colors: ModuleType
    transforms: ModuleType
    patches: ModuleType
    lines: ModuleType
    image: ModuleType
    """PIL.Image"""


@cache
def mpl() -> Matplotlib:
    """matplotlib's modules, imported on the first call (then the same object every time)."""
    # lazy: for start-up time, not to break an import cycle: importing matplotlib costs
    # 0.5-1 s, which `smallcaps help`, text-only answers and the web process's acks should
    # not pay. Every chart module reaches matplotlib through here, so this is the one place.
    import matplotlib.colors
    import matplotlib.dates
    import matplotlib.lines
    import matplotlib.patches
    import matplotlib.ticker
    import matplotlib.transforms
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from PIL import Image

    matplotlib.rcParams.update(STYLE)  # this process draws only these charts
    return Matplotlib(Figure, FigureCanvasAgg, matplotlib.dates, matplotlib.ticker,
                      matplotlib.colors, matplotlib.transforms, matplotlib.patches,
                      matplotlib.lines, Image)


# --- figure, axes and lines -----------------------------------------------------------------

def new_figure() -> Figure:
    """A 1200x800 figure in the chart style (`STYLE`) with the constrained layout (no
    pyplot)."""
    return mpl().figure_class(figsize=FIGSIZE, dpi=DPI, layout="constrained")


def style_axes(ax: Axes) -> None:
    """Thin grid behind the data, no top/right spines (colours and sizes: `STYLE`)."""
    ax.grid(True, axis="both")
    ax.set_axisbelow(True)
    for name in ("top", "right"):
        ax.spines[name].set_visible(False)


def line_width(points: int) -> float:
    """Bold lines for short series; thinner for decades of daily data, which would clot."""
    return 2.0 if points <= 1500 else 1.4


def shade_lead(ax: Axes, x: np.ndarray, a: np.ndarray, b: np.ndarray) -> None:
    """Shade between `a` (small caps) and `b`: vermillion where `a` leads, blue where `b` does.
    `x` holds dates (datetime64)."""
    days, a, b = with_crossings(mpl().dates.date2num(x), a, b)
    ax.fill_between(days, a, b, where=a >= b, color=SMALL_COLOUR, alpha=0.16, linewidth=0)
    ax.fill_between(days, a, b, where=a <= b, color=LARGE_COLOUR, alpha=0.14, linewidth=0)


def with_crossings(
    x: np.ndarray, a: np.ndarray, b: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`x`, `a` and `b` with the points where `a` and `b` cross inserted (linear interpolation),
    so the two shaded regions meet exactly there.

    This is what `fill_between(..., interpolate=True)` does, but vectorised: matplotlib does it
    one crossing at a time in Python, which was a third of a 40-year chart's render time.
    """
    d = a - b
    i = np.flatnonzero(np.sign(d[:-1]) * np.sign(d[1:]) < 0)  # sign changes between i, i+1
    t = d[i] / (d[i] - d[i + 1])
    x_cross = x[i] + t * (x[i + 1] - x[i])
    y_cross = a[i] + t * (a[i + 1] - a[i])
    return (np.insert(x, i + 1, x_cross), np.insert(a, i + 1, y_cross),
            np.insert(b, i + 1, y_cross))


# --- header and footer ----------------------------------------------------------------------

@dataclass(frozen=True)
class HeaderLine:
    """One line of a chart's header band: a grey subtitle unless told otherwise."""

    text: str
    size: int = SIZE["sub"]
    colour: str = MUTED
    weight: str = "normal"


def title_line(text: str) -> HeaderLine:
    """The bold title line."""
    return HeaderLine(text, SIZE["title"], INK, "bold")


def title_and_subtitles(title: str, subtitles: list[str]) -> list[HeaderLine]:
    """A bold title line then grey subtitle lines."""
    return [title_line(title), *(HeaderLine(text) for text in subtitles)]


def add_header_and_footer(fig: Figure, header: list[HeaderLine], footer: str) -> None:
    """Header lines from the top, footer at the bottom; the axes get the band in between."""
    top = 1.0 - 10 * PT_TO_FIG
    for line in header:
        fig.text(0.012, top, line.text, fontsize=line.size, color=line.colour,
                 fontweight=line.weight, va="top")
        top -= line.size * 1.45 * PT_TO_FIG
    bottom = 8 * PT_TO_FIG
    fig.text(0.012, bottom, footer, fontsize=SIZE["foot"], color=MUTED, va="bottom")
    foot_band = bottom + SIZE["foot"] * 1.6 * PT_TO_FIG
    fig.set_layout_engine("constrained", rect=(0.0, foot_band, 1.0, top - foot_band))


def footer_text(basis: str, source: str, *, fetched: str | None, end: str) -> str:
    """'Price return  ·  Source: Yahoo Finance  ·  Data fetched 2026-11-25'.

    `fetched` says how fresh the data is, as a phrase ('Data fetched 2026-11-25',
    'CSV files, last close 2026-08-21', 'Intraday, 10:15 New York, not a close'); without
    it the footer says 'As of <end>' (the last close drawn)."""
    when = fetched or f"As of {end}"
    return f"{basis[:1].upper()}{basis[1:]}  ·  Source: {source}  ·  {when}"


def short_names(pair: Pair) -> tuple[str, str]:
    """The two names for legends and panel labels, or the two symbols when the names would
    not fit."""
    if len(pair.small.name) + len(pair.large.name) <= NAMES_UP_TO:
        return pair.small.name, pair.large.name
    return pair.small.symbol, pair.large.symbol


def symbol_title(template: str, pair: Pair) -> str:
    """`template` ('{small} / {large} ratio') with the pair's tickers: the naming rule of every
    chart and reply is tickers in titles, names in legends and first lines."""
    return template.format(small=pair.small.symbol, large=pair.large.symbol)


def since_text(rank: HistoryRank, lagging: bool) -> str:
    """'widest lag since 2000-11-10', 'widest lag on record', or, when a window a few days
    earlier was as wide, the current run's answer: 'as wide before this run: 2000-11-10'
    (analytics.rank, analytics.episode); '' when none applies."""
    direction = "lag" if lagging else "lead"
    if rank.on_record:
        return f"widest {direction} on record"
    if rank.widest_since is not None:
        return f"widest {direction} since {rank.widest_since.isoformat()}"
    episode = rank.episode
    if episode is not None and episode.before_as_wide is not None:
        return f"as wide before this run: {episode.before_as_wide.isoformat()}"
    return ""


def too_few_text(rank: HistoryRank, adjective: str) -> str:
    """'too few independent periods to rank: about 1 independent 20-year period' (a chart's
    header instead of a percentile; analytics.rank.MIN_INDEPENDENT_WINDOWS)."""
    count = rank.independent_windows
    unit = "year-to-date" if rank.comparison == "same_date_each_year" else adjective
    return (f"too few independent periods to rank: about {count:,} independent {unit} "
            f"period{'s' if count != 1 else ''}")


def since_day(rank: HistoryRank) -> date | None:
    """The earlier window end `since_text` names, to mark on a chart, or None."""
    if rank.widest_since is not None:
        return rank.widest_since
    return rank.episode.before_as_wide if rank.episode is not None else None


# --- date axis ------------------------------------------------------------------------------

def format_dates(ax: Axes, window: Window) -> None:
    """Concise dates over exactly `window`: '2022', 'Jul' or '04 Mar' (weekly, on Mondays)."""
    mdates = mpl().dates
    days = (window.end - window.start).days
    if days < 21:
        locator = mdates.DayLocator(interval=max(1, days // 6))
    elif days <= 120:  # AutoDateLocator's 1st/8th/15th/22nd/29th ticks bunch at month ends
        locator = mdates.WeekdayLocator(byweekday=mdates.MO, interval=1 if days <= 50 else 2)
    else:
        locator = _steady_date_locator()(minticks=4, maxticks=9)
    formats = ["%Y", "%b", "%d %b", "%H:%M", "%H:%M", "%S.%f"]
    zero_formats = ["", "%Y", "%d %b", "%d %b", "%H:%M", "%H:%M"]
    formatter = mdates.ConciseDateFormatter(locator, formats=formats, zero_formats=zero_formats,
                                            show_offset=False)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(formatter)
    ax.set_xlim(window.start, window.end)


@cache
def _steady_date_locator() -> type:
    """The AutoDateLocator subclass below, defined once matplotlib is imported (`mpl`)."""

    class SteadyDateLocator(mpl().dates.AutoDateLocator):  # type: ignore[misc]
        """AutoDateLocator that remembers the ticks of the view it last saw: layout and
        drawing ask for them about 20 times per chart, and each answer walks a dateutil
        rrule."""

        _view: tuple[float, float] | None = None
        _ticks: np.ndarray

        def __call__(self) -> np.ndarray:
            view = tuple(self.axis.get_view_interval()) if self.axis is not None else None
            if view is None or view != self._view:
                self._ticks = np.asarray(super().__call__())
                self._view = view
            return self._ticks.copy()

    return SteadyDateLocator


# --- label placement ------------------------------------------------------------------------

Box = tuple[float, float, float, float]
"""(x0, y0, x1, y1) in axes fractions."""


def points_in_axes(ax: Axes, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Data points (dates as datetime64 or numbers) as axes fractions, shape (n, 2)."""
    xs = mpl().dates.date2num(x) if np.issubdtype(np.asarray(x).dtype, np.datetime64) else x
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


# --- drawing into bytes ---------------------------------------------------------------------

def lay_out(fig: Figure) -> None:
    """Run the figure's layout engine once, then switch it off: a draw would otherwise lay
    the figure out again (and savefig would draw twice)."""
    layout = fig.get_layout_engine()
    if layout is not None:
        layout.execute(fig)
        fig.set_layout_engine("none")


def to_png(fig: Figure) -> bytes:
    """Lay out, draw once on the Agg canvas and encode the pixels as PNG, all in memory.

    `savefig` would run a second, throw-away draw for the layout engine and compress an alpha
    channel that is opaque everywhere. RGB at zlib level 3 encodes in half the time of
    savefig's RGBA at level 6, and the file is smaller. No software metadata: stable bytes.
    The pixel buffer is released at once: figures are reference cycles that wait for the
    garbage collector, and each held 4 MB of pixels until then (the RSS grew by 50+ MB).
    """
    parts = mpl()
    canvas = parts.canvas_class(fig)
    lay_out(fig)
    canvas.draw()
    width, height = canvas.get_width_height()
    image = parts.image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA",
                                   0, 1)
    buffer = BytesIO()
    image.convert("RGB").save(buffer, format="png", compress_level=3, dpi=(DPI, DPI))
    del image
    canvas.renderer = None  # drop the pixels now, not at next GC
    canvas._lastKey = None  # a later draw on this canvas would make a new renderer
    return buffer.getvalue()
