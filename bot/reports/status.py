"""What `status` reports: data source and freshness per symbol, cache, scheduler, version.

Freshness is the last close against the NYSE calendar (bot.data.trading_calendar), not when the
data was read: a symbol is current when it has the close of the last session whose close is
final (16:20 New York, 13:20 after an early close; the last session before a holiday).

Read-only: nothing here fetches market data or changes the cache. The result is a plain
JSON-able dict, printed by the CLI (`smallcaps status [--json]`) and worded for Slack by
handlers/status.py. It never contains a secret: the cache backend is described by host and
port (or file), never by its URL.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from analytics.pairs import KNOWN_NAMES, PAIRS
from bot import __version__
from bot.data.market_hours import last_final_close, next_refresh_point
from bot.runtime.cache import Cache, describe_backend
from bot.runtime.deps import Deps
from bot.runtime.health import eviction_risk

SCHEDULER_FIELDS = ("last_run_at", "last_as_of", "next_run_at", "rules_evaluated", "posts",
                    "prerendered_at", "prerendered", "prerender_failed", "prerender_seconds")
"""The hash the scheduler writes at cache.key('scheduler', 'status') after every run."""

CORE_SYMBOLS: tuple[str, ...] = tuple(dict.fromkeys(s for p in PAIRS.values()
                                                    for s in p.symbols))
"""Always listed (the built-in pairs); every other symbol once something cached it."""


def public_backend(client: Any) -> str:
    """The cache backend as channel members may see it: 'embedded Redis', never the path of
    its file on the server (describe_backend, for operators' logs, names it)."""
    described = describe_backend(client)
    if described.startswith("embedded Redis"):
        return "embedded Redis"
    return "Redis at a unix socket" if described.startswith("Redis at unix:") else described


def scheduler_status(cache: Cache) -> dict[str, str] | None:
    """The scheduler's last-run record, or None when it has not run (or Redis is down)."""
    fields = cache.get_hash(cache.key("scheduler", "status"))
    if not fields:
        return None
    decoded = {k.decode(): v.decode(errors="replace") for k, v in fields.items()}
    return {name: decoded[name] for name in SCHEDULER_FIELDS if name in decoded}


def collect_status(deps: Deps) -> dict[str, Any]:
    """Everything `status` shows, as a JSON-able dict (times are ISO 8601, UTC)."""
    now = deps.clock()
    healthy = deps.cache.healthy()
    wanted = list(dict.fromkeys([*CORE_SYMBOLS, *KNOWN_NAMES, *deps.market.cached_symbols()]))
    cached = deps.market.cached_series(wanted)
    expected = last_final_close(now)
    live = deps.market.live_source
    symbols = []
    for symbol in wanted:
        entry = cached.get(symbol)
        if entry is None and symbol not in CORE_SYMBOLS:
            continue
        row: dict[str, Any] = {"symbol": symbol, "name": KNOWN_NAMES.get(symbol, symbol),
                               "cached": entry is not None}
        if entry is not None:
            row.update(first_close=entry.first_close.isoformat(),
                       last_close=entry.last_close.isoformat(), closes=entry.closes,
                       fetched_at=_iso(entry.fetched_at),
                       fresh=entry.last_close >= expected,
                       state=symbol_state(entry.last_close, expected, live))
        symbols.append(row)
    fetched = [c.fetched_at for c in cached.values()]
    refetches = deps.market.adjustment_refetches()
    return {
        "version": __version__,
        "source": deps.market.source.name,
        "source_kind": "live" if live else "files",
        "last_update": _iso(max(fetched)) if fetched else None,
        "last_trading_day": expected.isoformat(),
        "last_close": max(c.last_close for c in cached.values()).isoformat() if cached
        else None,
        "symbols": symbols,
        "adjustment_refetches": [{"symbol": symbol, "count": count, "last_at": last}
                                 for symbol, (count, last) in sorted(refetches.items())],
        "cache": {"backend": public_backend(deps.cache.client), "healthy": healthy,
                  "evicting_policy": eviction_risk(deps.cache.client) if healthy else None},
        "next_refresh": _iso(next_refresh_point(now)),
        "scheduler": scheduler_status(deps.cache),
    }


def symbol_state(last_close: date, expected: date, live: bool) -> str:
    """'current' when a symbol has the last completed session's close (NYSE calendar);
    otherwise 'close of D pending' for a live source (it is fetched again soon) or
    'behind (last trading day D)' for files, which do not catch up by themselves."""
    if last_close >= expected:
        return "current"
    if live:
        return f"close of {expected.isoformat()} pending"
    return f"behind (last trading day {expected.isoformat()})"


def _iso(moment: datetime) -> str:
    """ISO 8601 in UTC, to the second (naive times are taken as UTC)."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat(timespec="seconds")
