"""Report queries for tests: one that must prove an answer came from the cache, and the
price history a query is built from in unit tests."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from bot.data.market import PriceHistory
from bot.data.market_hours import market_today
from handlers import registry
from handlers.words import ParseContext

FETCHED = datetime(2026, 11, 24, 21, 0, tzinfo=UTC)
"""When the test histories were 'fetched' (after Tuesday's close)."""


def context(defaults: Mapping[str, str] | None = None, **settings: Any) -> ParseContext:
    """A request's context as the listeners build it: today in New York, the given settings
    (`risk_free_rate`, `board`; the defaults otherwise) and channel `defaults`."""
    return ParseContext(today=market_today(), defaults=dict(defaults or {}), **settings)


def parse_command(text: str, defaults: Mapping[str, str] | None = None, **settings: Any) -> Any:
    """The request `text` names, parsed as a Slack listener would (handlers.registry)."""
    return registry.parse_command(text, context(defaults, **settings))


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
