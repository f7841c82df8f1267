"""What makes two report queries the same question, and two data folders the same data: the
one definition every cache key is built from (issue #20, "cuts serves whichever basis was
asked first").

A query's identity is its class and every field of it, nested dataclasses (pair,
instruments, period, board rows) included, whether or not a field shows in its repr: a
field that can change the answer (the `basis` word, an as-of date, a risk-free rate, a
row of the board, `live`) cannot be left out of a key by forgetting to name it. Two
queries share a key only when they are equal field for field.
"""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import date
from typing import Any


def query_identity(query: Any) -> str:
    """The text that keys `query`'s cached answer: its class name and all its fields,
    recursively ('GapQuery|(Period(...), Pair(...), None, False, 'gap')').

    `query` must be a dataclass instance (every report query is a frozen dataclass);
    TypeError otherwise, so a new query kind cannot fall back to a partial key."""
    if not dataclasses.is_dataclass(query) or isinstance(query, type):
        raise TypeError(f"{type(query).__name__} is not a dataclass query: it has no identity")
    return f"{type(query).__qualname__}|{dataclasses.astuple(query)!r}"


def identity_hash(text: str) -> str:
    """A short, stable hash of an identity text, for cache keys (24 hex digits)."""
    return hashlib.sha256(text.encode()).hexdigest()[:24]


class IdentifiedQuery:
    """Mixin for report queries: `describe()` is the query's identity (query_identity),
    and the capabilities bot.reports.ReportQuery declares, at their defaults (not pinned,
    not live, every symbol required); a query's own fields override them."""

    as_of: date | None = None
    live: bool = False
    missing_ok: bool = False

    def describe(self) -> str:
        """The stable text of every field of this query (it keys the cache)."""
        return query_identity(self)
