"""Data source errors reach Slack users: no server paths, and empty data is not 'a bad symbol'."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from bot.data.sources import CsvSource, DataUnavailableError, SymbolNotFoundError
from bot.data.yahoo import YahooSource
from tests.fake_yahoo import FakeYahoo

ALL_NAN_CSV = "Date,Open,High,Low,Close,Volume\n" + "".join(
    f"2024-01-{d:02d},,,,,\n" for d in (2, 3, 4, 5, 8))


def test_csv_errors_and_source_name_hold_no_server_path(market_data_dir, tmp_path):
    source = CsvSource(market_data_dir)
    with pytest.raises(SymbolNotFoundError) as caught:
        source.fetch(["ZZZZ", "SPY"], None)
    assert str(market_data_dir) not in str(caught.value) and "`ZZZZ`" in str(caught.value)
    assert str(market_data_dir.parent) not in source.name
    with pytest.raises(DataUnavailableError) as gone:
        CsvSource(tmp_path / "secret" / "gone").fetch(["SPY"], None)
    assert "secret" not in str(gone.value) and str(tmp_path) not in str(gone.value)


def test_all_nan_csv_says_the_data_is_empty_not_check_the_symbol(tmp_path):
    (tmp_path / "NANX.csv").write_text(ALL_NAN_CSV)
    with pytest.raises(DataUnavailableError) as caught:
        CsvSource(tmp_path).fetch(["NANX"], None)
    message = str(caught.value)
    assert "empty" in message and "Check the symbol" not in message


def test_all_nan_yahoo_column_says_the_data_is_empty(market_data_dir: Path, tmp_path,
                                                      yf_cache_dir):
    """Yahoo sends rows whose closes are all null: the symbol exists, its data is unusable
    (yfinance logs nothing, so this used to read as 'no daily data... Check the symbol')."""
    shutil.copy(market_data_dir / "SPY.csv", tmp_path / "SPY.csv")
    (tmp_path / "NANX.csv").write_text(ALL_NAN_CSV)
    source = YahooSource(session=FakeYahoo(tmp_path).session(), timeout=5,
                         cache_dir=yf_cache_dir)
    with pytest.raises(DataUnavailableError) as caught:
        source.fetch(["NANX", "SPY"], date(2024, 1, 1))
    message = str(caught.value)
    assert not isinstance(caught.value, SymbolNotFoundError)
    assert "`NANX`" in message and "empty" in message and "Check the symbol" not in message
