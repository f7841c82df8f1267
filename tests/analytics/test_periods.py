"""Period parsing and the window convention, against hand-worked calendars."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.periods import (
    InsufficientHistoryError,
    PeriodError,
    parse_period,
    resolve_window,
    rolling_start_positions,
)

BDAYS = pd.bdate_range("2019-01-01", "2024-12-31")


@pytest.mark.parametrize("text,kind,count,unit", [
    ("3y", "offset", 3, "y"), ("18M", "offset", 18, "m"), ("10d", "offset", 10, "d"),
    ("2w", "offset", 2, "w"), ("ytd", "ytd", 0, ""), ("MAX", "max", 0, ""),
])
def test_parse_period_accepts_documented_forms(text, kind, count, unit):
    period = parse_period(text)
    assert (period.kind, period.count, period.unit) == (kind, count, unit)


def test_parse_range():
    period = parse_period("2021-03-26..2024-03-28")
    assert (period.range_start, period.range_end) == (date(2021, 3, 26), date(2024, 3, 28))


@pytest.mark.parametrize("text", ["3x", "0y", "", "y3", "2024-01-01..2023-01-01",
                                  "2024-02-30..2024-03-01", "500y"])
def test_parse_period_rejects_with_a_message(text):
    with pytest.raises(PeriodError) as err:
        parse_period(text)
    assert str(err.value)


def test_end_is_last_close_on_or_before_as_of_and_start_same_date_earlier():
    # 2024-03-30 is a Saturday -> end Friday 2024-03-29; 2021-03-29 is a Monday.
    window = resolve_window(BDAYS, parse_period("3y"), date(2024, 3, 30))
    assert window.end == pd.Timestamp("2024-03-29")
    assert window.start == pd.Timestamp("2021-03-29")


def test_start_falls_back_to_previous_close_when_target_is_a_weekend():
    # 2024-03-26 minus 3 years = 2021-03-26 (Friday); minus 1 month = 2024-02-26 (Monday);
    # 2024-03-24 (Sunday) minus 3 years = 2021-03-24 (Wednesday); 2022-01-16 -> Friday 01-14.
    assert resolve_window(BDAYS, parse_period("1y"), date(2023, 1, 16)).start == \
        pd.Timestamp("2022-01-14")


def test_month_end_is_clipped():
    # 2024-05-31 minus 3 months = 2024-02-29 (leap day, a Thursday).
    window = resolve_window(BDAYS, parse_period("3m"), date(2024, 5, 31))
    assert window.start == pd.Timestamp("2024-02-29")


def test_ytd_starts_at_last_close_of_previous_year():
    # 2022-12-31 is a Saturday -> the last close of 2022 is Friday 2022-12-30.
    window = resolve_window(BDAYS, parse_period("ytd"), date(2023, 6, 15))
    assert (window.start, window.end) == (pd.Timestamp("2022-12-30"), pd.Timestamp("2023-06-15"))


def test_max_uses_first_common_close():
    window = resolve_window(BDAYS, parse_period("max"))
    assert (window.start, window.end) == (BDAYS[0], BDAYS[-1])


def test_range_uses_last_closes_on_or_before_both_dates():
    window = resolve_window(BDAYS, parse_period("2021-03-27..2024-03-31"))
    assert (window.start, window.end) == (pd.Timestamp("2021-03-26"), pd.Timestamp("2024-03-29"))


def test_window_before_data_is_an_error_that_says_where_data_starts():
    with pytest.raises(InsufficientHistoryError, match="2019-01-01"):
        resolve_window(BDAYS, parse_period("10y"), date(2024, 1, 1))


@settings(max_examples=40, deadline=None)
@given(label=st.sampled_from(["1m", "3m", "1y", "3y", "10d", "2w", "ytd", "17m"]),
       seed=st.integers(0, 10_000))
def test_vectorised_windows_match_the_scalar_convention(label, seed):
    """Every rolling start equals what resolve_window gives for that end day."""
    rng = np.random.default_rng(seed)
    dates = BDAYS[np.sort(rng.choice(len(BDAYS), size=600, replace=False))]
    period = parse_period(label)
    positions = rolling_start_positions(dates, period)
    for i in rng.choice(len(dates), size=25, replace=False):
        try:
            expected = resolve_window(dates, period, dates[i].date()).start
        except InsufficientHistoryError:
            assert positions[i] == -1
            continue
        assert dates[positions[i]] == expected
