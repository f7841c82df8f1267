"""Wording and Block Kit limits of the trend, rates and history replies; their parsers."""

from __future__ import annotations

import copy

import pytest

from bot.reports.history import HistoryQuery
from bot.reports.rates import RatesQuery
from bot.reports.trend import TrendQuery
from handlers import history as history_reply
from handlers import rates as rates_reply
from handlers import trend as trend_reply
from handlers.registry import parse_command
from handlers.words import CommandError
from tests.block_kit import check_blocks

META = {"source": "Yahoo Finance", "data_fetched_at": "2026-11-24T21:00:00+00:00",
        "stale_note": None}
LEGS = {"small": {"symbol": "^RUT", "name": "Russell 2000"},
        "large": {"symbol": "^GSPC", "name": "S&P 500"}, "basis": "price return",
        "pair": "index", "as_of_requested": None}

TREND = {
    "command": "trend", "period": "2y", "period_description": "2 years", **LEGS,
    "start": "2024-08-21", "end": "2026-08-21",
    "window_ratio": {"start": 0.3862, "end": 0.3932, "change_pct": 1.8312},
    "status": {"as_of": "2026-08-21", "history_start": "1987-09-10", "history_days": 9811,
               "ratio": 0.39324, "ma50": 0.39601, "ma200": 0.38251, "pct_vs_50dma": -0.6986,
               "pct_vs_200dma": 2.8041, "zscore": -1.3665, "percentile": 12.77,
               "last_cross_date": "2025-11-24", "last_cross_direction": "above",
               "days_since_cross": 185, "peak_date": "2014-03-04", "peak_ratio": 0.64499,
               "drawdown_pct": -39.0314, "days_since_peak": 3136},
    **META,
}
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
HISTORY = {
    "command": "history", "period": "3y", "period_description": "3 years",
    "period_adjective": "3-year", **LEGS, "start": "2021-03-26", "end": "2024-03-26",
    "current_pp": 37.7345, "leader": "large", "percentile": 92.97, "windows": 8450,
    "independent_windows": 12, "comparison": "daily",
    "first_window_end": "1990-09-10", "median_pp": 0.325, "band_low_pct": 10.0,
    "band_high_pct": 90.0, "band_low_pp": -25.6459, "band_high_pp": 33.1419,
    "band_position": "above", "last_as_wide": "2000-11-10", "widest_since": "2000-11-10",
    "record_lag": {"pp": 88.8826, "end": "1999-04-12"},
    "record_lead": {"pp": -65.9466, "end": "1993-11-02"}, **META,
}

BLOCKS = [(trend_reply.trend_blocks, TREND), (rates_reply.rates_blocks, RATES),
          (history_reply.history_blocks, HISTORY)]


@pytest.mark.parametrize(("blocks", "payload"), BLOCKS)
def test_replies_keep_block_kit_limits_even_with_huge_names(blocks, payload):
    check_blocks(blocks(payload))
    huge = copy.deepcopy(payload)
    huge["small"]["name"] = "S" * 400
    huge["large"]["name"] = "L" * 400
    huge["stale_note"] = "W" * 4000
    built = blocks(huge)
    check_blocks(built)
    assert all(len(e["text"]) <= 3000 for b in built if b["type"] == "context"
               for e in b["elements"])


@pytest.mark.parametrize(("blocks", "payload"), BLOCKS)
def test_every_reply_states_series_basis_dates_and_source(blocks, payload):
    text = str(blocks(payload))
    assert "^RUT" in text and "^GSPC" in text and "price return" in text
    assert payload["start"] in text and payload["end"] in text
    assert "Yahoo Finance" in text and "2026-11-24 21:00:00 UTC" in text


def test_trend_reads_like_an_analyst_would_say_it():
    text = trend_reply.trend_plain_text(TREND)
    assert ("Small caps are above their 200-day average (+2.80 %) and have been since "
            "2025-11-24 (185 trading days).") in text
    assert ("Small caps have lagged for 3,136 trading days since their relative peak on "
            "2014-03-04 (ratio -39.03 % from that peak") in text
    assert "13th percentile of 9,811 closes since 1987-09-10" in text
    assert "-1.37 σ against all 9,811 closes" in text


