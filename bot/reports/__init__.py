"""Reports: market data -> analytics -> a JSON payload, then a PNG chart, cached in Redis.

A report query (one per command: `gap`, ..., each in its command's module under handlers/,
meeting the ReportQuery protocol below) names the symbols it needs and builds its payload
from their price history, with a function that draws its chart. The payload is the
one true answer: the CLI prints it (`--json`) or formats it, Slack formats it into Block Kit.
The payload is cheap (milliseconds) and the chart is not (50-300 ms), so `Reports.run`
computes and caches the payload alone and the chart is drawn when someone first asks for it
(`Report.chart_png`): a reply posts its text before the chart is drawn. Both are cached until
the next US close in one hash, keyed by the query and the refresh point, and concurrent
identical queries compute each once.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any, Protocol, runtime_checkable

from analytics.errors import present
from bot.data.intraday import INTRADAY_TTL_S
from bot.data.market import PENDING_RETRY_S, PENDING_WINDOW_S, MarketData, PriceHistory
from bot.data.market_hours import NEW_YORK, last_refresh_point, seconds_until_refresh
from bot.data.reference import ReferenceData
from bot.reports.identity import identity_hash
from bot.reports.payloads import Intraday, SourceFields
from bot.runtime.cache import Cache
from bot.runtime.metrics import REPORT_CACHE
from bot.runtime.workers import collect_after_render

STALE_RESULT_TTL_S = 300
"""A result computed from stale cached prices, or with a symbol's latest close pending, is
kept briefly, so a retry can get fresh data. A live (intraday) result: INTRADAY_TTL_S."""

Payload = Mapping[str, Any]
"""A report's answer: plain JSON, read-only once built (each command's TypedDict says which
keys: bot/reports/payloads.py, handlers/<command>.py)."""
Chart = Callable[[], bytes]
"""Draws a report's chart and returns the PNG (pure, but 50-300 ms: called only when the
chart is wanted, after the text of a reply is out)."""


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
        """The query's identity: every field that can change its answer (it keys the
        cache; bot.reports.identity.IdentifiedQuery gives it)."""
        ...

    def build(self, history: PriceHistory) -> tuple[Payload, Chart]:
        """The JSON payload from `history` and the function that draws its chart (pure
        computation; the chart is drawn only when that function is called)."""
        ...

    @property
    def as_of(self) -> date | None:
        """The day the answer is pinned to (None: the latest close)."""
        ...

    @property
    def live(self) -> bool:
        """True: end on today's session under way (labelled intraday), cached briefly."""
        ...

    @property
    def missing_ok(self) -> bool:
        """True: a symbol without data leaves a gap in the answer instead of failing it
        (`board`: one row per pair)."""
        ...


class Report:
    """A finished answer: the payload, and its chart (PNG bytes) drawn or read from the
    cache the first time `chart_png` is read. Give `chart_png` when it is already drawn,
    else `draw`."""

    def __init__(self, payload: Payload, chart_png: bytes | None = None,
                 chart_filename: str = "", *, draw: Chart | None = None) -> None:
        if (chart_png is None) == (draw is None):
            raise ValueError("a Report needs its chart_png or a draw function, not both")
        self.payload = payload
        self.chart_filename = chart_filename
        self._png = chart_png
        self._draw = draw

    @property
    def chart_ready(self) -> bool:
        """True when reading `chart_png` costs nothing (drawn or cached already)."""
        return self._png is not None

    @property
    def chart_png(self) -> bytes:
        """The chart: drawn (or read from the cache) on the first read, then kept."""
        if self._png is None:
            self._png = present(self._draw, "the chart's draw function")()
        return self._png


def _last_closes(history: PriceHistory) -> dict[str, str]:
    """Each symbol's last close (ISO), not counting an intraday bar."""
    skip = 2 if history.intraday_at is not None else 1
    return {s: c.index[-skip].date().isoformat() for s, c in history.closes.items()
            if len(c) >= skip}


def pending_note(history: PriceHistory) -> str | None:
    """What to say when a symbol's latest close has not come in: which close is pending and
    which day the latest figures really end on."""
    if not history.pending or history.last_final is None:
        return None
    names = " and ".join(f"{s}'s" for s in sorted(history.pending))
    common = min(history.pending.values()).isoformat()
    return (f"{names} {history.last_final.isoformat()} close is not in at {history.source} "
            f"(asked again every {PENDING_RETRY_S // 60} minutes for "
            f"{PENDING_WINDOW_S // 3600} hours after the close): the latest figures end on "
            f"{common}, the last close every series has.")


def intraday_meta(history: PriceHistory) -> Intraday | None:
    """The `intraday` payload field: when today's unfinished bars were read, or None."""
    if history.intraday_at is None:
        return None
    at = history.intraday_at.astimezone(NEW_YORK)
    return {"at": at.isoformat(timespec="seconds"), "day": at.date().isoformat(),
            "label": f"intraday, {at:%H:%M} New York, not a close"}


PAYLOAD_VERSION = "p3"
"""Part of every cached report's key: bump it when a payload's fields change, so a deployed
bot never renders a payload cached by the previous version (p2: one rank definition;
p3: both bases, pending closes, intraday, CSV source kind)."""


def history_meta(history: PriceHistory, basis_note: str | None = None) -> SourceFields:
    """Source and freshness fields every payload carries (documented in README);
    `basis_note` (bot.reports.common.basis_end_note) joins the stale note."""
    notes = [n for n in (history.stale_note, pending_note(history), history.files_note,
                         basis_note) if n]
    return {
        "source": history.source,
        "source_kind": "live" if history.live_source else "files",
        "data_fetched_at": history.fetched_at.astimezone(UTC).isoformat(timespec="seconds"),
        "last_closes": _last_closes(history),
        "last_trading_day": history.last_final.isoformat() if history.last_final else None,
        "pending_closes": {s: history.last_final.isoformat()
                           for s in sorted(history.pending or {}) if history.last_final},
        "intraday": intraday_meta(history),
        "live_note": history.live_note,
        "stale_note": " ".join(notes) if notes else None,
    }


