"""What the report queries share: the period/pair/as-of fields, symbols, cache text, closes.

Each report module keeps only what is its own (its analytics call, payload and chart); the
cache key text stays `command|period|pair|as_of-or-latest` so cached entries stay valid.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from analytics.pairs import Pair
from analytics.periods import Period
from bot.market import PriceHistory
from bot.reports import Payload


def as_of_text(as_of: date | None) -> str:
    """'2024-03-26', or 'latest' when no as-of date was asked for (part of the cache key)."""
    return f"{as_of or 'latest'}"


def pair_closes(history: PriceHistory, pair: Pair) -> tuple[pd.Series, pd.Series]:
    """The (small, large) daily closes of `pair` from `history`."""
    small, large = (history.closes[s] for s in pair.symbols)
    return small, large


def fetched_day(payload: Payload) -> str:
    """The UTC date the data was fetched ('2026-11-25'), for chart footers."""
    return payload["data_fetched_at"][:10]


def as_of_requested(as_of: date | None) -> str | None:
    """The as-of date the user asked for, ISO, or None (payload field `as_of_requested`)."""
    return as_of.isoformat() if as_of else None


@dataclass(frozen=True)
class PeriodPairQuery:
    """A period, a pair and an optional as-of date; subclasses add a `command` field."""

    period: Period
    pair: Pair
    as_of: date | None = None

    def symbols(self) -> tuple[str, ...]:
        return self.pair.symbols

    def describe(self) -> str:
        command = self.command  # type: ignore[attr-defined]
        return f"{command}|{self.period.label}|{self.pair.key}|{as_of_text(self.as_of)}"

    def closes(self, history: PriceHistory) -> tuple[pd.Series, pd.Series]:
        """The (small, large) closes of this query's pair."""
        return pair_closes(history, self.pair)
