"""Bad provider rows never reach a reply or the cache: refuse them, and log each one once.

A source's frame (bot.data.sources layout: `Close`, `Adj Close`) is cleaned before it is
merged into the cache. Refused, each logged once per process with the symbol and the day:

- rows without a date, or dated before 1677-09-22 (pandas' nanosecond limit: such dates
  cannot be stored or compared, and no exchange traded then);
- rows dated after the market's today (a provider clock or data error);
- a duplicated day (the last row of that day is kept, as the provider's correction);
- a missing, zero, negative, infinite or absurd (above MAX_CLOSE) adjusted close (the row
  goes);
- a zero, negative, infinite or absurd unadjusted close (that close becomes missing; the row stays
  for the total-return basis). A missing unadjusted close is not an error: the CSV source
  has none for ETFs without a `.price.csv` file.

Missing adjusted closes before a symbol's first or after its last close are not logged:
in a multi-symbol download they are the other symbols' days (a late latest row is the
freshness check's business). A day inside its span with neither close is logged at INFO (it
may be a holiday of its own, e.g. a bond-market holiday for ^TNX in a batch with stocks);
one with a Close but no adjusted close at WARNING.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date

import numpy as np
import pandas as pd

from bot.data.sources import ADJ_CLOSE, CLOSE

logger = logging.getLogger(__name__)

EARLIEST_DAY = pd.Timestamp("1677-09-22")
"""The first whole day pandas can hold in nanoseconds (pd.Timestamp.min is 1677-09-21 00:12)."""
MAX_CLOSE = 1e7
"""No index level or fund price here comes near 10 million (the dearest US share, BRK-A, is
under 1 million): a close above it is a provider error (a tick of 1e300 once passed), not
a price."""
_LOGGED_MAX = 50_000
"""Bound on remembered (symbol, reason, day) keys, so a long-running process stays small."""
_SHOWN_DAYS = 10


class RowLog:
    """Logs refused rows, each (symbol, reason, day) once per process (thread-safe enough:
    a duplicate line in a race is harmless)."""

    def __init__(self) -> None:
        self._seen: set[tuple[str, str, str]] = set()

    def refused(self, symbol: str, reason: str, days: Iterable[object],
                level: int = logging.WARNING) -> None:
        """Log `reason` for `symbol` on the not-yet-logged `days` (one line)."""
        new = [str(d) for d in days if (symbol, reason, str(d)) not in self._seen]
        if not new:
            return
        if len(self._seen) > _LOGGED_MAX:
            self._seen.clear()
        self._seen.update((symbol, reason, d) for d in new)
        shown = ", ".join(new[:_SHOWN_DAYS])
        more = f" and {len(new) - _SHOWN_DAYS} more" if len(new) > _SHOWN_DAYS else ""
        logger.log(level, "Refused provider data for %s: %s on %s%s", symbol, reason, shown,
                   more)


def _days(index: pd.Index) -> list[str]:
    return [ts.date().isoformat() if not pd.isna(ts) else "NaT" for ts in index]


def clean_bars(bars: pd.DataFrame, symbol: str, today: date, log: RowLog) -> pd.DataFrame:
    """`bars` without bad rows: sorted, unique `Date` index (nanoseconds), float columns
    `Close` and `Adj Close` with every adjusted close finite and > 0. See the module doc."""
    frame = bars.copy()
    index = pd.DatetimeIndex(frame.index)
    if index.tz is not None:
        index = index.tz_localize(None)
    frame.index = index
    undated = frame.index.isna()
    if undated.any():
        log.refused(symbol, "a row without a valid date", ["NaT"])
        frame = frame[~undated]
    too_early = frame.index < EARLIEST_DAY
    if too_early.any():
        log.refused(symbol, "a date before 1677-09-22", _days(frame.index[too_early]))
        frame = frame[~too_early]
    future = frame.index > pd.Timestamp(today)
    if future.any():
        log.refused(symbol, "a date in the future", _days(frame.index[future]))
        frame = frame[~future]
    frame.index = frame.index.as_unit("ns").rename("Date")
    frame = frame.sort_index(kind="stable")
    duplicated = frame.index.duplicated(keep="last")
    if duplicated.any():
        log.refused(symbol, "a duplicated day (kept its last row)",
                    _days(frame.index[duplicated]))
        frame = frame[~duplicated]
    adj = frame[ADJ_CLOSE].to_numpy(dtype="float64")
    close = frame[CLOSE].to_numpy(dtype="float64").copy()
    bad_value = ~np.isnan(adj) & (~np.isfinite(adj) | (adj <= 0) | (adj > MAX_CLOSE))
    if bad_value.any():
        log.refused(symbol, "a zero, negative, infinite or absurd adjusted close",
                    _days(frame.index[bad_value]))
    valid = np.isfinite(adj) & (adj > 0) & (adj <= MAX_CLOSE)
    if valid.any():
        first, last = np.flatnonzero(valid)[[0, -1]]
        inside = np.zeros(len(adj), dtype=bool)
        inside[first : last + 1] = True
        gaps = np.isnan(adj) & inside
        if (gaps & np.isnan(close)).any():
            log.refused(symbol, "no close (a holiday of its own, or a gap)",
                        _days(frame.index[gaps & np.isnan(close)]), logging.INFO)
        if (gaps & ~np.isnan(close)).any():
            log.refused(symbol, "a close without an adjusted close",
                        _days(frame.index[gaps & ~np.isnan(close)]))
    bad_close = ~np.isnan(close) & (~np.isfinite(close) | (close <= 0) | (close > MAX_CLOSE))
    if bad_close.any():
        log.refused(symbol, "a zero, negative, infinite or absurd close (kept as missing)",
                    _days(frame.index[bad_close]))
        close[bad_close] = np.nan
    cleaned = pd.DataFrame({CLOSE: close, ADJ_CLOSE: adj}, index=frame.index)
    return cleaned[valid]
