"""MarketData: fetch only what is missing, in one batch, and fall back to the cache."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from bot.data.market import MarketData, decode_closes, encode_closes
from bot.data.sources import DataUnavailableError, SymbolNotFoundError

FULL = {s: pd.Series(np.linspace(100, 200 + i, 500),
                     index=pd.bdate_range("2023-01-02", periods=500), name=s)
        for i, s in enumerate(["AAA", "BBB"])}


class RecordingSource:
    """A source over fixed series that records each fetch and can be made to fail."""

    name = cache_id = "recording"

    def __init__(self, upto: str) -> None:
        self.upto = pd.Timestamp(upto)
        self.fetches: list[tuple[tuple[str, ...], date | None]] = []
        self.fail_with: Exception | None = None

    def fetch(self, symbols, start):
        self.fetches.append((tuple(symbols), start))
        if self.fail_with:
            raise self.fail_with
        missing = [s for s in symbols if s not in FULL]
        if missing:
            raise SymbolNotFoundError(missing, self.name)
        return {s: FULL[s].loc[pd.Timestamp(start or "1900-01-01"): self.upto] for s in symbols}


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def test_encoding_is_exact():
    fields = encode_closes(FULL["AAA"], datetime(2024, 1, 1, tzinfo=UTC), "x")
    decoded = decode_closes({k.encode(): v for k, v in fields.items()}, "AAA")
    pd.testing.assert_series_equal(decoded.closes, FULL["AAA"], check_freq=False,
                                   check_index_type=False, check_names=False)


def test_first_request_fetches_all_history_in_one_batch(cache):
    source = RecordingSource("2024-06-28")
    clock = Clock(datetime(2024, 7, 1, 12, tzinfo=UTC))
    history = MarketData(source, cache, clock).history(["AAA", "BBB"])
    assert source.fetches == [(("AAA", "BBB"), None)]
    assert history.closes["AAA"].index[-1] == pd.Timestamp("2024-06-28")
    assert history.stale_note is None


def test_fresh_cache_is_not_refetched_and_next_day_fetches_only_recent_days(cache):
    source = RecordingSource("2024-06-28")
    clock = Clock(datetime(2024, 7, 1, 12, tzinfo=UTC))  # Monday, before the close
    market = MarketData(source, cache, clock)
    market.history(["AAA", "BBB"])
    market.history(["AAA", "BBB"])
    assert len(source.fetches) == 1
    clock.now += timedelta(hours=10)  # after Monday's close: stale
    source.upto = pd.Timestamp("2024-07-01")
    history = market.history(["AAA", "BBB"])
    assert source.fetches[1] == (("AAA", "BBB"), date(2024, 6, 21))  # a week of overlap
    assert history.closes["BBB"].index[-1] == pd.Timestamp("2024-07-01")
    expected = FULL["BBB"].loc[:"2024-07-01"]
    np.testing.assert_array_equal(history.closes["BBB"].to_numpy(), expected.to_numpy())


def test_provider_failure_falls_back_to_cache_and_says_how_old(cache):
    source = RecordingSource("2024-06-28")
    clock = Clock(datetime(2024, 7, 1, 12, tzinfo=UTC))
    market = MarketData(source, cache, clock)
    market.history(["AAA"])
    clock.now += timedelta(days=1)
    source.fail_with = DataUnavailableError("Yahoo Finance is rate-limiting us.")
    history = market.history(["AAA"])
    assert "rate-limiting" in history.stale_note and "2024-07-01 12:00" in history.stale_note
    assert history.closes["AAA"].index[-1] == pd.Timestamp("2024-06-28")


def test_provider_failure_without_cache_is_an_error(cache):
    source = RecordingSource("2024-06-28")
    source.fail_with = DataUnavailableError("down")
    with pytest.raises(DataUnavailableError):
        MarketData(source, cache, Clock(datetime(2024, 7, 1, tzinfo=UTC))).history(["AAA"])


def test_unknown_symbol_is_reported_not_hidden(cache):
    source = RecordingSource("2024-06-28")
    with pytest.raises(SymbolNotFoundError, match="ZZZ"):
        MarketData(source, cache, Clock(datetime(2024, 7, 1, tzinfo=UTC))).history(["AAA", "ZZZ"])
