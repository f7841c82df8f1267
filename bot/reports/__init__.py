"""Reports: market data -> analytics -> a JSON payload and a PNG chart, cached in Redis.

A report query (one per command: `gap`, ...) names the symbols it needs and builds its
payload and chart from their price history. The payload is the one true answer: the CLI
prints it (`--json`) or formats it, Slack formats it into Block Kit. Results and charts are
cached until the next US close under a key made of the query and the refresh point, and
concurrent identical queries compute once.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from bot.cache import Cache
from bot.market import MarketData, PriceHistory
from bot.market_hours import last_refresh_point, seconds_until_refresh
from bot.workers import collect_after_render

STALE_RESULT_TTL_S = 300
"""A result computed from stale cached prices is kept briefly, so a retry can get fresh data."""

Payload = dict[str, Any]


class ReportQuery(Protocol):
    """What a report command needs to say about itself."""

    @property
    def command(self) -> str:
        """The command name: 'gap', 'table', ..."""
        ...

    def symbols(self) -> tuple[str, ...]:
        """Every symbol whose history the report reads."""
        ...

    def describe(self) -> str:
        """A stable text of the query's parameters (it keys the cache)."""
        ...

    def build(self, history: PriceHistory) -> tuple[Payload, bytes]:
        """The JSON payload and PNG chart from `history` (pure computation)."""
        ...


@dataclass(frozen=True)
class Report:
    """A finished answer: the payload and its chart."""

    payload: Payload
    chart_png: bytes
    chart_filename: str


def history_meta(history: PriceHistory) -> Payload:
    """Source and freshness fields every payload carries."""
    return {
        "source": history.source,
        "data_fetched_at": history.fetched_at.astimezone(UTC).isoformat(timespec="seconds"),
        "stale_note": history.stale_note,
    }


def chart_filename(payload: Payload) -> str:
    """'smallcaps-gap-3y-index-2024-03-26.png' (no characters Slack or shells dislike)."""
    parts = [payload["command"], payload.get("period"), payload.get("pair"), payload.get("end")]
    clean = [str(p).replace("/", "-").replace("^", "").replace("..", "_") for p in parts if p]
    return "smallcaps-" + "-".join(clean) + ".png"


class Reports:
    """Builds reports, through the cache."""

    def __init__(
        self, market: MarketData, cache: Cache,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.market = market
        self.cache = cache
        self.clock = clock

    def run(self, query: ReportQuery) -> Report:
        """The report for `query`: cached, or computed once for concurrent callers."""
        now = self.clock()
        epoch = last_refresh_point(now).strftime("%Y%m%d%H%M")
        query_id = hashlib.sha256(query.describe().encode()).hexdigest()[:24]
        key = self.cache.key("report", self.market.source.name, epoch, query_id)

        def compute() -> tuple[dict[str, bytes], int]:
            history = self.market.history(list(query.symbols()))
            payload, png = query.build(history)
            collect_after_render()  # the chart's figure is garbage now: free it (bot.workers)
            ttl = STALE_RESULT_TTL_S if history.stale_note else seconds_until_refresh(now)
            return {"payload": json.dumps(payload).encode(), "chart": png}, ttl

        fields = self.cache.single_flight(key, compute)
        payload = json.loads(fields[b"payload"])
        return Report(payload=payload, chart_png=fields[b"chart"],
                      chart_filename=chart_filename(payload))
