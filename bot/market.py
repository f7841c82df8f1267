"""Price history through the cache: fetch only what is missing, fall back to what we have.

Each symbol's closes live in one Redis hash (dates and closes as raw little-endian arrays,
plus when they were fetched). A symbol is fresh when it was fetched after the last refresh
point (the last NYSE session's close + settle delay, bot.market_hours). Stale or missing
symbols of a request are fetched in one batch, from a few days before the last cached date,
and merged. When the provider fails and every symbol has cached data, the answer uses it and
says how old it is.

Only closes are stored: from a live source (Yahoo), a bar dated after the last session whose
close is final (today's bar while the market is open, the last trade in it) is dropped. A
symbol whose last close is still behind that session (Yahoo has today's ^GSPC bar, ^RUT's
row is still empty) is *pending*: it is fetched again after PENDING_RETRY_S, not at the next
close, and the history says so. Today's move is had only on request (`live=True`): the
session's current bars are fetched separately, kept briefly, and never stored as closes.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pandas as pd

from bot.cache import Cache
from bot.data.sources import DataUnavailableError, PriceSource, SymbolNotFoundError
from bot.intraday import with_intraday
from bot.trading_calendar import Session, nyse

logger = logging.getLogger(__name__)

OVERLAP_DAYS = 7
"""Refetch this many calendar days before the last cached close (late revisions, splits)."""
PRICE_TTL_S = 90 * 86400
PENDING_RETRY_S = 600
"""A symbol whose latest close is missing after the close is fetched again this much later."""
PENDING_WINDOW_S = 4 * 3600
"""... for this long after the close is final; later, a missing close is taken as none that
day (^TNX does not trade on bond-market holidays such as Veterans Day, when NYSE is open) and
is looked for again at the next refresh point."""


@dataclass(frozen=True)
class PriceHistory:
    """Daily closes for the requested symbols and where and when they came from."""

    closes: dict[str, pd.Series]
    source: str
    fetched_at: datetime
    """When the oldest of these series was last fetched from the source (UTC)."""
    stale_note: str | None = None
    """Set when fresh data could not be had and cached data was used: says why and how old."""
    live_source: bool = True
    """True for a source that changes during the day (Yahoo); False for files."""
    last_final: date | None = None
    """The last NYSE session whose close was final when this was read: the newest close a
    live source should have (None for files, where there is no such expectation)."""
    pending: dict[str, date] | None = None
    """Symbols whose last close is behind `last_final` -> their last close (live sources)."""
    intraday_at: datetime | None = None
    """When today's unfinished bars were fetched, if the series end with them (live=True)."""
    live_note: str | None = None
    """Why a live request got closes only (market closed, files, no trade yet)."""
    missing: tuple[str, ...] = ()
    """Symbols the source has no data for (only with `history(..., missing_ok=True)`)."""


@dataclass(frozen=True)
class _Cached:
    closes: pd.Series
    fetched_at: datetime
    source: str


def encode_closes(closes: pd.Series, fetched_at: datetime, source: str) -> dict[str, bytes]:
    """A close Series as Redis hash fields (raw arrays: fast, exact, nothing to unpickle)."""
    dates = closes.index.values.astype("datetime64[ns]").astype("<i8")
    return {
        "dates": dates.tobytes(),
        "closes": closes.to_numpy(dtype="<f8").tobytes(),
        "fetched_at": fetched_at.isoformat().encode(),
        "source": source.encode(),
    }


def decode_closes(fields: dict[bytes, bytes], symbol: str) -> _Cached:
    """The inverse of `encode_closes`."""
    dates = np.frombuffer(fields[b"dates"], dtype="<i8").astype("datetime64[ns]")
    values = np.frombuffer(fields[b"closes"], dtype="<f8")
    closes = pd.Series(values, index=pd.DatetimeIndex(dates, name="Date"), name=symbol)
    return _Cached(
        closes=closes,
        fetched_at=datetime.fromisoformat(fields[b"fetched_at"].decode()),
        source=fields[b"source"].decode(),
    )


@dataclass(frozen=True)
class CachedSeries:
    """What the cache holds for one symbol (for `status`): its span and when it was fetched."""

    symbol: str
    first_close: date
    last_close: date
    closes: int
    fetched_at: datetime
    source: str


