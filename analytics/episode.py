"""The current run of a rolling gap: "is this the worst run in 20 years?", answered with dates.

One definition, used by text, JSON, charts and App Home (README, "How unusual"):

- **Run.** The stretch of consecutive windows, up to the end window, whose gap is on the same
  side of zero as the end window's (small caps lagging: gap >= 0; leading: gap < 0). It
  begins at the first window end after the last one on the other side.
- **Last this wide before the run.** The latest window end before the run began whose gap was
  at least as wide as the end window's, in the same direction; None when no earlier window
  was (the widest on record before this run).
- **The run's peak.** The widest gap (same direction) of the run, its window end, and the
  latest window end before the run began that was at least as wide as that peak.

Only daily comparisons have runs: a `ytd` window compared once a year has no neighbours.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

import numpy as np
import pandas as pd

Side = Literal["lag", "lead"]


@dataclass(frozen=True)
class Episode:
    """The run the end window belongs to (module docstring), dates are window ends."""

    side: Side
    """'lag' (gap >= 0: small caps behind) or 'lead' (gap < 0)."""
    start: date
    """The first window end of the run."""
    windows: int
    """Windows in the run, the end window included (one per trading day)."""
    since_first_window: bool
    """True when the run reaches back to the first window compared: no earlier window."""
    before_as_wide: date | None
    """Latest window end before the run with a gap at least as wide as the end window's."""
    before_as_wide_pp: float | None
    peak_pp: float
    """The run's widest gap (pp; negative for a lead)."""
    peak_end: date
    peak_before_as_wide: date | None
    """Latest window end before the run with a gap at least as wide as the run's peak."""
    peak_before_as_wide_pp: float | None


def _latest_as_wide(before: pd.Series, level: float, side: Side) -> tuple[date | None,
                                                                          float | None]:
    """The latest entry of `before` at least as wide as `level` on `side`, with its gap."""
    wide = before[before >= level - 1e-12] if side == "lag" else before[before <= level + 1e-12]
    if wide.empty:
        return None, None
    return wide.index[-1].date(), float(wide.iloc[-1])


def current_episode(gaps: pd.Series) -> Episode | None:
    """The run of `gaps` (gap_pp by window end day, sorted, daily windows) that the last
    window belongs to; None for an empty series."""
    if gaps.empty:
        return None
    values = gaps.to_numpy(dtype=float)
    side: Side = "lag" if values[-1] >= 0 else "lead"
    other = values < 0 if side == "lag" else values >= 0
    flips = np.flatnonzero(other)
    begin = int(flips[-1]) + 1 if len(flips) else 0
    run, before = gaps.iloc[begin:], gaps.iloc[:begin]
    peak_pos = int(np.argmax(run.to_numpy()) if side == "lag" else np.argmin(run.to_numpy()))
    peak_pp = float(run.iloc[peak_pos])
    as_wide, as_wide_pp = _latest_as_wide(before, float(values[-1]), side)
    peak_wide, peak_wide_pp = _latest_as_wide(before, peak_pp, side)
    return Episode(
        side=side,
        start=run.index[0].date(),
        windows=len(run),
        since_first_window=begin == 0,
        before_as_wide=as_wide,
        before_as_wide_pp=as_wide_pp,
        peak_pp=peak_pp,
        peak_end=run.index[peak_pos].date(),
        peak_before_as_wide=peak_wide,
        peak_before_as_wide_pp=peak_wide_pp,
    )
