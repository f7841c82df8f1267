"""`smallcaps trend|rates|history` in the terminal: JSON fields, real numbers, chart, exits."""

from __future__ import annotations

import json
import statistics
from datetime import date

import numpy as np
import pytest

from bot.cli import EXIT_BAD_INPUT, EXIT_NO_DATA, main
from tests.analytics.plain import read_closes, rolling_gaps


@pytest.fixture(autouse=True)
def _isolated_state(tmp_path, monkeypatch):
    monkeypatch.setenv("SMALLCAPS_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.delenv("REDIS_URL", raising=False)


def run_json(argv, market_data_dir, capsys, tmp_path):
    out = tmp_path / "chart.png"
    code = main([*argv, "--json", "--data-dir", str(market_data_dir), "--out", str(out)])
    assert code == 0
    assert out.read_bytes().startswith(b"\x89PNG")
    return json.loads(capsys.readouterr().out)


def test_trend_json_on_etfs(market_data_dir, capsys, tmp_path):
    p = run_json(["trend", "1y", "--pair", "etf", "--as-of", "2024-03-26"], market_data_dir,
                 capsys, tmp_path)
    iwm, spy = (read_closes(market_data_dir / f"{s}.csv") for s in ("IWM", "SPY"))
    days = sorted(d for d in iwm.keys() & spy.keys() if d <= date(2024, 3, 26))
    ratio = [iwm[d] / spy[d] for d in days]
    s = p["status"]
    assert (p["command"], p["basis"], p["end"], p["start"]) == \
        ("trend", "total return", "2024-03-26", "2023-03-24")
    assert s["ratio"] == pytest.approx(ratio[-1], rel=1e-7)
    assert s["ma200"] == pytest.approx(sum(ratio[-200:]) / 200, rel=1e-7)
    assert s["ma50"] == pytest.approx(sum(ratio[-50:]) / 50, rel=1e-7)
    assert s["percentile"] == pytest.approx(
        sum(v <= ratio[-1] for v in ratio) / len(ratio) * 100, abs=0.01)
    assert s["zscore"] == pytest.approx(
        (ratio[-1] - statistics.fmean(ratio)) / statistics.stdev(ratio), abs=1e-4)
    assert s["peak_date"] == days[ratio.index(max(ratio))].isoformat()
    assert {"last_cross_date", "last_cross_direction", "days_since_peak", "drawdown_pct"} <= \
        set(s)


def test_rates_json_says_where_each_series_ends(market_data_dir, capsys, tmp_path):
    p = run_json(["rates", "5y"], market_data_dir, capsys, tmp_path)
    csv = {s: read_closes(market_data_dir / f"{s}.csv") for s in ("^RUT", "^GSPC", "^TNX")}
    gaps = dict(rolling_gaps(csv["^RUT"], csv["^GSPC"], 1))
    days = sorted(d for d in gaps if d in csv["^TNX"] and d >= date.fromisoformat(p["start"]))
    assert (p["end"], p["yield"]["last_date"], p["gap"]["latest_date"]) == \
        ("2026-02-13", "2026-02-13", "2026-08-21")
    assert p["yield"]["unit"] == "percent" and p["yield"]["end_pct"] == pytest.approx(4.056)
    assert p["days"] == len(days)
    r = np.corrcoef([gaps[d] for d in days], [csv["^TNX"][d] for d in days])[0, 1]
    assert p["correlation"]["levels"]["r"] == pytest.approx(r, abs=1e-4)
    assert p["correlation"]["changes"]["days"] == 63
    assert p["verdict"] in {"supports", "weakly_supports", "no_relation", "weakly_contradicts",
                            "contradicts"}


def test_history_json_matches_plain_windows(market_data_dir, capsys, tmp_path):
    p = run_json(["history", "5y", "--as-of", "2024-03-26"], market_data_dir, capsys, tmp_path)
    rut, gspc = (read_closes(market_data_dir / f"{s}.csv") for s in ("^RUT", "^GSPC"))
    values = [g for _, g in rolling_gaps(rut, gspc, 5, until=date(2024, 3, 26))]
    assert p["windows"] == len(values)
    assert p["current_pp"] == pytest.approx(values[-1], abs=1e-4)
    assert p["median_pp"] == pytest.approx(statistics.median(values), abs=1e-4)
    assert p["record_lag"]["pp"] == pytest.approx(max(values), abs=1e-4)
    assert p["percentile"] == pytest.approx(
        sum(v <= values[-1] for v in values) / len(values) * 100, abs=0.01)


def test_text_output_names_series_dates_and_basis(market_data_dir, capsys):
    assert main(["history", "1y", "--data-dir", str(market_data_dir)]) == 0
    text = capsys.readouterr().out
    assert "Russell 2000 (^RUT)" in text and "price return" in text and "2026-08-21" in text


@pytest.mark.parametrize(("argv", "needle"), [
    (["history", "ytd"], "window length"), (["trend", "3q"], "3q"),
    (["rates", "--as-of", "2024-02-30"], "YYYY-MM-DD"),
])
def test_bad_input_exits_2(argv, needle, capsys, tmp_path):
    assert main([*argv, "--data-dir", str(tmp_path)]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert needle in err and f"e.g. smallcaps {argv[0]}" in err


def test_rates_without_the_yield_file_exits_3(tmp_path, market_data_dir, capsys):
    folder = tmp_path / "no-tnx"
    folder.mkdir()
    for name in ("^RUT.csv", "^GSPC.csv"):
        (folder / name).symlink_to(market_data_dir / name)
    assert main(["rates", "--data-dir", str(folder)]) == EXIT_NO_DATA
    assert "^TNX" in capsys.readouterr().err
