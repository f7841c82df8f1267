"""Sentences a skeptical analyst would sign (issue #20, item 6), read from the CLI's text."""

from __future__ import annotations

import pytest

from analytics.charts_rates import VERDICT_WORDS
from bot.cli import main


@pytest.fixture(autouse=True)
def _isolated_state(tmp_path, monkeypatch):
    monkeypatch.setenv("SMALLCAPS_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.delenv("REDIS_URL", raising=False)


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