class MarketData:
    """Cached access to a PriceSource."""

    def __init__(
        self,
        source: PriceSource,
        cache: Cache,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.source = source
        self.cache = cache
        self.clock = clock

    def _key(self, symbol: str) -> str:
        return self.cache.key("prices", self.source.name, symbol)

    def _load(self, symbols: Sequence[str]) -> dict[str, _Cached]:
        found = {}
        for symbol in symbols:
            fields = self.cache.get_hash(self._key(symbol))
            if fields:
                found[symbol] = decode_closes(fields, symbol)
        return found

    def cached_series(self, symbols: Sequence[str]) -> dict[str, CachedSeries]:
        """What the cache holds for each of `symbols` (read-only: never fetches; symbols
        with nothing cached are left out)."""
        return {symbol: CachedSeries(symbol, c.closes.index[0].date(),
                                     c.closes.index[-1].date(), len(c.closes), c.fetched_at,
                                     c.source)
                for symbol, c in self._load(symbols).items() if not c.closes.empty}

    @property
    def live_source(self) -> bool:
        """True when the source changes during the session (Yahoo), False for files."""
        return bool(getattr(self.source, "live", False))

    def _due(self, entry: _Cached | None, boundary: datetime, final: Session,
             now: datetime) -> bool:
        """True when a symbol must be fetched: never fetched, fetched before the last
        refresh point, or (live sources) its final close is still missing and the last try
        was PENDING_RETRY_S ago, within PENDING_WINDOW_S of the close."""
        if entry is None or entry.fetched_at < boundary:
            return True
        return (self.live_source and _last_day(entry.closes) < final.day
                and (now - entry.fetched_at).total_seconds() >= PENDING_RETRY_S
                and (now - final.final_at).total_seconds() < PENDING_WINDOW_S)

    def history(self, symbols: Sequence[str], live: bool = False, *,
                missing_ok: bool = False) -> PriceHistory:
        """Closes for `symbols`, refreshed from the source if the cache is behind.

        live: also fetch the session under way, if any, and end each series with its
        current (unfinished) bar; `intraday_at` then says when. Never stored as a close.
        Stale symbols are fetched in one batch. With `missing_ok` (the board), symbols the
        source does not have are left out of `closes` and listed in `missing` (the rest are
        fetched again without them); otherwise SymbolNotFoundError propagates.
        """
        if missing_ok:
            try:
                return self.history(symbols, live)
            except SymbolNotFoundError as exc:
                gone = tuple(s for s in symbols if s in exc.symbols)
                rest = [s for s in symbols if s not in gone]
                if not rest or not gone:
                    raise
                return replace(self.history(rest, live), missing=gone)
        now = self.clock()
        final = nyse().last_final_session(now)
        boundary = final.final_at
        cached = self._load(symbols)
        stale = [s for s in symbols if self._due(cached.get(s), boundary, final, now)]
        note = None
        if stale:
            lock_key = self.cache.key("prices-lock", self.source.name, ",".join(sorted(stale)))
            token = self.cache.acquire(lock_key, 60_000)
            try:
                if token is None:  # someone else is fetching the same symbols: use theirs
                    cached.update(self._await_fetch(stale, boundary))
                    stale = [s for s in stale if cached.get(s) is None
                             or cached[s].fetched_at < boundary]
                if stale:
                    note = self._refresh(stale, cached, now, final.day)
            finally:
                if token is not None:
                    self.cache.release(lock_key, token)
        fetched_at = min(c.fetched_at for c in cached.values())
        closes = {s: cached[s].closes for s in symbols}
        if self.live_source:  # an unfinished bar cached by an older version: not a close
            last = pd.Timestamp(final.day)
            closes = {s: c.loc[:last] if len(c) and c.index[-1] > last else c
                      for s, c in closes.items()}
        pending = {s: _last_day(c) for s, c in closes.items()
                   if self.live_source and _last_day(c) < final.day}
        intraday_at, live_note = None, None
        if live and self.live_source:
            closes, intraday_at = with_intraday(self.source, self.cache, symbols, closes, now)
            if intraday_at is None:
                live_note = ("No session is under way in New York (or no trade yet today), "
                             f"so `live` shows the last close, {final.day.isoformat()}.")
        elif live:
            live_note = "CSV files have no intraday prices: `live` shows the last close."
        return PriceHistory(
            closes=closes,
            source=self.source.name,
            fetched_at=fetched_at,
            stale_note=note,
            live_source=self.live_source,
            last_final=final.day if self.live_source else None,
            pending=pending,
            intraday_at=intraday_at,
            live_note=live_note,
        )

    def _await_fetch(self, symbols: Sequence[str], boundary: datetime) -> dict[str, _Cached]:
        """Wait (briefly) for a concurrent fetch of the same symbols to land in the cache."""
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            found = self._load(symbols)
            if len(found) == len(symbols) and all(c.fetched_at >= boundary
                                                  for c in found.values()):
                return found
            time.sleep(0.05)
        return self._load(symbols)

    def _refresh(self, stale: list[str], cached: dict[str, _Cached], now: datetime,
                 final_day: date) -> str | None:
        """Fetch `stale` in one batch and merge into `cached`; a note if we fell back.
        From a live source, bars dated after `final_day` (unfinished) are not kept."""
        start = _fetch_start([cached.get(s) for s in stale])
        try:
            fresh = self.source.fetch(stale, start)
        except SymbolNotFoundError:
            raise
        except DataUnavailableError as exc:
            if all(s in cached for s in stale):
                oldest = min(cached[s].fetched_at for s in stale)
                logger.warning("Using cached prices for %s: %s", stale, exc)
                return f"{exc} Showing cached data fetched {oldest:%Y-%m-%d %H:%M} UTC."
            raise
        for symbol in stale:
            got = fresh[symbol]
            if self.live_source:
                got = got.loc[: pd.Timestamp(final_day)]
            merged = _merge(cached.get(symbol), got)
            self.cache.set_hash(self._key(symbol),
                                encode_closes(merged, now, self.source.name), PRICE_TTL_S)
            cached[symbol] = _Cached(merged, now, self.source.name)
        return None


def _last_day(closes: pd.Series) -> date:
    """The date of the last close (date.min for an empty series)."""
    return closes.index[-1].date() if len(closes) else date.min


def _fetch_start(entries: Sequence[_Cached | None]) -> date | None:
    """Where a batch fetch must start: None (all history) if any symbol has nothing cached."""
    if any(e is None or e.closes.empty for e in entries):
        return None
    last = min(e.closes.index[-1] for e in entries if e is not None)
    return (last - timedelta(days=OVERLAP_DAYS)).date()


def _merge(old: _Cached | None, fresh: pd.Series) -> pd.Series:
    """Cached closes extended by fresh ones; fresh values win where the days overlap."""
    if old is None or old.closes.empty:
        return fresh
    if fresh.empty:
        return old.closes
    if fresh.index[0] <= old.closes.index[0]:
        return fresh
    kept = old.closes.loc[: fresh.index[0] - pd.Timedelta(days=1)]
    return pd.concat([kept, fresh]).sort_index()
