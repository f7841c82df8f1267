"""The cache key text of every report query is pinned: changing it orphans cached reports."""

from __future__ import annotations

from datetime import date

from analytics.pairs import PAIRS
from analytics.periods import parse_period
from handlers.gap import GapQuery
from handlers.history import HistoryQuery
from handlers.rates import RatesQuery
from handlers.stats import StatsQuery
from handlers.table import TableQuery
from handlers.trend import TrendQuery


def test_describe_texts_are_stable() -> None:
    p3y, idx, etf, day = parse_period("3y"), PAIRS["index"], PAIRS["etf"], date(2024, 3, 26)
    assert GapQuery(p3y, idx).describe() == "gap|3y|index|latest"
    assert GapQuery(p3y, etf, day).describe() == "gap|3y|etf|2024-03-26"
    assert TrendQuery(p3y, idx, day).describe() == "trend|3y|index|2024-03-26"
    assert RatesQuery(p3y, idx).describe() == "rates|3y|index|latest"
    assert HistoryQuery(p3y, etf).describe() == "history|3y|etf|latest"
    assert TableQuery(idx).describe() == "table|index|latest"
    assert TableQuery(etf, day).describe() == "table|etf|2024-03-26"
    assert StatsQuery(p3y, idx, day, 0.04).describe() == "stats|3y|index|2024-03-26|rf=0.04"
    assert StatsQuery(p3y, idx).describe() == "stats|3y|index|latest|rf=0.0"


def test_queries_name_their_symbols() -> None:
    idx = PAIRS["index"]
    assert GapQuery(parse_period("1y"), idx).symbols() == ("^RUT", "^GSPC")
    assert RatesQuery(parse_period("1y"), idx).symbols() == ("^RUT", "^GSPC", "^TNX")
