"""Live days, replayed: dividends and splits through the cache seam.

A fake Yahoo (tests/fake_yahoo.py) publishes, on each simulated day, what Yahoo would show
that evening; the bot (Reports -> MarketData -> YahooSource -> real yfinance, real Redis)
answers with the clock set to that evening. At every step its answer must equal a plain
computation on exactly what the fake publishes at that moment.

What Yahoo publishes is built from real data: Close and Adj Close of one Yahoo snapshot
(`SYMBOL.both.csv`). On day T, Yahoo's adjusted close of an earlier day s is
Close(s) * F(s) / F(T), with F = Adj Close / Close of the snapshot: every dividend up to T is
folded into earlier days, none after it. A split by `ratio` on day S divides every close
Yahoo shows from S on (earlier days included) by `ratio`. Values go out float32-rounded, as
Yahoo sends them.
"""

from __future__ import annotations

import bisect
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pandas as pd
import pytest

from analytics.pairs import parse_pair
from analytics.periods import parse_period
from bot.data.market import MarketData
from bot.data.yahoo import YahooSource
from bot.reports import Reports
from handlers.gap import GapQuery
from tests.analytics.plain import years_before
from tests.fake_yahoo import FakeYahoo


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2000, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def evening(day: str) -> datetime:
    """22:00 UTC (18:00 New York in summer): after that day's refresh point."""
    return datetime.fromisoformat(day).replace(hour=22, tzinfo=UTC)


def published(base: pd.DataFrame, day: str, split: tuple[str, float] | None = None
              ) -> pd.DataFrame:
    """What Yahoo shows on the evening of `day` for a symbol with snapshot `base`."""
    rows = base.loc[:day]
    factor = (rows["Adj Close"] / rows["Close"]).to_numpy()
    close = rows["Close"].to_numpy().copy()
    adj = close * factor / factor[-1]
    if split is not None and pd.Timestamp(day) >= pd.Timestamp(split[0]):
        close, adj = close / split[1], adj / split[1]
    frame = pd.DataFrame({"Close": close.astype("float32").astype("float64"),
                          "Adj Close": adj.astype("float32").astype("float64")},
                         index=rows.index)
    frame.index.name = "Date"
    return frame


def plain_returns(frames: dict[str, pd.DataFrame], small: str, large: str, column: str
                  ) -> tuple[str, str, float, float]:
    """1-year returns (%) by the window convention of docs/methodology.md, in plain Python
    on the published values."""
    values = {s: {ts.date(): float(v) for ts, v in frames[s][column].items()}
              for s in (small, large)}
    days = sorted(set(values[small]) & set(values[large]))
    end = days[-1]
    start = days[bisect.bisect_right(days, years_before(end, 1)) - 1]
    return (start.isoformat(), end.isoformat(),
            (values[small][end] / values[small][start] - 1) * 100,
            (values[large][end] / values[large][start] - 1) * 100)


def index_frame(market_data_dir: Path, symbol: str) -> pd.DataFrame:
    """An index as Yahoo shows it: the level is Close and Adj Close alike."""
    closes = pd.read_csv(market_data_dir / f"{symbol}.csv", index_col="Date",
                         parse_dates=True)["Close"]
    return pd.DataFrame({"Close": closes, "Adj Close": closes})


def both(market_data_dir: Path, symbol: str) -> pd.DataFrame:
    return pd.read_csv(market_data_dir / f"{symbol}.both.csv", index_col="Date",
                       parse_dates=True)


def replay(cache, yf_cache_dir, pair_text: str, bases: dict[str, pd.DataFrame],
           days: list[str], splits: dict[str, tuple[str, float]] | None = None):
    """Run `gap 1y PAIR` on the evening of each day; yield (day, payload, published frames,
    market, fake) after each answer."""
    fake, clock = FakeYahoo(Path("/nonexistent")), Clock()
    source = YahooSource(session=fake.session(), timeout=5, cache_dir=yf_cache_dir)
    market = MarketData(source, cache, clock)
    reports = Reports(market, cache, clock)
    query = GapQuery(period=parse_period("1y"), pair=parse_pair(pair_text))
    for day in days:
        frames = {s: published(b, day, (splits or {}).get(s)) for s, b in bases.items()}
        for symbol, frame in frames.items():
            fake.publish(symbol, frame)
        clock.now = evening(day)
        yield day, reports.run(query).payload, frames, market, fake


def check_total_return(payload: dict, frames: dict, small: str, large: str) -> None:
    start, end, small_pct, large_pct = plain_returns(frames, small, large, "Adj Close")
    assert (payload["start"], payload["end"]) == (start, end)
    assert payload["small"]["return_pct"] == pytest.approx(small_pct, abs=1e-4)
    assert payload["large"]["return_pct"] == pytest.approx(large_pct, abs=1e-4)


def check_price_return(payload: dict, frames: dict, small: str, large: str) -> None:
    _, _, small_pct, large_pct = plain_returns(frames, small, large, "Close")
    other = payload["other_basis"]
    assert other["basis"] == "price return" and other["note"] is None
    assert other["small"]["return_pct"] == pytest.approx(small_pct, abs=1e-4)
    assert other["large"]["return_pct"] == pytest.approx(large_pct, abs=1e-4)


def full_history_requests(fake: FakeYahoo, symbol: str) -> int:
    """Chart requests for `symbol` that start before 1990 (a full-history fetch)."""
    cutoff = datetime(1990, 1, 1, tzinfo=UTC).timestamp()
    return sum(int(r.params["period1"]) < cutoff for r in fake.history_requests(symbol))


