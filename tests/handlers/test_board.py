"""The board fetches every symbol of every row in one batch (and the rest once more when the
source lacks some), through the real MarketData and a real Redis."""

from __future__ import annotations

from datetime import date

from analytics.board import DEFAULT_BOARD, parse_board
from bot.data.market import MarketData
from bot.data.sources import CsvSource
from bot.reports import Reports
from handlers.board import BoardQuery


class CountingSource(CsvSource):
    """The CSV source, recording each fetch's symbols."""

    def __init__(self, directory) -> None:
        super().__init__(directory)
        self.fetches: list[list[str]] = []

    def fetch(self, symbols, start):
        self.fetches.append(list(symbols))
        return super().fetch(symbols, start)


def test_default_board_is_one_fetch_of_all_ten_symbols(cache, market_data_dir):
    source = CountingSource(market_data_dir)
    reports = Reports(MarketData(source, cache), cache)
    report = reports.run(BoardQuery(parse_board(DEFAULT_BOARD), date(2024, 3, 26)))
    assert len(source.fetches) == 1
    assert sorted(source.fetches[0]) == sorted(["^RUT", "^GSPC", "IWM", "SPY", "IJR", "IWC",
                                                "IJH", "RSP", "IWN", "IWO"])
    assert all(row["note"] is None for row in report.payload["rows"])


def test_a_missing_symbol_costs_one_more_fetch_without_it(cache, market_data_dir):
    source = CountingSource(market_data_dir)
    reports = Reports(MarketData(source, cache), cache)
    report = reports.run(BoardQuery(parse_board("IWM/SPY, ZZZZ/SPY"), date(2024, 3, 26)))
    assert source.fetches == [["IWM", "SPY", "ZZZZ"], ["IWM", "SPY"]]
    notes = {row["pair"]: row["note"] for row in report.payload["rows"]}
    assert notes["IWM/SPY"] is None and "ZZZZ" in notes["ZZZZ/SPY"]
