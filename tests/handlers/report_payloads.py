"""Fields the hand-written trend, rates and history payloads of the tests share."""

from __future__ import annotations

META = {"source": "Yahoo Finance", "data_fetched_at": "2026-11-24T21:00:00+00:00",
        "stale_note": None}


LEGS = {"small": {"symbol": "^RUT", "name": "Russell 2000"},
        "large": {"symbol": "^GSPC", "name": "S&P 500"}, "basis": "price return",
        "pair": "index", "as_of_requested": None}
