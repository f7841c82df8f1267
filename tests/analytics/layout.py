"""A chart layout check from matplotlib's own text extents (test helper).

`layout_problems(fig)` lays the figure out and draws it exactly as `_to_png` does, then asks
the renderer where every text really landed (`Text.get_window_extent(renderer)`) and reports:

- text that leaves the figure (any part of its extent outside the figure's pixels);
- a label drawn on a box (a `bbox` patch: an opaque white box hides what is under it) that
  covers plotted data (line vertices, scatter points) beyond a small tolerance;
- texts drawn over each other;
- two axes in the same place (twin axes: two unrelated scales on one plot);
- a number label without its unit: every number in a label, legend entry, panel title or
  header line must carry a unit (%, pp, σ, a counted noun such as 'windows'), be a date or an
  ordinal, or follow a named unitless quantity ('ratio', 'r =', 'beta', 'z-score', or
  'BE/ME 1.53 → 4.83': a number after an arrow is the quantity before it).
  Tick labels and axis labels are exempt: the axis label states the ticks' unit.
"""

from __future__ import annotations

import re

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from analytics.chart_base import lay_out

COVER_TOLERANCE = 0.005
"""A label box may hide at most this share of a line's drawn length (and 6 px of it); it may
hide no scatter point at all (each is one observation)."""
STEP_PX = 1.0
"""Lines are sampled every pixel along their drawn path, so a steep crash between two daily
closes counts as much as a flat stretch."""
MIN_POINTS = 5
"""Lines and scatters with fewer points (markers, reference lines) are not checked."""

_NAMES = re.compile(r"(S&P|Russell|SmallCap|MidCap|Nasdaq-|Micro-Cap|Treasury) ?\d+")
_DATES = re.compile(r"\d{4}-\d{2}-\d{2}|(?<![\d.,])(1[89]|20)\d{2}(?![\d.,])")
_NUMBER = re.compile(r"[+\-\u2212]?\d[\d,]*(?:\.\d+)?")
_UNIT_AFTER = re.compile(r"^\s?(%|pp|σ|×|-?[A-Za-z])")
_NAMED_BEFORE = re.compile(r"(ratio|r =|beta|correlation|z-score|start =|\^[A-Z]+|[A-Z]{2,}"
                           r"|\d →)\s*[:=]?\s*$")
"""...or the second of `A → B`, the same quantity as A (which is checked on its own)."""


def _renderer(fig: Figure):  # noqa: ANN202 - the Agg renderer
    canvas = FigureCanvasAgg(fig)
    lay_out(fig)
    canvas.draw()
    return canvas.get_renderer()


def _exempt_texts(fig: Figure) -> set[int]:
    """Tick labels and axis labels: their unit is on the axis label."""
    exempt: set[int] = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            exempt.update(id(t) for t in axis.get_ticklabels(which="both"))
            exempt.add(id(axis.label))
            exempt.add(id(axis.get_offset_text()))
    return exempt


def _visible_texts(fig: Figure) -> list[Text]:
    """Texts that are drawn: visible, not empty, and for tick labels only those of the ticks
    inside the view (matplotlib keeps labels of ticks outside it but does not draw them)."""
    ticks: set[int] = set()
    drawn: set[int] = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            ticks.update(id(t) for t in axis.get_ticklabels(which="both"))
            if not ax.axison:  # an axes drawn without its axes draws no tick labels
                continue
            for tick in axis._update_ticks():  # noqa: SLF001 - the ticks a draw uses
                drawn.update((id(tick.label1), id(tick.label2)))
    return [t for t in fig.findobj(Text)
            if t.get_visible() and t.get_text().strip() and (id(t) not in ticks or id(t) in drawn)]


def _along(points: np.ndarray) -> np.ndarray:
    """A polyline (display pixels) sampled every STEP_PX along its path."""
    steps = np.maximum(1, np.ceil(np.hypot(*np.diff(points, axis=0).T) / STEP_PX)).astype(int)
    starts = np.repeat(points[:-1], steps, axis=0)
    deltas = np.repeat(np.diff(points, axis=0) / steps[:, None], steps, axis=0)
    offsets = np.concatenate([np.arange(n) for n in steps])[:, None]
    return np.vstack([starts + deltas * offsets, points[-1:]])


