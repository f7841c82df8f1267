"""`years`: its grammar, the wording and Block Kit limits of its reply, its pair buttons, the
alt text of its chart and its CSV."""

from __future__ import annotations

import copy
import csv
import io
from datetime import date

import pytest

from analytics.pairs import PAIRS
from bot.cli import main
from handlers.buttons import decode_value
from handlers.words import CommandError
from handlers.years import (
    YearsQuery,
    table_lines,
    years_blocks,
    years_fallback_text,
    years_plain_text,
)
from tests.analytics.plain import calendar_year_returns, read_closes
from tests.block_kit import all_text, check_blocks
from tests.query_helpers import history_of, parse_command
from tests.slack_helpers import dispatch_slash


@pytest.fixture(scope="module")
def payload(real_closes):
    query = YearsQuery(PAIRS["index"], date(2024, 3, 26))
    built, _ = query.build(history_of(real_closes, query.pair))
    return built


@pytest.mark.parametrize(("text", "pair", "basis", "as_of"), [
    ("years", "index", None, None), ("YEARS etf", "etf", None, None),
    ("years etf price as-of 2024-03-26", "etf", "price", date(2024, 3, 26)),
    ("years IJR/SPY", "IJR/SPY", None, None),
])
def test_parse_years(text, pair, basis, as_of):
    query = parse_command(text)
    assert isinstance(query, YearsQuery)
    assert (query.pair.key, query.as_of) == (pair, as_of)
    assert (query.pair.basis_choice == "price") == (basis == "price")


@pytest.mark.parametrize(("text", "message"), [
    ("years 3y", "always shows every calendar year"), ("years ytd etf", "`ytd` is not needed"),
    ("years index total", "total"), ("years etf index", "one pair"),
])
def test_parse_errors_are_friendly(text, message):
    with pytest.raises(CommandError) as err:
        parse_command(text)
    assert message in err.value.message and err.value.example.startswith("years")


def test_reply_counts_streaks_and_the_year_to_date(payload):
    """Through 2023 (as of 2024-03-26): 19 small-cap years of 36, large caps' run 2021-2023."""
    text = years_plain_text(payload)
    assert "Small caps beat large caps in 19 of 36 calendar years (1988–2023); large caps " \
           "won 17." in text
    assert "Current streak: large caps, 3 years (2021–2023)." in text
    assert "Longest streaks: small caps 8 years (1999–2006), large caps 5 years " \
           "(1994–1998)." in text
    assert "2024 to date (2023-12-29 → 2024-03-26, not counted above)" in text
    assert "Basis: price return" in text
    assert "from 1987-09-10, is partial and left out" in text
    assert years_fallback_text(payload).startswith("Small caps beat large caps in 19 of 36")


def test_table_lines_line_up_and_the_year_to_date_comes_last(payload):
    lines = table_lines(payload)
    end = 9 + 3 * (2 + 8)  # the year column, then three right-aligned 8-wide numbers
    assert all(line[end - 1] != " " and line[end:end + 2] == "  " for line in lines)
    assert lines[0].split() == ["Year", "^RUT", "%", "^GSPC", "%", "Gap", "pp", "Won"]
    assert lines[1].split()[:4] == ["1988", "+22.38", "+12.40", "-9.98"]
    assert lines[-1].startswith("2024 YTD") and lines[-1].endswith("(so far)")


def test_blocks_keep_slacks_limits_and_offer_the_pair_buttons_only(payload):
    blocks = years_blocks(payload)
    check_blocks(blocks)
    [actions] = [b for b in blocks if b["type"] == "actions"]
    values = [decode_value(e["value"]) for e in actions["elements"]]
    assert [v.command_text() for v in values] == ["years index as-of 2024-03-26",
                                                  "years etf as-of 2024-03-26"]
    assert actions["elements"][0].get("style") == "primary"


def test_a_century_of_years_is_split_into_sections_within_limits(payload):
    p = copy.deepcopy(payload)
    p["years"] = [dict(p["years"][0], year=1900 + i) for i in range(120)]
    p["small"] = {"symbol": "ABCDEFGHIJKLMNO", "name": "x" * 140}
    blocks = years_blocks(p)
    check_blocks(blocks)
    # 120 years outgrow one native table (100 rows): aligned code blocks of 40, none dropped
    assert sum("```" in b.get("text", {}).get("text", "") for b in blocks) == 4  # 121 rows
    assert not any(b["type"] == "table" for b in blocks)
    assert all(str(1900 + i) in all_text(blocks) for i in range(120))


def test_the_years_are_a_native_table_with_numbers_right_aligned(payload):
    [table] = [b for b in years_blocks(payload) if b["type"] == "table"]
    assert len(table["rows"]) == len(payload["years"]) + 1 + bool(payload["year_to_date"])
    assert [c["align"] for c in table["column_settings"]] == ["left"] + ["right"] * 3 + ["left"]


def test_chart_upload_states_the_counts(app, fake):
    dispatch_slash(app, fake, "years as-of 2024-03-26")
    [upload] = fake.wait_for("files.getUploadURLExternal", timeout=30)
    alt = upload.params["alt_txt"]
    assert alt.startswith("Chart: ^RUT vs ^GSPC · calendar years 1988–2023.")
    assert "19 of 36 calendar years" in alt


def test_cli_csv_has_every_year_as_computed_by_hand(market_data_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("SMALLCAPS_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.delenv("REDIS_URL", raising=False)
    out = tmp_path / "years.csv"
    assert main(["years", "--as-of", "2024-03-26", "--csv", str(out),
                 "--data-dir", str(market_data_dir)]) == 0
    header, _, body = out.read_text().partition("\n")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert header.startswith("# smallcaps years index; source: CSV files; basis: price return")
    expected = calendar_year_returns(read_closes(market_data_dir / "^RUT.csv"),
                                     read_closes(market_data_dir / "^GSPC.csv"),
                                     until=date(2024, 3, 26))
    assert [int(r["year"]) for r in rows] == [y for y, *_ in expected]
    assert [r["complete"] for r in rows[-2:]] == ["1", "0"]
    for row, (_, start, end, small, large) in zip(rows, expected, strict=True):
        assert (row["start"], row["end"]) == (start.isoformat(), end.isoformat())
        assert abs(float(row["gap_pp"]) - (large - small)) < 1e-4  # the payload's rounding
