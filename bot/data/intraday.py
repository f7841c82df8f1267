"""Today's unfinished bars, for `live` requests only: fetched apart, kept briefly, never a close.

While a session is under way Yahoo's bar dated today holds the last trade. bot.data.market never
stores it; a `live` request gets it from here: one batched fetch from the previous session
on, cached INTRADAY_TTL_S (by the caller's clock too) under a key of its own, never past the
close.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from datetime import datetime

import pandas as pd

from bot.data.price_store import as_bars
from bot.data.sources import ADJ_CLOSE, DataUnavailableError, PriceSource
from bot.data.trading_calendar import nyse
from bot.runtime.cache import Cache

logger = logging.getLogger(__name__)

INTRADAY_TTL_S = 60
"""Today's unfinished bars (live requests) are reused this long, never past the close."""


def with_intraday(source: PriceSource, cache: Cache, symbols: Sequence[str],
                  closes: dict[str, pd.Series], now: datetime
                  ) -> tuple[dict[str, pd.Series], datetime | None]:
    """`closes` (symbol -> daily closes) each ended by the current session's bar, and when
    that bar was fetched (aware); unchanged, with None, when no session is under way at
    `now`, a symbol has no bar yet today, or the source fails (logged)."""
    session = nyse().open_session(now)
    if session is None:
        return closes, None
    key = cache.key("intraday", source.cache_id, session.day.isoformat(),
                    ",".join(sorted(symbols)))
    found = _load(cache, key, symbols)
    if found is not None and (now - found[1]).total_seconds() >= INTRADAY_TTL_S:
        found = None  # older than its lifetime by our clock
    if found is None:
        try:  # from the previous session on, so every symbol has at least one row
            fresh = source.fetch(list(symbols), nyse().previous_session(session.day).day)
        except DataUnavailableError as exc:
            logger.warning("No intraday bars for %s: %s", list(symbols), exc)
            return closes, None
        day = pd.Timestamp(session.day)
        bars = {s: as_bars(fresh[s])[ADJ_CLOSE].dropna().loc[day:day] for s in symbols}
        if any(b.empty for b in bars.values()):
            return closes, None
        found = ({s: float(b.iloc[-1]) for s, b in bars.items()}, now)
        ttl = min(INTRADAY_TTL_S, (session.close - now).total_seconds())
        cache.set_hash(key, {"bars": json.dumps(found[0]), "at": now.isoformat()},
                       max(1, int(ttl)))
    bars, at = found
    day = pd.Timestamp(session.day).as_unit("us")
    extended = {}
    for s in symbols:
        base = closes[s].loc[: day - pd.Timedelta(days=1)]
        bar = pd.Series([bars[s]], index=pd.DatetimeIndex([day], name="Date"), name=s)
        extended[s] = pd.concat([base, bar.astype(base.dtype)]) if len(base) else bar
    return extended, at


def _load(cache: Cache, key: str, symbols: Sequence[str]
          ) -> tuple[dict[str, float], datetime] | None:
    """Cached bars for every one of `symbols` and when they were fetched, or None."""
    fields = cache.get_hash(key)
    if not fields:
        return None
    bars = json.loads(fields[b"bars"])
    if any(s not in bars for s in symbols):
        return None
    return bars, datetime.fromisoformat(fields[b"at"].decode())
