"""What the report queries share: the period/pair/as-of fields, symbols, cache text, closes.

Each report module keeps only what is its own (its analytics call, payload and chart); the
cache key text stays `command|period|pair|as_of-or-latest` so cached entries stay valid.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from analytics.pairs import Pair
from analytics.periods import Period, Window
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


def window_fields(command: str, period: Period, pair: Pair, window: Window, as_of: date | None,
                  *, adjective: bool = False) -> Payload:
    """The fields that open every period report's payload, in their documented order:
    command, period (label, description[, adjective]), pair, start/end actually used,
    as_of_requested and basis."""
    fields: Payload = {"command": command, "period": period.label,
                       "period_description": period.describe()}
    if adjective:
        fields["period_adjective"] = period.adjective()
    return {
        **fields,
        "pair": pair.key,
        "start": window.start.date().isoformat(),
        "end": window.end.date().isoformat(),
        "as_of_requested": as_of_requested(as_of),
        "basis": pair.basis,
    }
