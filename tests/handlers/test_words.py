"""The `basis` word: where it may stand, what it selects, what it refuses, and its cache key."""

from __future__ import annotations

import pytest

from analytics.pairs import PRICE_RETURN, TOTAL_RETURN
from handlers.words import CommandError
from tests.query_helpers import parse_command


@pytest.mark.parametrize("text", ["gap 3y etf price", "gap price etf 3y", "gap 3y PRICE etf",
                                  "gap 3y etf basis=price", "gap 3y etf basis price"])
def test_price_anywhere_selects_price_return(text):
    query = parse_command(text)
    assert query.pair.basis == PRICE_RETURN
    assert query.describe() == parse_command("gap 3y etf price").describe()
    assert query.describe() != parse_command("gap 3y etf").describe()


def test_default_and_total_are_total_return_with_one_key():
    for text in ("gap 3y etf", "gap 3y etf total"):
        query = parse_command(text)
        assert query.pair.basis == TOTAL_RETURN
        assert query.describe() == parse_command("gap 3y etf").describe()


def test_mixed_pair_price_makes_both_legs_price_return():
    assert parse_command("gap 3y IWM/^GSPC").pair.basis == (
        "mixed (IWM: total return, ^GSPC: price return)")
    assert parse_command("gap 3y IWM/^GSPC price").pair.basis == PRICE_RETURN


def test_every_report_command_takes_it():
    for command in ("table etf", "stats 3y etf", "trend 2y etf", "rates 10y etf",
                    "history 3y etf"):
        query = parse_command(f"{command} price")
        assert query.pair.basis == PRICE_RETURN
        assert query.describe() != parse_command(command).describe()


@pytest.mark.parametrize("text,needle", [
    ("gap 3y total", "price return only"), ("gap 3y etf total price", "one basis"),
    ("gap 3y etf basis=dividends", "`total` or `price`"),
])
def test_bad_basis_is_a_clear_error(text, needle):
    with pytest.raises(CommandError, match=needle):
        parse_command(text)
