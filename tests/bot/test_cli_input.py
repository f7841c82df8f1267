"""The CLI reads what people type as Slack does, and every documented exit status holds."""

from __future__ import annotations

import base64
import contextlib
import io
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from io import BytesIO
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from matplotlib.image import imread

from bot.cli import EXIT_BAD_INPUT, EXIT_CONFIG, EXIT_STORE, main

NBSP, EM = "\u00a0", "\u2014"


@pytest.fixture(autouse=True)
def _isolated_state(tmp_path, monkeypatch):
    monkeypatch.setenv("SMALLCAPS_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.delenv("SMALLCAPS_DATA_DIR", raising=False)


@pytest.mark.parametrize("argv", [["help"], [], ["HELP"], ["help", "gap"]])
def test_help_and_nothing_print_usage_like_slack(argv, capsys):
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "gap [PERIOD] [PAIR] [BASIS] [as-of DATE]" in out and "e.g. smallcaps gap 3y" in out


def _json(argv, data_dir, capsys) -> dict:
    assert main([*argv, "--json", "--data-dir", str(data_dir)]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("argv", [
    ["GAP", "3Y", "ETF"], [f"gap{NBSP}3y", "etf"], ["gap", "3y", "etf", f"{EM}as-of",
                                                     "2024-03-26"],
    ["gap", "\u0663y", "ETF", "as", "of", "2024-03-26"], ["\u201cgap", "3y", "etf\u201d"],
])
def test_any_case_and_typed_forms_give_the_plain_answer(argv, market_data_dir, capsys):
    plain = _json(["gap", "3y", "etf", "--as-of", "2024-03-26"], market_data_dir, capsys)
    typed = _json([*argv, "--as-of", "2024-03-26"] if "2024-03-26" not in argv else argv,
                  market_data_dir, capsys)
    assert typed["gap_pp"] == plain["gap_pp"] and typed["period"] == "3y"
    assert (typed["start"], typed["end"]) == ("2021-03-26", "2024-03-26")


def test_out_in_a_missing_folder_is_bad_input_not_a_traceback(market_data_dir, capsys):
    code = main(["gap", "3y", "--data-dir", str(market_data_dir), "--out", "/nonexistent/x.png"])
    err = capsys.readouterr().err
    assert code == EXIT_BAD_INPUT and "Traceback" not in err and "/nonexistent" in err


@pytest.mark.parametrize("name", ["chart.jpg", "chart", "chart.png.txt"])
def test_out_with_an_unsupported_suffix_is_refused_before_any_work(name, tmp_path, capsys,
                                                                   market_data_dir):
    out = tmp_path / name
    assert main(["gap", "3y", "--data-dir", str(market_data_dir), "--out", str(out)]) == \
        EXIT_BAD_INPUT
    assert not out.exists() and ".svg" in capsys.readouterr().err


def test_out_writes_the_format_its_suffix_names(market_data_dir, tmp_path, capsys):
    files = {s: tmp_path / f"gap{s}" for s in (".png", ".svg", ".PDF")}
    for path in files.values():
        assert main(["gap", "3y", "--as-of", "2024-03-26", "--data-dir", str(market_data_dir),
                     "--out", str(path)]) == 0
    png = files[".png"].read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    height, width = imread(BytesIO(png), format="png").shape[:2]
    root = ET.fromstring(files[".svg"].read_bytes())
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    images = [e for e in root.iter() if e.tag.endswith("image")]
    assert len(images) == 1  # the chart, every pixel of it, inside a real SVG document
    href = images[0].get("{http://www.w3.org/1999/xlink}href") or images[0].get("href")
    assert href.startswith("data:image/png;base64,")
    embedded = imread(BytesIO(base64.b64decode(href.split(",", 1)[1])), format="png")
    assert embedded.shape[:2] == (height, width)
    pdf = files[".PDF"].read_bytes()
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert b"/Subtype /Image" in pdf and f"/Width {width}".encode() in pdf
    assert f"/Height {height}".encode() in pdf


def test_paths_are_kept_as_typed(market_data_dir, tmp_path, capsys):
    out = tmp_path / "Upper Case" / "GAP.png"
    out.parent.mkdir()
    assert main(["gap", "1y", "--data-dir", str(market_data_dir), "--out", str(out)]) == 0
    assert out.read_bytes().startswith(b"\x89PNG")
    other = out.with_name("Trend Chart.PNG")
    assert main(["trend", f"{EM}data-dir={market_data_dir}", f"{EM}out={other}"]) == 0
    assert other.read_bytes().startswith(b"\x89PNG")


def test_alert_list_with_redis_down_says_so_and_exits_1(monkeypatch, capsys):
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")
    assert main(["alert", "list"]) == EXIT_STORE
    err = capsys.readouterr().err
    assert "Redis" in err and "not available" in err and "Traceback" not in err


def test_missing_data_folder_from_the_environment_is_exit_4(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SMALLCAPS_DATA_DIR", str(tmp_path / "gone"))
    assert main(["table"]) == EXIT_CONFIG
    assert "configuration problem" in capsys.readouterr().err


TOKENS = ("gap", "table", "stats", "trend", "rates", "history", "alert", "digest", "status",
          "help", "add", "list", "remove", "pause", "3y", "1y", "ytd", "max", "etf", "IJR/SPY",
          "as-of", "2024-03-26", "--as-of", "--pair", "--json", "above", "crosses", "30",
          "ratio", "vs", "200dma", "hysteresis", "A1", "2021-01-01..2022-06-30", "-v",
          "1e308", "\u2014as-of", "GAP", "\u00a0")


@pytest.mark.slow  # seconds: processes, threads or a long replay
@settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck),
          database=None)
@given(argv=st.lists(st.sampled_from(TOKENS) | st.text(max_size=8), max_size=6))
def test_any_argv_exits_with_a_documented_status_and_no_traceback(argv, market_data_dir):
    """A bounded fuzz of the CLI (offline data, no chart files): 0-4 or argparse's usage
    error (2), never an exception."""
    if any(word in ("serve", "scheduler", "--out") for word in argv):
        return
    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main([*argv, "--data-dir", str(market_data_dir)])
    except SystemExit as exc:  # argparse: usage errors exit 2, --help exits 0
        code = exc.code
    assert code in (0, EXIT_STORE, EXIT_BAD_INPUT, 3, EXIT_CONFIG), (argv, code)
    assert "Traceback" not in err.getvalue()



def test_a_closed_pipe_ends_the_command_quietly(market_data_dir, tmp_path):
    """`smallcaps help | head -1`: once the reader has gone, no traceback and exit 141. The
    pipe's read end is closed before the command starts, so its first write fails."""
    smallcaps = Path(sys.executable).with_name("smallcaps")
    env = {**os.environ, "SMALLCAPS_DATA_DIR": str(market_data_dir),
           "SMALLCAPS_STATE_DIR": str(tmp_path)}
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run([str(smallcaps), "help"], stdout=write_end,
                              stderr=subprocess.PIPE, env=env, timeout=60, check=False)
    finally:
        os.close(write_end)
    assert done.returncode == 141, done.stderr.decode()
    assert b"Traceback" not in done.stderr and b"BrokenPipe" not in done.stderr, \
        done.stderr.decode()
