"""Every field of a report query is part of its cache key; queries name their symbols."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import date

from analytics.pairs import PAIRS
from analytics.periods import parse_period
from handlers.gap import GapQuery
from handlers.history import HistoryQuery
from handlers.rates import RatesQuery
from handlers.stats import StatsQuery
from handlers.table import TableQuery
from handlers.trend import TrendQuery


def test_every_field_of_a_query_is_part_of_its_key() -> None:
    """Changing any one field (period, pair, as-of, basis, live, rate) changes the key
    (bot.reports.identity; issue #20: `cuts`' key once left out the basis)."""
    p3y, idx, day = parse_period("3y"), PAIRS["index"], date(2024, 3, 26)
    etf = PAIRS["etf"]
    base = [GapQuery(p3y, etf), TrendQuery(p3y, etf), RatesQuery(p3y, etf),
            HistoryQuery(p3y, etf), TableQuery(etf), StatsQuery(p3y, etf)]
    changes = {"period": parse_period("5y"), "pair": idx, "as_of": day, "live": True,
               "risk_free_rate": 0.04}
    for query in base:
        keys = {query.describe(), replace(query, pair=etf.with_basis("price")).describe()}
        for name, value in changes.items():
            if name in {f.name for f in fields(query)}:
                keys.add(replace(query, **{name: value}).describe())
        wanted = 2 + sum(name in {f.name for f in fields(query)} for name in changes)
        assert len(keys) == wanted, query


def test_queries_name_their_symbols() -> None:
    idx = PAIRS["index"]
    assert GapQuery(parse_period("1y"), idx).symbols() == ("^RUT", "^GSPC")
    assert RatesQuery(parse_period("1y"), idx).symbols() == ("^RUT", "^GSPC", "^TNX")