def retry_soon(payload: Payload, history: PriceHistory | None, reads_reference: bool) -> bool:
    """True when asking again soon may give fresher data: cached prices used because the
    source failed, a close pending, or a stale copy of reference data (any stale note of a
    report that reads it). Files behind the calendar and a basis that ends early (also in
    `stale_note`) do not change by retrying."""
    if history is not None and (history.stale_note or history.pending):
        return True
    return (history is None or reads_reference) and bool(payload.get("stale_note"))


def chart_filename(payload: Payload) -> str:
    """'smallcaps-gap-3y-index-2024-03-26.png' (no characters Slack or shells dislike)."""
    parts = [payload["command"], payload.get("period"), payload.get("pair"), payload.get("end")]
    clean = [str(p).replace("/", "-").replace("^", "").replace("..", "_") for p in parts if p]
    return "smallcaps-" + "-".join(clean) + ".png"


@runtime_checkable
class ReferenceQuery(ReportQuery, Protocol):
    """A report that also reads reference data (the Fed target, French's portfolios)."""

    def build_with_reference(self, history: PriceHistory | None,
                             reference: ReferenceData) -> tuple[Payload, Chart]:
        """The JSON payload and its chart's draw function from `history` (None when
        `symbols()` is empty) and the datasets `reference` serves."""
        ...


class Reports:
    """Builds reports, through the cache."""

    def __init__(
        self, market: MarketData, cache: Cache,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        reference: ReferenceData | None = None,
    ) -> None:
        self.market = market
        self.cache = cache
        self.clock = clock
        self.reference = reference

    def _build(self, query: ReportQuery,
               history: PriceHistory | None) -> tuple[Payload, Chart]:
        """The query's payload and chart function, handing reference data to queries that
        read it."""
        if isinstance(query, ReferenceQuery):
            if self.reference is None:
                raise RuntimeError(f"`{query.command}` needs reference data; none is wired")
            return query.build_with_reference(history, self.reference)
        return query.build(present(history, f"`{query.command}`'s price history"))

    def _history(self, query: ReportQuery) -> PriceHistory | None:
        """The price history `query` reads (None when it reads none)."""
        symbols = list(query.symbols())
        if not symbols:
            return None
        history = self.market.history(symbols, live=query.live, missing_ok=query.missing_ok)
        as_of = query.as_of  # board: partial ok (missing_ok)
        if history.pending and as_of is not None and history.last_final is not None \
                and as_of < history.last_final:  # a pinned window ends before it
            history = replace(history, pending={})
        ends = [c.index[-1].date() for c in history.closes.values() if len(c)]
        if history.files_note and as_of is not None and ends and as_of <= min(ends):
            history = replace(history, files_note=None)  # the files reach the pinned day
        return history

    def _data_id(self) -> str:
        """The identity of the data reports read: the price source's cache id and the
        reference sources' (a file's identity changes with the file; never shown)."""
        data_id = self.market.source.cache_id
        return data_id + "+" + self.reference.cache_id if self.reference else data_id

    def run(self, query: ReportQuery) -> Report:
        """The report for `query`: cached, or computed once for concurrent callers. Only
        the payload is computed here; the chart is drawn (or read from the cache) when the
        report's `chart_png` is first read (module docstring)."""
        now = self.clock()
        epoch = last_refresh_point(now).strftime("%Y%m%d%H%M")
        key = self.cache.key("report", PAYLOAD_VERSION, self._data_id(), epoch,
                             identity_hash(query.describe()))
        live = query.live
        built_here: list[Chart] = []

        def compute() -> tuple[dict[str, bytes], int]:
            history = self._history(query)
            payload, chart = self._build(query, history)
            built_here.append(chart)
            ttl = seconds_until_refresh(now)
            if retry_soon(payload, history, isinstance(query, ReferenceQuery)):
                ttl = min(ttl, STALE_RESULT_TTL_S)
            if live:
                ttl = min(ttl, INTRADAY_TTL_S)
            until = str(now.timestamp() + ttl).encode()
            return {"payload": json.dumps(payload).encode(), "valid_until": until,
                    "computed": uuid.uuid4().hex.encode()}, ttl

        def valid(fields: dict[bytes, bytes]) -> bool:
            """Still valid by our clock (Redis expires it too; this keeps the two agreeing
            when the clock is not the server's, as in replays)."""
            until = fields.get(b"valid_until")
            return until is None or float(until) > now.timestamp()

        fields = self.cache.single_flight(key, compute, valid=valid)
        REPORT_CACHE.labels(query.command, "miss" if built_here else "hit").inc()
        payload = json.loads(fields[b"payload"])
        name = chart_filename(payload)
        if b"chart" in fields:  # drawn before (or cached by a version that drew at once)
            return Report(payload, fields[b"chart"], name)
        computed = fields.get(b"computed", b"")

        def draw() -> bytes:
            """This payload's chart: from the cache, or drawn once for concurrent callers,
            with the draw function this call built the payload with, else one built again
            from the cached prices (milliseconds next to the drawing)."""
            def render() -> bytes:
                if built_here:
                    chart = built_here[0]
                else:
                    _, chart = self._build(query, self._history(query))
                png = chart()
                collect_after_render()  # the chart's figure is garbage now (bot.runtime.workers)
                return png

            return self.cache.field_once(key, "chart", render, guard=("computed", computed))

        return Report(payload, chart_filename=name, draw=draw)
