"""`profitability`: its grammar, the reply's wording (as a user reads it), Block Kit limits, the
CLI's JSON and exit codes, and a file without the OP section."""

from __future__ import annotations

import copy
import json
import shutil
import statistics

import pytest

from bot.bootstrap import build_deps
from bot.cli import EXIT_BAD_INPUT, EXIT_NO_DATA, main
from bot.runtime.config import Settings
from handlers.profitability import (
    ProfitabilityQuery,
    link_line,
    link_verdict,
    profitability_blocks,
    profitability_fallback_text,
    profitability_plain_text,
)
from handlers.words import CommandError
from tests.analytics.test_profitability import op_by_hand
from tests.analytics.test_valuation import relative_pb_by_hand
from tests.block_kit import check_blocks
from tests.query_helpers import parse_command


@pytest.fixture(autouse=True)
def _isolated_state(tmp_path, monkeypatch):
    monkeypatch.setenv("SMALLCAPS_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.delenv("REDIS_URL", raising=False)


@pytest.fixture(scope="module")
def payload(market_data_dir, redis_server):
    from bot.runtime.cache import Cache

    deps = build_deps(Settings(smallcaps_data_dir=market_data_dir),
                      cache=Cache(redis_server, prefix="smallcaps-test:profitability:"))
    return deps.reports.run(parse_command("profitability")).payload


def test_parse_takes_no_arguments():
    assert parse_command("PROFITABILITY") == ProfitabilityQuery()
    with pytest.raises(CommandError, match="`profitability` takes no arguments"):
        parse_command("profitability 3y")


def test_reply_states_levels_rank_left_out_portfolios_and_limits(payload):
    text = profitability_plain_text(payload)
    assert text.startswith("Operating profitability, small vs large caps · 1963–2024")
    assert ("2024: operating profit was -3.4 % of book equity for the smallest size quintile "
            "and +76.1 % for the largest, a gap of 79.5 pp: 95th percentile of 62 years since "
            "1963 and 91st of 35 since 1990") in text
    assert "2019 SMALL LoBM (-13,114 %)" in text and "1980 BIG LoBM (+260 %)" in text
    assert "With SMALL LoBM kept, 2024 would read -28.6 % vs +76.1 % (gap 104.8 pp)." in text
    assert "at ±100 %, which leaves out more portfolio-years, the 2024 gap reads 28.8 pp" in text
    assert "firms x average market cap, sum(ME x OP) / sum(ME)" in text
    assert "no count of unprofitable companies" in text and "SEC EDGAR" in text
    assert "edition built from the 202412 CRSP database" in text
    assert profitability_fallback_text(payload).startswith("2024: operating profit was")


def test_the_valuation_sentence_follows_the_correlations(payload, market_data_dir):
    """Relative P/B vs the OP gap over 1963-2024, recomputed by hand (csv module): a clear
    negative r in levels, a small one in yearly changes on this edition."""
    path = market_data_dir / "french" / "25_Portfolios_5x5.CSV"
    pb = [relative_pb_by_hand(path, y) for y in range(1963, 2025)]
    gap = [(lambda s, lg: (lg - s) * 100)(*op_by_hand(path, y)) for y in range(1963, 2025)]
    levels = statistics.correlation(pb, gap)
    changes = statistics.correlation([pb[i] - pb[i - 1] for i in range(1, 62)],
                                     [gap[i] - gap[i - 1] for i in range(1, 62)])
    link = payload["valuation_link"]
    assert (link["levels_r"], link["changes_r"]) == (round(levels, 3), round(changes, 3))
    assert levels <= -0.3 and abs(changes) < 0.3 and link["verdict"] == "clear_goes_with"
    line = link_line(payload)
    assert line.startswith("Does lower valuation go with lower profitability? Partly: over "
                           "1963–2024 (62 years) years when small firms' profitability trailed "
                           f"further had a lower relative P/B (r = {levels:+.2f}")
    assert f"year-to-year changes barely move together (r = {changes:+.2f})" in line
    assert (link_verdict(0.05, 0.0), link_verdict(0.2, 0.0), link_verdict(None, None)) == \
        ("none", "weak_against", "too_short")


def test_blocks_keep_slacks_limits_even_with_many_left_out_years(payload):
    check_blocks(profitability_blocks(payload))
    p = copy.deepcopy(payload)
    p["outliers"] = p["outliers"] * 30
    p["stale_note"] = "French's data library did not answer (URLError)."
    check_blocks(profitability_blocks(p))


def test_cli_json_and_exit_codes(market_data_dir, capsys, tmp_path):
    out = tmp_path / "p.png"
    assert main(["profitability", "--json", "--data-dir", str(market_data_dir), "--out",
                 str(out)]) == 0
    p = json.loads(capsys.readouterr().out)
    assert out.read_bytes().startswith(b"\x89PNG")
    assert (p["first_year"], p["latest_year"], p["op_limit_pct"], p["years_all"]) == \
        (1963, 2024, 200.0, 62)
    small, large = op_by_hand(market_data_dir / "french" / "25_Portfolios_5x5.CSV", 2024)
    [latest] = [y for y in p["years"] if y["year"] == 2024]
    assert (latest["op_small_pct"], latest["op_large_pct"]) == (round(small * 100, 2),
                                                               round(large * 100, 2))
    assert main(["profitability", "3y", "--data-dir", str(market_data_dir)]) == EXIT_BAD_INPUT
    assert "takes no arguments" in capsys.readouterr().err


def test_a_file_without_the_op_section_exits_3_and_valuation_still_answers(
        market_data_dir, tmp_path, capsys):
    data = tmp_path / "data"
    (data / "french").mkdir(parents=True)
    text = (market_data_dir / "french" / "25_Portfolios_5x5.CSV").read_text(encoding="latin-1")
    cut = text.index("Value Weight Average of OP")
    (data / "french" / "25_Portfolios_5x5.CSV").write_text(text[:cut], encoding="latin-1")
    shutil.copytree(market_data_dir / "rates", data / "rates")
    assert main(["profitability", "--data-dir", str(data)]) == EXIT_NO_DATA
    assert "has no 'Value Weight Average of OP' section" in capsys.readouterr().err
    assert main(["valuation", "--data-dir", str(data)]) == 0
