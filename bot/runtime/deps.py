"""The objects every entry point needs, built once from settings and passed down.

Nothing is a module global, so tests can hand in a CSV source, a real Redis and a clock.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime

import redis

from bot.data import fred, french
from bot.data.market import MarketData
from bot.data.reference import ReferenceData
from bot.data.sources import CsvSource, PriceSource
from bot.data.trading_calendar import nyse
from bot.reports import Reports
from bot.runtime.cache import Cache, open_redis
from bot.runtime.config import Settings
from bot.runtime.jobs import ReplyQueue
from bot.runtime.metrics import CountingSource
from bot.runtime.workers import ReplyPool

logger = logging.getLogger(__name__)


@dataclass
class Deps:
    """Settings plus the services built from them."""

    settings: Settings
    cache: Cache
    market: MarketData
    reports: Reports
    clock: Callable[[], datetime]
    replies: ReplyPool = field(default_factory=ReplyPool)
    """Threads that compute and post replies after the ack when there is no queue."""
    reply_queue: ReplyQueue = field(init=False)
    """Where listeners hand acked work (bot.runtime.jobs): RQ on Redis, or `replies` above."""
    use_queue: bool = False

    def __post_init__(self) -> None:
        self.reply_queue = ReplyQueue(self.cache, self.replies, None, self.use_queue)


def build_source(settings: Settings) -> PriceSource:
    """CSV files when SMALLCAPS_DATA_DIR is set (offline), Yahoo Finance otherwise."""
    if settings.smallcaps_data_dir is not None:
        return CsvSource(settings.smallcaps_data_dir)
    from bot.data.yahoo import YahooSource  # lazy: importing yfinance is slow

    return YahooSource(cache_dir=settings.smallcaps_state_dir / "yfinance")


def build_reference(settings: Settings, cache: Cache,
                    clock: Callable[[], datetime]) -> ReferenceData:
    """The Fed target and French's portfolios: from `rates/` and `french/` in
    SMALLCAPS_DATA_DIR when set (offline), from FRED and French's data library otherwise."""
    directory = settings.smallcaps_data_dir
    if directory is not None:
        return ReferenceData(fred.FileTargetSource(directory),
                             french.FrenchFileSource(directory), cache, clock)
    return ReferenceData(fred.FredTargetSource(), french.FrenchWebSource(), cache, clock)


def build_redis(settings: Settings) -> redis.Redis | None:
    """The configured Redis, or None (uncached) if even the embedded one cannot start."""
    url = settings.redis_url.get_secret_value() if settings.redis_url else None
    try:
        return open_redis(url, settings.smallcaps_state_dir)
    except Exception as exc:  # noqa: BLE001 - the bot must still answer, uncached
        logger.warning("No Redis available (%s); running without a cache", type(exc).__name__)
        return None


def build_deps(
    settings: Settings,
    *,
    source: PriceSource | None = None,
    cache: Cache | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    use_queue: bool = False,
    reference: ReferenceData | None = None,
) -> Deps:
    """Wire the services; arguments override what settings would choose (for tests).
    `use_queue`: acked replies go on the Redis job queue (serve, worker) instead of this
    process's reply pool."""
    cache = cache if cache is not None else Cache(build_redis(settings))
    nyse()  # build the trading calendar now (about a second), not inside the first reply
    market = MarketData(CountingSource(source or build_source(settings)), cache, clock)
    reference = reference or build_reference(settings, cache, clock)
    return Deps(settings, cache, market, Reports(market, cache, clock, reference), clock,
                use_queue=use_queue)


worker_deps: ContextVar[Deps] = ContextVar("smallcaps_worker_deps")
"""The services a worker thread runs jobs with: RQ calls JOB_FUNCTION by name, with only the
job's arguments, so each worker thread sets this before it starts taking jobs."""
