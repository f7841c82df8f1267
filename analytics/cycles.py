"""Rate-cut cycles and what the small/large pair did around each cycle's first cut. Pure.

Conventions (stated in README and in every reply):

- **First cut of a cycle**: a cut in the Fed funds target (the upper bound of the range from
  2008-12-16) that comes after at least one hike since the previous cut and at least
  `MIN_DAYS_BETWEEN` calendar days after the previous cut. The first cut in the data has no
  known previous cut and does not count.
- **Event day**: the day the change takes effect, as FRED dates it (2024-09-19 for the
  2024-09-18 decision). The **anchor** is the last common close strictly before it.
- **Windows**: after the cut, from the anchor to the last common close on or before the event
  day plus N calendar months (month arithmetic clips to month end, as pandas' DateOffset);
  before it, from the last common close on or before the event day minus 3 months to the
  anchor. A window whose target date the data does not reach yet is *in progress*: it ends
  on the last close, and says how many of its calendar days have passed.
- **Gap** = large-cap return minus small-cap return over the window, in pp (the `gap`
  convention); the **ratio change** is the change of small/large, in percent. Small caps
  beat large caps in a window when the gap is negative (the ratio rose).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from analytics.errors import present
from analytics.gap import align_closes
from analytics.periods import InsufficientHistoryError, last_on_or_before, up_to

MIN_DAYS_BETWEEN = 365
BEFORE_MONTHS = 3
HORIZON_MONTHS = (-3, 1, 3, 6, 12)
"""Window lengths in months; negative = before the event."""


def horizon_label(months: int) -> str:
    """'3m before', '1m', '12m'."""
    return f"{-months}m before" if months < 0 else f"{months}m"


@dataclass(frozen=True)
class FirstCut:
    """A cycle's first cut: the day it took effect, the target before and after it (percent),
    and the previous cut's day."""

    day: pd.Timestamp
    rate_before: float
    rate_after: float
    previous_cut: pd.Timestamp


def first_cuts(target: pd.Series, min_days: int = MIN_DAYS_BETWEEN) -> list[FirstCut]:
    """The first cut of every cycle in `target` (a target-rate Series in percent on a sorted
    DatetimeIndex, any spacing), by the rule in the module docstring, oldest first."""
    values = target.dropna()
    changes = values[values.diff().fillna(0.0) != 0.0]
    cuts: list[FirstCut] = []
    previous_cut: pd.Timestamp | None = None
    hiked = False
    for day, rate in changes.items():
        before = float(values.loc[:day].iloc[-2])
        if rate > before:
            hiked = True
            continue
        if previous_cut is not None and hiked and (day - previous_cut).days >= min_days:
            cuts.append(FirstCut(pd.Timestamp(day), before, float(rate), previous_cut))
        previous_cut, hiked = pd.Timestamp(day), False
    return cuts


@dataclass(frozen=True)
class EventWindow:
    """One window around one event day: its dates, both returns (%), gap (pp), ratio change
    (%), and whether the data reaches its target date yet."""

    months: int
    start: pd.Timestamp
    end: pd.Timestamp
    target: pd.Timestamp
    complete: bool
    small_pct: float
    large_pct: float
    gap_pp: float
    ratio_change_pct: float
    days_so_far: int
    days_total: int

    @property
    def small_beat_large(self) -> bool:
        return self.gap_pp < 0


@dataclass(frozen=True)
class CycleStudy:
    """The windows of one cycle and its ratio path (rebased to 100 at the anchor, indexed by
    calendar days from the event day, forward-filled over non-trading days)."""

    cut: FirstCut
    anchor: pd.Timestamp
    windows: list[EventWindow]
    path: pd.Series


def _change(series: pd.Series, start: pd.Timestamp, end: pd.Timestamp) -> float:
    return (float(series.loc[end]) / float(series.loc[start]) - 1.0) * 100.0


