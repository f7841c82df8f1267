"""`smallcaps table` and `smallcaps stats` in a terminal: JSON fields, real numbers, exits."""

from __future__ import annotations

import json
import math
import statistics

import pytest

from bot.cli import EXIT_BAD_INPUT, EXIT_CONFIG, EXIT_NO_DATA, main
from bot.runtime.config import get_settings


@pytest.fixture(autouse=True)
def _isolated_state(tmp_path, monkeypatch):
    monkeypatch.setenv("SMALLCAPS_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.delenv("SMALLCAPS_RISK_FREE_RATE", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _json(capsys, argv, data_dir) -> dict:
    assert main([*argv, "--json", "--data-dir", str(data_dir)]) == 0
    return json.loads(capsys.readouterr().out)


def test_table_json_rows(market_data_dir, real_closes, capsys, tmp_path):
    out = tmp_path / "table.png"
    p = _json(capsys, ["table", "--pair", "etf", "--as-of", "2008-03-26", "--out", str(out)],
              market_data_dir)
    assert (p["command"], p["pair"], p["end"], p["basis"]) == \
        ("table", "etf", "2008-03-26", "total return")
    rows = {r["horizon"]: r for r in p["rows"]}
    assert list(rows) == ["1w", "1m", "3m", "6m", "ytd", "1y", "3y", "5y", "10y"]
    iwm, spy = real_closes["IWM"], real_closes["SPY"]
    ytd = rows["ytd"]
    assert ytd["start"] == "2007-12-31" and not ytd["annualised"]
    assert ytd["small_pct"] == pytest.approx((iwm["2008-03-26"] / iwm["2007-12-31"] - 1) * 100,
                                             abs=1e-4)
    five = rows["5y"]
    days = five["calendar_days"]
    assert five["annualised"] and five["label"] == "5y ann." and five["start"] == "2003-03-26"
    expected = ((spy["2008-03-26"] / spy["2003-03-26"]) ** (365.25 / days) - 1) * 100
    assert five["large_pct"] == pytest.approx(expected, abs=1e-4)
    assert five["gap_pp"] == pytest.approx(five["large_pct"] - five["small_pct"], abs=1e-3)
    assert rows["10y"]["small_pct"] is None and "2000-05-26" in rows["10y"]["note"]
    assert p["first_common_close"] == "2000-05-26" and "365.25" in p["annualisation"]
    assert out.read_bytes().startswith(b"\x89PNG")


def test_stats_json_fields_and_numbers(market_data_dir, real_closes, capsys):
    p = _json(capsys, ["stats", "3y", "--as-of", "2024-03-26"], market_data_dir)
    assert (p["command"], p["start"], p["end"], p["daily_returns"]) == \
        ("stats", "2021-03-26", "2024-03-26", 754)
    assert p["risk_free_rate_pct"] == 0.0 and p["trading_days_per_year"] == 252
    closes = real_closes["^GSPC"].loc["2021-03-26":"2024-03-26"].tolist()
    returns = [b / a - 1 for a, b in zip(closes, closes[1:], strict=False)]
    large = p["large"]
    assert large["volatility_pct"] == pytest.approx(
        statistics.stdev(returns) * math.sqrt(252) * 100, abs=1e-3)
    assert large["cagr_pct"] == pytest.approx(
        ((closes[-1] / closes[0]) ** (252 / len(returns)) - 1) * 100, abs=1e-3)
    assert large["max_drawdown"] == {"depth_pct": pytest.approx(-25.4251, abs=1e-3),
                                     "peak": "2022-01-03", "trough": "2022-10-12",
                                     "recovery": "2024-01-19"}
    assert p["small"]["max_drawdown"]["recovery"] is None
    assert set(p) >= {"beta", "correlation", "basis", "source", "data_fetched_at",
                      "stale_note", "period_description", "as_of_requested"}


def test_stats_uses_the_configured_risk_free_rate(market_data_dir, real_closes, capsys,
                                                  monkeypatch):
    base = _json(capsys, ["stats", "5y", "--pair", "etf"], market_data_dir)
    monkeypatch.setenv("SMALLCAPS_RISK_FREE_RATE", "0.04")
    get_settings.cache_clear()
    p = _json(capsys, ["stats", "5y", "--pair", "etf"], market_data_dir)
    assert p["risk_free_rate_pct"] == 4.0
    closes = real_closes["SPY"].loc[p["start"]:p["end"]].tolist()
    excess = [b / a - 1 - (1.04 ** (1 / 252) - 1) for a, b in zip(closes, closes[1:],
                                                                   strict=False)]
    sharpe = statistics.fmean(excess) / statistics.stdev(excess) * math.sqrt(252)
    assert p["large"]["sharpe"] == pytest.approx(sharpe, abs=1e-4)
    assert p["large"]["sharpe"] < base["large"]["sharpe"]


def test_text_output_is_the_aligned_table(market_data_dir, capsys):
    assert main(["table", "--as-of", "2024-03-26", "--data-dir", str(market_data_dir)]) == 0
    text = capsys.readouterr().out
    assert "3y ann.   2021-03-26" in text and "^RUT %" in text and "price return" in text


@pytest.mark.parametrize("argv,code,needle", [
    (["table", "5y"], EXIT_BAD_INPUT, "table etf"),
    (["stats", "3q"], EXIT_BAD_INPUT, "3q"),
    (["stats", "1d", "--as-of", "2024-03-26"], EXIT_NO_DATA, "at least 2"),
    (["table", "--as-of", "1980-01-02"], EXIT_NO_DATA, "1980-01-02"),
])
def test_bad_input_and_short_history_exit_non_zero(market_data_dir, capsys, argv, code, needle):
    assert main([*argv, "--data-dir", str(market_data_dir)]) == code
    assert needle in capsys.readouterr().err


def test_a_percent_typed_as_a_whole_number_is_a_configuration_error(market_data_dir, capsys,
                                                                    monkeypatch):
    monkeypatch.setenv("SMALLCAPS_RISK_FREE_RATE", "4")
    assert main(["stats", "--data-dir", str(market_data_dir)]) == EXIT_CONFIG
    assert "0.04 = 4 %" in capsys.readouterr().err
