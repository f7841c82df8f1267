"""Wording, alignment and Block Kit limits of table and stats replies; parsing of both."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime

import pytest

from analytics.pairs import PAIRS, parse_pair
from analytics.periods import parse_period
from bot.data.market import PriceHistory
from bot.reports.stats import StatsQuery
from bot.reports.table import TableQuery
from bot.runtime.config import get_settings
from handlers.help import help_blocks, help_text
from handlers.parsing import CommandError, parse_command
from handlers.stats_reply import stats_blocks, stats_fallback_text, stats_plain_text
from handlers.table_reply import table_blocks, table_fallback_text, table_lines, table_plain_text
from tests.block_kit import check_blocks

FETCHED = datetime(2026, 11, 24, 21, 0, tzinfo=UTC)


def _history(real_closes, pair, stale=None):
    return PriceHistory({s: real_closes[s] for s in pair.symbols}, "Yahoo Finance", FETCHED,
                        stale)


@pytest.fixture(scope="module")
def table_payload(real_closes):
    query = TableQuery(PAIRS["etf"], date(2008, 3, 26))  # 10y row unavailable (IWM: 2000)
    payload, _ = query.build(_history(real_closes, query.pair))
    return payload


@pytest.fixture(scope="module")
def stats_payload(real_closes):
    query = StatsQuery(parse_period("3y"), PAIRS["index"], date(2024, 3, 26))
    payload, _ = query.build(_history(real_closes, query.pair))
    return payload


def test_table_columns_line_up(table_payload):
    lines = table_lines(table_payload)
    assert len({len(line) for line in lines}) == 1  # every row as wide as the header
    assert lines[0].split() == ["Horizon", "From", "IWM", "%", "SPY", "%", "Gap", "pp"]
    assert lines[-1].split() == ["10y", "ann.", "n/a", "n/a", "n/a", "n/a"]
    assert lines[7].startswith("3y ann.  ")


def test_table_reply_states_dates_basis_conventions_and_why_na(table_payload):
    blocks = table_blocks(table_payload)
    check_blocks(blocks)
    text = str(blocks)
    assert "returns to 2008-03-26" in text and "every row ends 2008-03-26" in text
    assert "Basis: total return" in text and "Yahoo Finance" in text
    assert "(1 + r) ^ (365.25 / calendar days) − 1" in text
    assert "common history starts 2000-05-26" in text
    assert "Small caps lag on 4 of 8 horizons and lead on 4" in text
    plain = table_plain_text(table_payload)
    assert "10y ann." in plain and "2005-03-24" in plain
    assert "YTD -8.10 % vs -8.45 %" in table_fallback_text(table_payload)


def test_table_with_long_symbols_and_stale_data_stays_within_limits(table_payload):
    p = copy.deepcopy(table_payload)
    p["small"] = {"symbol": "ABCDEFGHIJKLMNO", "name": "x" * 140}
    p["large"] = {"symbol": "^ABCDEFGHIJKLMN", "name": "y" * 140}
    p["stale_note"] = "Yahoo Finance is rate-limiting us; data from 2026-11-20."
    blocks = table_blocks(p)
    check_blocks(blocks)
    assert ":warning: Yahoo Finance is rate-limiting us" in str(blocks)
    assert len({len(line) for line in table_lines(p)}) == 1


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


def test_help_has_one_example_each_and_states_conventions():
    text = help_text()
    assert "/smallcaps table etf" in text and "/smallcaps stats 5y" in text
    assert "365.25" in text and "√252" in text and "SMALLCAPS_RISK_FREE_RATE" in text
    check_blocks(help_blocks())


@pytest.mark.parametrize("text,pair,as_of", [
    ("table", "index", None), ("table etf", "etf", None),
    ("TABLE IJR/SPY as-of 2024-03-26", "IJR/SPY", date(2024, 3, 26)),
])
def test_parse_table(text, pair, as_of):
    query = parse_command(text)
    assert isinstance(query, TableQuery) and (query.pair.key, query.as_of) == (pair, as_of)


@pytest.mark.parametrize("text,example", [("table 3y", "table etf"), ("table 1w etf", "table etf"),
                                          ("table etf index", "table 3y etf"),
                                          ("stats 3x", "stats 3y IJR/SPY")])
def test_parse_errors_name_the_command_in_the_example(text, example):
    with pytest.raises(CommandError) as err:
        parse_command(text)
    assert err.value.example == example


def test_parse_stats_defaults_to_3y_and_reads_the_risk_free_rate(monkeypatch):
    monkeypatch.setenv("SMALLCAPS_RISK_FREE_RATE", "0.035")
    get_settings.cache_clear()
    try:
        query = parse_command("stats etf")
    finally:
        get_settings.cache_clear()
    assert isinstance(query, StatsQuery)
    assert (query.period.label, query.pair, query.risk_free_rate) == ("3y", PAIRS["etf"], 0.035)
    other = StatsQuery(query.period, query.pair, query.as_of, 0.0)
    assert other.describe() != query.describe()  # the rate is part of the cache key


def test_custom_pair_keys_are_used(real_closes):
    query = TableQuery(parse_pair("IWM/^GSPC"), date(2024, 3, 26))
    payload, chart = query.build(_history(real_closes, query.pair))
    assert payload["basis"].startswith("mixed") and chart().startswith(b"\x89PNG")


def test_etf_replies_with_both_bases_stay_within_limits(real_closes):
    """Issue #10: the other basis under the table and one line in stats, in Block Kit."""
    pair = PAIRS["etf"]
    history = PriceHistory({s: real_closes[s] for s in pair.symbols}, "Yahoo Finance",
                           FETCHED, price={s: real_closes[f"{s}.price"] for s in pair.symbols})
    table, _ = TableQuery(pair, date(2024, 3, 26)).build(history)
    stats, _ = StatsQuery(parse_period("3y"), pair, date(2024, 3, 26)).build(history)
    for blocks in (table_blocks(table), stats_blocks(stats)):
        check_blocks(blocks)
    table_text, stats_text = str(table_blocks(table)), str(stats_blocks(stats))
    assert "Price return             IWM %     SPY %    Gap pp" in table_text
    assert "Price return: IWM -7.00 % (CAGR " in stats_text and "SPY +31.02 %" in stats_text
