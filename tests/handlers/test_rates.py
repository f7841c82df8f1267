"""`rates`: an honest verdict on "higher rates hurt small caps", the warning about level
correlation, where the yield data ends; its grammar and cache key."""

from __future__ import annotations

import copy

import pytest

from handlers.rates import RatesQuery, levels_line, rates_plain_text, verdict_line
from handlers.words import CommandError
from tests.handlers.report_payloads import LEGS, META
from tests.query_helpers import parse_command

RATES = {
    "command": "rates", "period": "10y", "period_description": "10 years", **LEGS,
    "start": "2016-02-12", "end": "2026-02-13", "days": 2515,
    "yield": {"symbol": "^TNX", "name": "10-year Treasury yield", "unit": "percent",
              "start_pct": 1.748, "end_pct": 4.056, "last_date": "2026-02-13"},
    "gap": {"period": "1y", "start_pp": 9.3732, "end_pp": -4.1803, "latest_pp": -12.2328,
            "latest_date": "2026-08-21"},
    "correlation": {"levels": {"r": 0.2179, "n": 2515, "slope": 2.0727, "min_days": 252},
                    "changes": {"r": -0.2341, "n": 2452, "slope": -5.4228, "days": 63,
                                "independent": 39, "min_independent": 8}},
    "verdict": "weakly_contradicts", **META,
}


@pytest.mark.parametrize(("verdict", "r", "needle"), [
    ("no_relation", 0.05, "there is no link (r = +0.05 on 3-month changes, |r| under 0.1): "
                          "rates do not explain the gap"),  # 'no link' as chart and docs
    ("supports", 0.45, "the data supports “higher rates hurt small caps”"),
    ("weakly_contradicts", -0.23, "does not support “higher rates hurt small caps”"),
    ("contradicts", -0.4, "contradicts “higher rates hurt small caps”"),
    ("too_short", None, "too short"),
])
def test_rates_verdict_is_honest(verdict, r, needle):
    p = copy.deepcopy(RATES)
    p["verdict"] = verdict
    p["correlation"]["changes"]["r"] = r
    assert needle in verdict_line(p)


def test_rates_warns_about_level_correlation_and_says_where_data_ends():
    text = rates_plain_text(RATES)
    assert "trending series misleads" in text
    assert "^TNX: 2026-02-13 · ^RUT/^GSPC: 2026-08-21" in text
    assert "4.06 % on 2026-02-13" in text and "in percent" in text
    p = copy.deepcopy(RATES)
    p["correlation"]["levels"]["r"] = 0.53
    assert "changes do not confirm it" in levels_line(p)


@pytest.mark.parametrize(("text", "period", "pair"), [("rates", "10y", "index"),
                                                      ("RATES 20y IJR/SPY", "20y", "IJR/SPY")])
def test_parser_defaults_and_accepts_any_order(text, period, pair):
    query = parse_command(text)
    assert isinstance(query, RatesQuery)
    assert (query.period.label, query.pair.key) == (period, pair)


def test_rates_query_reads_the_yield_and_keys_the_cache_by_command_and_date():
    rates, trend = parse_command("rates 5y as-of 2024-03-26"), parse_command("trend 5y")
    assert rates.symbols() == ("^RUT", "^GSPC", "^TNX")
    assert trend.symbols() == ("^RUT", "^GSPC")
    assert rates.describe() != parse_command("rates 5y").describe()
    assert rates.describe() != parse_command("trend 5y as-of 2024-03-26").describe()
    assert trend.describe() != parse_command("history 5y").describe()


def test_parse_errors_name_the_command_in_their_example():
    with pytest.raises(CommandError) as err:
        parse_command("rates etf index")
    assert err.value.example.startswith("rates")
