"""A window that ends early says so (issue #20): a basis whose closes stop years before the
other basis' (`stats 3y IJR/SPY price` covered 2018-2021 silently), and CSV files older
than the last NYSE trading day (stale_note and last_trading_day were null however old)."""

from __future__ import annotations

import csv
from datetime import date

import pytest

from tests.cli_helpers import isolated_state, run  # noqa: F401 (the fixture)

pytestmark = pytest.mark.usefixtures("isolated_state")


def last_date(path) -> str:
    with open(path, newline="") as handle:
        return [row["Date"][:10] for row in csv.DictReader(handle)][-1]


@pytest.mark.parametrize("command", ["stats", "gap"])
def test_a_basis_that_ends_years_early_is_named(command, market_data_dir, capsys):
    price_end = last_date(market_data_dir / "IJR.price.csv")
    total_end = last_date(market_data_dir / "IJR.csv")
    assert price_end < total_end  # the files as they are: IJR's unadjusted closes stop early
    p = run([command, "3y", "IJR/SPY", "price"], market_data_dir, capsys)
    assert p["end"] == price_end
    note = p["stale_note"] or ""
    assert "IJR" in note and price_end in note and total_end in note
    text = run([command, "3y", "IJR/SPY", "price"], market_data_dir, capsys, as_json=False)
    assert f"IJR's price-return closes end {price_end}" in text


def test_a_window_the_basis_reaches_has_no_such_note(market_data_dir, capsys):
    p = run(["stats", "3y", "IJR/SPY", "price", "--as-of", "2020-12-31"], market_data_dir,
            capsys)
    assert p["stale_note"] is None


def test_csv_files_behind_the_calendar_say_so(market_data_dir, capsys):
    files_end = last_date(market_data_dir / "^RUT.csv")
    p = run(["gap", "1y"], market_data_dir, capsys)
    assert p["last_trading_day"] is not None
    assert date.fromisoformat(p["last_trading_day"]) > date.fromisoformat(files_end)
    note = p["stale_note"] or ""
    assert files_end in note and p["last_trading_day"] in note


def test_a_pinned_date_inside_the_files_is_not_stale(market_data_dir, capsys):
    p = run(["gap", "3y", "--as-of", "2024-03-26"], market_data_dir, capsys)
    assert p["stale_note"] is None and p["last_trading_day"] is not None
