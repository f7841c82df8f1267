"""YahooSource through the real yfinance code path, offline: a fake Yahoo chart API
(tests/fake_yahoo.py) serves ../shared/market-data, and the CSVs read independently
with read_close_csv are the expected values."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import yfinance as yf
from yfinance.exceptions import YFRateLimitError

from bot.data.sources import (
    DataUnavailableError,
    RateLimitedError,
    SymbolNotFoundError,
    read_close_csv,
)
from bot.data.yahoo import YahooSource
from tests.fake_yahoo import FakeYahoo

PAIR = ["^RUT", "^GSPC"]
START = date(2024, 1, 1)


@pytest.fixture
def fake(market_data_dir: Path) -> FakeYahoo:
    return FakeYahoo(market_data_dir)


def make_source(fake: FakeYahoo, cache_dir: Path) -> YahooSource:
    return YahooSource(session=fake.session(), timeout=5, cache_dir=cache_dir)


def csv_closes(market_data_dir: Path, symbol: str, start: date | None = None) -> pd.Series:
    closes = read_close_csv(market_data_dir / f"{symbol}.csv")
    return closes[closes.index >= pd.Timestamp(start)] if start else closes


def test_closes_since_start_equal_the_csv(fake, market_data_dir, yf_cache_dir):
    result = make_source(fake, yf_cache_dir).fetch(PAIR, START)

    assert list(result) == PAIR
    for symbol in PAIR:
        closes = result[symbol]["Adj Close"].dropna().rename(symbol)
        expected = csv_closes(market_data_dir, symbol, START)
        assert len(expected) > 600
        pd.testing.assert_series_equal(closes, expected)  # same days, values, name, dtype
        # an index level has no dividends: Yahoo's Close and Adj Close are the same number
        assert (result[symbol]["Close"] == result[symbol]["Adj Close"]).all()
        assert closes.index[0] == pd.Timestamp("2024-01-02")  # first trading day >= start
        assert closes.index.min() >= pd.Timestamp(START)
        assert closes.index.tz is None and closes.index.is_monotonic_increasing
        assert (closes.index == closes.index.normalize()).all()
        assert closes.dtype == "float64" and not closes.isna().any()
    assert result["^RUT"].loc["2026-08-21", "Adj Close"] == 3017.87


def test_start_none_returns_full_history(fake, market_data_dir, yf_cache_dir):
    result = make_source(fake, yf_cache_dir).fetch(PAIR, None)

    for symbol in PAIR:
        expected = csv_closes(market_data_dir, symbol)
        assert result[symbol].index[0] == expected.index[0]
        # (rows with no close are the other symbol's days, for bot.data.validate to drop)
        pd.testing.assert_series_equal(result[symbol]["Adj Close"].dropna().rename(symbol),
                                       expected)
    assert result["^GSPC"].index[0] == pd.Timestamp("1950-01-03")  # before 1970 too
    assert result["^RUT"].index[0] == pd.Timestamp("1987-09-10")
    (request,) = fake.history_requests("^GSPC")
    assert int(request.params["period1"]) < pd.Timestamp("1950-01-03", tz="UTC").timestamp()


@pytest.mark.parametrize("missing_status", [404, 200])
def test_missing_symbol_raises_symbol_not_found(market_data_dir, yf_cache_dir, missing_status):
    source = make_source(FakeYahoo(market_data_dir, missing_status=missing_status), yf_cache_dir)

    with pytest.raises(SymbolNotFoundError) as caught:
        source.fetch(["NOSUCH1"], START)

    assert caught.value.symbols == ["NOSUCH1"]
    assert "`NOSUCH1`" in str(caught.value) and "Yahoo Finance" in str(caught.value)


def test_mix_of_good_and_missing_names_only_the_missing(fake, yf_cache_dir):
    with pytest.raises(SymbolNotFoundError) as caught:
        make_source(fake, yf_cache_dir).fetch(["^RUT", "NOSUCH2"], START)

    assert caught.value.symbols == ["NOSUCH2"]
    assert "^RUT" not in str(caught.value)
    assert len(fake.history_requests("^RUT")) == 1  # the good one was fetched all the same


@pytest.mark.parametrize("rate_limit", [True, {"^RUT"}], ids=["everything", "one-symbol"])
def test_http_429_raises_rate_limited(market_data_dir, yf_cache_dir, rate_limit):
    fake = FakeYahoo(market_data_dir, rate_limit=rate_limit)

    with pytest.raises(RateLimitedError) as caught:
        make_source(fake, yf_cache_dir).fetch(PAIR, START)

    assert not isinstance(caught.value, SymbolNotFoundError)
    assert "rate-limiting" in str(caught.value)
    assert fake.chart_requests("^RUT"), "the 429 must have come from the fake"


def test_rate_limit_raised_by_yfinance_itself(monkeypatch, fake, yf_cache_dir):
    def rate_limited(*args, **kwargs):
        raise YFRateLimitError()

    monkeypatch.setattr(yf, "download", rate_limited)
    with pytest.raises(RateLimitedError, match="rate-limiting"):
        make_source(fake, yf_cache_dir).fetch(PAIR, START)


def test_one_batched_download_and_one_chart_request_per_symbol(monkeypatch, fake, yf_cache_dir):
    calls = []
    real_download = yf.download

    def spy(*args, **kwargs):
        calls.append((args, kwargs))
        return real_download(*args, **kwargs)

    monkeypatch.setattr(yf, "download", spy)
    source = make_source(fake, yf_cache_dir)
    source.fetch(PAIR, START)

    assert len(calls) == 1
    (args, kwargs), = calls
    assert args == (PAIR,)
    assert kwargs["start"] == START and kwargs["progress"] is False
    assert kwargs["auto_adjust"] is False and kwargs["session"] is source.session
    new_york_midnight = int(pd.Timestamp("2024-01-01", tz="America/New_York").timestamp())
    for symbol in PAIR:
        (request,) = fake.history_requests(symbol)
        assert int(request.params["period1"]) == new_york_midnight
        assert request.params["interval"] == "1d"
        # The only other chart call yfinance may make is its timezone probe on a cold cache.
        others = [r for r in fake.chart_requests(symbol) if r is not request]
        assert len(others) <= 1 and all(r.params.get("range") == "1d" for r in others)
    assert {r.chart_symbol for r in fake.chart_requests()} == set(PAIR)


def test_network_failure_is_not_reported_as_missing_symbol(market_data_dir, yf_cache_dir):
    make_source(FakeYahoo(market_data_dir), yf_cache_dir).fetch(["^RUT"], START)  # tz now cached
    for symbol in ["^RUT", "IWM"]:  # history request fails / maybe the tz probe fails
        fake = FakeYahoo(market_data_dir, unreachable={symbol})
        with pytest.raises(DataUnavailableError) as caught:
            make_source(fake, yf_cache_dir).fetch([symbol], START)
        assert not isinstance(caught.value, SymbolNotFoundError), str(caught.value)
        assert f"`{symbol}`" in str(caught.value)


def test_start_after_the_last_day_is_no_prices_not_unknown_symbol(fake, yf_cache_dir):
    with pytest.raises(DataUnavailableError) as caught:
        make_source(fake, yf_cache_dir).fetch(["^RUT"], date(2026, 9, 1))  # CSV ends 08-21

    assert not isinstance(caught.value, SymbolNotFoundError)
    assert "no prices for `^RUT` since 2026-09-01" in str(caught.value)


def test_name_and_caches_in_the_tmp_dir(fake, yf_cache_dir):
    source = make_source(fake, yf_cache_dir)
    source.fetch(["^RUT"], START)

    assert source.name == "Yahoo Finance"
    assert source.cache_dir == yf_cache_dir
    with sqlite3.connect(yf_cache_dir / "tkr-tz.db") as db:
        rows = dict(db.execute("select key, value from _tz_kv").fetchall())
    assert rows["^RUT"] == "America/New_York"
    assert (yf_cache_dir / "cookies.db").is_file()
