"""FRED and French's library through the real download and parse code, a local server
playing both (from the shared files' bytes) and a real Redis: cache, refresh, fallback."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from bot.data.fred import FredTargetSource, RatesFormatError
from bot.data.french import FrenchFileSource, FrenchFormatError, FrenchWebSource
from bot.data.reference import ReferenceData
from bot.data.sources import DataUnavailableError
from tests.fake_reference import FakeReference, fred_csvs, french_zip

NOW = datetime(2026, 11, 30, 22, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def server(market_data_dir):
    fake = FakeReference(fred_csvs(market_data_dir / "rates" / "FEDTARGET.csv"),
                         french_zip(market_data_dir / "french" / "25_Portfolios_5x5.CSV"))
    with fake:
        yield fake


def reference(server, cache, clock) -> ReferenceData:
    return ReferenceData(FredTargetSource(server.fred_url, timeout_s=5),
                         FrenchWebSource(server.french_url, timeout_s=5), cache, clock)


def test_fred_download_gives_the_target_of_the_shared_file(server, cache, market_data_dir):
    got = reference(server, cache, Clock()).fed_target()
    with open(market_data_dir / "rates" / "FEDTARGET.csv", newline="") as handle:
        rows = {r["Date"]: float(r["Target"]) for r in csv.DictReader(handle)}
    assert len(got.data) == len(rows) == 16035
    assert {d.date().isoformat(): v for d, v in got.data.items()} == rows
    assert got.data[pd.Timestamp("2008-12-16")] == 0.25  # the upper bound from the range start
    assert got.source == "FRED (DFEDTAR, DFEDTARU)" and got.stale_note is None
    assert sorted(server.requests) == ["/fred/graph/fredgraph.csv?id=DFEDTAR",
                                       "/fred/graph/fredgraph.csv?id=DFEDTARU"]


def test_fred_is_asked_at_most_daily_then_cached_data_stands_in_with_its_age(server, cache):
    clock = Clock()
    first = reference(server, cache, clock).fed_target()
    clock.now = NOW + timedelta(hours=23)
    reference(server, cache, clock).fed_target()
    assert len(server.requests) == 2  # the second call within a day asked nobody
    server.mode = "down"
    clock.now = NOW + timedelta(days=3, hours=1)
    stale = reference(server, cache, clock).fed_target()
    assert len(server.requests) == 3  # tried once (503 on the first series), then fell back
    assert stale.data.equals(first.data) and stale.fetched_at == NOW
    assert stale.stale_note == ("FRED did not answer for DFEDTAR (503). Showing the copy "
                                "fetched 2026-11-30 22:00 UTC (3 days old).")


def test_french_zip_is_parsed_and_refreshed_at_most_weekly(server, cache):
    clock = Clock()
    got = reference(server, cache, clock).size_value()
    assert got.data.edition == "202412"
    assert (got.data.beme.index[0], got.data.beme.index[-1]) == (1926, 2024)
    assert got.data.beme.at[2024, "SMALL HiBM"] == 4.8268
    clock.now = NOW + timedelta(days=6)
    reference(server, cache, clock).size_value()
    assert len(server.requests) == 1
    clock.now = NOW + timedelta(days=8)
    reference(server, cache, clock).size_value()
    assert len(server.requests) == 2


def test_nothing_cached_and_the_source_down_is_a_clear_error(server, cache):
    server.mode = "down"
    with pytest.raises(DataUnavailableError, match=r"French's data library did not answer"):
        reference(server, cache, Clock()).size_value()


def test_a_web_page_instead_of_data_is_refused_and_not_cached(server, cache):
    server.mode = "html"
    ref = reference(server, cache, Clock())
    with pytest.raises(RatesFormatError, match="DFEDTAR download has columns"):
        ref.fed_target()
    with pytest.raises(FrenchFormatError, match="not a zip file"):
        ref.size_value()
    server.mode = "ok"
    assert ref.size_value().stale_note is None  # nothing bad was cached in between


def test_the_wrong_french_file_names_what_is_wrong(tmp_path, market_data_dir):
    """The 6-portfolio (2x3) file has the same sections but six columns."""
    (tmp_path / "french").mkdir()
    (tmp_path / "french" / "25_Portfolios_5x5.CSV").write_bytes(
        (market_data_dir / "french" / "6_Portfolios_2x3.CSV").read_bytes())
    with pytest.raises(FrenchFormatError, match="has 6 portfolios, not 25"):
        FrenchFileSource(tmp_path).fetch()


def test_a_zip_from_the_library_with_the_wrong_file_is_refused(market_data_dir, cache):
    wrong = french_zip(market_data_dir / "french" / "6_Portfolios_2x3.CSV")
    fake = FakeReference({}, wrong)
    with fake:
        with pytest.raises(FrenchFormatError, match="not 25"):
            FrenchWebSource(fake.french_url, timeout_s=5).fetch()
