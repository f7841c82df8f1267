"""The gap chart: both series rebased to 100 above, their relative ratio below, as PNG bytes.

Built on `matplotlib.figure.Figure` with the Agg canvas and never pyplot, whose global figure
registry leaks in a long-running server. Pure: no I/O besides rendering into memory, and the
same input always gives the same bytes (the PNG carries no software/version metadata).
"""

from __future__ import annotations

from io import BytesIO

import numpy as np
from matplotlib import dates as mdates
from matplotlib import ticker
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.transforms import blended_transform_factory
from PIL import Image

from analytics.chart_words import rank_line, since_text
from analytics.gap import GapResult
from analytics.pairs import Pair

SMALL_COLOUR = "#D55E00"  # Okabe-Ito vermillion: small caps
LARGE_COLOUR = "#0072B2"  # Okabe-Ito blue: large caps
INK, MUTED, GRID = "#1A1A1A", "#5F5F5F", "#E4E4E4"
FIGSIZE, DPI = (10.0, 20.0 / 3.0), 120  # 1200 x 800 px
SIZE = {"title": 19, "sub": 14, "label": 13, "tick": 13, "legend": 14, "note": 14, "foot": 12}
NAMES_UP_TO = 48  # longer "small vs large" names fall back to symbols in titles
LEGEND_ROW_UP_TO = 44  # longer names stack the legend in two rows
LOG_SCALE_ABOVE = 8.0  # log level axis once the rebased series span more than 8x (3 doublings)
_PT_TO_FIG = 1.0 / (FIGSIZE[1] * 72.0)  # one point as a fraction of the figure height
MINUS = "\u2212"


def render_gap_chart(result: GapResult, *, source: str, fetched: str | None = None) -> bytes:
    """Render `result` as a 1200x800 PNG: rebased levels (2/3) over the relative ratio (1/3).

    `source` names the data provider for the footer ("Yahoo Finance"); `fetched` says when the
    data was fetched and defaults to the last close used.
    """
    return _to_png(gap_figure(result, source=source, fetched=fetched))


def gap_figure(result: GapResult, *, source: str, fetched: str | None = None) -> Figure:
    """The chart as a matplotlib Figure, not yet laid out or drawn (`render_gap_chart`)."""
    fig = Figure(figsize=FIGSIZE, dpi=DPI, layout="constrained", facecolor="white")
    levels_ax, ratio_ax = fig.subplots(2, 1, sharex=True, height_ratios=[2, 1])
    _draw_levels(levels_ax, result)
    _draw_ratio(ratio_ax, result)
    for ax in (levels_ax, ratio_ax):
        _style_axes(ax)
    _format_dates(ratio_ax, result)
    _add_header_and_footer(fig, result, source, fetched)
    return fig


def signed(value: float, unit: str) -> str:
    """'+30.9 %' or '−6.8 %' (typographic minus), one decimal."""
    text = f"{round(value, 1) + 0.0:+,.1f} {unit}"  # + 0.0 turns -0.0 into 0.0
    return text.replace("-", MINUS)


def short_names(pair: Pair) -> tuple[str, str]:
    """The two names for titles, or the two symbols when the names would not fit."""
    if len(pair.small.name) + len(pair.large.name) <= NAMES_UP_TO:
        return pair.small.name, pair.large.name
    return pair.small.symbol, pair.large.symbol


def footer_text(basis: str, source: str, *, fetched: str | None, end: str) -> str:
    """'Price return  ·  Source: Yahoo Finance  ·  Data fetched 2026-11-25'.

    `fetched` says how fresh the data is, as a phrase ('Data fetched 2026-11-25',
    'CSV files, last close 2026-08-21', 'Intraday, 10:15 New York, not a close'); without
    it the footer says 'As of <end>' (the last close drawn)."""
    when = fetched or f"As of {end}"
    return f"{basis[:1].upper()}{basis[1:]}  ·  Source: {source}  ·  {when}"