def _window(frame: pd.DataFrame, cut: FirstCut, anchor: pd.Timestamp,
            months: int) -> EventWindow | None:
    dates = frame.index
    target = cut.day + pd.DateOffset(months=months)
    if months < 0:
        start, end, complete = last_on_or_before(dates, target), anchor, True
        if start is None:
            return None
        days_total = (end - start).days
    else:
        end, start = last_on_or_before(dates, target), anchor
        complete = dates[-1] >= target
        days_total = (target - anchor).days
    end = present(end, "the cycle's last close")
    small, large = frame["small"], frame["large"]
    s, lg = _change(small, start, end), _change(large, start, end)
    ratio = frame["small"] / frame["large"]
    return EventWindow(months, start, end, target, complete, s, lg, lg - s,
                       _change(ratio, start, end), (end - start).days, days_total)


def study_cycle(frame: pd.DataFrame, cut: FirstCut) -> CycleStudy | None:
    """The windows of `cut` on common closes `frame` (columns `small`, `large`), or None when
    the data does not cover the 3 months before it or has no close after the anchor."""
    dates = frame.index
    pos = int(dates.searchsorted(cut.day, side="left")) - 1
    if pos < 0 or pos + 1 >= len(dates):
        return None
    anchor = dates[pos]
    windows = [_window(frame, cut, anchor, m) for m in HORIZON_MONTHS]
    if any(w is None for w in windows):
        return None
    first = min(w.start for w in windows if w is not None)
    last = cut.day + pd.DateOffset(months=max(HORIZON_MONTHS))
    ratio = (frame["small"] / frame["large"]).loc[first:last]
    ratio = ratio / float(ratio.loc[anchor]) * 100.0
    days = pd.date_range(first, min(last, dates[-1]), freq="D")
    path = ratio.reindex(days).ffill()
    path.index = (days - cut.day).days
    return CycleStudy(cut, anchor, [w for w in windows if w is not None], path)


@dataclass(frozen=True)
class HorizonStats:
    """One horizon over the earlier cycles whose window is complete: how many, median and
    mean gap (pp) and ratio change (%), how many small caps won, the same without the two
    most extreme cycles (largest |gap|), and where the current cycle stands."""

    months: int
    cycles: int
    median_gap_pp: float | None
    mean_gap_pp: float | None
    median_ratio_pct: float | None
    mean_ratio_pct: float | None
    small_wins: int
    extreme_years: list[int]
    median_gap_without_extremes_pp: float | None
    mean_gap_without_extremes_pp: float | None
    current: EventWindow | None
    current_beats: int | None
    """Earlier cycles whose gap is wider than the current cycle's (the current one did
    better for small caps), by the gap the reply shows (None: no current)."""

    @property
    def leaning(self) -> str:
        """'small' when small caps beat large caps in most cycles and the median gap is
        negative, 'large' in the mirror case, 'mixed' otherwise, 'none' without cycles."""
        if not self.cycles or self.median_gap_pp is None:
            return "none"
        if self.small_wins * 2 > self.cycles and self.median_gap_pp < 0:
            return "small"
        if self.small_wins * 2 < self.cycles and self.median_gap_pp > 0:
            return "large"
        return "mixed"

    @property
    def holds_without_extremes(self) -> bool | None:
        """Whether the median and the mean without the two most extreme cycles keep the sign
        of the median of all (None when fewer than four cycles leave too little to say)."""
        if self.cycles < 4 or self.median_gap_pp is None:
            return None
        rest = (self.median_gap_without_extremes_pp, self.mean_gap_without_extremes_pp)
        sign = np.sign(self.median_gap_pp)
        return all(v is not None and np.sign(v) == sign for v in rest)


