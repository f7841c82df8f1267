"""Sentences a skeptical analyst would sign (issue #20, item 6), read from the CLI's text."""

from __future__ import annotations

import pytest

from analytics.charts_rates import VERDICT_WORDS
from bot.cli import main
from tests.cli_helpers import isolated_state  # noqa: F401 (the fixture)

pytestmark = pytest.mark.usefixtures("isolated_state")


def text(argv, market_data_dir, capsys) -> str:
    assert main([*argv, "--data-dir", str(market_data_dir)]) == 0
    return capsys.readouterr().out


def test_a_mixed_basis_pair_leads_with_the_caveat(market_data_dir, capsys):
    headline = text(["gap", "3y", "^RUT/SPY"], market_data_dir, capsys).splitlines()[2]
    assert headline.startswith("Not like for like: mixed (^RUT: price return, SPY: total "
                               "return), so dividends count on one side only.")


def test_the_table_does_not_tally_overlapping_horizons_as_evidence(market_data_dir, capsys):
    headline = text(["table"], market_data_dir, capsys).splitlines()[2]
    assert "of 9 horizons" in headline and "the horizons overlap" in headline


def test_valuation_calls_its_band_a_band(market_data_dir, capsys):
    out = text(["valuation"], market_data_dir, capsys)
    assert "ranged" not in out and "middle 80 % of years" in out


def test_trend_speaks_of_the_ratio_and_of_being_below_its_peak(market_data_dir, capsys):
    out = text(["trend"], market_data_dir, capsys)
    assert "The small/large ratio (^RUT/^GSPC) is above its 200-day average" in out
    assert "lagged for" not in out and "below its 2014-03-04 peak" in out


def test_no_link_is_no_link_in_the_text_and_on_the_chart():
    assert VERDICT_WORDS["no_relation"].startswith("no link")
    from handlers.rates import verdict_line
    from tests.handlers.test_rates import RATES
    p = {**RATES, "verdict": "no_relation",
         "correlation": {**RATES["correlation"],
                         "changes": {**RATES["correlation"]["changes"], "r": -0.01}}}
    line = verdict_line(p)
    assert "no link" in line and "weak" not in line


def test_the_board_ytd_column_holds_one_year(market_data_dir, capsys):
    """IWN/IWO's files end in 2025: its '2025 YTD' is not in the 2026 YTD column."""
    import json

    assert main(["board", "--json", "--data-dir", str(market_data_dir)]) == 0
    p = json.loads(capsys.readouterr().out)
    year = p["end"][:4]
    for row in p["rows"]:
        ytd = row["gaps"]["ytd"]
        if row["end"] and row["end"][:4] != year:
            assert ytd["gap_pp"] is None and f"no {year} year to date" in ytd["note"]
        elif ytd["gap_pp"] is not None:
            assert ytd["start"][:4] == str(int(year) - 1)
    assert any(r["end"] and r["end"][:4] != year for r in p["rows"])  # the case is there


@pytest.mark.parametrize("pair", ["index", "IJR/SPY"])  # IJR/SPY 3m: the two rankings differ
def test_cuts_counts_cycles_beaten_by_the_gap_it_shows(pair, market_data_dir, capsys):
    """'how many of the earlier cycles it beat' ranked by ratio change while the reply shows
    gaps; the two disagree when close. The count now follows the shown gap."""
    import json

    assert main(["cuts", pair, "--json", "--data-dir", str(market_data_dir)]) == 0
    p = json.loads(capsys.readouterr().out)
    earlier = [c for c in p["cycles"] if not c["current"]]
    for s in p["stats"]:
        if s["current"] is None:
            continue
        gaps = [w["gap_pp"] for c in earlier for w in c["windows"]
                if w["months"] == s["months"] and w["complete"]]
        assert s["current_beats"] == sum(1 for g in gaps if g > s["current"]["gap_pp"])


def test_the_board_takes_the_basis_word_the_docs_promise(market_data_dir, capsys):
    import json

    assert main(["board", "price", "--json", "--data-dir", str(market_data_dir)]) == 0
    p = json.loads(capsys.readouterr().out)
    assert p["basis_requested"] == "price"
    assert {r["basis"] for r in p["rows"] if not r["note"]} == {"price return"}
    iwm = next(r for r in p["rows"] if r["pair"] == "IWM/SPY")
    assert iwm["end"] == "2025-09-26"  # IWM's price-return closes end there (IWM.price.csv)
