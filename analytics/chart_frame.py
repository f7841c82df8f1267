"""The frame around report charts: title and subtitle bands above, a source footer below.

Shared by the table and stats charts so they look like the gap chart (same fonts, colours,
margins); the plotting itself stays in each chart's module.
"""

from __future__ import annotations

from matplotlib.figure import Figure

from analytics.charts import DPI, FIGSIZE, INK, MUTED, SIZE
from analytics.pairs import Pair

_PT_TO_FIG = 1.0 / (FIGSIZE[1] * 72.0)  # one point as a fraction of the figure height
TITLE_UP_TO = 58  # characters of a title that fit the 1200 px width at the title size


def new_figure() -> Figure:
    """A white 1200 x 800 px figure (same size as the gap chart), constrained layout."""
    return Figure(figsize=FIGSIZE, dpi=DPI, layout="constrained", facecolor="white")


def frame(fig: Figure, title: str, subtitles: list[str], footer: str) -> None:
    """Draw the title (bold), subtitle lines (grey) and footer; fit the axes between them."""
    lines = [(title, SIZE["title"], INK, "bold")]
    lines += [(text, SIZE["sub"], MUTED, "normal") for text in subtitles]
    top = 1.0 - 10 * _PT_TO_FIG
    for text, size, colour, weight in lines:
        fig.text(0.012, top, text, fontsize=size, color=colour, fontweight=weight, va="top")
        top -= size * 1.45 * _PT_TO_FIG
    bottom = 8 * _PT_TO_FIG
    fig.text(0.012, bottom, footer, fontsize=SIZE["foot"], color=MUTED, va="bottom")
    foot_band = bottom + SIZE["foot"] * 1.6 * _PT_TO_FIG
    fig.set_layout_engine("constrained", rect=(0.0, foot_band, 1.0, top - foot_band))


def footer_text(basis: str, source: str, as_of: str) -> str:
    """'Price return  ·  Source: Yahoo Finance  ·  As of 2024-03-26'."""
    return f"{basis[:1].upper()}{basis[1:]}  ·  Source: {source}  ·  As of {as_of}"


def pair_title(pair: Pair, suffix: str) -> str:
    """'Russell 2000 vs S&P 500: <suffix>', or with symbols when the names would not fit."""
    title = f"{pair.small.name} vs {pair.large.name}: {suffix}"
    if len(title) <= TITLE_UP_TO:
        return title
    return f"{pair.small.symbol} vs {pair.large.symbol}: {suffix}"
