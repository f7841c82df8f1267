"""Report queries for tests: one that must prove an answer came from the cache, and the
price history a query is built from in unit tests."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.data.market import PriceHistory
from handlers.registry import parse_command

FETCHED = datetime(2026, 11, 24, 21, 0, tzinfo=UTC)
"""When the test histories were 'fetched' (after Tuesday's close)."""


def history_of(real_closes, pair, stale=None) -> PriceHistory:
    """A Yahoo-like history of `pair`'s symbols from the real closes."""
    return PriceHistory({s: real_closes[s] for s in pair.symbols}, "Yahoo Finance", FETCHED,
                        stale)


class MustNotCompute:
    """A query that refuses to be computed: only a cached answer can come through."""

    def __init__(self, text: str) -> None:
        self.query = parse_command(text)
        self.command = self.query.command
        self.as_of, self.live = self.query.as_of, self.query.live
        self.missing_ok = self.query.missing_ok

    def symbols(self):
        return self.query.symbols()

    def describe(self) -> str:
        return self.query.describe()

    def build(self, history):
        raise AssertionError(f"{self.describe()} was computed")
