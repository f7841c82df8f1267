"""A query's identity keys its cached answer: two queries that can answer differently never
share a key (issue #20: `cuts etf price` then `cuts etf` answered price return twice), and
two data folders (or one folder before and after an edit) never share cached data."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.data.fred import FileTargetSource
from bot.data.french import FrenchFileSource
from bot.data.market import MarketData
from bot.data.reference import ReferenceData
from bot.data.sources import CsvSource
from bot.reports import Reports
from handlers.registry import COMMANDS as REGISTRY
from handlers.words import CommandError
from tests.query_helpers import parse_command

NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)

COMMANDS = tuple(c.name for c in REGISTRY if c.rendering is not None)  # every report
PERIODS = ("", "1y", "3y", "5y", "ytd", "2020-01-01..2021-06-30")
PAIRS = ("", "index", "etf", "IJR/SPY", "^RUT/SPY", "equal")
BASES = ("", "price", "total")
AS_OF = ("", "as-of 2024-03-26", "as-of 2023-01-05")
DEFAULTS = (None, {"basis": "price"}, {"pair": "etf"})

texts = st.tuples(*(st.sampled_from(words) for words in (COMMANDS, PERIODS, PAIRS, BASES,
                                                           AS_OF)))


def _query(words: tuple[str, ...], defaults):
    text = " ".join(w for w in words if w)
    try:
        query = parse_command(text, defaults)
    except CommandError:
        return None
    return query if hasattr(query, "build") or hasattr(query, "build_with_reference") \
        else None


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts, texts, st.sampled_from(DEFAULTS), st.sampled_from(DEFAULTS))
def test_two_queries_share_a_key_only_when_they_are_the_same_query(one, two, d1, d2):
    first, second = _query(one, d1), _query(two, d2)
    if first is None or second is None:
        return
    assert (first.describe() == second.describe()) == (first == second), (one, two)


@pytest.mark.parametrize("typed, default", [
    ("cuts etf price", "cuts etf"), ("table etf price", "table etf"),
    ("stats 3y etf price", "stats 3y etf"),
])
def test_the_basis_word_is_part_of_every_key(typed, default):
    assert parse_command(typed).describe() != parse_command(default).describe()


@pytest.mark.parametrize("typed, default", [("table etf price", "table etf"),
                                            ("stats 3y etf price", "stats 3y etf")])
def test_a_channel_default_basis_keys_as_if_typed(typed, default):
    assert parse_command(default, {"basis": "price"}).describe() == \
        parse_command(typed).describe()


def test_cuts_answers_the_basis_asked_after_another_was_cached(cache, market_data_dir):
    reports = Reports(MarketData(CsvSource(market_data_dir), cache, lambda: NOW), cache,
                      lambda: NOW, ReferenceData(FileTargetSource(market_data_dir),
                                                 FrenchFileSource(market_data_dir), cache,
                                                 lambda: NOW))
    price = reports.run(parse_command("cuts etf price")).payload
    total = reports.run(parse_command("cuts etf")).payload
    assert (price["basis"], total["basis"]) == ("price return", "total return")


def _folder(parent, market_data_dir, scale_rut_from: str | None = None):
    """A copy of the data folder named `market-data` under `parent`, with ^RUT's closes
    multiplied by 1.5 from `scale_rut_from` on."""
    folder = parent / "market-data"
    shutil.copytree(market_data_dir, folder, ignore=shutil.ignore_patterns("french", "rates"))
    if scale_rut_from:
        path = folder / "^RUT.csv"
        lines = path.read_text().splitlines()
        out = [lines[0]]
        header = lines[0].split(",")
        close = header.index("Close")
        for line in lines[1:]:
            cells = line.split(",")
            if cells[0] >= scale_rut_from and cells[close]:
                cells[close] = repr(float(cells[close]) * 1.5)
            out.append(",".join(cells))
        path.write_text("\n".join(out) + "\n")
    return folder


def _gap(cache, folder) -> float:
    reports = Reports(MarketData(CsvSource(folder), cache, lambda: NOW), cache, lambda: NOW)
    return reports.run(parse_command("gap 1y as-of 2024-12-31")).payload["small"]["return_pct"]


def test_two_folders_of_the_same_name_never_share_cached_data(cache, market_data_dir,
                                                              tmp_path):
    plain = _folder(tmp_path / "a", market_data_dir)
    scaled = _folder(tmp_path / "b", market_data_dir, scale_rut_from="2024-07-01")
    first, second = _gap(cache, plain), _gap(cache, scaled)
    assert second > first + 30  # ^RUT x1.5 within the year: the second folder's own data


def test_an_edited_file_is_read_again_at_once(cache, market_data_dir, tmp_path):
    folder = _folder(tmp_path, market_data_dir)
    before = _gap(cache, folder)
    edited = _folder(tmp_path / "edit", market_data_dir, scale_rut_from="2024-07-01")
    shutil.copy(edited / "^RUT.csv", folder / "^RUT.csv")
    stat = (folder / "^RUT.csv").stat()
    os.utime(folder / "^RUT.csv", ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    assert _gap(cache, folder) > before + 30


def test_the_data_identity_never_shows_the_folder(market_data_dir):
    source = CsvSource(market_data_dir)
    assert str(market_data_dir.resolve()) not in source.cache_id
    assert source.name == f"CSV files ({market_data_dir.name})"


def test_reference_files_of_two_folders_of_the_same_name_are_keyed_apart(market_data_dir,
                                                                        tmp_path):
    for parent in ("a", "b"):
        shutil.copytree(market_data_dir / "rates", tmp_path / parent / "market-data" / "rates")
    (tmp_path / "b" / "market-data" / "rates" / "FEDTARGET.csv").write_text(
        "Date,Target\n2020-01-01,1.75\n")
    one, two = (FileTargetSource(tmp_path / p / "market-data") for p in ("a", "b"))
    assert one.name == two.name and one.cache_id != two.cache_id
