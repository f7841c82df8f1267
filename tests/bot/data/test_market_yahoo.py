"""The production data path, offline: MarketData -> YahooSource -> yfinance -> fake Yahoo.

Each "day" the fake serves the CSVs cut at that day; the cache must ask Yahoo only for the
days it lacks, in one batch, and fall back to cached data when Yahoo rate-limits us.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd

from bot.data.market import MarketData
from bot.data.sources import read_close_csv
from bot.data.yahoo import YahooSource
from tests.fake_yahoo import FakeYahoo

SYMBOLS = ["^RUT", "^GSPC"]


def _serve_until(src_dir, dest_dir, last_day: str) -> FakeYahoo:
    """A fake Yahoo over copies of the CSVs cut at `last_day` (in a tmp folder)."""
    dest_dir.mkdir(parents=True, exist_ok=True)
    for symbol in SYMBOLS:
        frame = pd.read_csv(src_dir / f"{symbol}.csv")
        frame[frame["Date"] <= last_day].to_csv(dest_dir / f"{symbol}.csv", index=False)
    return FakeYahoo(dest_dir)


def _market(fake, cache, yf_cache_dir, now):
    source = YahooSource(session=fake.session(), timeout=5, cache_dir=yf_cache_dir)
    return MarketData(source, cache, lambda: now)


def _period1_dates(fake) -> set[date]:
    return {datetime.fromtimestamp(int(r.params["period1"]), UTC).date()
            for r in fake.history_requests()}


def test_next_day_fetches_only_missing_days_and_merges(cache, market_data_dir, yf_cache_dir,
                                                       tmp_path):
    day1 = _serve_until(market_data_dir, tmp_path / "d1", "2024-06-28")
    history = _market(day1, cache, yf_cache_dir, datetime(2024, 7, 1, 12, tzinfo=UTC)) \
        .history(SYMBOLS)
    assert history.closes["^RUT"].index[-1] == pd.Timestamp("2024-06-28")
    assert sorted(r.chart_symbol for r in day1.history_requests()) == sorted(SYMBOLS)

    day2 = _serve_until(market_data_dir, tmp_path / "d2", "2024-07-01")
    history = _market(day2, cache, yf_cache_dir, datetime(2024, 7, 1, 21, tzinfo=UTC)) \
        .history(SYMBOLS)
    assert _period1_dates(day2) == {date(2024, 6, 21)}  # a week before the last cached close
    assert sorted(r.chart_symbol for r in day2.history_requests()) == sorted(SYMBOLS)
    expected = read_close_csv(market_data_dir / "^GSPC.csv").loc[:"2024-07-01"]
    got = history.closes["^GSPC"]
    assert got.index.equals(expected.index.as_unit(got.index.unit))
    assert (got.to_numpy() == expected.to_numpy()).all()


def test_rate_limit_answers_from_cache_with_its_age(cache, market_data_dir, yf_cache_dir,
                                                    tmp_path):
    day1 = _serve_until(market_data_dir, tmp_path / "d1", "2024-06-28")
    _market(day1, cache, yf_cache_dir, datetime(2024, 7, 1, 12, tzinfo=UTC)).history(SYMBOLS)
    limited = _serve_until(market_data_dir, tmp_path / "d2", "2024-07-01")
    limited.rate_limit = True
    history = _market(limited, cache, yf_cache_dir, datetime(2024, 7, 2, 21, tzinfo=UTC)) \
        .history(SYMBOLS)
    assert "rate-limiting" in history.stale_note and "2024-07-01 12:00" in history.stale_note
    assert history.closes["^RUT"].index[-1] == pd.Timestamp("2024-06-28")