def horizon_stats(earlier: list[CycleStudy], current: CycleStudy | None,
                  months: int) -> HorizonStats:
    """The statistics of one horizon (see HorizonStats)."""
    windows = [(c.cut.day.year, w) for c in earlier for w in c.windows
               if w.months == months and w.complete]
    gaps = np.array([w.gap_pp for _, w in windows])
    ratios = np.array([w.ratio_change_pct for _, w in windows])
    extremes = sorted(windows, key=lambda yw: -abs(yw[1].gap_pp))[:2]
    rest = np.array([w.gap_pp for y, w in windows if (y, w) not in extremes])

    def stat(values: np.ndarray, fn: object) -> float | None:
        return float(fn(values)) if len(values) else None  # type: ignore[operator]

    now = next((w for w in current.windows if w.months == months), None) if current else None
    return HorizonStats(
        months, len(windows), stat(gaps, np.median), stat(gaps, np.mean),
        stat(ratios, np.median), stat(ratios, np.mean), int((gaps < 0).sum()),
        sorted(y for y, _ in extremes), stat(rest, np.median), stat(rest, np.mean), now,
        None if now is None else int((gaps > now.gap_pp).sum()))


@dataclass(frozen=True)
class CutsResult:
    """Every first cut in the target data up to the as-of date, the cycles the pair covers,
    the current (latest) one, and the statistics per horizon over the earlier ones."""

    cuts: list[FirstCut]
    cycles: list[CycleStudy]
    current: CycleStudy
    stats: list[HorizonStats]
    data_end: pd.Timestamp
    first_common: pd.Timestamp


def cut_study(small: pd.Series, large: pd.Series, target: pd.Series,
              as_of: date | None = None) -> CutsResult:
    """The event study of `small` and `large` closes around each cycle's first cut in
    `target`, using only data on or before `as_of` (all when None).

    Raises InsufficientHistoryError when no first cut the pair covers falls on or before
    the as-of date (the message names the first one it does cover)."""
    frame = align_closes(small, large)
    everything = [study_cycle(frame, c) for c in first_cuts(target)]
    covered = [c for c in everything if c is not None]
    frame = up_to(frame, as_of)
    if len(frame) < 2:
        raise InsufficientHistoryError("Not enough common closes on or before "
                                       f"{as_of} for an event study.")
    cuts = first_cuts(target.loc[: frame.index[-1]])
    cycles = [s for s in (study_cycle(frame, c) for c in cuts) if s is not None]
    if not cycles:
        first = covered[0].cut.day.date().isoformat() if covered else None
        when = f" on or before {as_of}" if as_of else ""
        hint = f" The first one it covers took effect on {first}." if first else ""
        raise InsufficientHistoryError(
            f"No first rate cut of a cycle that this pair's history covers{when}.{hint}")
    current, earlier = cycles[-1], cycles[:-1]
    stats = [horizon_stats(earlier, current, m) for m in HORIZON_MONTHS]
    return CutsResult(cuts, cycles, current, stats, frame.index[-1], frame.index[0])


def median_path(cycles: list[CycleStudy]) -> pd.Series:
    """The median of the cycles' rebased ratio paths on each day from the event where every
    cycle has data (so the line does not jump where one cycle's window is a day longer)."""
    if not cycles:
        return pd.Series(dtype="float64")
    paths = pd.concat([c.path for c in cycles], axis=1)
    return paths.median(axis=1)[paths.notna().all(axis=1)]


MIN_CYCLES = 3
"""Fewer earlier cycles than this and the bot says the question cannot be answered."""


def overall_verdict(stats: list[HorizonStats]) -> str:
    """Does the history support "small caps do better after the first cut"? Judged on the
    after-cut horizons' leanings: 'supports' when small caps led at every one,
    'partly_supports' at some and large caps at none, 'contradicts' when large caps led at
    every one, 'mostly_contradicts' at some and small caps at none, 'mixed' otherwise,
    'too_few' below MIN_CYCLES earlier cycles."""
    after = [s for s in stats if s.months > 0]
    if not after or min(s.cycles for s in after) < MIN_CYCLES:
        return "too_few"
    leanings = [s.leaning for s in after]
    if all(lean == "small" for lean in leanings):
        return "supports"
    if all(lean == "large" for lean in leanings):
        return "contradicts"
    if "small" in leanings and "large" not in leanings:
        return "partly_supports"
    if "large" in leanings and "small" not in leanings:
        return "mostly_contradicts"
    return "mixed"