def test_spy_dividend_rescales_history_and_the_cache_follows(cache, market_data_dir,
                                                             yf_cache_dir):
    """SPY goes ex-dividend on 2024-06-21 (IWM did on 2024-06-11): Yahoo rescales every
    earlier adjusted close. Before the fix the 1-year total return came out short by the
    dividend, because the cache kept the old scale before the refetched week."""
    bases = {"IWM": both(market_data_dir, "IWM"), "SPY": both(market_data_dir, "SPY")}
    days = ["2024-06-07", "2024-06-10", "2024-06-11", "2024-06-20", "2024-06-21",
            "2024-06-24"]
    fulls = {}
    for day, payload, frames, market, fake in replay(cache, yf_cache_dir, "etf", bases, days):
        check_total_return(payload, frames, "IWM", "SPY")
        check_price_return(payload, frames, "IWM", "SPY")
        fulls[day] = {s: full_history_requests(fake, s) for s in ("IWM", "SPY")}
        counts = market.adjustment_refetches()
    # the first day fetched everything; an ordinary day only the last week; an ex-date
    # triggers exactly one full refetch of that symbol, counted for `status`
    assert fulls["2024-06-07"] == {"IWM": 1, "SPY": 1}
    assert fulls["2024-06-10"] == {"IWM": 1, "SPY": 1}
    assert fulls["2024-06-11"] == {"IWM": 2, "SPY": 1}
    assert fulls["2024-06-20"] == {"IWM": 2, "SPY": 1}
    assert fulls["2024-06-21"] == {"IWM": 2, "SPY": 2}
    assert fulls["2024-06-24"] == {"IWM": 2, "SPY": 2}
    assert {s: n for s, (n, _) in counts.items()} == {"IWM": 1, "SPY": 1}
    assert counts["SPY"][1] == "2024-06-21T22:00:00+00:00"


@pytest.mark.parametrize("ratio", [2.0, 0.1], ids=["2-for-1 split", "1-for-10 reverse split"])
def test_split_on_a_custom_pair_symbol(cache, market_data_dir, yf_cache_dir, ratio):
    """A made-up symbol SMCX (IWM's real closes) splits on 2024-07-15. Before the fix the
    cached pre-split closes were joined to post-split ones: a fake -50 % (or +900 %) day."""
    bases = {"SMCX": both(market_data_dir, "IWM"),
             "^GSPC": index_frame(market_data_dir, "^GSPC")}
    days = ["2024-07-11", "2024-07-12", "2024-07-15", "2024-07-16"]
    splits = {"SMCX": ("2024-07-15", ratio)}
    for day, payload, frames, market, fake in replay(cache, yf_cache_dir, "SMCX/^GSPC", bases,
                                                     days, splits):
        check_total_return(payload, frames, "SMCX", "^GSPC")
        check_price_return(payload, frames, "SMCX", "^GSPC")
        fulls = (full_history_requests(fake, "SMCX"), full_history_requests(fake, "^GSPC"))
        assert fulls == ((1, 1) if day < "2024-07-15" else (2, 1))  # refetched after the split
        refetched = market.adjustment_refetches()
    assert refetched["SMCX"][0] == 1
    # and the answer is the economic one: the split changed no return
    unsplit = {s: published(b, days[-1]) for s, b in bases.items()}
    _, _, small_pct, _ = plain_returns(unsplit, "SMCX", "^GSPC", "Adj Close")
    assert payload["small"]["return_pct"] == pytest.approx(small_pct, abs=1e-3)


def test_refetch_failure_keeps_the_old_consistent_history(cache, market_data_dir,
                                                          yf_cache_dir):
    """If the full refetch after an adjustment fails (rate limit), the answer uses the old
    cached history, whole and on one scale, and says how old it is; it never mixes scales."""
    bases = {"IWM": both(market_data_dir, "IWM"), "SPY": both(market_data_dir, "SPY")}
    steps = replay(cache, yf_cache_dir, "etf", bases, ["2024-06-20", "2024-06-21"])
    _, before, frames_before, _, fake = next(steps)
    original_send = fake.send

    def limited(request, *args, **kwargs):  # the incremental fetch works, the full one not
        period1 = dict(parse_qsl(urlsplit(request.url).query)).get("period1")
        if period1 is not None and int(period1) < datetime(1990, 1, 1, tzinfo=UTC).timestamp():
            fake.rate_limit = True
            try:
                return original_send(request, *args, **kwargs)
            finally:
                fake.rate_limit = False
        return original_send(request, *args, **kwargs)

    fake.send = limited  # type: ignore[method-assign]
    _, after, _, _, _ = next(steps)
    assert "rate-limiting" in after["stale_note"]
    assert after["end"] == "2024-06-20"  # the old history, not half of each
    check_total_return(after, frames_before, "IWM", "SPY")


def test_ordinary_days_are_not_adjustments(cache, market_data_dir, yf_cache_dir):
    """Day-to-day float noise in Yahoo's adjusted closes (up to 1.7e-6 here) and a holiday
    (2024-07-04) must not trigger a full refetch: ordinary days cost one week's rows."""
    bases = {"IWM": both(market_data_dir, "IWM"), "SPY": both(market_data_dir, "SPY")}
    days = ["2024-07-01", "2024-07-02", "2024-07-03", "2024-07-04", "2024-07-05"]
    for _day, payload, frames, market, fake in replay(cache, yf_cache_dir, "etf", bases, days):
        check_total_return(payload, frames, "IWM", "SPY")
        assert market.adjustment_refetches() == {}
        assert full_history_requests(fake, "SPY") == full_history_requests(fake, "IWM") == 1
