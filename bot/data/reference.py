"""Reference data that is not a daily price: the Fed funds target (FRED) and French's
size x book-to-market portfolios, through the cache.

Each dataset is one Redis hash: the source's bytes (already checked to parse), when they were
fetched and from where. A dataset is refetched once it is older than its maximum age (FRED:
a day, French's library: a week; it is updated a few times a year). When the source fails and
an older copy is cached, the answer uses it and says how old it is, as for prices
(bot.data.market); with nothing cached the error reaches the user.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Generic, Protocol, TypeVar

import pandas as pd

from bot.data.fred import read_target_csv
from bot.data.french import SizeValuePortfolios, parse_size_value_file
from bot.data.sources import DataUnavailableError
from bot.runtime.cache import Cache

logger = logging.getLogger(__name__)
T = TypeVar("T")
FED_TARGET_MAX_AGE = timedelta(days=1)
FRENCH_MAX_AGE = timedelta(days=7)
CACHE_TTL_S = 400 * 86400
"""How long a copy is kept at all: long, so it can stand in while a source is down."""


class ReferenceSource(Protocol):
    """Where one dataset's bytes come from (bot.data.fred, bot.data.french)."""

    @property
    def name(self) -> str:
        """Who provides the data, for the reply (never a server path)."""
        ...

    @property
    def cache_id(self) -> str:
        """What keys the cached copy: changes when the data can (a file's
        bot.data.sources.files_identity; the provider's name for a download). Never shown."""
        ...

    @property
    def kind(self) -> str:
        """'live' for a download, 'files' for a file in the data folder."""
        ...

    def fetch(self) -> bytes:
        """The dataset's bytes, checked to parse; DataUnavailableError (or a subclass naming
        a format problem) when they cannot be had."""
        ...


@dataclass(frozen=True)
class Dataset(Generic[T]):
    """A parsed dataset, where and when it was fetched, and a note if it is an old copy."""

    data: T
    source: str
    fetched_at: datetime
    stale_note: str | None = None
    source_kind: str = "live"
    """'files' when read from the data folder: as fresh as the file, not as the read."""


class ReferenceData:
    """Cached access to the target-rate and French sources."""

    def __init__(self, fed_target: ReferenceSource, french: ReferenceSource, cache: Cache,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.fed_source = fed_target
        self.french_source = french
        self.cache = cache
        self.clock = clock

    @property
    def cache_id(self) -> str:
        """Both sources' cache ids: part of the key of every report that reads them."""
        return f"{self.fed_source.cache_id}+{self.french_source.cache_id}"

    def fed_target(self) -> Dataset[pd.Series]:
        """The Fed funds target (percent, calendar-daily; upper bound from 2008-12-16)."""
        return self._load("fed-target", self.fed_source, FED_TARGET_MAX_AGE,
                          lambda body: read_target_csv(body.decode(), "The cached target rate"))

    def size_value(self) -> Dataset[SizeValuePortfolios]:
        """The July rows of French's 25 size x book-to-market portfolios."""
        return self._load("french-25", self.french_source, FRENCH_MAX_AGE,
                          lambda body: parse_size_value_file(body.decode("latin-1")))

    def _load(self, name: str, source: ReferenceSource, max_age: timedelta,
              parse: Callable[[bytes], T]) -> Dataset[T]:
        key = self.cache.key("reference", name, source.cache_id)
        now = self.clock()
        cached = self.cache.get_hash(key)
        if cached:
            fetched_at = datetime.fromisoformat(cached[b"fetched_at"].decode())
            if now - fetched_at < max_age:
                return Dataset(parse(cached[b"body"]), source.name, fetched_at,
                               source_kind=source.kind)
        try:
            body = source.fetch()
        except DataUnavailableError as exc:
            if not cached:
                raise
            fetched_at = datetime.fromisoformat(cached[b"fetched_at"].decode())
            age = (now - fetched_at).days
            logger.warning("Using the cached %s: %s", name, exc)
            note = (f"{exc} Showing the copy fetched {fetched_at:%Y-%m-%d %H:%M} UTC "
                    f"({age} day{'s' if age != 1 else ''} old).")
            return Dataset(parse(cached[b"body"]), source.name, fetched_at, note, source.kind)
        self.cache.set_hash(key, {"body": body, "fetched_at": now.isoformat()}, CACHE_TTL_S)
        return Dataset(parse(body), source.name, now, source_kind=source.kind)
