"""How unusual a gap is: the one definition of every historical comparison.

Text, JSON, charts, App Home and alerts all read these fields; README ("How unusual") states
the same definitions in words.

- **Comparable windows.** For a fixed length (`3y`, `18m`, a date range's length) the window
  of that length ending on every trading day of the history, up to the end date. For `ytd`
  the year-to-date window ending on the same calendar point of each earlier year (the last
  common close on or before that month and day), so a March YTD is never ranked against a
  December one. `max` has no rank: there is only one such window.
- **Percentile.** The share (in %) of the comparable windows, this one included, whose gap is
  at most this one (100 = the widest lag on record, 0 = the widest lead).
- **Independent windows.** Daily windows overlap: 8,450 3-year windows hold about 12
  non-overlapping 3-year periods. `independent_windows` is how many whole, non-overlapping
  windows of this length fit between the first window's start (one period before its end)
  and this window's end, counted in the period's own unit: whole months for `Nm`/`Ny`
  (438 months from 1987-09-12 to 2024-03-22, whatever the length of March), days for `Nd`,
  `Nw` and a range. It is the honest sample size: with fewer than
  MIN_INDEPENDENT_WINDOWS the percentile is not a finding (`ranked` False; replies say
  "too few independent periods to rank").
- **A range cut short.** A range that runs past the data (or the as-of date) ends on the
  last close there; it is ranked against windows of that real length (`ranked_period`).
- **Widest since.** The everyday meaning, as in "highest close since": the latest earlier
  window end whose gap was at least as wide in the same direction (`last_as_wide`). It is
  worth saying only when it is at least a month before the end (`widest_since`); a window
  ending a day earlier shares all but one close with this one and says nothing.
- **Records.** The widest lag (largest gap) and the widest lead (most negative gap) among the
  comparable windows, both named, whatever today's direction.
- **The current run** (`episode`, analytics.episode): the consecutive windows on the end
  window's side of zero, when the gap was last this wide before the run began, and how the
  run's peak compares (daily comparisons only).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Literal

import numpy as np
import pandas as pd

from analytics.episode import Episode, current_episode
from analytics.periods import Period, Window

MIN_INDEPENDENT_WINDOWS = 5
"""A percentile (or a band) resting on fewer independent windows than this is not ranked."""

NOTABLE_SINCE = pd.DateOffset(months=1)
"""'Widest since D' is said only when D is at least this far before the end date."""

Comparison = Literal["daily", "same_date_each_year"]


@dataclass(frozen=True)
class HistoryRank:
    """Where a gap (pp, large minus small) stands among comparable earlier windows."""

    percentile: float
    """Share of comparable windows (in %) whose gap was at most this one: 100 = widest lag."""
    windows: int
    """How many windows were compared, this one included (one per trading day, or per year
    for `ytd`)."""
    independent_windows: int
    """How many whole non-overlapping windows of this length the history compared holds."""
    comparison: Comparison
    """'daily' (a window ending on each trading day) or 'same_date_each_year' (`ytd`)."""
    first_window_end: date
    last_as_wide: date | None
    """The latest earlier window end with a gap at least as wide in the same direction."""
    widest_since: date | None
    """`last_as_wide` when at least a month before the end date, else None (not worth saying)."""
    record_lag_pp: float
    """The largest gap (small caps' widest lag) among the comparable windows."""
    record_lag_end: date
    record_lead_pp: float
    """The most negative gap (small caps' widest lead) among the comparable windows."""
    record_lead_end: date
    episode: Episode | None = None
    """The run the end window belongs to (analytics.episode); None for `ytd`."""

    length_days: int | None = None
    """For a range: the calendar length (days) of the windows compared; else None."""
    cut_short: bool = False
    """True for a range the data or the as-of date cut short (ranked at its real length)."""

    @property
    def ranked(self) -> bool:
        """True when the percentile rests on at least MIN_INDEPENDENT_WINDOWS independent
        windows; False: say 'too few independent periods to rank', not a percentile."""
        return self.independent_windows >= MIN_INDEPENDENT_WINDOWS

    @property
    def on_record(self) -> bool:
        """True when no earlier window was at least as wide in the same direction."""
        return self.last_as_wide is None


def comparable_gaps(history: pd.Series, period: Period, end: pd.Timestamp) -> pd.Series:
    """The windows `history` (gap_pp by window end day) holds that compare with the one
    ending `end`: all of them up to `end`, or for `ytd` one per year at the same calendar
    point (the last day on or before `end`'s month and day in that year; Feb 29 -> Feb 28)."""
    past = history.loc[:end]
    if period.kind != "ytd" or past.empty:
        return past
    index = past.index
    picks = []
    for year in range(index[0].year, end.year):
        day = min(end.day, pd.Timestamp(year=year, month=end.month, day=1).days_in_month)
        target = pd.Timestamp(year=year, month=end.month, day=day)
        pos = int(index.searchsorted(target, side="right")) - 1
        if pos >= 0 and index[pos].year == year:
            picks.append(pos)
    if index[-1] == end:
        picks.append(len(index) - 1)
    return past.iloc[picks]


def whole_months(start: pd.Timestamp, end: pd.Timestamp) -> int:
    """Whole calendar months from `start` to `end` (2024-01-31 -> 2024-02-29: 0; a month
    ends on the same day of the month, or the month's last day when it has no such day)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    return months if start + pd.DateOffset(months=months) <= end else months - 1


CUT_SHORT_DAYS = 4
"""A range whose data (or as-of date) stops more than this many calendar days before its
second date is cut short; a weekend or a holiday before it is not."""


def ranked_period(period: Period, window: Window, data_end: pd.Timestamp,
                  as_of: date | None) -> Period:
    """The period whose windows `window` is compared with: `period` itself, except a range
    that the data (last close `data_end`) or the as-of date stops more than CUT_SHORT_DAYS
    before its second date, which is compared with windows of its real length (the range's
    start to `window.end`)."""
    if period.kind != "range" or period.range_end is None:
        return period
    reach = min(data_end.date(), as_of or period.range_end)
    if (period.range_end - reach).days <= CUT_SHORT_DAYS:
        return period
    return replace(period, range_end=window.end.date())


def independent_count(first_window_end: pd.Timestamp, window: Window, period: Period,
                      comparison: Comparison, windows: int) -> int:
    """Whole non-overlapping windows from the first window's start (one period before its
    end) to this window's end, in the period's own unit (module docstring); for `ytd`,
    every year's window is its own."""
    if comparison == "same_date_each_year":
        return windows
    if period.kind == "offset" and period.unit in ("m", "y"):
        per = period.count * (12 if period.unit == "y" else 1)
        first_start = first_window_end - period.offset
        return max(1, whole_months(first_start, window.end) // per)
    if period.kind == "offset":
        length = (first_window_end - (first_window_end - period.offset)).days
    elif period.kind == "range":
        range_start, range_end = period.range_dates()
        length = (range_end - range_start).days
    else:
        length = (window.end - window.start).days
    length = max(length, 1)
    return max(1, ((window.end - first_window_end).days + length) // length)


def history_rank(history: pd.Series, gap_pp: float, window: Window,
                 period: Period, *, cut_short: bool = False) -> HistoryRank | None:
    """Rank `gap_pp` against the comparable windows of `history` (rolling gaps, pp, indexed
    by window end) up to and including `window.end`; None with fewer than two windows.
    `period` is the one the windows were computed with (ranked_period); `cut_short` says
    it is a range the data or as-of date shortened."""
    end = window.end
    comparison: Comparison = "same_date_each_year" if period.kind == "ytd" else "daily"
    length_days = None
    if period.kind == "range":
        range_start, range_end = period.range_dates()
        length_days = (range_end - range_start).days
    past = comparable_gaps(history, period, end)
    if len(past) < 2:
        return None
    values = past.to_numpy()
    percentile = float((values <= gap_pp + 1e-12).mean() * 100.0)
    earlier = past.iloc[:-1] if past.index[-1] == end else past
    lagging = gap_pp >= 0
    as_wide = earlier[earlier >= gap_pp - 1e-12] if lagging else earlier[earlier <= gap_pp + 1e-12]
    last = as_wide.index[-1] if len(as_wide) else None
    notable = last is not None and last <= end - NOTABLE_SINCE
    lag_pos, lead_pos = int(np.argmax(values)), int(np.argmin(values))
    return HistoryRank(
        percentile=percentile,
        windows=len(values),
        independent_windows=independent_count(past.index[0], window, period, comparison,
                                              len(values)),
        comparison=comparison,
        first_window_end=past.index[0].date(),
        last_as_wide=last.date() if last is not None else None,
        widest_since=last.date() if notable and last is not None else None,
        record_lag_pp=float(values[lag_pos]),
        record_lag_end=past.index[lag_pos].date(),
        record_lead_pp=float(values[lead_pos]),
        record_lead_end=past.index[lead_pos].date(),
        episode=current_episode(past) if comparison == "daily" else None,
        length_days=length_days,
        cut_short=cut_short,
    )
