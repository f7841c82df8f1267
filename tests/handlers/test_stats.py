"""`stats`: wording and Block Kit limits of its reply; its grammar and risk-free rate."""

from __future__ import annotations

import copy
from datetime import date

import pytest

from analytics.pairs import PAIRS
from analytics.periods import parse_period
from bot.data.market import PriceHistory
from bot.runtime.config import Settings
from handlers.stats import StatsQuery, stats_blocks, stats_fallback_text, stats_plain_text
from handlers.words import CommandError
from tests.block_kit import check_blocks
from tests.query_helpers import FETCHED, history_of, parse_command


@pytest.fixture(scope="module")
def stats_payload(real_closes):
    query = StatsQuery(parse_period("3y"), PAIRS["index"], date(2024, 3, 26))
    payload, _ = query.build(history_of(real_closes, query.pair))
    return payload


def test_stats_reply_has_every_statistic_with_dates(stats_payload):
    blocks = stats_blocks(stats_payload)
    check_blocks(blocks)
    text = str(blocks)
    for needle in ("Total return", "CAGR", "Volatility (ann.)", "Sharpe (rf 0.00 %)",
                   "Max drawdown", "2021-11-08", "2022-10-12", "not recovered", "2024-01-19",
                   "Beta of ^RUT on ^GSPC: 1.13", "correlation 0.85", "754 daily returns",
                   "3 years: 2021-03-26 → 2024-03-26", "252-day year", "std(ddof=1) × √252",
                   "Basis: price return"):
        assert needle in text, needle
    assert "SMALLCAPS_" not in text  # the channel sees the rate, not the operator's variable
    assert "-32.99 %" in stats_fallback_text(stats_payload)
    lines = stats_plain_text(stats_payload).splitlines()
    table = [line for line in lines if line.startswith("  ") and line.strip()]
    assert len({len(line) for line in table}) == 1  # the two columns line up


def test_stats_reply_without_drawdown_or_beta_says_so(stats_payload):
    p = copy.deepcopy(stats_payload)
    for leg in ("small", "large"):
        p[leg]["max_drawdown"] = {"depth_pct": 0.0, "peak": p["start"], "trough": p["start"],
                                  "recovery": None}
        p[leg]["sharpe"] = None
    p.update(beta=None, correlation=None, stale_note="cached data from 2026-11-20")
    text = str(stats_blocks(p))
    assert "peak" not in text.split("Max drawdown")[1].split("```")[0]
    assert "Beta and correlation: n/a" in text and ":warning: cached data" in text
    check_blocks(stats_blocks(p))


def test_parse_errors_name_the_command_in_the_example():
    with pytest.raises(CommandError) as err:
        parse_command("stats 3x")
    assert err.value.example == "stats 3y IJR/SPY"


def test_parse_stats_defaults_to_3y_and_reads_the_risk_free_rate(monkeypatch):
    monkeypatch.setenv("SMALLCAPS_RISK_FREE_RATE", "0.035")  # as an operator sets it
    query = parse_command("stats etf", risk_free_rate=Settings().smallcaps_risk_free_rate)
    assert isinstance(query, StatsQuery)
    assert (query.period.label, query.pair, query.risk_free_rate) == ("3y", PAIRS["etf"], 0.035)
    other = StatsQuery(query.period, query.pair, query.as_of, 0.0)
    assert other.describe() != query.describe()  # the rate is part of the cache key


def test_etf_reply_with_both_bases_stays_within_limits(real_closes):
    """Issue #10: the other basis in one line of stats, in Block Kit."""
    pair = PAIRS["etf"]
    history = PriceHistory({s: real_closes[s] for s in pair.symbols}, "Yahoo Finance",
                           FETCHED, price={s: real_closes[f"{s}.price"] for s in pair.symbols})
    stats, _ = StatsQuery(parse_period("3y"), pair, date(2024, 3, 26)).build(history)
    check_blocks(stats_blocks(stats))
    stats_text = str(stats_blocks(stats))
    assert "Price return: IWM -7.00 % (CAGR " in stats_text and "SPY +31.02 %" in stats_text
