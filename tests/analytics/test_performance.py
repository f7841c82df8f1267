"""The performance table against plain-Python recomputation on the real CSV files."""

from __future__ import annotations

import csv
from bisect import bisect_right
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from dateutil.relativedelta import relativedelta

from analytics.pairs import PAIRS
from analytics.performance import TABLE_HORIZONS, annualise, performance_table
from analytics.periods import InsufficientHistoryError


def _closes(path: Path) -> dict[date, float]:
    with path.open() as handle:
        return {datetime.strptime(r["Date"], "%Y-%m-%d").date(): float(r["Close"])
                for r in csv.DictReader(handle) if r["Close"]}


def _on_or_before(days: list[date], when: date) -> date | None:
    pos = bisect_right(days, when) - 1
    return days[pos] if pos >= 0 else None


def _target(horizon: str, end: date) -> date:
    """One horizon before `end`, with dateutil (month ends clip, as pandas' offsets do)."""
    if horizon == "ytd":
        return date(end.year - 1, 12, 31)
    count, unit = int(horizon[:-1]), horizon[-1]
    delta = {"w": timedelta(weeks=count), "m": relativedelta(months=count),
             "y": relativedelta(years=count)}[unit]
    return end - delta


def _expected_rows(small: dict[date, float], large: dict[date, float], as_of: date | None):
    """(label, start, small %, large %, gap pp) per horizon, or None where no start exists."""
    days = sorted(set(small) & set(large))
    end = _on_or_before(days, as_of) if as_of else days[-1]
    rows = []
    for horizon in TABLE_HORIZONS:
        start = _on_or_before(days, _target(horizon, end))
        if start is None:
            rows.append(None)
            continue
        s, g = small[end] / small[start] - 1, large[end] / large[start] - 1
        if horizon.endswith("y") and int(horizon[:-1]) > 1:
            years = (end - start).days / 365.25
            s, g = (1 + s) ** (1 / years) - 1, (1 + g) ** (1 / years) - 1
        rows.append((start, s * 100, g * 100, (g - s) * 100))
    return end, rows


@pytest.mark.parametrize("pair,as_of", [
    ("index", date(2024, 3, 26)), ("index", None), ("etf", date(2008, 3, 26)),
    ("etf", date(2020, 2, 29)),
])
def test_rows_match_plain_csv_computation(market_data_dir, real_closes, pair, as_of):
    chosen = PAIRS[pair]
    small = _closes(market_data_dir / f"{chosen.small.symbol}.csv")
    large = _closes(market_data_dir / f"{chosen.large.symbol}.csv")
    end, expected = _expected_rows(small, large, as_of)
    table = performance_table(chosen, real_closes[chosen.small.symbol],
                              real_closes[chosen.large.symbol], as_of)
    assert table.end.date() == end
    assert [r.horizon for r in table.rows] == list(TABLE_HORIZONS)
    for row, want in zip(table.rows, expected, strict=True):
        if want is None:
            assert not row.available and row.small_pct is None and "data starts" in row.note
            continue
        start, s, g, gap = want
        assert row.start.date() == start and row.end.date() == end
        assert row.small_pct == pytest.approx(s, rel=1e-10, abs=1e-10)
        assert row.large_pct == pytest.approx(g, rel=1e-10, abs=1e-10)
        assert row.gap_pp == pytest.approx(gap, rel=1e-9, abs=1e-9)


def test_three_year_row_matches_published_march_2024_figures(real_closes):
    """Commentary: over 3 years to late March 2024 S&P 500 about +31 %, Russell 2000 -6.8 %;
    annualised over ~3 calendar years that is about +9.4 % and -2.3 % a year."""
    table = performance_table(PAIRS["index"], real_closes["^RUT"], real_closes["^GSPC"],
                              date(2024, 3, 26))
    row = {r.horizon: r for r in table.rows}["3y"]
    assert row.annualised and row.label == "3y ann."
    assert (1 + row.small_pct / 100) ** 3 - 1 == pytest.approx(-0.068, abs=0.002)
    assert (1 + row.large_pct / 100) ** 3 - 1 == pytest.approx(0.31, abs=0.005)


def test_only_horizons_beyond_a_year_are_annualised_and_marked(real_closes):
    table = performance_table(PAIRS["index"], real_closes["^RUT"], real_closes["^GSPC"])
    labels = [r.label for r in table.rows]
    assert labels == ["1w", "1m", "3m", "6m", "YTD", "1y", "3y ann.", "5y ann.", "10y ann."]


def test_short_history_gives_unavailable_rows_not_an_error(real_closes):
    """IWM starts 2000-05-26: in March 2008 the 10y row cannot exist, the rest can."""
    table = performance_table(PAIRS["etf"], real_closes["IWM"], real_closes["SPY"],
                              date(2008, 3, 26))
    available = {r.horizon: r.available for r in table.rows}
    assert available["10y"] is False and all(v for k, v in available.items() if k != "10y")
    assert table.first_common.date() == date(2000, 5, 26)


def test_as_of_before_the_data_is_an_error(real_closes):
    with pytest.raises(InsufficientHistoryError):
        performance_table(PAIRS["etf"], real_closes["IWM"], real_closes["SPY"],
                          date(1999, 1, 1))


@pytest.mark.parametrize("total,days,per_year", [
    (0.21, 730, 0.10), (0.0, 1000, 0.0), (-0.5, 365, -0.5), (1.0, 3652, 0.0718),
])
def test_annualise_compounds_back_to_the_total(total, days, per_year):
    rate = annualise(total, days)
    assert (1 + rate) ** (days / 365.25) - 1 == pytest.approx(total, abs=1e-12)
    # whole calendar years give about the textbook per-year rate (a day or so apart)
    assert rate == pytest.approx(per_year, abs=3e-4)


def test_synthetic_constant_growth_annualises_to_its_rate():
    """Closes growing exactly 8 % per 365.25 days annualise to 8.00 % for every long row."""
    days = pd.date_range("1990-01-01", "2024-06-28", freq="D")
    years = (days - days[0]).days / 365.25
    small = pd.Series(100 * 1.08 ** years, index=days)
    large = pd.Series(50 * 1.03 ** years, index=days)
    table = performance_table(PAIRS["index"], small, large)
    for row in table.rows:
        if row.annualised:
            assert row.small_pct == pytest.approx(8.0, abs=1e-9)
            assert row.gap_pp == pytest.approx(-5.0, abs=1e-9)
