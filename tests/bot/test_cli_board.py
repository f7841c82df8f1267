"""`smallcaps board`: every row equals `gap`/`trend` for its pair, one row equals a plain csv
computation, a row without data says why, and the chart is written."""

from __future__ import annotations

import json
from datetime import date

import pytest
from pydantic import ValidationError

from analytics.board import BOARD_WINDOWS, DEFAULT_BOARD, parse_board
from bot.cli import EXIT_BAD_INPUT, main
from bot.runtime.config import Settings
from tests.analytics.plain import common_dates, last_on_or_before, read_closes, years_before

AS_OF = "2024-03-26"


@pytest.fixture(autouse=True)
def _isolated_state(tmp_path, monkeypatch):
    monkeypatch.setenv("SMALLCAPS_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.delenv("SMALLCAPS_BOARD", raising=False)


def _json(capsys, argv: list[str], data_dir) -> dict:
    assert main([*argv, "--json", "--data-dir", str(data_dir)]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.fixture(scope="module")
def board_2024(market_data_dir, tmp_path_factory) -> dict:
    """`board --as-of 2024-03-26 --json` once (the CLI, real CSV files, own state dir)."""
    import contextlib
    import io
    import os

    state = tmp_path_factory.mktemp("board-state")
    old = os.environ.get("SMALLCAPS_STATE_DIR")
    os.environ["SMALLCAPS_STATE_DIR"] = str(state)
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            code = main(["board", "--as-of", AS_OF, "--json", "--data-dir",
                         str(market_data_dir), "--out", str(state / "board.png")])
    finally:
        if old is None:
            os.environ.pop("SMALLCAPS_STATE_DIR", None)
        else:
            os.environ["SMALLCAPS_STATE_DIR"] = old
    assert code == 0
    assert (state / "board.png").read_bytes().startswith(b"\x89PNG")
    return json.loads(out.getvalue())


def test_default_rows_are_the_issue_pairs_with_labels(board_2024):
    pairs = {row["pair"] for row in board_2024["rows"]}
    assert pairs == {"index", "IWM/SPY", "IJR/SPY", "IWC/SPY", "IJH/SPY", "RSP/SPY", "IWN/IWO"}
    assert all(row["label"] and row["note"] is None for row in board_2024["rows"])


def test_rows_are_ordered_by_the_1y_gap(board_2024):
    gaps = [row["gaps"]["1y"]["gap_pp"] for row in board_2024["rows"]]
    assert gaps == sorted(gaps, reverse=True)


def test_every_row_and_window_equals_gap_json(board_2024, market_data_dir, capsys):
    for row in board_2024["rows"]:
        for window in BOARD_WINDOWS:
            gap = _json(capsys, ["gap", window, row["pair"], "--as-of", AS_OF], market_data_dir)
            cell = row["gaps"][window]
            assert (cell["gap_pp"], cell["start"], cell["end"]) == \
                (gap["gap_pp"], gap["start"], gap["end"]), (row["pair"], window)
            assert row["basis"] == gap["basis"]
            if window == "1y":
                assert row["gap_1y_percentile"] == gap["history_rank"]["percentile"]


def test_every_row_ratio_vs_200dma_equals_trend_json(board_2024, market_data_dir, capsys):
    for row in board_2024["rows"]:
        trend = _json(capsys, ["trend", row["pair"], "--as-of", AS_OF], market_data_dir)
        assert row["ratio_vs_200dma_pct"] == trend["status"]["pct_vs_200dma"], row["pair"]
        assert row["end"] == trend["status"]["as_of"]


def test_ijr_row_matches_a_plain_csv_computation(board_2024, market_data_dir):
    small = read_closes(market_data_dir / "IJR.csv")
    large = read_closes(market_data_dir / "SPY.csv")
    days = common_dates(small, large, until=date.fromisoformat(AS_OF))
    end = days[-1]
    start = days[last_on_or_before(days, years_before(end, 1))]
    expected = ((large[end] / large[start] - 1) - (small[end] / small[start] - 1)) * 100
    # the 200-day average of the ratio, the obvious way
    ratios = [small[d] / large[d] for d in days[-200:]]
    vs_200 = (small[end] / large[end] / (sum(ratios) / 200) - 1) * 100
    row = next(r for r in board_2024["rows"] if r["pair"] == "IJR/SPY")
    assert row["gaps"]["1y"]["gap_pp"] == pytest.approx(expected, abs=1e-4)
    assert row["gaps"]["1y"]["start"] == start.isoformat()
    assert row["ratio_vs_200dma_pct"] == pytest.approx(vs_200, abs=1e-4)


def test_a_row_without_data_says_why_and_the_others_answer(market_data_dir, capsys, tmp_path):
    out = tmp_path / "board.png"
    payload = _json(capsys, ["board", "IWM/SPY,", "IJR/NOSUCH", "--as-of", AS_OF, "--out",
                             str(out)], market_data_dir)
    rows = {row["pair"]: row for row in payload["rows"]}
    assert "no data" in rows["IJR/NOSUCH"]["note"] and "NOSUCH" in rows["IJR/NOSUCH"]["note"]
    assert rows["IJR/NOSUCH"]["gaps"] == {}
    assert rows["IWM/SPY"]["note"] is None and rows["IWM/SPY"]["gaps"]["3y"]["gap_pp"] > 30
    assert "market-data" not in rows["IJR/NOSUCH"]["note"]  # no server paths
    assert out.read_bytes().startswith(b"\x89PNG")


def test_a_window_before_the_data_is_n_a_with_its_reason(market_data_dir, capsys):
    payload = _json(capsys, ["board", "IWC/SPY", "--as-of", "2007-01-31"], market_data_dir)
    cell = payload["rows"][0]["gaps"]["3y"]
    assert cell["gap_pp"] is None and "2005-08-16" in cell["note"]
    assert payload["rows"][0]["gaps"]["1y"]["gap_pp"] is not None


def test_text_reply_names_rows_columns_and_source(market_data_dir, capsys):
    assert main(["board", "--as-of", AS_OF, "--data-dir", str(market_data_dir)]) == 0
    text = capsys.readouterr().out
    assert "Micro caps" in text and "vs 200d" in text and "1y pct" in text
    assert "Source:" in text


def test_smallcaps_board_setting_picks_the_rows(market_data_dir, capsys, monkeypatch):
    from bot.runtime.config import get_settings

    monkeypatch.setenv("SMALLCAPS_BOARD", "RSP/SPY=Equal weight, etf")
    get_settings.cache_clear()
    try:
        payload = _json(capsys, ["board", "--as-of", AS_OF], market_data_dir)
    finally:
        get_settings.cache_clear()
    assert {r["pair"]: r["label"] for r in payload["rows"]} == {
        "RSP/SPY": "Equal weight", "etf": "Small caps (ETFs)"}


@pytest.mark.parametrize("value", ["IWM/IWM", "nonsense words!", "etf, etf"])
def test_a_bad_smallcaps_board_is_refused_at_start(value):
    with pytest.raises(ValidationError, match="SMALLCAPS_BOARD"):
        Settings(smallcaps_board=value)


def test_bad_board_words_exit_2(market_data_dir, capsys):
    assert main(["board", "IWM/IWM", "--data-dir", str(market_data_dir)]) == EXIT_BAD_INPUT
    assert "different symbols" in capsys.readouterr().err


def test_default_board_parses_to_seven_labelled_rows():
    rows = parse_board(DEFAULT_BOARD)
    assert len(rows) == 7 and all(r.label for r in rows)
