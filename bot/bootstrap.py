"""The composition root: every dependency and store of a process, built once from settings.

Entry points (bot/cli.py, serve, worker, scheduler, alerts) call `build_deps`; nothing below
them builds a source, a Redis connection or a store of its own (docs/architecture.md).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

import redis

from bot.alerts.digest import DigestStore
from bot.alerts.outbox import Outbox
from bot.alerts.schedules import ScheduleStore
from bot.alerts.store import AlertStore
from bot.data import fred, french
from bot.data.market import MarketData
from bot.data.reference import ReferenceData
from bot.data.sources import CsvSource, PriceSource
from bot.data.trading_calendar import nyse
from bot.reports import Reports
from bot.runtime.cache import Cache, open_redis
from bot.runtime.channel_settings import ChannelSettings
from bot.runtime.config import Settings
from bot.runtime.deps import Deps, Stores
from bot.runtime.metrics import CountingSource

logger = logging.getLogger(__name__)


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
                build_stores(settings, cache), use_queue=use_queue)


def build_stores(settings: Settings, cache: Cache) -> Stores:
    """Every Redis-backed store on `cache` (each degrades on its own when Redis fails)."""
    return Stores(alerts=AlertStore(cache, settings.smallcaps_max_rules_per_channel),
                  digests=DigestStore(cache), outbox=Outbox(cache),
                  schedules=ScheduleStore(cache), channels=ChannelSettings(cache))
