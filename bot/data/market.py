"""Price history through the cache: fetch only what is missing, fall back to what we have.

Each symbol's closes live in one Redis hash (bot.data.price_store: dates, adjusted and unadjusted
closes as raw little-endian arrays, plus when they were fetched). A symbol is fresh when it
was fetched after the last refresh point (the last NYSE session's close + settle delay,
bot.data.market_hours). Stale or missing symbols of a request are fetched in one batch, from a
week before the last cached date; bad rows are refused (bot.data.validate) before anything
is stored. When the provider fails and every symbol has cached data, the answer uses it and
says how old it is.

Adjustments: Yahoo rescales every earlier close after a split and every earlier adjusted
close after a dividend. So the refetched week is compared with the cached closes of the same
days; if any differs beyond rounding, the symbol's cached history is thrown away and fetched
again in full (bot.data.adjustments; logged, and counted for `status`), instead of joining
two scales.

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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

import pandas as pd

from analytics.pairs import PRICE_RETURN
from bot.data.adjustments import adjustment_change
from bot.data.intraday import with_intraday
from bot.data.market_hours import market_today
from bot.data.price_store import CachedCloses, LazyPrices, as_bars, decode_closes, encode_closes
from bot.data.sources import DataUnavailableError, PriceSource, SymbolNotFoundError
from bot.data.trading_calendar import Session, nyse
from bot.data.validate import RowLog, clean_bars
from bot.runtime.cache import Cache, CacheErrors

logger = logging.getLogger(__name__)

OVERLAP_DAYS = 7
"""Refetch this many calendar days before the last cached close, so every incremental fetch
shares days with the cache to compare (adjustments, late revisions)."""
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
    """Adjusted closes per symbol (total return for ETFs and stocks, levels for indexes)."""
    source: str
    fetched_at: datetime
    """When the oldest of these series was last fetched from the source (UTC)."""
    stale_note: str | None = None
    """Set when fresh data could not be had and cached data was used: says why and how old."""
    live_source: bool = True
    """True for a source that changes during the day (Yahoo); False for files."""
    last_final: date | None = None
    """The last NYSE session whose close was final when this was read: the newest close a
    live source should have (for files, what `files_note` compares their last close with)."""
    pending: dict[str, date] | None = None
    """Symbols whose last close is behind `last_final` -> their last close (live sources)."""
    intraday_at: datetime | None = None
    """When today's unfinished bars were fetched, if the series end with them (live=True)."""
    live_note: str | None = None
    """Why a live request got closes only (market closed, files, no trade yet)."""
    missing: tuple[str, ...] = ()
    """Symbols the source has no data for (only with `history(..., missing_ok=True)`)."""
    files_note: str | None = None
    """For files: what to say when their last common close is behind `last_final` (the
    last NYSE trading day); retrying does not help, so it is kept apart from stale_note."""
    price: Mapping[str, pd.Series] | None = None
    """Unadjusted closes per symbol (price return), only the days that have one; None: the
    same as `closes` (a history built from index levels only, e.g. in tests)."""

    def series(self, symbol: str, basis: str) -> pd.Series:
        """`symbol`'s closes on `basis` ('total return' -> adjusted, 'price return' ->
        unadjusted; an index level is both). Raises KeyError for a symbol not fetched."""
        if basis == PRICE_RETURN and self.price is not None:
            return self.price[symbol]
        return self.closes[symbol]


@dataclass(frozen=True)
class CachedSeries:
    """What the cache holds for one symbol (for `status`): its span and when it was fetched."""

    symbol: str
    first_close: date
    last_close: date
    closes: int
    fetched_at: datetime
    source: str