def test_trend_at_a_new_high_and_without_a_200_day_average():
    p = copy.deepcopy(TREND)
    p["status"].update(days_since_peak=0, drawdown_pct=0.0, peak_date="2026-08-21")
    assert "at a relative high" in trend_reply.peak_line(p)
    p["status"].update(ma200=None, pct_vs_200dma=None, last_cross_date=None, zscore=None,
                       percentile=None, history_days=120)
    assert "Not enough history for a 200-day average" in trend_reply.headline(p)
    assert "n/a" in str(trend_reply.trend_blocks(p))


@pytest.mark.parametrize(("verdict", "r", "needle"), [
    ("no_relation", 0.05, "correlation is weak (r = +0.05 on 3-month changes): rates do not "
                          "explain the gap"),
    ("supports", 0.45, "the data supports “higher rates hurt small caps”"),
    ("weakly_contradicts", -0.23, "does not support “higher rates hurt small caps”"),
    ("contradicts", -0.4, "contradicts “higher rates hurt small caps”"),
    ("too_short", None, "too short"),
])
def test_rates_verdict_is_honest(verdict, r, needle):
    p = copy.deepcopy(RATES)
    p["verdict"] = verdict
    p["correlation"]["changes"]["r"] = r
    assert needle in rates_reply.verdict_line(p)


def test_rates_warns_about_level_correlation_and_says_where_data_ends():
    text = rates_reply.rates_plain_text(RATES)
    assert "trending series misleads" in text
    assert "^TNX: 2026-02-13 · ^RUT/^GSPC: 2026-08-21" in text
    assert "4.06 % on 2026-02-13" in text and "in percent" in text
    p = copy.deepcopy(RATES)
    p["correlation"]["levels"]["r"] = 0.53
    assert "changes do not confirm it" in rates_reply.levels_line(p)


def test_history_reply_checks_the_worst_run_claim():
    text = history_reply.history_plain_text(HISTORY)
    assert ("Small caps lag by 37.73 pp over the 3 years to 2024-03-26: 93rd percentile of "
            "8,450 overlapping 3-year windows (about 12 independent), above the 90 % band.") \
        in text
    assert "Widest 3-year lag since 2000-11-10 (23.4 years earlier)" in text
    assert "Median: +0.33 pp" in text and "-25.65 pp to +33.14 pp" in text
    assert "Record lag: 88.88 pp" in text and "record lead: 65.95 pp" in text


def test_history_reply_for_a_lead_on_record():
    p = copy.deepcopy(HISTORY)
    p.update(current_pp=-70.0, leader="small", percentile=0.01, band_position="below",
             last_as_wide=None, widest_since=None)
    text = history_reply.history_plain_text(p)
    assert "Small caps lead by 70.00 pp" in text and "below the 10 % band" in text
    assert "Widest 3-year lead on record" in text


@pytest.mark.parametrize(("text", "kind", "period", "pair"), [
    ("trend", TrendQuery, "2y", "index"), ("trend etf 5y", TrendQuery, "5y", "etf"),
    ("rates", RatesQuery, "10y", "index"), ("RATES 20y IJR/SPY", RatesQuery, "20y", "IJR/SPY"),
    ("history", HistoryQuery, "3y", "index"), ("history 1y etf", HistoryQuery, "1y", "etf"),
])
def test_parsers_default_and_accept_any_order(text, kind, period, pair):
    query = parse_command(text)
    assert isinstance(query, kind)
    assert (query.period.label, query.pair.key) == (period, pair)


def test_rates_query_reads_the_yield_and_keys_the_cache_by_command():
    rates, trend = parse_command("rates 5y as-of 2024-03-26"), parse_command("trend 5y")
    assert rates.symbols() == ("^RUT", "^GSPC", "^TNX")
    assert trend.symbols() == ("^RUT", "^GSPC")
    assert rates.describe() == "rates|5y|index|2024-03-26"
    assert trend.describe() != parse_command("history 5y").describe()


@pytest.mark.parametrize("text", ["history ytd", "history 2020-01-01..2021-01-01",
                                  "trend 3y 5y", "rates etf index", "history 3y as-of"])
def test_parse_errors_name_the_command_in_their_example(text):
    with pytest.raises(CommandError) as err:
        parse_command(text)
    assert err.value.example.startswith(text.split()[0])
