"""Bad provider rows never reach a reply or the cache, and each is logged once with its day.

Through the real path (real yfinance against the fake Yahoo, real Redis) and through the CSV
source; the expected closes are the published rows minus the bad ones, picked by hand."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bot.data.market import MarketData
from bot.data.sources import CsvSource
from bot.data.yahoo import YahooSource
from tests.fake_yahoo import FakeYahoo

LOGGER = "bot.data.validate"


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def _refusals(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == LOGGER]


def _spy(market_data_dir: Path, until: str) -> pd.DataFrame:
    frame = pd.read_csv(market_data_dir / "SPY.both.csv", index_col="Date", parse_dates=True)
    return frame.loc["2024-01-02":until]


def test_yahoo_bad_rows_are_refused_and_logged_once(cache, market_data_dir, yf_cache_dir,
                                                    caplog):
    good = _spy(market_data_dir, "2024-06-20")
    bad = good.copy()
    bad.loc["2024-06-03", "Adj Close"] = 0.0
    bad.loc["2024-06-04", "Adj Close"] = -5.0
    bad.loc["2024-06-05", "Adj Close"] = np.nan  # (yfinance itself drops all-empty rows)
    bad.loc["2024-06-06", "Close"] = -1.0  # the unadjusted close only: that basis loses it
    future = pd.DataFrame({"Close": [600.0], "Adj Close": [600.0]},
                          index=pd.DatetimeIndex(["2024-06-28"], name="Date"))
    fake = FakeYahoo(Path("/nonexistent"))
    fake.publish("SPY", pd.concat([bad, future]))
    clock = Clock(datetime(2024, 6, 20, 22, tzinfo=UTC))
    market = MarketData(YahooSource(session=fake.session(), timeout=5,
                                    cache_dir=yf_cache_dir), cache, clock)
    caplog.set_level(logging.INFO, logger=LOGGER)

    history = market.history(["SPY"])

    refused = {pd.Timestamp(d) for d in ("2024-06-03", "2024-06-04", "2024-06-05")}
    expected = good.drop(index=list(refused))
    got = history.closes["SPY"]
    assert list(got.index) == list(expected.index)  # no bad day, no future day
    np.testing.assert_allclose(got.to_numpy(), expected["Adj Close"].to_numpy(), rtol=1e-6)
    assert pd.Timestamp("2024-06-06") not in history.price["SPY"].index
    assert (history.price["SPY"] > 0).all()
    lines = _refusals(caplog)
    for day in ("2024-06-03", "2024-06-04", "2024-06-05", "2024-06-06", "2024-06-28"):
        assert sum(day in line and "SPY" in line for line in lines) == 1, (day, lines)
    cached = market.cached_series(["SPY"])["SPY"]  # what Redis holds: the cleaned rows
    assert (cached.first_close.isoformat(), cached.last_close.isoformat(),
            cached.closes) == ("2024-01-02", "2024-06-20", len(expected))

    # next day: the overlap week brings the same bad rows again; nothing new is logged
    fake.publish("SPY", pd.concat([bad, _spy(market_data_dir, "2024-06-21").iloc[-1:],
                                   future]))
    caplog.clear()
    clock.now = datetime(2024, 6, 21, 22, tzinfo=UTC)
    assert market.history(["SPY"]).closes["SPY"].index[-1] == pd.Timestamp("2024-06-21")
    assert _refusals(caplog) == []


def test_csv_rows_before_1677_duplicates_and_zeros(cache, tmp_path, caplog):
    (tmp_path / "ABC.csv").write_text(
        "Date,Open,High,Low,Close,Volume\n"
        "0001-01-01,,,,5.0,\n"
        "1600-06-30,,,,6.0,\n"
        "2024-01-02,,,,10.0,\n"
        "2024-01-03,,,,0.0,\n"
        "2024-01-04,,,,11.0,\n"
        "2024-01-04,,,,12.0,\n"
        "2024-01-05,,,,13.0,\n"
    )
    market = MarketData(CsvSource(tmp_path), cache,
                        lambda: datetime(2024, 1, 8, 22, tzinfo=UTC))
    caplog.set_level(logging.WARNING, logger=LOGGER)

    closes = market.history(["ABC"]).closes["ABC"]

    assert [d.date().isoformat() for d in closes.index] == [
        "2024-01-02", "2024-01-04", "2024-01-05"]
    assert closes.tolist() == [10.0, 12.0, 13.0]  # the duplicated day keeps its last row
    lines = _refusals(caplog)
    for day in ("0001-01-01", "1600-06-30", "2024-01-03", "2024-01-04"):
        assert sum(day in line and "ABC" in line for line in lines) == 1, (day, lines)


@pytest.mark.parametrize("as_of", ["0001-01-01", "1677-09-21"])
def test_a_report_before_the_data_is_a_clear_error_not_a_crash(cache, market_data_dir, as_of):
    from analytics.pairs import parse_pair
    from analytics.periods import InsufficientHistoryError, parse_period
    from bot.reports import Reports
    from handlers.gap import GapQuery

    market = MarketData(CsvSource(market_data_dir), cache)
    query = GapQuery(parse_period("1y"), parse_pair("etf"), datetime.fromisoformat(as_of).date())
    with pytest.raises(InsufficientHistoryError, match="No data before 2000-05-26"):
        Reports(market, cache).run(query)
