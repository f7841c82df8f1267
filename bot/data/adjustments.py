"""Has the provider re-adjusted a symbol's history since we cached it?

Yahoo rescales every earlier Close and Adj Close after a split (and reverse split), and every
earlier Adj Close after an ex-dividend day. A cached history joined to a fresh fetch on
the new scale would have a seam: a fake -50 % day after a 2:1 split, or a total return that
quietly drifts toward price return after each dividend. MarketData therefore refetches an
overlapping week and asks `adjustment_change` whether the days both copies have still agree.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bot.data.sources import ADJ_CLOSE, CLOSE

ADJUSTMENT_TOLERANCE = 1e-5
"""Largest relative difference between a cached close and the refetched close of the same
day that still counts as the same number. Measured on Yahoo snapshots of SPY, IWM, QQQ and
MDY (Close and Adj Close of one download, 1993-2025): away from ex-dividend days the ratio
Adj Close / Close moves by at most 1.7e-6 from one day to the next (float32 values and
cent-rounded closes), while the smallest real adjustment moved it by 3.9e-4 (a split by
0.5 or more). 1e-5 is six times the noise and forty times below the smallest event; a
distribution that small changes a two-decimal return by under 0.001 pp."""


def adjustment_change(old: pd.DataFrame, fresh: pd.DataFrame) -> str | None:
    """Why `fresh` cannot be joined to `old`, or None when they agree.

    They agree when every day both have carries the same `Adj Close` and (where both have
    one) the same `Close` within ADJUSTMENT_TOLERANCE, relative. No shared day at all means
    the overlap cannot be checked: that counts as a change too (a full refetch is safe).
    Returns e.g. 'Adj Close 2024-06-20: 544.51 cached, 542.62 now'."""
    if old.empty or fresh.empty or fresh.index[0] <= old.index[0]:
        return None  # nothing to join: _merge takes the fresh frame as it is
    shared = old.index.intersection(fresh.index)
    if shared.empty:
        return f"no shared day between the cache (to {old.index[-1].date()}) and the refetch"
    for column in (ADJ_CLOSE, CLOSE):
        before = old.loc[shared, column].to_numpy()
        after = fresh.loc[shared, column].to_numpy()
        both = ~(np.isnan(before) | np.isnan(after))
        diff = np.abs(after[both] / before[both] - 1.0)
        if diff.size and diff.max() > ADJUSTMENT_TOLERANCE:
            i = int(np.argmax(diff))
            day = shared[both][i].date()
            return f"{column} {day}: {before[both][i]:.6g} cached, {after[both][i]:.6g} now"
    return None