def _plotted(ax: Axes) -> list[tuple[str, np.ndarray, float]]:
    """(name, sample points in display pixels, tolerance in points) of every line (sampled
    along its path) and scatter with enough points."""
    found = []
    for line in ax.get_lines():
        xy = np.asarray(line.get_xydata(), float)
        xy = xy[np.isfinite(xy).all(axis=1)]
        if len(xy) >= MIN_POINTS and line.get_visible() and line.get_linestyle() != "None":
            samples = _along(line.get_transform().transform(xy))
            found.append((f"line {line.get_label()!r}", samples,
                          max(6 / STEP_PX, COVER_TOLERANCE * len(samples))))
    for coll in ax.collections:
        if isinstance(coll, PathCollection) and len(coll.get_offsets()) >= MIN_POINTS:
            offsets = coll.get_offset_transform().transform(np.asarray(coll.get_offsets(), float))
            found.append(("scatter", offsets, 0))
    return found


def unit_problem(text: str) -> str | None:
    """The first number in `text` without a unit, or None."""
    clean = _DATES.sub("D", _NAMES.sub("NAME", text))
    for match in _NUMBER.finditer(clean):
        after = clean[match.end():]
        before = clean[: match.start()]
        if _UNIT_AFTER.match(after) or _NAMED_BEFORE.search(before):
            continue
        return match.group()
    return None


def _collisions(text: Text, box: Bbox, placed: list[tuple[Text, Bbox]],
                renderer: object) -> list[str]:
    """Texts drawn over each other (more than 2 px both ways)."""
    found = []
    for other, other_box in placed:
        dx = min(box.x1, other_box.x1) - max(box.x0, other_box.x0)
        dy = min(box.y1, other_box.y1) - max(box.y0, other_box.y0)
        if dx > 2 and dy > 2:
            found.append(f"texts overlap: {text.get_text()!r} and {other.get_text()!r}")
    return found


def _twin_axes(fig: Figure) -> list[str]:
    """Two axes drawn in the same place (twinx/twiny): two unrelated scales on one plot."""
    seen: dict[tuple[float, ...], Axes] = {}
    problems = []
    for ax in fig.axes:
        where = tuple(round(v, 4) for v in ax.get_position().bounds)
        if where in seen:
            problems.append(f"twin axes: {ax.get_ylabel()!r} drawn over "
                            f"{seen[where].get_ylabel()!r}")
        seen[where] = ax
    return problems


def layout_problems(fig: Figure) -> list[str]:
    """Every layout fault of `fig` (empty when the chart is legible)."""
    renderer = _renderer(fig)
    width, height = fig.bbox.width, fig.bbox.height
    exempt = _exempt_texts(fig)
    problems = _twin_axes(fig)
    placed: list[tuple[Text, Bbox]] = []
    for text in _visible_texts(fig):
        box = text.get_window_extent(renderer)
        label = text.get_text().replace("\n", " / ")
        if box.x0 < -1 or box.y0 < -1 or box.x1 > width + 1 or box.y1 > height + 1:
            problems.append(f"leaves the figure: {label!r} at x {box.x0:.0f}..{box.x1:.0f}, "
                            f"y {box.y0:.0f}..{box.y1:.0f} of {width:.0f}x{height:.0f}")
        if id(text) not in exempt and (missing := unit_problem(text.get_text())):
            problems.append(f"number without a unit: {missing!r} in {label!r}")
        problems += _collisions(text, box, placed, renderer)
        placed.append((text, box))
        patch = text.get_bbox_patch()
        axes = text.axes
        if patch is None or axes is None:
            continue
        area = patch.get_window_extent(renderer)
        for name, points, tolerance in _plotted(axes):
            inside = int(((points[:, 0] > area.x0) & (points[:, 0] < area.x1)
                          & (points[:, 1] > area.y0) & (points[:, 1] < area.y1)).sum())
            if inside > tolerance:
                problems.append(f"label box {label!r} covers {inside} of {len(points)} samples "
                                f"of the {name}")
    return problems
