"""Operating profitability by size, checked by hand on French's real 25-portfolio file.

The expectation is computed with the csv module only (tests/analytics/test_valuation.py's
`july_row` reads a section's July row): each quintile is sum(ME x OP) / sum(ME) over its five
portfolios with ME = number of firms x average market cap, leaving out |OP| > 2.
"""

from __future__ import annotations

import statistics
from pathlib import Path

import pytest

from analytics.profitability import OP_LIMIT, profitability
from analytics.valuation import relative_pb
from bot.data.french import parse_size_value_file
from tests.analytics.test_valuation import july_row, relative_pb_by_hand

YEARS = range(1963, 2025)


def op_by_hand(path: Path, year: int, limit: float | None = 2.0) -> tuple[float, float]:
    """(small, large) OP / BE of `year`'s July row, by hand."""
    firms = july_row(path, "Number of Firms in Portfolios", year)
    cap = july_row(path, "Average Market Cap", year)
    op = july_row(path, "Value Weight Average of OP", year)
    out = []
    for first in (0, 20):
        keep = [i for i in range(first, first + 5) if limit is None or abs(op[i]) <= limit]
        me = {i: firms[i] * cap[i] for i in keep}
        out.append(sum(me[i] * op[i] for i in keep) / sum(me.values()))
    return out[0], out[1]


@pytest.fixture(scope="module")
def french_file(market_data_dir) -> Path:
    return market_data_dir / "french" / "25_Portfolios_5x5.CSV"


@pytest.fixture(scope="module")
def result(french_file):
    data = parse_size_value_file(french_file.read_text(encoding="latin-1"))
    assert data.op is not None and data.firms.index[0] == 1926  # valuation keeps 1926 on
    return profitability(data.firms, data.avg_cap, data.op,
                         relative_pb(data.firms, data.avg_cap, data.beme))


@pytest.mark.parametrize("year", [2000, 2019, 2024])
def test_quintiles_match_the_file_by_hand(result, french_file, year):
    """2000: nothing left out; 2019 and 2024: SMALL LoBM (-131.14, -2.34) left out."""
    small, large = op_by_hand(french_file, year)
    assert (result.frame.at[year, "op_small"], result.frame.at[year, "op_large"]) == \
        pytest.approx((small, large), rel=1e-12)
    assert result.frame.at[year, "gap_pp"] == pytest.approx((large - small) * 100, rel=1e-12)


def test_exploding_portfolios_are_listed_with_the_quintile_they_would_give(result,
                                                                          french_file):
    found = {(o.year, o.portfolio): o for o in result.outliers}
    assert set(found) == {(1980, "BIG LoBM"), (1996, "SMALL LoBM"), (2003, "SMALL LoBM"),
                          (2019, "SMALL LoBM"), (2022, "SMALL LoBM"), (2023, "SMALL LoBM"),
                          (2024, "SMALL LoBM")}
    assert found[(2019, "SMALL LoBM")].op == -131.1423
    assert all(abs(o.op) > OP_LIMIT for o in found.values())
    small_all, large_all = op_by_hand(french_file, 2024, limit=None)
    assert found[(2024, "SMALL LoBM")].quintile_with == pytest.approx(small_all)
    assert result.latest_with_all == pytest.approx((small_all, large_all))


def test_percentiles_strict_limit_and_the_valuation_link_by_counting(result, french_file):
    gaps = {y: (lambda s, lg: (lg - s) * 100)(*op_by_hand(french_file, y)) for y in YEARS}
    latest = gaps[2024]
    recent = [g for y, g in gaps.items() if y >= 1990]
    assert (result.latest_year, result.band_years) == (2024, 35)
    assert result.percentile_all == pytest.approx(
        sum(g <= latest for g in gaps.values()) / len(gaps) * 100)
    assert result.percentile_since_band == pytest.approx(
        sum(g <= latest for g in recent) / len(recent) * 100)
    strict = {y: (lambda s, lg: (lg - s) * 100)(*op_by_hand(french_file, y, 1.0)) for y in YEARS}
    assert result.strict_gap_pp == pytest.approx(strict[2024])
    assert result.strict_percentile_all == pytest.approx(
        sum(g <= strict[2024] for g in strict.values()) / len(strict) * 100)
    pb = [relative_pb_by_hand(french_file, y) for y in YEARS]
    gap = [gaps[y] for y in YEARS]
    assert result.levels_r == pytest.approx(statistics.correlation(pb, gap))
    pb_changes = [pb[i] - pb[i - 1] for i in range(1, len(pb))]
    gap_changes = [gap[i] - gap[i - 1] for i in range(1, len(gap))]
    assert result.changes_r == pytest.approx(statistics.correlation(pb_changes, gap_changes))
    assert result.link_years == len(YEARS) == 62
