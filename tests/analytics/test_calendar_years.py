"""Calendar-year returns, checked against published index returns and a plain recomputation
of every year on the real CSV files (tests/analytics/plain.py: csv module, no project code)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from analytics.calendar_years import YearRow, calendar_years, streaks
from analytics.pairs import PAIRS, parse_pair
from analytics.periods import InsufficientHistoryError
from tests.analytics.plain import calendar_year_returns, read_closes

PUBLISHED = {
    # Price returns, % (two decimals as published). Russell 2000: FTSE Russell's figures as
    # tabled in Wikipedia's "Russell 2000 Index" article (Annual returns, price return).
    # S&P 500: S&P Dow Jones Indices' figures as YCharts lists them (S&P 500 Annual Return,
    # I:SP500AR, "one year return of the S&P 500 not including dividends", source Standard
    # and Poor's).
    1998: (-3.45, 26.67),
    2003: (45.37, 26.38),
    2008: (-34.80, -38.49),
    2011: (-5.45, -0.00),
    2013: (37.00, 29.60),
}


@pytest.fixture(scope="module")
def index_years(real_closes):
    return calendar_years(PAIRS["index"], real_closes["^RUT"], real_closes["^GSPC"])


@pytest.mark.parametrize("year", sorted(PUBLISHED))
def test_years_match_the_published_index_returns(index_years, year):
    row = next(r for r in index_years.rows if r.year == year)
    assert (round(row.small_pct, 2), round(row.large_pct, 2) + 0.0) == PUBLISHED[year]


@pytest.mark.parametrize(("pair", "files"), [
    ("index", ("^RUT.csv", "^GSPC.csv")),
    ("etf", ("IWM.csv", "SPY.csv")),  # adjusted closes: total return
])
def test_every_year_matches_a_plain_recomputation(real_closes, market_data_dir, pair, files):
    chosen = parse_pair(pair)
    result = calendar_years(chosen, real_closes[chosen.small.symbol],
                            real_closes[chosen.large.symbol])
    small, large = (read_closes(market_data_dir / f) for f in files)
    expected = calendar_year_returns(small, large)
    rows = [*result.rows, *([result.to_date] if result.to_date else [])]
    assert [(r.year, r.start.date(), r.end.date()) for r in rows] == \
        [(y, s, e) for y, s, e, _, _ in expected]
    for row, (_, _, _, small_pct, large_pct) in zip(rows, expected, strict=True):
        assert (row.small_pct, row.large_pct) == pytest.approx((small_pct, large_pct), rel=1e-12)
    # the data ends in August: its last year is the year to date, never counted
    assert result.to_date is not None and result.to_date.year == rows[-1].year
    won = [y for y, _, _, s, lg in expected[:-1] if lg - s < -0.005]
    lost = [y for y, _, _, s, lg in expected[:-1] if lg - s > 0.005]
    assert (result.small_wins, result.large_wins) == (len(won), len(lost))
    gaps = {y: lg - s for y, _, _, s, lg in expected[:-1]}
    assert (result.best.year, result.worst.year) == (min(gaps, key=gaps.get),
                                                    max(gaps, key=gaps.get))


def _runs_by_hand(winners: list[tuple[int, str]]) -> list[tuple[str, int, int]]:
    """(side, first, last) of each run of consecutive years won by one side, the slow way."""
    runs: list[tuple[str, int, int]] = []
    for year, side in winners:
        if runs and runs[-1][0] == side and runs[-1][2] == year - 1:
            runs[-1] = (side, runs[-1][1], year)
        else:
            runs.append((side, year, year))
    return runs


def test_index_streaks_by_hand(index_years, market_data_dir):
    """From the plain year returns: small caps' longest run is 1999-2006 (8 years), large
    caps' 1994-1998 (5, as long as the current 2021-2025; the earliest counts as longest)."""
    expected = calendar_year_returns(read_closes(market_data_dir / "^RUT.csv"),
                                     read_closes(market_data_dir / "^GSPC.csv"))[:-1]
    winners = [(y, "small" if lg < s else "large") for y, _, _, s, lg in expected]
    runs = _runs_by_hand(winners)
    for side in ("small", "large"):
        longest = max((r for r in runs if r[0] == side), key=lambda r: r[2] - r[1])
        found = index_years.longest[side]
        assert (side, found.first, found.last) == longest
    assert (index_years.current.side, index_years.current.first, index_years.current.last) \
        == runs[-1]
    assert (runs[-1], index_years.longest["small"].years) == (("large", 2021, 2025), 8)


def test_a_year_ends_on_its_last_session_only_when_the_caller_says_so(real_closes):
    """2023's last session was Friday 29 December: with an as-of date on the Sunday after,
    2023 is complete if the calendar says no session followed that year, else to date."""
    small, large = real_closes["^RUT"], real_closes["^GSPC"]
    sunday = date(2023, 12, 31)
    default = calendar_years(PAIRS["index"], small, large, sunday)
    assert default.to_date is not None and default.to_date.year == 2023  # not 31 December
    told = calendar_years(PAIRS["index"], small, large, sunday,
                          year_over=lambda day: day == date(2023, 12, 29))
    assert told.to_date is None and told.rows[-1].year == 2023
    march = calendar_years(PAIRS["index"], small, large, date(2024, 3, 26))
    assert march.to_date is not None
    assert (march.to_date.start.date(), march.to_date.end.date()) == (date(2023, 12, 29),
                                                                     date(2024, 3, 26))


def _row(year: int, gap: float) -> YearRow:
    day = pd.Timestamp(year, 12, 31)
    return YearRow(year, day, day, 10.0, 10.0 + gap, True)


def test_streaks_are_broken_by_ties_and_by_the_other_side():
    rows = (_row(2000, -1), _row(2001, -2), _row(2002, 0.001), _row(2003, -1), _row(2004, 3),
            _row(2005, 2))
    assert [(s.side, s.first, s.last) for s in streaks(rows)] == [
        ("small", 2000, 2001), ("small", 2003, 2003), ("large", 2004, 2005)]
    assert rows[2].winner == "tie"


def test_no_complete_year_is_a_clear_error(real_closes):
    with pytest.raises(InsufficientHistoryError, match="No complete calendar year"):
        calendar_years(PAIRS["index"], real_closes["^RUT"], real_closes["^GSPC"],
                       date(1988, 6, 30))
