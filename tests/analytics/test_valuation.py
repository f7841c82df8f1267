"""Relative price-to-book by size, checked by hand on French's real 25-portfolio file.

The by-hand reader below uses only the csv module: it finds each section by its title line,
takes the July row of a year, and aggregates sum BE / sum ME over the five smallest and five
largest portfolios, with ME = number of firms x average market cap and BE = ME x BE/ME.
"""

from __future__ import annotations

import csv
import statistics
from functools import cache
from pathlib import Path

import pytest

from analytics.valuation import valuation
from bot.data.french import parse_size_value_file


@cache
def read_rows(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="latin-1") as handle:
        return list(csv.reader(handle))


def july_row(path: Path, title: str, year: int) -> list[float]:
    """The 25 values of `year`'s July row in the section titled `title`, by hand."""
    rows = read_rows(path)
    start = next(i for i, r in enumerate(rows) if r and title in r[0])
    for row in rows[start + 1:]:
        if row and row[0].strip() == f"{year}07":
            return [float(v) for v in row[1:26]]
    raise AssertionError(f"no {year}07 row in {title}")


def relative_pb_by_hand(path: Path, year: int) -> float:
    firms = july_row(path, "Number of Firms in Portfolios", year)
    cap = july_row(path, "Average Market Cap", year)
    beme = july_row(path, "BE_FYt-1/ME_June t", year)
    me = [n * c for n, c in zip(firms, cap, strict=True)]
    be = [m * b for m, b in zip(me, beme, strict=True)]
    pb_small = sum(me[0:5]) / sum(be[0:5])
    pb_large = sum(me[20:25]) / sum(be[20:25])
    return pb_small / pb_large


@pytest.fixture(scope="module")
def french_file(market_data_dir) -> Path:
    return market_data_dir / "french" / "25_Portfolios_5x5.CSV"


@pytest.fixture(scope="module")
def result(french_file):
    data = parse_size_value_file(french_file.read_text(encoding="latin-1"))
    assert data.edition == "202412"
    return valuation(data.firms, data.avg_cap, data.beme)


@pytest.mark.parametrize("year", [1926, 2000, 2020, 2023, 2024])
def test_relative_pb_matches_the_file_by_hand(result, french_file, year):
    assert result.frame.at[year, "relative_pb"] == pytest.approx(
        relative_pb_by_hand(french_file, year), rel=1e-12)


def test_published_figures_of_the_market_data_readme(result):
    """README: 0.250 in 2023, 0.190 in 2000, 0.243 in 2020, three of the lowest since 1990."""
    values = result.frame["relative_pb"]
    assert [round(values[y], 3) for y in (2023, 2000, 2020)] == [0.250, 0.190, 0.243]


def test_percentiles_band_and_lower_years_by_counting(result, french_file):
    by_hand = {y: relative_pb_by_hand(french_file, y) for y in range(1926, 2025)}
    recent = [v for y, v in by_hand.items() if y >= 1990]
    latest = by_hand[2024]
    assert (result.latest_year, result.band_years) == (2024, 35)
    assert result.percentile_since_band == pytest.approx(
        sum(v <= latest for v in recent) / len(recent) * 100)
    assert result.percentile_all == pytest.approx(
        sum(v <= latest for v in by_hand.values()) / len(by_hand) * 100)
    assert result.years_lower_since_band == []
    assert result.years_lower_all == [y for y, v in by_hand.items() if v < latest] == [1935, 1939]
    deciles = statistics.quantiles(recent, n=10, method="inclusive")  # numpy's linear rule
    assert (result.band_low, result.band_high) == pytest.approx((deciles[0], deciles[-1]))


def test_2024_is_called_out_as_one_portfolio_and_2008_is_not(result, french_file):
    """2024: SMALL HiBM's BE/ME jumps 1.53 -> 4.83 while the others barely move. 2008 also
    moved a lot, but every small portfolio's BE/ME rose with it: a market move."""
    jumps = {j.year: j for j in result.jumps}
    j = jumps[2024]
    assert (j.portfolio, j.beme_before, j.beme_after) == ("SMALL HiBM", 1.5346, 4.8268)
    assert j.value == pytest.approx(relative_pb_by_hand(french_file, 2024))
    assert j.previous == pytest.approx(relative_pb_by_hand(french_file, 2023))
    assert j.value_without_move > 2 * j.value  # most of the fall is that one portfolio
    assert 2008 not in jumps and 2021 not in jumps and 2000 not in jumps
    assert result.percentile_without_jump is not None and result.percentile_without_jump < 10


def test_the_year_before_is_ranked_among_the_years_up_to_it(result, french_file):
    """2023 against 1990-2023: what the data showed at the time of the March 2024 claim."""
    upto = [relative_pb_by_hand(french_file, y) for y in range(1990, 2024)]
    value = relative_pb_by_hand(french_file, 2023)
    assert (result.previous_year, result.previous) == (2023, pytest.approx(value))
    assert result.previous_percentile_since_band == pytest.approx(
        sum(v <= value for v in upto) / len(upto) * 100)
    assert result.previous_percentile_since_band <= 10  # 3rd lowest of 34: bottom decile


def test_data_without_a_year_since_1990_is_a_clear_error(french_file):
    from analytics.periods import InsufficientHistoryError

    data = parse_size_value_file(french_file.read_text(encoding="latin-1"))
    old = [frame.loc[:1989] for frame in (data.firms, data.avg_cap, data.beme)]
    with pytest.raises(InsufficientHistoryError, match="no year since 1990"):
        valuation(*old)
