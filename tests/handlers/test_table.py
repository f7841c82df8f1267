"""`table`: wording, alignment and Block Kit limits of its reply; its grammar."""

from __future__ import annotations

import copy
from datetime import date

import pytest

from analytics.pairs import PAIRS, parse_pair
from bot.data.market import PriceHistory
from handlers.table import (
    TableQuery,
    table_blocks,
    table_fallback_text,
    table_lines,
    table_plain_text,
)
from handlers.words import CommandError
from tests.block_kit import check_blocks, table_cells
from tests.query_helpers import FETCHED, history_of, parse_command


@pytest.fixture(scope="module")
def table_payload(real_closes):
    query = TableQuery(PAIRS["etf"], date(2008, 3, 26))  # 10y row unavailable (IWM: 2000)
    payload, _ = query.build(history_of(real_closes, query.pair))
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


@pytest.mark.parametrize("text,pair,as_of", [
    ("table", "index", None), ("table etf", "etf", None),
    ("TABLE IJR/SPY as-of 2024-03-26", "IJR/SPY", date(2024, 3, 26)),
])
def test_parse_table(text, pair, as_of):
    query = parse_command(text)
    assert isinstance(query, TableQuery) and (query.pair.key, query.as_of) == (pair, as_of)


@pytest.mark.parametrize("text,example", [("table 3y", "table etf"), ("table 1w etf", "table etf"),
                                          ("table etf index", "table etf")])  # no period
def test_parse_errors_name_the_command_in_the_example(text, example):
    with pytest.raises(CommandError) as err:
        parse_command(text)
    assert err.value.example == example


def test_custom_pair_keys_are_used(real_closes):
    query = TableQuery(parse_pair("IWM/^GSPC"), date(2024, 3, 26))
    payload, chart = query.build(history_of(real_closes, query.pair))
    assert payload["basis"].startswith("mixed") and chart().startswith(b"\x89PNG")


def test_etf_reply_with_both_bases_stays_within_limits(real_closes):
    """Issue #10: the other basis under the table, in Block Kit."""
    pair = PAIRS["etf"]
    history = PriceHistory({s: real_closes[s] for s in pair.symbols}, "Yahoo Finance",
                           FETCHED, price={s: real_closes[f"{s}.price"] for s in pair.symbols})
    table, _ = TableQuery(pair, date(2024, 3, 26)).build(history)
    check_blocks(table_blocks(table))
    rows = table_cells(table_blocks(table))
    assert rows[0] == ["Horizon", "From", "IWM %", "SPY %", "Gap pp"]
    assert ["Price return", " ", " ", " ", " "] in rows
    [price_1y] = [r for r in rows[rows.index(["Price return", " ", " ", " ", " "]):]
                  if r[0] == "1y"]
    iwm, spy = real_closes["IWM.price"], real_closes["SPY.price"]
    assert price_1y[2] == f"{(iwm['2024-03-26'] / iwm['2023-03-24'] - 1) * 100:+.2f}"
    assert price_1y[3] == f"{(spy['2024-03-26'] / spy['2023-03-24'] - 1) * 100:+.2f}"
