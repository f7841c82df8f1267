"""Both bases for ETFs, offline: the CLI on ../shared/market-data against plain csv-module
computations on the same files (the seed figures of March 2024), and dates before the data."""

from __future__ import annotations

import json
import shutil
from datetime import date

import pytest

from bot.cli import EXIT_BAD_INPUT, EXIT_NO_DATA, main
from tests.analytics.plain import period_returns_pct, read_closes

AS_OF = date(2024, 3, 26)


@pytest.fixture(autouse=True)
def _isolated_state(tmp_path, monkeypatch):
    monkeypatch.setenv("SMALLCAPS_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.delenv("REDIS_URL", raising=False)


def _json(capsys, *argv: str) -> dict:
    assert main([*argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def _plain(small_path, large_path, column="Close"):
    return period_returns_pct(read_closes(small_path, column), read_closes(large_path, column),
                              3, AS_OF)


def test_index_pair_is_price_return_in_the_headline(market_data_dir, capsys):
    _, _, rut, gspc = _plain(market_data_dir / "^RUT.csv", market_data_dir / "^GSPC.csv")
    assert main(["gap", "3y", "--as-of", "2024-03-26", "--data-dir", str(market_data_dir)]) == 0
    text = capsys.readouterr().out
    assert "Small caps lag by 37.73 pp over 3 years, price return" in text.splitlines()[2]
    assert "-6.81 %" in text and "+30.92 %" in text  # the seed figures
    p = _json(capsys, "gap", "3y", "--as-of", "2024-03-26", "--data-dir", str(market_data_dir))
    assert p["small"]["return_pct"] == pytest.approx(rut, abs=1e-4)
    assert p["large"]["return_pct"] == pytest.approx(gspc, abs=1e-4)
    assert p["basis"] == "price return" and p["other_basis"] is None


def test_etf_reply_shows_total_return_then_price_return(market_data_dir, capsys):
    start, end, iwm_tr, spy_tr = _plain(market_data_dir / "IWM.csv", market_data_dir / "SPY.csv")
    _, _, iwm_pr, spy_pr = _plain(market_data_dir / "IWM.price.csv",
                                  market_data_dir / "SPY.price.csv")
    argv = ["gap", "3y", "etf", "--as-of", "2024-03-26", "--data-dir", str(market_data_dir)]
    p = _json(capsys, *argv)
    assert (p["start"], p["end"]) == (start.isoformat(), end.isoformat())
    assert p["basis"] == "total return"
    assert p["small"]["return_pct"] == pytest.approx(iwm_tr, abs=1e-4)  # -3.28 %
    assert p["large"]["return_pct"] == pytest.approx(spy_tr, abs=1e-4)  # +36.95 %
    other = p["other_basis"]
    assert other["basis"] == "price return" and other["note"] is None
    assert other["small"]["return_pct"] == pytest.approx(iwm_pr, abs=1e-4)  # about -7 %
    assert other["large"]["return_pct"] == pytest.approx(spy_pr, abs=1e-4)  # about +31 %
    assert other["gap_pp"] == pytest.approx(spy_pr - iwm_pr, abs=1e-3)
    assert main(argv) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[2].startswith("Small caps lag by 40.22 pp over 3 years, total return")
    assert lines[3] == "Price return: IWM -7.00 %, SPY +31.02 %, gap +38.02 pp."
    assert "IWM): -3.28 %" in "\n".join(lines) and "SPY): +36.95 %" in "\n".join(lines)


def test_price_basis_swaps_headline_and_line_below(market_data_dir, capsys):
    _, _, iwm_pr, spy_pr = _plain(market_data_dir / "IWM.price.csv",
                                  market_data_dir / "SPY.price.csv")
    argv = ["gap", "3y", "etf", "--basis", "price", "--as-of", "2024-03-26",
            "--data-dir", str(market_data_dir)]
    p = _json(capsys, *argv)
    assert p["basis"] == "price return" and p["other_basis"]["basis"] == "total return"
    assert p["small"]["return_pct"] == pytest.approx(iwm_pr, abs=1e-4)
    assert p["large"]["return_pct"] == pytest.approx(spy_pr, abs=1e-4)
    assert main(argv) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[2].startswith("Small caps lag by 38.02 pp over 3 years, price return")
    assert lines[3] == "Total return: IWM -3.28 %, SPY +36.95 %, gap +40.22 pp."


def test_yahoo_download_layout_with_adj_close_column(market_data_dir, tmp_path, capsys):
    """`SYMBOL.csv` with `Close` and `Adj Close` (SPY.both.csv's layout) gives both bases."""
    for symbol in ("IWM", "SPY"):
        shutil.copy(market_data_dir / f"{symbol}.both.csv", tmp_path / f"{symbol}.csv")
    _, _, iwm_tr, spy_tr = _plain(tmp_path / "IWM.csv", tmp_path / "SPY.csv", "Adj Close")
    _, _, iwm_pr, spy_pr = _plain(tmp_path / "IWM.csv", tmp_path / "SPY.csv", "Close")
    p = _json(capsys, "gap", "3y", "etf", "--as-of", "2024-03-26", "--data-dir", str(tmp_path))
    assert p["small"]["return_pct"] == pytest.approx(iwm_tr, abs=1e-4)
    assert p["large"]["return_pct"] == pytest.approx(spy_tr, abs=1e-4)
    assert p["other_basis"]["small"]["return_pct"] == pytest.approx(iwm_pr, abs=1e-4)
    assert p["other_basis"]["large"]["return_pct"] == pytest.approx(spy_pr, abs=1e-4)


def test_price_basis_without_unadjusted_closes_says_so(market_data_dir, tmp_path, capsys):
    shutil.copy(market_data_dir / "IWM.csv", tmp_path / "IWM.csv")
    shutil.copy(market_data_dir / "SPY.csv", tmp_path / "SPY.csv")
    argv = ["gap", "3y", "etf", "price", "--as-of", "2024-03-26", "--data-dir", str(tmp_path)]
    assert main(argv) == EXIT_NO_DATA
    assert "No price return closes for `IWM`" in capsys.readouterr().err


def test_total_basis_on_two_indexes_is_refused(market_data_dir, capsys):
    assert main(["gap", "3y", "total", "--data-dir", str(market_data_dir)]) == EXIT_BAD_INPUT
    assert "price return only" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["gap", "table", "stats", "trend", "rates", "history"])
def test_as_of_before_the_data_exits_3_naming_the_first_close(market_data_dir, capsys,
                                                              command):
    first = max(min(read_closes(market_data_dir / f"{s}.csv")) for s in ("^RUT", "^GSPC"))
    argv = [command, "--as-of", "0001-01-01", "--data-dir", str(market_data_dir)]
    for _ in ("cold", "warm"):  # the second run reads the closes back from the cache
        assert main(argv) == EXIT_NO_DATA
        err = capsys.readouterr().err
        assert f"No data before {first.isoformat()}" in err and "Traceback" not in err
