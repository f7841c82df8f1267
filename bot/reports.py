"""Reports: market data -> analytics -> a JSON payload and a PNG chart, cached in Redis.

The payload is the one true answer: the CLI prints it (`--json`) or formats it, Slack
formats it into Block Kit. Results and charts are cached until the next US close under a key
made of the query and the refresh point, and concurrent identical queries compute once.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from analytics.charts import render_gap_chart
from analytics.gap import GapResult, compute_gap
from analytics.pairs import Pair
from analytics.periods import Period
from bot.cache import Cache
from bot.market import MarketData, PriceHistory
from bot.market_hours import last_refresh_point, seconds_until_refresh

STALE_RESULT_TTL_S = 300
"""A result computed from stale cached prices is kept briefly, so a retry can get fresh data."""


@dataclass(frozen=True)
class GapQuery:
    """What the user asked: a period, a pair and an optional as-of date."""

    period: Period
    pair: Pair
    as_of: date | None = None

    def cache_id(self) -> str:
        raw = f"gap|{self.period.label}|{self.pair.key}|{self.as_of or 'latest'}"
        return hashlib.sha256(raw.encode()).hexdigest()[:24]


@dataclass(frozen=True)
class Report:
    """A finished answer: the payload and its chart."""

    payload: dict[str, Any]
    chart_png: bytes
    chart_filename: str


def gap_payload(result: GapResult, history: PriceHistory, query: GapQuery) -> dict[str, Any]:
    """The JSON answer to a gap query (stable keys; documented in README)."""
    rank = result.rank
    return {
        "command": "gap",
        "period": result.period.label,
        "period_description": result.period.describe(),
        "period_adjective": result.period.adjective(),
        "pair": result.pair.key,
        "start": result.window.start.date().isoformat(),
        "end": result.window.end.date().isoformat(),
        "as_of_requested": query.as_of.isoformat() if query.as_of else None,
        "basis": result.pair.basis,
        "small": _leg(result.pair.small.symbol, result.pair.small.name, result.small_return_pct),
        "large": _leg(result.pair.large.symbol, result.pair.large.name, result.large_return_pct),
        "gap_pp": round(result.gap_pp, 4),
        "leader": result.leader,
        "relative_ratio": {
            "start": round(result.relative_ratio_start, 8),
            "end": round(result.relative_ratio_end, 8),
            "change_pct": round(result.relative_change_pct, 4),
        },
        "history_rank": None if rank is None else {
            "percentile": round(rank.percentile, 2),
            "windows": rank.windows,
            "first_window_end": rank.first_window_end.isoformat(),
            "last_as_wide": rank.last_as_wide.isoformat() if rank.last_as_wide else None,
            "widest_since": rank.widest_since.isoformat() if rank.widest_since else None,
            "record_pp": round(rank.record_pp, 4),
            "record_end": rank.record_end.isoformat(),
        },
        "source": history.source,
        "data_fetched_at": history.fetched_at.astimezone(UTC).isoformat(timespec="seconds"),
        "stale_note": history.stale_note,
    }


def _leg(symbol: str, name: str, return_pct: float) -> dict[str, Any]:
    return {"symbol": symbol, "name": name, "return_pct": round(return_pct, 4)}


def chart_filename(payload: dict[str, Any]) -> str:
    """'smallcaps-gap-3y-index-2024-03-26.png' (no characters Slack or shells dislike)."""
    pair = payload["pair"].replace("/", "-").replace("^", "")
    period = payload["period"].replace("..", "_")
    return f"smallcaps-{payload['command']}-{period}-{pair}-{payload['end']}.png"


class Reports:
    """Builds reports, through the cache."""

    def __init__(
        self, market: MarketData, cache: Cache,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.market = market
        self.cache = cache
        self.clock = clock

    def gap(self, query: GapQuery) -> Report:
        """The gap report for `query`: cached, or computed once for concurrent callers."""
        now = self.clock()
        epoch = last_refresh_point(now).strftime("%Y%m%d%H%M")
        key = self.cache.key("report", self.market.source.name, epoch, query.cache_id())

        def compute() -> tuple[dict[str, bytes], int]:
            history = self.market.history(list(query.pair.symbols))
            small, large = (history.closes[s] for s in query.pair.symbols)
            result = compute_gap(query.pair, small, large, query.period, query.as_of)
            payload = gap_payload(result, history, query)
            png = render_gap_chart(result, source=history.source,
                                   as_of=payload["data_fetched_at"][:10])
            ttl = STALE_RESULT_TTL_S if history.stale_note else seconds_until_refresh(now)
            return {"payload": json.dumps(payload).encode(), "chart": png}, ttl

        fields = self.cache.single_flight(key, compute)
        payload = json.loads(fields[b"payload"])
        return Report(payload=payload, chart_png=fields[b"chart"],
                      chart_filename=chart_filename(payload))
