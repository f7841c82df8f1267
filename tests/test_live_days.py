"""Live days, replayed: what Yahoo publishes changes over a simulated clock, and at every step
the bot's answer equals an independent computation on what is published at that moment (or
is labelled intraday / pending).

The real path runs: Reports -> MarketData -> YahooSource -> yfinance -> the fake Yahoo
(tests/fake_yahoo.py) with a real Redis. The fake publishes the real ^RUT/^GSPC history cut
at each moment, plus what a live day adds: a partial bar holding the last trade while the
market is open, a row whose values have not come in yet for one symbol, nothing on Good
Friday, the final bar at 13:00 on an early-close day. The expected figures are plain Python
on the published rows (the window convention of docs/methodology.md), not the bot's own code.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from bot.data.market import MarketData
from bot.data.yahoo import YahooSource
from bot.listeners.actions import is_stale
from bot.reports import Reports
from bot.reports.status import collect_status
from handlers.buttons import decode_value, report_buttons
from handlers.gap import CHOICES
from handlers.replies import plain_text
from tests.fake_yahoo import FakeYahoo
from tests.query_helpers import parse_command

SMALL, LARGE = "^RUT", "^GSPC"
NEW_YORK = ZoneInfo("America/New_York")


def ny(day: str, hour: int, minute: int) -> datetime:
    """A moment in New York time."""
    return datetime.combine(date.fromisoformat(day), datetime.min.time(),
                            tzinfo=NEW_YORK).replace(hour=hour, minute=minute)


@dataclass(frozen=True)
class Expected:
    start: str
    end: str
    small_pct: float
    large_pct: float


class Replay:
    """A simulated clock, the fake Yahoo's published rows, and the bot on top of both."""

    def __init__(self, real: dict[str, pd.DataFrame], cache, yf_cache_dir) -> None:
        self.real = real
        self.fake = FakeYahoo()
        self.now = ny("2024-01-02", 12, 0)
        self.published: dict[str, pd.DataFrame] = {}
        self.partial_day: str | None = None
        source = YahooSource(session=self.fake.session(), timeout=5, cache_dir=yf_cache_dir)
        self.market = MarketData(source, cache, lambda: self.now)
        self.reports = Reports(self.market, cache, lambda: self.now)
        self.cache = cache

    def publish(self, at: datetime, through: str, *, partial: dict[str, float] | None = None,
                empty: frozenset[str] = frozenset()) -> None:
        """From `at` on, Yahoo lists every real row up to `through`; `empty` symbols list
        their `through` row with no values; `partial` adds a bar dated `at`'s day holding
        that last trade (the market is open)."""
        self.now = at
        self.partial_day = at.date().isoformat() if partial else None
        for symbol, frame in self.real.items():
            rows = frame[frame["Date"] <= pd.Timestamp(through)].copy()
            if symbol in empty:
                rows.loc[rows.index[-1], ["Open", "High", "Low", "Close", "Volume"]] = math.nan
            if partial:
                trade = partial[symbol]
                bar = {"Date": pd.Timestamp(self.partial_day), "Open": trade, "High": trade,
                       "Low": trade, "Close": trade, "Volume": 0}
                rows = pd.concat([rows, pd.DataFrame([bar])], ignore_index=True)
            self.published[symbol] = rows
            self.fake.publish(symbol, rows)

    def ask(self, text: str):
        return self.reports.run(parse_command(text))

    def expected(self, *, with_partial: bool = False) -> Expected:
        """`gap 1y` on the published rows, in plain Python: both series' closes on the days
        both have one; end = the last such day; start = the last such day on or before the
        same calendar date a year earlier."""
        closes = {}
        for symbol, rows in self.published.items():
            series = {}
            for day, close in zip(rows["Date"], rows["Close"], strict=True):
                iso = day.date().isoformat()
                if math.isnan(close) or (iso == self.partial_day and not with_partial):
                    continue
                series[iso] = float(close)
            closes[symbol] = series
        common = sorted(set(closes[SMALL]) & set(closes[LARGE]))
        end = common[-1]
        target = f"{int(end[:4]) - 1}{end[4:]}"
        start = [d for d in common if d <= target][-1]

        def pct(symbol: str) -> float:
            return (closes[symbol][end] / closes[symbol][start] - 1) * 100

        return Expected(start, end, pct(SMALL), pct(LARGE))

    def status_rows(self) -> dict[str, dict]:
        deps = SimpleNamespace(clock=lambda: self.now, cache=self.cache, market=self.market)
        return {row["symbol"]: row for row in collect_status(deps)["symbols"] if row["cached"]}


def check(payload: dict, want: Expected) -> None:
    """The reply's window and both returns equal the independent computation."""
    assert (payload["start"], payload["end"]) == (want.start, want.end)
    assert payload["small"]["return_pct"] == pytest.approx(want.small_pct, abs=1e-4)
    assert payload["large"]["return_pct"] == pytest.approx(want.large_pct, abs=1e-4)
    assert payload["gap_pp"] == pytest.approx(want.large_pct - want.small_pct, abs=1e-3)


@pytest.fixture
def replay(market_data_dir, cache, yf_cache_dir) -> Replay:
    real = {s: pd.read_csv(market_data_dir / f"{s}.csv", parse_dates=["Date"])
            for s in (SMALL, LARGE)}
    return Replay(real, cache, yf_cache_dir)


def _close(replay: Replay, symbol: str, day: str) -> float:
    frame = replay.real[symbol]
    return float(frame.loc[frame["Date"] == pd.Timestamp(day), "Close"].iloc[0])