def _draw_levels(ax: Axes, result: GapResult) -> None:
    """Both series rebased to 100, the area between them shaded by who leads, legend above."""
    levels = result.rebased()
    x = levels.index.to_numpy()
    small, large = levels["small"].to_numpy(), levels["large"].to_numpy()
    _shade_lead(ax, x, small, large)
    ax.axhline(100.0, color=MUTED, linewidth=1.0, zorder=1)
    pair = result.pair
    for values, colour, name, pct in (
        (small, SMALL_COLOUR, pair.small.name, result.small_return_pct),
        (large, LARGE_COLOUR, pair.large.name, result.large_return_pct),
    ):
        label = f"{name}  {signed(pct, '%')}"
        ax.plot(x, values, color=colour, linewidth=_line_width(len(x)), label=label)
        ax.plot(x[-1:], values[-1:], "o", color=colour, markersize=5.5, zorder=4)
    ncols = 2 if len(pair.small.name) + len(pair.large.name) <= LEGEND_ROW_UP_TO else 1
    ax.legend(
        loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=ncols, frameon=False,
        fontsize=SIZE["legend"], handlelength=1.4, borderaxespad=0.1, borderpad=0.1,
    )
    _scale_levels(ax, levels.to_numpy())
    _annotate_gap(ax, result, small[-1], large[-1])


def _line_width(points: int) -> float:
    """Bold lines for short series; thinner for decades of daily data, which would clot."""
    return 2.0 if points <= 1500 else 1.4


def _shade_lead(ax: Axes, x: np.ndarray, a: np.ndarray, b: np.ndarray) -> None:
    """Shade between `a` (small caps) and `b`: vermillion where `a` leads, blue where `b` does."""
    days, a, b = with_crossings(mdates.date2num(x), a, b)
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


def _scale_levels(ax: Axes, values: np.ndarray) -> None:
    """Linear level axis, or log (1-2-5 ticks) when the series grow several-fold."""
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
    side = blended_transform_factory(ax.transAxes, ax.transData)
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
    ratio = result.relative_ratio()
    x, y = ratio.index.to_numpy(), ratio.to_numpy()
    _shade_lead(ax, x, y, np.ones_like(y))
    ax.axhline(1.0, color=MUTED, linewidth=1.0, zorder=1)
    ax.plot(x, y, color=INK, linewidth=_line_width(len(x)) * 0.85)
    ax.plot(x[-1:], y[-1:], "o", color=INK, markersize=5, zorder=4)
    side = blended_transform_factory(ax.transAxes, ax.transData)
    ax.annotate(f"ratio {signed(result.relative_change_pct, '%')}", xy=(1.035, y[-1]),
                xycoords=side, ha="left", va="center", fontsize=SIZE["note"], color=INK,
                fontweight="bold")
    small, large = short_names(result.pair)
    ax.set_title(f"Ratio {small} / {large} (start = 1)",
                 loc="left", fontsize=SIZE["label"], color=MUTED, pad=4)
    ax.yaxis.set_major_locator(ticker.MaxNLocator(nbins=4, steps=[1, 2, 2.5, 5, 10]))
    ax.yaxis.set_major_formatter(ticker.ScalarFormatter(useOffset=False))


def _style_axes(ax: Axes) -> None:
    """Thin light grid, no top/right spines, grey ticks with dark labels."""
    ax.grid(True, axis="both", color=GRID, linewidth=0.8)
    ax.set_axisbelow(True)
    for name in ("top", "right"):
        ax.spines[name].set_visible(False)
    for name in ("left", "bottom"):
        ax.spines[name].set_color(MUTED)
    ax.tick_params(labelsize=SIZE["tick"], colors=MUTED, labelcolor=INK, length=3)


