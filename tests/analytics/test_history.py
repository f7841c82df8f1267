"""Rolling-gap history on real data, against plain-Python windows, counting and quantiles."""

from __future__ import annotations

import statistics
from datetime import date

import pytest

from analytics.history import gap_history
from analytics.pairs import PAIRS
from analytics.periods import InsufficientHistoryError, parse_period
from tests.analytics.plain import read_closes, rolling_gaps

AS_OF = date(2024, 3, 26)


@pytest.fixture(scope="module")
def plain_gaps(market_data_dir) -> list[tuple[date, float]]:
    rut = read_closes(market_data_dir / "^RUT.csv")
    gspc = read_closes(market_data_dir / "^GSPC.csv")
    return rolling_gaps(rut, gspc, 3, until=AS_OF)


@pytest.fixture(scope="module")
def three_year(real_closes):
    return gap_history(PAIRS["index"], real_closes["^RUT"], real_closes["^GSPC"],
                       parse_period("3y"), AS_OF)


def test_every_window_matches_the_plain_recomputation(three_year, plain_gaps):
    assert len(three_year.gaps) == len(plain_gaps) == 8450
    assert [d.date() for d in three_year.gaps.index] == [d for d, _ in plain_gaps]
    worst = max(abs(a - b) for a, (_, b) in zip(three_year.gaps, plain_gaps, strict=True))
    assert worst < 1e-9


def test_current_value_and_its_percentile_by_counting(three_year, plain_gaps):
    today = plain_gaps[-1][1]
    assert three_year.current_pp == pytest.approx(today, abs=1e-9)
    assert three_year.current_pp == pytest.approx(37.73, abs=0.01)  # the published figure
    at_most = sum(1 for _, g in plain_gaps if g <= today)
    assert three_year.rank.percentile == pytest.approx(at_most / len(plain_gaps) * 100)
    assert three_year.lagging and three_year.band_position == "above"


def test_median_and_bands_are_linear_interpolation_quantiles(three_year, plain_gaps):
    values = [g for _, g in plain_gaps]
    deciles = statistics.quantiles(values, n=10, method="inclusive")
    assert three_year.median_pp == pytest.approx(statistics.median(values), abs=1e-9)
    assert three_year.band_low_pp == pytest.approx(deciles[0], abs=1e-9)
    assert three_year.band_high_pp == pytest.approx(deciles[-1], abs=1e-9)


def test_records_and_the_last_window_as_wide(three_year, plain_gaps):
    lag_day, lag = max(plain_gaps, key=lambda p: p[1])
    lead_day, lead = min(plain_gaps, key=lambda p: p[1])
    assert (three_year.record_lag_end, three_year.record_lag_pp) == (lag_day, pytest.approx(lag))
    assert (three_year.record_lead_end, three_year.record_lead_pp) == \
        (lead_day, pytest.approx(lead))
    today = plain_gaps[-1][1]
    as_wide = [d for d, g in plain_gaps[:-1] if g >= today]
    assert three_year.rank.last_as_wide == as_wide[-1]
    # the latest earlier window at least as wide ended within a month: nothing to boast of
    assert as_wide[-1] > date(2024, 2, 26) and three_year.rank.widest_since is None


def test_only_fixed_length_windows_make_a_history(real_closes):
    for text in ("ytd", "max", "2021-01-01..2022-01-01"):
        with pytest.raises(ValueError):
            gap_history(PAIRS["index"], real_closes["^RUT"], real_closes["^GSPC"],
                        parse_period(text))


def test_window_longer_than_the_data_is_a_clear_error(real_closes):
    with pytest.raises(InsufficientHistoryError, match="1987"):
        gap_history(PAIRS["index"], real_closes["^RUT"], real_closes["^GSPC"],
                    parse_period("40y"), date(2020, 1, 1))
