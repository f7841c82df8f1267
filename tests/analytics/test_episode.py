"""The current run of a rolling gap (analytics.episode), on series small enough to check by
eye."""

from __future__ import annotations

from datetime import date

import pandas as pd

from analytics.episode import current_episode


def _gaps(*values: float) -> pd.Series:
    return pd.Series(values, index=pd.bdate_range("2024-01-01", periods=len(values)))


def test_a_lag_run_starts_after_the_last_lead_and_looks_before_it():
    ep = current_episode(_gaps(5.0, 9.0, -1.0, 2.0, 8.0, 4.0))
    assert (ep.side, ep.start, ep.windows) == ("lag", date(2024, 1, 4), 3)
    assert (ep.before_as_wide, ep.before_as_wide_pp) == (date(2024, 1, 2), 9.0)  # >= 4
    assert (ep.peak_end, ep.peak_pp) == (date(2024, 1, 5), 8.0)
    assert ep.peak_before_as_wide == date(2024, 1, 2) and not ep.since_first_window


def test_a_lead_run_compares_the_other_way_and_zero_counts_as_a_lag():
    ep = current_episode(_gaps(-9.0, 0.0, -3.0, -5.0))
    assert (ep.side, ep.start, ep.windows) == ("lead", date(2024, 1, 3), 2)
    assert ep.before_as_wide == date(2024, 1, 1) and ep.peak_pp == -5.0


def test_a_run_back_to_the_first_window_has_nothing_before_it():
    ep = current_episode(_gaps(1.0, 3.0, 2.0))
    assert ep.since_first_window and ep.before_as_wide is None
    assert ep.peak_before_as_wide is None and current_episode(_gaps()) is None