def _format_dates(ax: Axes, result: GapResult) -> None:
    """Concise dates over exactly the window: '2022', 'Jul' or '04 Mar' (weekly, on Mondays)."""
    days = (result.window.end - result.window.start).days
    locator: mdates.DateLocator
    if days < 21:
        locator = mdates.DayLocator(interval=max(1, days // 6))
    elif days <= 120:  # AutoDateLocator's 1st/8th/15th/22nd/29th ticks bunch at month ends
        locator = mdates.WeekdayLocator(byweekday=mdates.MO, interval=1 if days <= 50 else 2)
    else:
        locator = _SteadyDateLocator(minticks=4, maxticks=9)
    formats = ["%Y", "%b", "%d %b", "%H:%M", "%H:%M", "%S.%f"]
    zero_formats = ["", "%Y", "%d %b", "%d %b", "%H:%M", "%H:%M"]
    formatter = mdates.ConciseDateFormatter(locator, formats=formats, zero_formats=zero_formats,
                                            show_offset=False)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(formatter)
    ax.set_xlim(result.window.start, result.window.end)


class _SteadyDateLocator(mdates.AutoDateLocator):
    """AutoDateLocator that remembers the ticks of the view it last saw: layout and drawing
    ask for them about 20 times per chart, and each answer walks a dateutil rrule."""

    _view: tuple[float, float] | None = None
    _ticks: np.ndarray

    def __call__(self) -> np.ndarray:
        view = tuple(self.axis.get_view_interval()) if self.axis is not None else None
        if view is None or view != self._view:
            self._ticks = np.asarray(super().__call__())
            self._view = view  # type: ignore[assignment]
        return self._ticks.copy()


def _add_header_and_footer(fig: Figure, result: GapResult, source: str,
                           fetched: str | None) -> None:
    """Title, subtitle (dates, rank) and footer (basis, source, as-of) in reserved bands."""
    window, pair = result.window, result.pair
    span = f"{window.start.date().isoformat()} to {window.end.date().isoformat()}"
    dates = f"{span}  ·  {len(result.closes):,} daily closes"
    annual = result.annualised
    if annual is not None:
        dates += f"  ·  gap {abs(annual.gap_pp):.2f} pp a year, annualised"
    if result.rank is not None and since_text(result.rank, result.gap_pp >= 0):
        dates += f"  ·  {since_text(result.rank, result.gap_pp >= 0)}"
    header = [
        (f"{' vs '.join(short_names(pair))}: {result.period.describe()}", SIZE["title"], INK,
         "bold"),
        (dates, SIZE["sub"], MUTED, "normal"),
    ]
    if result.rank is not None:
        header.append((rank_line(result.rank, result.period.adjective()), SIZE["sub"], INK,
                       "normal"))
    footer = footer_text(pair.basis, source, fetched=fetched, end=window.end.date().isoformat())
    top = 1.0 - 10 * _PT_TO_FIG
    for text, size, colour, weight in header:
        fig.text(0.012, top, text, fontsize=size, color=colour, fontweight=weight, va="top")
        top -= size * 1.45 * _PT_TO_FIG
    bottom = 8 * _PT_TO_FIG
    fig.text(0.012, bottom, footer, fontsize=SIZE["foot"], color=MUTED, va="bottom")
    foot_band = bottom + SIZE["foot"] * 1.6 * _PT_TO_FIG
    fig.set_layout_engine("constrained", rect=(0.0, foot_band, 1.0, top - foot_band))


def lay_out(fig: Figure) -> None:
    """Run the figure's layout engine once, then switch it off: a draw would otherwise lay
    the figure out again (and savefig would draw twice)."""
    layout = fig.get_layout_engine()
    if layout is not None:
        layout.execute(fig)
        fig.set_layout_engine("none")


def _to_png(fig: Figure) -> bytes:
    """Lay out, draw once on the Agg canvas and encode the pixels as PNG, all in memory.

    `savefig` would run a second, throw-away draw for the layout engine and compress an alpha
    channel that is opaque everywhere. RGB at zlib level 3 encodes in half the time of
    savefig's RGBA at level 6, and the file is smaller. No software metadata: stable bytes.
    The pixel buffer is released at once: figures are reference cycles that wait for the
    garbage collector, and each held 4 MB of pixels until then (the RSS grew by 50+ MB).
    """
    canvas = FigureCanvasAgg(fig)
    lay_out(fig)
    canvas.draw()
    width, height = canvas.get_width_height()
    image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    buffer = BytesIO()
    image.convert("RGB").save(buffer, format="png", compress_level=3, dpi=(DPI, DPI))
    del image
    canvas.renderer = None  # type: ignore[assignment]  # drop the pixels now, not at next GC
    canvas._lastKey = None  # a later draw on this canvas would make a new renderer
    return buffer.getvalue()
