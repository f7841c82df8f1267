"""`smallcaps cuts|valuation` in the terminal: JSON fields, real numbers, chart, exit codes."""

from __future__ import annotations

import json
import shutil
from datetime import date

import pytest

from bot.cli import EXIT_BAD_INPUT, EXIT_NO_DATA, main
from tests.analytics.plain import event_window, read_closes


@pytest.fixture(autouse=True)
def _isolated_state(tmp_path, monkeypatch):
    monkeypatch.setenv("SMALLCAPS_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.delenv("REDIS_URL", raising=False)


def run_json(argv, data_dir, capsys, tmp_path):
    out = tmp_path / "chart.png"
    code = main([*argv, "--json", "--data-dir", str(data_dir), "--out", str(out)])
    assert code == 0
    assert out.read_bytes().startswith(b"\x89PNG")
    return json.loads(capsys.readouterr().out)


def test_cuts_json_on_etfs(market_data_dir, capsys, tmp_path):
    """IWM/SPY start 2000-05-26: the 2001, 2007, 2019 and 2024 cycles; data to 2026-02-23."""
    p = run_json(["cuts", "--pair", "etf"], market_data_dir, capsys, tmp_path)
    assert (p["command"], p["pair"], p["basis"], p["end"]) == \
        ("cuts", "etf", "total return", "2026-02-23")
    assert [c["event_day"] for c in p["cycles"]] == \
        ["2001-01-03", "2007-09-18", "2019-08-01", "2024-09-19"]
    assert p["current_event_day"] == "2024-09-19" and p["earlier_cycles"] == 3
    iwm, spy = (read_closes(market_data_dir / f"{s}.csv") for s in ("IWM", "SPY"))
    row = next(c for c in p["cycles"] if c["event_day"] == "2007-09-18")
    for w in row["windows"]:
        start, end, gap, ratio, _ = event_window(iwm, spy, date(2007, 9, 18), w["months"])
        assert (w["start"], w["end"]) == (start.isoformat(), end.isoformat())
        assert w["gap_pp"] == pytest.approx(gap, abs=1e-4)
        assert w["ratio_change_pct"] == pytest.approx(ratio, abs=1e-4)
    assert [c["event_day"] for c in p["first_cuts"]][:2] == ["1984-09-20", "1989-06-06"]
    assert p["rates_source"] == "FRED target rate, file rates/FEDTARGET.csv"
    assert p["verdict"] in {"supports", "partly_supports", "contradicts",
                            "mostly_contradicts", "mixed", "too_few"}


def test_cuts_text_gives_the_verdict_counts_and_the_earnings_caveat(market_data_dir, capsys):
    assert main(["cuts", "--data-dir", str(market_data_dir)]) == 0
    out = capsys.readouterr().out
    assert "The data does not support “small caps do better after the first rate cut”" in out
    assert "in the 6 cycles before the current one (1989–2019; 7 with it)" in out
    assert "12 months after the cut small caps were ahead in 2 of 6" in out
    assert "the bot has no earnings data" in out
    assert "not covered: 1984-09-20" in out
    assert "FRED dates it (2024-09-19 for the 2024-09-18 decision)" in out


def test_valuation_json_and_text(market_data_dir, capsys, tmp_path):
    p = run_json(["valuation"], market_data_dir, capsys, tmp_path)
    assert (p["edition"], p["first_year"], p["latest_year"]) == ("202412", 1926, 2024)
    assert [y["relative_pb"] for y in p["years"] if y["year"] == 2023] == [0.2496]
    assert p["jumps"][-1]["year"] == 2024 and p["jumps"][-1]["portfolio"] == "SMALL HiBM"
    assert main(["valuation", "--data-dir", str(market_data_dir)]) == 0
    out = capsys.readouterr().out
    assert "Treat 2024 with care" in out and "SMALL HiBM" in out
    assert "edition built from the 202412 CRSP database" in out
    assert "Annual end-of-June snapshots" in out


@pytest.mark.parametrize(("argv", "code", "message"), [
    (["cuts", "3y"], EXIT_BAD_INPUT, "always shows 3 months before to 12 months after"),
    (["cuts", "banana"], EXIT_BAD_INPUT, "neither a period"),
    (["cuts", "live"], EXIT_BAD_INPUT, "so `live` does not apply"),
    (["cuts", "--pair", "FOO/BAR"], EXIT_NO_DATA, "no daily data for `FOO`, `BAR`"),
    (["cuts", "--as-of", "1989-01-01"], EXIT_NO_DATA,
     "The first one it covers took effect on 1989-06-06"),
    (["valuation", "3y"], EXIT_BAD_INPUT, "`valuation` takes no arguments"),
])
def test_bad_input_gets_a_clear_message_and_exit_code(argv, code, message, market_data_dir,
                                                      capsys):
    assert main([*argv, "--data-dir", str(market_data_dir)]) == code
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_a_french_file_in_the_wrong_format_exits_3(market_data_dir, tmp_path, capsys):
    data = tmp_path / "data"
    (data / "french").mkdir(parents=True)
    shutil.copy(market_data_dir / "french" / "6_Portfolios_2x3.CSV",
                data / "french" / "25_Portfolios_5x5.CSV")
    assert main(["valuation", "--data-dir", str(data)]) == EXIT_NO_DATA
    err = capsys.readouterr().err
    assert "has 6 portfolios, not 25 (is this the 25 size x book-to-market file?)" in err
    assert str(tmp_path) not in err  # no server path


def test_a_data_folder_without_the_rates_file_exits_3(market_data_dir, tmp_path, capsys):
    data = tmp_path / "data"
    data.mkdir()
    for symbol in ("^RUT", "^GSPC"):
        (data / f"{symbol}.csv").symlink_to(market_data_dir / f"{symbol}.csv")
    assert main(["cuts", "--data-dir", str(data)]) == EXIT_NO_DATA
    assert "The data folder has no rates/FEDTARGET.csv." in capsys.readouterr().err


def test_the_first_covered_cycle_alone_is_too_few_to_judge(market_data_dir, capsys, tmp_path):
    """IWM/SPY as of 2001-03-01: only the 2001 cycle, in progress; no verdict is made up."""
    p = run_json(["cuts", "etf", "as-of", "2001-03-01"], market_data_dir, capsys, tmp_path)
    assert p["verdict"] == "too_few" and p["earlier_cycles"] == 0
    assert [w["complete"] for w in p["cycles"][0]["windows"]] == [True, True, False, False, False]
    assert main(["cuts", "etf", "as-of", "2001-03-01", "--data-dir", str(market_data_dir)]) == 0
    out = capsys.readouterr().out
    iwm, spy = (read_closes(market_data_dir / f"{s}.csv") for s in ("IWM", "SPY"))
    start, end, gap, _, complete = event_window(iwm, spy, date(2001, 1, 3), 3,
                                                until=date(2001, 3, 1))
    days, total = (end - start).days, (date(2001, 4, 3) - start).days  # anchor 2001-01-02
    assert not complete and (start, days, total) == (date(2001, 1, 2), 58, 91)
    assert "Too few cycles to test" in out and f"3m {gap:+.2f} pp ({days} of {total} days)" in out