def files_behind_note(closes: Mapping[str, pd.Series], last_trading_day: date) -> str | None:
    """'The CSV files end 2026-08-21 (the last close every series here has); the last NYSE
    trading day is 2026-12-04, so these figures are not current.', or None when the files
    reach `last_trading_day`."""
    ends = [c.index[-1].date() for c in closes.values() if len(c)]
    if not ends or min(ends) >= last_trading_day:
        return None
    return (f"The CSV files end {min(ends).isoformat()} (the last close every series here "
            f"has); the last NYSE trading day is {last_trading_day.isoformat()}, so these "
            "figures are not current.")


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
        self.row_log = RowLog()

    def _key(self, symbol: str) -> str:
        return self.cache.key("prices", self.source.cache_id, symbol)

    def _load(self, symbols: Sequence[str]) -> dict[str, CachedCloses]:
        found = {}
        for symbol in symbols:
            fields = self.cache.get_hash(self._key(symbol))
            if fields and b"price" in fields:  # older entries lack the unadjusted closes
                found[symbol] = decode_closes(fields, symbol)
        return found

    def cached_symbols(self) -> list[str]:
        """Every symbol whose closes the cache holds, sorted (read-only; [] without Redis)."""
        pattern = self._key("*")
        client = self.cache.client
        if client is None:
            return []
        try:
            keys = client.scan_iter(match=pattern, count=500)
            return sorted({key.decode()[len(pattern) - 1:] for key in keys})
        except CacheErrors:
            return []

    def cached_series(self, symbols: Sequence[str]) -> dict[str, CachedSeries]:
        """What the cache holds for each of `symbols` (read-only: never fetches; symbols
        with nothing cached are left out)."""
        return {symbol: CachedSeries(symbol, c.dates[0].date(), c.dates[-1].date(),
                                     len(c.dates), c.fetched_at, c.source)
                for symbol, c in self._load(symbols).items() if len(c.dates)}

    @property
    def live_source(self) -> bool:
        """True when the source changes during the session (Yahoo), False for files."""
        return bool(getattr(self.source, "live", False))

    def _due(self, entry: CachedCloses | None, boundary: datetime, final: Session,
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
            lock_key = self.cache.key("prices-lock", self.source.cache_id,
                                      ",".join(sorted(stale)))
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
        last = pd.Timestamp(final.day) if self.live_source else None
        if last is not None:  # an unfinished bar cached by an older version: not a close
            closes = {s: c.loc[:last] if len(c) and c.index[-1] > last else c
                      for s, c in closes.items()}
        price: Mapping[str, pd.Series] = LazyPrices({s: cached[s] for s in symbols}, last)
        pending = {s: _last_day(c) for s, c in closes.items()
                   if self.live_source and _last_day(c) < final.day}
        intraday_at, live_note = None, None
        if live and self.live_source:
            closes, intraday_at = with_intraday(self.source, self.cache, symbols, closes, now)
            if intraday_at is not None:  # the session's last trade ends both bases alike
                price = {s: pd.concat([price[s].loc[: closes[s].index[-1]
                                                     - pd.Timedelta(days=1)],
                                       closes[s].iloc[-1:]]) for s in symbols}
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
            last_final=final.day,
            files_note=None if self.live_source else files_behind_note(closes, final.day),
            pending=pending,
            intraday_at=intraday_at,
            live_note=live_note,
            price=price,
        )

    def _await_fetch(self, symbols: Sequence[str], boundary: datetime) -> dict[str, CachedCloses]:
        """Wait (briefly) for a concurrent fetch of the same symbols to land in the cache."""
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            found = self._load(symbols)
            if len(found) == len(symbols) and all(c.fetched_at >= boundary
                                                  for c in found.values()):
                return found
            time.sleep(0.05)
        return self._load(symbols)

    def _refresh(self, stale: list[str], cached: dict[str, CachedCloses], now: datetime,
                 final_day: date) -> str | None:
        """Fetch `stale` in one batch, clean it, check it against the cache for adjustments
        and merge it into `cached`; a note if we fell back to cached data. From a live
        source, bars dated after `final_day` (unfinished) are not kept."""
        start = _fetch_start([cached.get(s) for s in stale])
        try:
            fresh = self.source.fetch(stale, start)
        except SymbolNotFoundError:
            raise
        except DataUnavailableError as exc:
            if all(s in cached for s in stale):
                return self._fallback_note(stale, cached, exc)
            raise
        today = market_today(now)
        notes = []
        for symbol in stale:
            bars = self._closes_only(clean_bars(as_bars(fresh[symbol]), symbol, today,
                                                self.row_log), final_day)
            old = cached.get(symbol)
            if old is not None and start is not None:
                changed = adjustment_change(old.bars, bars)
                if changed is not None:
                    try:
                        bars = self._refetch_all(symbol, changed, today, now, final_day)
                    except SymbolNotFoundError:
                        raise
                    except DataUnavailableError as exc:  # keep the old, consistent history
                        notes.append(self._fallback_note([symbol], cached, exc))
                        continue
                    old = None
            merged = _merge(old, bars)
            self.cache.set_hash(self._key(symbol),
                                encode_closes(merged, now, self.source.name), PRICE_TTL_S)
            cached[symbol] = CachedCloses.of(symbol, merged, now, self.source.name)
        return " ".join(notes) or None

    def _closes_only(self, bars: pd.DataFrame, final_day: date) -> pd.DataFrame:
        """From a live source, `bars` without rows after `final_day` (unfinished bars)."""
        return bars.loc[: pd.Timestamp(final_day)] if self.live_source else bars

    def _refetch_all(self, symbol: str, changed: str, today: date, now: datetime,
                     final_day: date) -> pd.DataFrame:
        """`symbol`'s full history, fetched again because its closes were re-adjusted."""
        logger.warning("Adjusted closes of %s changed (%s): refetching its full history",
                       symbol, changed)
        self.cache.count(self.cache.key("adjustments", self.source.name), symbol,
                         now.astimezone(UTC).isoformat(timespec="seconds"))
        full = self.source.fetch([symbol], None)[symbol]
        return self._closes_only(clean_bars(as_bars(full), symbol, today, self.row_log),
                                 final_day)

    @staticmethod
    def _fallback_note(stale: Sequence[str], cached: dict[str, CachedCloses],
                       exc: Exception) -> str:
        oldest = min(cached[s].fetched_at for s in stale)
        logger.warning("Using cached prices for %s: %s", list(stale), exc)
        return f"{exc} Showing cached data fetched {oldest:%Y-%m-%d %H:%M} UTC."

    def adjustment_refetches(self) -> dict[str, tuple[int, str]]:
        """Per symbol: how many times its history was refetched in full after an adjustment,
        and when last (ISO, UTC). Read-only, for `status`."""
        return self.cache.counts(self.cache.key("adjustments", self.source.name))


def _last_day(closes: pd.Series) -> date:
    """The date of the last close (date.min for an empty series)."""
    return closes.index[-1].date() if len(closes) else date.min


def _fetch_start(entries: Sequence[CachedCloses | None]) -> date | None:
    """Where a batch fetch must start: None (all history) if any symbol has nothing cached."""
    if any(e is None or not len(e.dates) for e in entries):
        return None
    last = min(e.dates[-1] for e in entries if e is not None)
    return (last - timedelta(days=OVERLAP_DAYS)).date()


def _merge(old: CachedCloses | None, fresh: pd.DataFrame) -> pd.DataFrame:
    """Cached closes extended by fresh ones; fresh values win where the days overlap
    (only called once adjustment_change found the shared days equal)."""
    if old is None or not len(old.dates):
        return fresh
    if fresh.empty:
        return old.bars
    if fresh.index[0] <= old.dates[0]:
        return fresh
    kept = old.bars.loc[: fresh.index[0] - pd.Timedelta(days=1)]
    return pd.concat([kept, fresh]).sort_index()