def test_a_partial_intraday_bar_is_not_a_close_unless_asked_for(replay):
    # Monday 2024-07-01 10:15 New York, cold cache: Yahoo's bar for today holds the last
    # trade (here 1 % under the day's real close).
    partial = {s: _close(replay, s, "2024-07-01") * 0.99 for s in (SMALL, LARGE)}
    replay.publish(ny("2024-07-01", 10, 15), "2024-06-28", partial=partial)
    default = replay.ask("gap 1y").payload
    check(default, replay.expected())  # ends on Friday's close, not on the last trade
    assert default["intraday"] is None
    assert {r["last_close"] for r in replay.status_rows().values()} == {"2024-06-28"}

    live = replay.ask("gap 1y live")
    check(live.payload, replay.expected(with_partial=True))
    assert live.payload["intraday"]["label"] == "intraday, 10:15 New York, not a close"
    assert "Intraday, 10:15 New York, not a close" in plain_text(live)

    # 16:25, after the close: the final bar is published; the 10:15 trade was never kept
    replay.publish(ny("2024-07-01", 16, 25), "2024-07-01")
    after = replay.ask("gap 1y").payload
    check(after, replay.expected())
    assert after["end"] == "2024-07-01" and after["pending_closes"] == {}


def test_a_close_that_arrives_late_for_one_symbol_is_pending_then_used(replay):
    # 16:25: ^GSPC has Monday's bar, ^RUT's row is listed without values
    replay.publish(ny("2024-07-01", 16, 25), "2024-07-01", empty=frozenset({SMALL}))
    first = replay.ask("gap 1y").payload
    check(first, replay.expected())  # the last close both have: Friday 2024-06-28
    assert first["end"] == "2024-06-28"
    assert first["pending_closes"] == {SMALL: "2024-07-01"}
    assert "^RUT's 2024-07-01 close is not in" in first["stale_note"]
    assert "end on 2024-06-28" in first["stale_note"]
    assert replay.status_rows()[SMALL]["state"] == "close of 2024-07-01 pending"

    # 16:40: the row has come in; the bot asks again (not tomorrow) and uses it
    replay.publish(ny("2024-07-01", 16, 40), "2024-07-01")
    second = replay.ask("gap 1y").payload
    check(second, replay.expected())
    assert second["end"] == "2024-07-01" and second["pending_closes"] == {}
    assert second["stale_note"] is None


def test_good_friday_is_not_a_trading_day(replay):
    replay.publish(ny("2024-03-28", 16, 25), "2024-03-28")
    thursday = replay.ask("gap 1y").payload
    check(thursday, replay.expected())
    fetches = len(replay.fake.history_requests())

    # Good Friday 17:00: nothing new is published, and nothing new is expected
    replay.publish(ny("2024-03-29", 17, 0), "2024-03-28")
    friday = replay.ask("gap 1y").payload
    check(friday, replay.expected())
    assert len(replay.fake.history_requests()) == fetches  # no refetch for a holiday
    assert friday["pending_closes"] == {}
    assert {r["state"] for r in replay.status_rows().values()} == {"current"}
    # a button under Thursday's reply still switches: no newer close has come in
    button = report_buttons(thursday, CHOICES)["elements"][0]["value"]
    assert not is_stale(decode_value(button), replay.now)


def test_the_early_close_is_used_after_1320_not_at_1620(replay):
    replay.publish(ny("2024-07-02", 16, 25), "2024-07-02")
    check(replay.ask("gap 1y").payload, replay.expected())

    # 12:30 on 2024-07-03 (closes at 13:00): a partial bar is published, not used
    partial = {s: _close(replay, s, "2024-07-03") * 1.005 for s in (SMALL, LARGE)}
    replay.publish(ny("2024-07-03", 12, 30), "2024-07-02", partial=partial)
    morning = replay.ask("gap 1y").payload
    check(morning, replay.expected())
    assert morning["end"] == "2024-07-02"

    # 13:25: the day's final bar is out and the day's close is final at 13:20
    replay.publish(ny("2024-07-03", 13, 25), "2024-07-03")
    afternoon = replay.ask("gap 1y").payload
    check(afternoon, replay.expected())
    assert afternoon["end"] == "2024-07-03"


def test_a_close_that_never_comes_is_not_asked_for_all_evening(replay):
    # ^RUT's row stays empty (as ^TNX's does on a bond-market holiday): asked again for
    # four hours after the close is final (16:20), then left until the next refresh point
    replay.publish(ny("2024-07-01", 16, 25), "2024-07-01", empty=frozenset({SMALL}))
    replay.ask("gap 1y")
    replay.publish(ny("2024-07-01", 16, 40), "2024-07-01", empty=frozenset({SMALL}))
    replay.ask("gap 1y")
    asked = len(replay.fake.history_requests(SMALL))
    assert asked == 2  # the first fetch and one retry
    replay.publish(ny("2024-07-01", 21, 0), "2024-07-01", empty=frozenset({SMALL}))
    late = replay.ask("gap 1y").payload
    assert len(replay.fake.history_requests(SMALL)) == asked
    check(late, replay.expected())
    assert late["pending_closes"] == {SMALL: "2024-07-01"}


def test_a_pending_close_is_not_mentioned_under_a_window_pinned_before_it(replay):
    replay.publish(ny("2024-07-01", 16, 25), "2024-07-01", empty=frozenset({SMALL}))
    pinned = replay.ask("gap 1y as-of 2024-06-27").payload
    assert pinned["end"] == "2024-06-27"
    assert pinned["pending_closes"] == {} and pinned["stale_note"] is None
