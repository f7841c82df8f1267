"""trend, rates and history through Reports.run on a real Redis: computed once, then cached."""

from __future__ import annotations

import json
from datetime import date

import pytest

from analytics.pairs import PAIRS
from analytics.periods import parse_period
from bot.data.market import MarketData
from bot.reports import Reports
from handlers.history import HistoryQuery
from handlers.rates import RatesQuery
from handlers.trend import TrendQuery
from tests.bot.test_reports import NOW, CountingCsv

AS_OF = date(2024, 3, 26)
QUERIES = {
    "trend": TrendQuery(parse_period("2y"), PAIRS["index"], AS_OF),
    "rates": RatesQuery(parse_period("10y"), PAIRS["index"], AS_OF),
    "history": HistoryQuery(parse_period("3y"), PAIRS["index"], AS_OF),
}


class RecordingCsv(CountingCsv):
    def __init__(self, directory):
        super().__init__(directory)
        self.symbols: list[str] = []

    def fetch(self, symbols, start):
        self.symbols += list(symbols)
        return super().fetch(symbols, start)


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_second_request_is_served_from_cache(name, cache, market_data_dir):
    source = RecordingCsv(market_data_dir)
    reports = Reports(MarketData(source, cache, lambda: NOW), cache, lambda: NOW)
    first = reports.run(QUERIES[name])
    again = Reports(MarketData(source, cache, lambda: NOW), cache, lambda: NOW).run(QUERIES[name])
    assert source.fetches == 1
    assert again.payload == first.payload and again.chart_png == first.chart_png
    assert first.payload["command"] == name
    assert first.chart_filename == f"smallcaps-{name}-{QUERIES[name].period.label}-index-" \
        f"{first.payload['end']}.png"
    assert first.chart_png.startswith(b"\x89PNG")
    json.dumps(first.payload, allow_nan=False)  # strict JSON: no NaN sneaks into a payload


def test_rates_fetches_the_yield_with_the_pair(cache, market_data_dir):
    source = RecordingCsv(market_data_dir)
    Reports(MarketData(source, cache, lambda: NOW), cache, lambda: NOW).run(QUERIES["rates"])
    assert sorted(source.symbols) == ["^GSPC", "^RUT", "^TNX"]


def test_reports_of_different_commands_do_not_share_a_cache_entry(cache, market_data_dir):
    reports = Reports(MarketData(CountingCsv(market_data_dir), cache, lambda: NOW), cache,
                      lambda: NOW)
    payloads = {name: reports.run(query).payload["command"] for name, query in QUERIES.items()}
    assert payloads == {name: name for name in QUERIES}
