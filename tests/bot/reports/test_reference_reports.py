"""cuts and valuation through Reports.run on a real Redis: cached, pre-rendered, and saying so
when FRED is down and an older copy of the target rate stands in."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from bot.data.fred import FileTargetSource, FredTargetSource
from bot.data.french import FrenchFileSource, FrenchWebSource
from bot.data.market import MarketData
from bot.data.reference import ReferenceData
from bot.reports import Reports
from handlers.prerender import commands_for, prerender
from tests.bot.reports.test_reports import NOW, CountingCsv
from tests.fake_reference import FakeReference, fred_csvs, french_zip
from tests.query_helpers import MustNotCompute, context, parse_command


def file_reports(cache, data_dir, clock=lambda: NOW) -> Reports:
    reference = ReferenceData(FileTargetSource(data_dir), FrenchFileSource(data_dir), cache,
                              clock)
    return Reports(MarketData(CountingCsv(data_dir), cache, clock), cache, clock, reference)


@pytest.mark.parametrize("command", ["cuts", "cuts etf as-of 2024-03-26", "valuation"])
def test_second_request_is_served_from_cache(command, cache, market_data_dir):
    first = file_reports(cache, market_data_dir).run(parse_command(command))
    drawn = first.chart_png  # the first reply draws the chart, after its text
    again = file_reports(cache, market_data_dir).run(MustNotCompute(command))
    assert again.payload == first.payload and again.chart_png == drawn
    assert drawn.startswith(b"\x89PNG")
    json.dumps(first.payload, allow_nan=False)  # strict JSON
    assert first.chart_filename.startswith(f"smallcaps-{command.split()[0]}")


def test_valuation_reads_no_prices(cache, market_data_dir):
    reports = file_reports(cache, market_data_dir)
    reports.run(parse_command("valuation"))
    assert reports.market.source.fetches == 0


def test_both_are_pre_rendered_by_default(cache, market_data_dir):
    assert {"cuts", "valuation"} <= set(commands_for("buttons", context()))
    reports = file_reports(cache, market_data_dir)
    done = prerender(reports, ["cuts", "valuation"], context())
    assert (done.computed, done.failed) == (2, [])
    for command in ("cuts", "cuts index", "valuation"):
        reports.run(MustNotCompute(command))


def test_fred_down_uses_the_cached_target_and_says_how_old(cache, market_data_dir):
    class Clock:
        now = NOW

        def __call__(self):
            return self.now

    clock = Clock()
    fake = FakeReference(fred_csvs(market_data_dir / "rates" / "FEDTARGET.csv"),
                         french_zip(market_data_dir / "french" / "25_Portfolios_5x5.CSV"))
    with fake:
        reference = ReferenceData(FredTargetSource(fake.fred_url, timeout_s=5),
                                  FrenchWebSource(fake.french_url, timeout_s=5), cache, clock)
        reports = Reports(MarketData(CountingCsv(market_data_dir), cache, clock), cache, clock,
                          reference)
        fresh = reports.run(parse_command("cuts"))
        assert "FRED" not in (fresh.payload["stale_note"] or "")  # (the CSV files' age only)
        assert fresh.payload["rates_source"] == "FRED (DFEDTAR, DFEDTARU)"
        fake.mode = "down"
        clock.now = NOW + timedelta(days=2)
        stale = reports.run(parse_command("cuts"))
    assert ("FRED did not answer for DFEDTAR (503). Showing the copy fetched"
            in stale.payload["stale_note"])
    assert "(2 days old)" in stale.payload["stale_note"]
    assert stale.payload["cycles"] == fresh.payload["cycles"]
