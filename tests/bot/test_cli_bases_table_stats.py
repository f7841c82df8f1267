"""Both bases for ETFs in `table` and `stats` (issue #10), offline: the CLI on
../shared/market-data against plain csv-module computations on the price-return files."""

from __future__ import annotations

import json
import shutil
from datetime import date, timedelta

import pytest

from bot.cli import main
from tests.analytics.plain import (
    add_months,
    common_dates,
    last_on_or_before,
    period_returns_pct,
    read_closes,
    years_before,
)

AS_OF = date(2024, 3, 26)
# horizon -> the same date one horizon before the end (docs/methodology.md, "Performance table")
TARGETS = {"1w": lambda d: d - timedelta(days=7), "1m": lambda d: add_months(d, -1),
           "6m": lambda d: add_months(d, -6), "ytd": lambda d: date(d.year - 1, 12, 31),
           "1y": lambda d: years_before(d, 1), "3y": lambda d: years_before(d, 3),
           "10y": lambda d: years_before(d, 10)}


@pytest.fixture(autouse=True)
def _isolated_state(tmp_path, monkeypatch):
    monkeypatch.setenv("SMALLCAPS_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.delenv("REDIS_URL", raising=False)


def _json(capsys, *argv: str) -> dict:
    assert main([*argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def _plain_row(small: dict, large: dict, horizon: str) -> tuple[float, float]:
    """(small %, large %) of one table row the slow way; rows over a year annualised by
    calendar days, (1 + r) ^ (365.25 / days) − 1."""
    days = common_dates(small, large, until=AS_OF)
    end = days[-1]
    start = days[last_on_or_before(days, TARGETS[horizon](end))]
    out = []
    for closes in (small, large):
        r = closes[end] / closes[start] - 1
        if horizon in ("3y", "10y"):
            r = (1 + r) ** (365.25 / (end - start).days) - 1
        out.append(r * 100)
    return out[0], out[1]


def test_table_etf_shows_every_horizon_on_price_return_too(market_data_dir, capsys):
    iwm = read_closes(market_data_dir / "IWM.price.csv")
    spy = read_closes(market_data_dir / "SPY.price.csv")
    argv = ["table", "etf", "--as-of", "2024-03-26", "--data-dir", str(market_data_dir)]
    p = _json(capsys, *argv)
    assert p["basis"] == "total return"
    other = p["other_basis"]
    assert other["basis"] == "price return" and other["note"] is None
    rows = {row["horizon"]: row for row in other["rows"]}
    for horizon in TARGETS:
        small_pct, large_pct = _plain_row(iwm, spy, horizon)
        assert rows[horizon]["small_pct"] == pytest.approx(small_pct, abs=1e-3), horizon
        assert rows[horizon]["large_pct"] == pytest.approx(large_pct, abs=1e-3), horizon
        assert rows[horizon]["gap_pp"] == pytest.approx(large_pct - small_pct, abs=2e-3)
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert "  Price return             IWM %     SPY %    Gap pp" in text.splitlines()
    small_3y, large_3y = _plain_row(iwm, spy, "3y")  # -2.39 % and +9.42 % a year
    assert (f"  3y ann.                  {small_3y:+.2f}     {large_3y:+.2f}    "
            f"{large_3y - small_3y:+.2f}") in text.splitlines()


def test_stats_etf_shows_total_return_and_cagr_on_price_return(market_data_dir, capsys):
    start, end, iwm_pr, spy_pr = period_returns_pct(
        read_closes(market_data_dir / "IWM.price.csv"),
        read_closes(market_data_dir / "SPY.price.csv"), 3, AS_OF)
    days = common_dates(read_closes(market_data_dir / "IWM.csv"),
                        read_closes(market_data_dir / "SPY.csv"), until=end)
    n_returns = sum(1 for d in days if start <= d <= end) - 1

    def cagr(pct: float) -> float:  # 252 returns a year, as empyrical
        return ((1 + pct / 100) ** (252 / n_returns) - 1) * 100

    argv = ["stats", "3y", "etf", "--as-of", "2024-03-26", "--data-dir", str(market_data_dir)]
    p = _json(capsys, *argv)
    assert (p["start"], p["end"], p["basis"]) == (str(start), str(end), "total return")
    other = p["other_basis"]
    assert other["basis"] == "price return" and other["note"] is None
    assert other["small"]["total_return_pct"] == pytest.approx(iwm_pr, abs=1e-4)  # -7.00 %
    assert other["large"]["total_return_pct"] == pytest.approx(spy_pr, abs=1e-4)  # +31.02 %
    assert other["small"]["cagr_pct"] == pytest.approx(cagr(iwm_pr), abs=1e-4)
    assert other["large"]["cagr_pct"] == pytest.approx(cagr(spy_pr), abs=1e-4)
    assert main(argv) == 0
    assert (f"Price return: IWM {iwm_pr:+.2f} % (CAGR {cagr(iwm_pr):+.2f} % a year), SPY "
            f"{spy_pr:+.2f} % (CAGR {cagr(spy_pr):+.2f} % a year).") \
        in capsys.readouterr().out.splitlines()


@pytest.mark.parametrize("command", [["table"], ["stats", "3y"]])
def test_indexes_say_nothing_more_and_missing_closes_say_so(market_data_dir, tmp_path,
                                                            capsys, command):
    p = _json(capsys, *command, "--as-of", "2024-03-26", "--data-dir", str(market_data_dir))
    assert p["basis"] == "price return" and p["other_basis"] is None
    for symbol in ("IWM", "SPY"):  # total-return files only: no price-return closes
        shutil.copy(market_data_dir / f"{symbol}.csv", tmp_path / f"{symbol}.csv")
    argv = [*command, "etf", "--as-of", "2024-03-26", "--data-dir", str(tmp_path)]
    assert _json(capsys, *argv)["other_basis"]["note"].startswith(
        "no price return closes for `IWM`")
    assert main(argv) == 0
    lines = capsys.readouterr().out.splitlines()
    assert sum(line.strip().startswith("Price return: not available (no price return "
                                       "closes for `IWM`") for line in lines) == 1


def test_table_rows_before_the_other_basis_history_are_na(market_data_dir, capsys):
    """IJR's price-return file starts 2016-04-28: as of 2021-03-26 its 3y row is there,
    its 5y and 10y rows are n/a (no close on their first day), said under the table."""
    ijr = read_closes(market_data_dir / "IJR.price.csv")
    spy = read_closes(market_data_dir / "SPY.price.csv")
    argv = ["table", "IJR/SPY", "--as-of", "2021-03-26", "--data-dir", str(market_data_dir)]
    rows = {r["horizon"]: r for r in _json(capsys, *argv)["other_basis"]["rows"]}
    days = common_dates(ijr, spy, until=date(2021, 3, 26))
    start = days[last_on_or_before(days, years_before(days[-1], 3))]
    small_3y = ((ijr[days[-1]] / ijr[start]) ** (365.25 / (days[-1] - start).days) - 1) * 100
    assert rows["3y"]["small_pct"] == pytest.approx(small_3y, abs=1e-3)  # +12.14 % a year
    assert rows["5y"] == {"horizon": "5y", "label": "5y ann.", "small_pct": None,
                          "large_pct": None, "gap_pp": None}
    assert main(argv) == 0
    assert "  n/a: no price return closes on that row's first day." in \
        capsys.readouterr().out.splitlines()
