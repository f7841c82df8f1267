"""The `smallcaps` CLI: same numbers as Slack, JSON fields, chart file, exit statuses."""

from __future__ import annotations

import json

import pytest

from bot.cli import EXIT_BAD_INPUT, EXIT_CONFIG, EXIT_NO_DATA, main


@pytest.fixture(autouse=True)
def _isolated_state(tmp_path, monkeypatch):
    monkeypatch.setenv("SMALLCAPS_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.delenv("REDIS_URL", raising=False)


def test_json_has_the_documented_fields_and_real_numbers(market_data_dir, real_closes, capsys,
                                                          tmp_path):
    out = tmp_path / "chart.png"
    code = main(["gap", "3y", "--pair", "etf", "--as-of", "2024-03-26", "--json",
                 "--data-dir", str(market_data_dir), "--out", str(out)])
    assert code == 0
    payload = json.loads(capsys.readouterr().out)
    iwm, spy = real_closes["IWM"], real_closes["SPY"]
    assert payload["basis"] == "total return"
    assert (payload["start"], payload["end"]) == ("2021-03-26", "2024-03-26")
    assert payload["small"]["return_pct"] == pytest.approx(
        (iwm["2024-03-26"] / iwm["2021-03-26"] - 1) * 100, abs=1e-4)
    assert payload["large"]["return_pct"] == pytest.approx(
        (spy["2024-03-26"] / spy["2021-03-26"] - 1) * 100, abs=1e-4)
    assert payload["gap_pp"] == pytest.approx(
        payload["large"]["return_pct"] - payload["small"]["return_pct"], abs=1e-3)
    assert {"percentile", "windows", "widest_since"} <= set(payload["history_rank"])
    assert out.read_bytes().startswith(b"\x89PNG")


def test_text_summary_names_series_dates_and_basis(market_data_dir, capsys):
    assert main(["gap", "ytd", "--data-dir", str(market_data_dir)]) == 0
    text = capsys.readouterr().out
    assert "Russell 2000 (^RUT)" in text and "2025-12-31" in text and "price return" in text


@pytest.mark.parametrize("argv,needle", [
    (["gap", "3q"], "3q"), (["gap", "3y", "--as-of", "yesterday"], "YYYY-MM-DD"),
    (["gap", "3y", "etf", "--pair", "index"], "Too many words"),
])
def test_bad_input_exits_2_with_a_clear_message(argv, needle, capsys, tmp_path):
    assert main([*argv, "--data-dir", str(tmp_path)]) == EXIT_BAD_INPUT
    assert needle in capsys.readouterr().err


def test_missing_data_folder_is_a_configuration_problem_exit_4(tmp_path, capsys):
    assert main(["gap", "3y", "--data-dir", str(tmp_path / "nowhere")]) == EXIT_CONFIG
    assert "does not exist" in capsys.readouterr().err


def test_window_before_the_data_exits_3(market_data_dir, capsys):
    argv = ["gap", "5y", "--pair", "etf", "--as-of", "2003-01-01"]
    assert main([*argv, "--data-dir", str(market_data_dir)]) == EXIT_NO_DATA
    assert "2000-05-26" in capsys.readouterr().err


def test_cli_prerender_says_what_it_made_ready_and_what_failed(market_data_dir, capsys,
                                                               monkeypatch):
    monkeypatch.setenv("SMALLCAPS_PRERENDER", "gap 1y, trend 1y etf")
    assert main(["prerender", "--data-dir", str(market_data_dir)]) == 0
    assert capsys.readouterr().out.startswith("2 reports ready in ")
    assert main(["status", "--data-dir", str(market_data_dir)]) == 0
    assert "2 reports ready before asked" in capsys.readouterr().out
    monkeypatch.setenv("SMALLCAPS_PRERENDER", "gap 1y, gap 1y NOSUCH/SPY")
    assert main(["prerender", "--data-dir", str(market_data_dir)]) == EXIT_NO_DATA
    assert "failed: gap 1y NOSUCH/SPY" in capsys.readouterr().out


def test_prerender_refuses_a_bad_setting(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("SMALLCAPS_PRERENDER", "gap 3x")
    assert main(["prerender", "--data-dir", str(tmp_path)]) == 4
    assert "SMALLCAPS_PRERENDER: `gap 3x`" in capsys.readouterr().err


def test_csv_data_says_its_last_close_not_when_it_was_read(market_data_dir, capsys):
    """Files are as fresh as their last close (issue #13): never 'fetched <today>'."""
    with open(market_data_dir / "^RUT.csv") as handle:
        last_rut = handle.read().strip().splitlines()[-1].split(",")[0][:10]
    assert main(["gap", "1y", "--data-dir", str(market_data_dir)]) == 0
    text = capsys.readouterr().out
    assert f"Source: CSV files, last close {last_rut}" in text
    assert "fetched" not in text and str(market_data_dir) not in text
    assert main(["gap", "1y", "--json", "--data-dir", str(market_data_dir)]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["source_kind"] == "files" and payload["last_closes"]["^RUT"] == last_rut


def test_live_cannot_be_pinned_to_an_as_of_date(market_data_dir, capsys):
    assert main(["gap", "1y", "--live", "--as-of", "2024-03-26",
                 "--data-dir", str(market_data_dir)]) == EXIT_BAD_INPUT
    assert "`live`" in capsys.readouterr().err


def test_live_on_files_says_there_is_no_intraday_price(market_data_dir, capsys):
    assert main(["gap", "1y", "live", "--json", "--data-dir", str(market_data_dir)]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["intraday"] is None and "no intraday prices" in payload["live_note"]


def test_serve_on_a_platform_without_redis_url_exits_with_the_config_code(monkeypatch, capsys):
    from bot.cli import EXIT_CONFIG

    monkeypatch.setenv("DYNO", "web.1")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "secret")
    monkeypatch.delenv("SMALLCAPS_ALLOW_EMBEDDED_REDIS", raising=False)
    for command in (["serve"], ["scheduler"], ["alerts", "run"]):
        assert main(command) == EXIT_CONFIG
        assert "REDIS_URL is not set" in capsys.readouterr().err


@pytest.mark.slow  # seconds: processes, threads or a long replay
def test_a_terminal_report_imports_only_what_it_needs(market_data_dir, tmp_path):
    """No Slack, queue or web server code, no yfinance until a fetch needs it, and no
    matplotlib when no chart is asked for (`--out`): a report's chart is drawn on first use,
    the chart modules and the SVG/PDF writer import matplotlib when they draw."""
    import os
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from bot.cli import main\n"
        f"code = main(['gap', '1y', '--data-dir', {str(market_data_dir)!r}])\n"
        "from bot.data.yahoo import YahooSource\n"
        f"YahooSource(cache_dir={str(tmp_path / 'yf')!r})\n"
        "import bot.reports.chart_file\n"
        "heavy = ['yfinance', 'slack_bolt', 'rq', 'waitress', 'matplotlib']\n"
        "print(code, [m for m in heavy if m in sys.modules])\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env["SMALLCAPS_STATE_DIR"] = str(tmp_path / "state")
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.stdout.strip().splitlines()[-1] == "0 []", done.stderr[-2000:]
    check = subprocess.run([sys.executable, "-c", "import sys, bot.reports.chart_file; "
                            "print('matplotlib' in sys.modules)"], capture_output=True, text=True)
    assert check.stdout.strip() == "False", check.stderr[-2000:]
