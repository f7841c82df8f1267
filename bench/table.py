"""Figures of a benchmark run: rows with our value, the baseline's, the ratio and the target."""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation between closest ranks."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    pos = (len(ordered) - 1) * q / 100.0
    low, high = math.floor(pos), math.ceil(pos)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def latency_stats(seconds: Iterable[float]) -> dict[str, float]:
    """p50/p95/p99/max in milliseconds."""
    ms = [s * 1000.0 for s in seconds]
    return {"p50": percentile(ms, 50), "p95": percentile(ms, 95), "p99": percentile(ms, 99),
            "max": max(ms)}


def median_of(results: Sequence[dict[str, float]]) -> dict[str, float]:
    """The median of each figure over several runs (the machine is shared)."""
    return {key: statistics.median(r[key] for r in results) for key in results[0]}


def median_of_runs(runs: int, measure: Callable[[], dict[str, float]]) -> dict[str, float]:
    """Run `measure` `runs` times; the median of each figure."""
    return median_of([measure() for _ in range(runs)])


@dataclass
class Row:
    """One line of the table. Lower is better for every figure we report."""

    section: str
    label: str
    unit: str
    ours: float | None
    baseline: float | None = None
    target: float | None = None
    """Ours must be below this (None: no absolute target)."""
    ratio_target: float | None = 3.0
    """Baseline / ours must reach this (None: not compared)."""
    judged: bool = True
    """False for a reference figure: its ratio is shown, but it is not a target of ours."""
    show_ratio: bool = False
    """Show baseline / ours even without a ratio target (an absolute target is judged)."""

    @property
    def ratio(self) -> float | None:
        if self.ours is None or self.baseline is None or (self.ratio_target is None
                                                          and not self.show_ratio):
            return None
        return self.baseline / self.ours if self.ours > 0 else math.inf

    @property
    def verdict(self) -> str:
        checks = []
        if not self.judged:
            return "(ref)"
        if self.target is not None and self.ours is not None:
            checks.append(self.ours < self.target)
        if self.ratio is not None and self.ratio_target is not None:
            checks.append(self.ratio >= self.ratio_target)
        return "" if not checks else ("ok" if all(checks) else "MISSED")

    def as_dict(self) -> dict[str, object]:
        return {**asdict(self), "ratio": self.ratio, "verdict": self.verdict}


def _num(value: float | None, unit: str) -> str:
    if value is None:
        return "n/a"
    if unit == "requests":
        return f"{value:,.0f}"
    if unit == "MB":
        return f"{value:,.1f}"
    return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def render_table(rows: Sequence[Row]) -> str:
    """A plain-text table, one section after another."""
    header = ("measurement", "ours", "baseline", "x better", "target", "")
    lines, section = [], None
    body = []
    for row in rows:
        ratio = "" if row.ratio is None else f"{row.ratio:,.1f}x"
        target = "" if row.target is None else f"< {_num(row.target, row.unit)} {row.unit}"
        if row.ratio_target is not None and row.baseline is not None and row.judged:
            target = (target + " " if target else "") + f">= {row.ratio_target:g}x"
        body.append((row.section, f"{row.label} ({row.unit})", _num(row.ours, row.unit),
                     "" if row.baseline is None else _num(row.baseline, row.unit), ratio,
                     target, row.verdict))
    widths = [max(len(h), *(len(b[i + 1]) for b in body)) for i, h in enumerate(header)]
    fmt = "  ".join(f"{{:{'<' if i == 0 else '>'}{w}}}" for i, w in enumerate(widths))
    lines.append(fmt.format(*header))
    lines.append("-" * len(lines[0]))
    for entry in body:
        if entry[0] != section:
            section = entry[0]
            lines.append(f"[{section}]")
        lines.append(fmt.format(*entry[1:]))
    return "\n".join(lines)
