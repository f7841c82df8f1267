"""Sample sizes mean what docs/methodology.md says (issue #20): independent windows are whole
periods since the first window's start, a range cut short by the data is ranked at its real length,
and a percentile on too few independent periods is not presented as a finding. Expected
figures are recomputed in plain Python on the CSV files."""

from __future__ import annotations

from datetime import date

import pytest

from tests.analytics.plain import add_months, common_dates, last_on_or_before, read_closes
from tests.cli_helpers import isolated_state, run  # noqa: F401 (the fixture)

pytestmark = pytest.mark.usefixtures("isolated_state")


def plain_whole_months(market_data_dir, months: int, as_of: date) -> int:
    """Whole `months`-long periods from the first 1-month window's start (one period before
    its end) to the last common close on or before `as_of`, counted by hand."""
    rut = read_closes(market_data_dir / "^RUT.csv")
    gspc = read_closes(market_data_dir / "^GSPC.csv")
    days = common_dates(rut, gspc, until=as_of)
    first_end = next(d for i, d in enumerate(days)
                     if (p := last_on_or_before(days, add_months(d, -months))) is not None
                     and p < i)
    start, end, whole = add_months(first_end, -months), days[-1], 0
    while add_months(start, (whole + 1) * months) <= end:
        whole += 1
    return whole


@pytest.mark.parametrize("as_of", ["2024-03-23", "2024-03-29", "2024-02-29"])
def test_independent_months_are_whole_months_since_the_first_window(as_of, market_data_dir,
                                                                     capsys):
    rank = run(["gap", "1m", "--as-of", as_of], market_data_dir, capsys)["history_rank"]
    assert rank["independent_windows"] == \
        plain_whole_months(market_data_dir, 1, date.fromisoformat(as_of))


def test_the_2024_03_23_figure(market_data_dir, capsys):
    rank = run(["gap", "1m", "--as-of", "2024-03-23"], market_data_dir, capsys)["history_rank"]
    assert rank["independent_windows"] == 438  # not 460 (29-day windows)


def test_a_range_past_the_data_is_ranked_at_its_real_length(market_data_dir, capsys):
    """IWM/SPY end 2026-02-23: `2025-01-01..2026-08-21` really spans 2025-01-01..2026-02-23,
    so it is compared with the 418-day windows of the history, and the reply says so."""
    argv = ["gap", "2025-01-01..2026-08-21", "etf"]
    rank = run(argv, market_data_dir, capsys)["history_rank"]
    iwm = read_closes(market_data_dir / "IWM.csv")
    spy = read_closes(market_data_dir / "SPY.csv")
    days = common_dates(iwm, spy)
    assert days[-1] == date(2026, 2, 23)
    length = (date(2026, 2, 23) - date(2025, 1, 1)).days
    windows = sum(1 for i, d in enumerate(days)
                  if (p := last_on_or_before(days, date.fromordinal(d.toordinal() - length)))
                  is not None and p < i)
    assert (rank["windows"], rank["window_days"], rank["cut_short"]) == (windows, 418, True)
    text = run(argv, market_data_dir, capsys, as_json=False)
    assert "runs past the data" in text and "418-day windows" in text


@pytest.mark.parametrize("argv", [["gap", "20y"], ["history", "20y"]])
def test_too_few_independent_periods_are_not_ranked(argv, market_data_dir, capsys):
    p = run(argv, market_data_dir, capsys)
    rank = p.get("history_rank") or p
    assert rank["independent_windows"] < rank["min_independent_windows"] == 5
    assert rank["ranked"] is False
    text = run(argv, market_data_dir, capsys, as_json=False)
    assert "too few independent periods to rank" in text.lower()
    assert "percentile of" not in text and "band" not in text.split("\n\n")[0]
    assert "1 independent 20-year periods" not in text  # one period, singular


def test_the_board_shows_its_percentiles_sample_size(market_data_dir, capsys):
    p = run(["board"], market_data_dir, capsys)
    for row in p["rows"]:
        if row["gap_1y_percentile"] is not None:
            assert row["gap_1y_independent_windows"] >= 5
    text = run(["board"], market_data_dir, capsys, as_json=False)
    assert "independent" in text
