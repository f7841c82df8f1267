"""The objects every entry point needs, built once from settings (bot.bootstrap) and passed
down.

Nothing is a module global, so tests can hand in a CSV source, a real Redis and a clock.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from bot.data.market import MarketData
from bot.reports import Reports
from bot.runtime.cache import Cache
from bot.runtime.config import Settings
from bot.runtime.jobs import ReplyQueue
from bot.runtime.workers import ReplyPool

if TYPE_CHECKING:  # annotations only: bot.bootstrap builds them
    from bot.alerts.digest import DigestStore
    from bot.alerts.outbox import Outbox
    from bot.alerts.schedules import ScheduleStore
    from bot.alerts.store import AlertStore
    from bot.runtime.channel_settings import ChannelSettings

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Stores:
    """Every Redis-backed store, built once per process (bot.bootstrap)."""

    alerts: AlertStore
    """Alert rules and their state."""
    digests: DigestStore
    outbox: Outbox
    """Alert posts claimed and confirmed, so each is posted once."""
    schedules: ScheduleStore
    channels: ChannelSettings
    """Channel defaults (`set` / `unset`)."""


@dataclass
class Deps:
    """Settings plus the services built from them."""

    settings: Settings
    cache: Cache
    market: MarketData
    reports: Reports
    clock: Callable[[], datetime]
    stores: Stores
    replies: ReplyPool = field(default_factory=ReplyPool)
    """Threads that compute and post replies after the ack when there is no queue."""
    reply_queue: ReplyQueue = field(init=False)
    """Where listeners hand acked work (bot.runtime.jobs): RQ on Redis, or `replies` above."""
    use_queue: bool = False

    def __post_init__(self) -> None:
        self.reply_queue = ReplyQueue(self.cache, self.replies, None, self.use_queue)


worker_deps: ContextVar[Deps] = ContextVar("smallcaps_worker_deps")
"""The services a worker thread runs jobs with: RQ calls JOB_FUNCTION by name, with only the
job's arguments, so each worker thread sets this before it starts taking jobs."""
