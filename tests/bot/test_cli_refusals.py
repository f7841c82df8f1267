"""Inputs that were answered wrongly are refused, or answered as documented (issue #20,
item 7): dates pandas cannot hold, an unsupported option, an unknown help topic, a
threshold too small to mean anything, a provider tick of 1e300."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest

from bot.cli import main
from bot.data.market import MarketData
from bot.data.sources import CsvSource
from handlers.alert_parsing import parse_rule
from handlers.help import help_blocks
from handlers.registry import listed
from handlers.words import CommandError
from tests.block_kit import all_text
from tests.cli_helpers import isolated_state  # noqa: F401 (the fixture)

EXIT_BAD_INPUT, EXIT_NO_DATA = 2, 3


pytestmark = pytest.mark.usefixtures("isolated_state")


@pytest.mark.parametrize(("argv", "code", "needle"), [
    (["gap", "1600-01-01..1650-01-01"], EXIT_BAD_INPUT, "out of range"),
    (["gap", "1600-01-01..2020-01-01"], EXIT_BAD_INPUT, "out of range"),
    (["gap", "2020-01-01..2300-01-01"], EXIT_BAD_INPUT, "out of range"),
    (["board", "--as-of", "1600-01-01"], EXIT_NO_DATA, "on or before 1600-01-01"),
    (["cuts", "--as-of", "1600-01-01"], EXIT_NO_DATA, "on or before 1600-01-01"),
    (["rates", "--as-of", "1600-01-01"], EXIT_NO_DATA, "No data before"),
])
def test_refused_with_the_documented_exit_and_no_traceback(argv, code, needle,
                                                            market_data_dir, capsys, tmp_path,
                                                            monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main([*argv, "--data-dir", str(market_data_dir)]) == code
    err = capsys.readouterr().err
    assert needle in err and "Traceback" not in err and "configuration problem" not in err


@pytest.mark.parametrize("name", ["cuts", "valuation", "profitability"])
def test_csv_is_no_option_of_a_report_without_an_export(name, capsys):
    """Their specs declare no export: argparse refuses `--csv` as bad input (exit 2) before
    any work, instead of writing data the chart does not draw."""
    with pytest.raises(SystemExit) as exited:
        main([name, "--csv", "x.csv"])
    assert exited.value.code == EXIT_BAD_INPUT
    assert f"{name} has no CSV export" in capsys.readouterr().err


def test_help_names_an_unknown_topic(capsys):
    assert main(["help", "foo"]) == EXIT_BAD_INPUT
    out = capsys.readouterr()
    assert "`foo` is not a command" in out.err and "Usage: smallcaps COMMAND" in out.out
    text = all_text(help_blocks(listed(), topic="foo"))
    assert "`foo` is not a command" in text
    assert "is not a command" not in all_text(help_blocks(listed(), topic="gap"))


@pytest.mark.parametrize("value", ["1e-320", "5e-7"])
def test_a_threshold_too_small_to_mean_anything_is_refused(value):
    with pytest.raises(CommandError, match="too small"):
        parse_rule(["gap", "3y", "above", value])
    assert parse_rule(["gap", "3y", "above", "0"]).threshold == 0


def test_a_provider_tick_of_1e300_never_reaches_a_reply(cache, tmp_path, caplog):
    (tmp_path / "ABC.csv").write_text(
        "Date,Open,High,Low,Close,Volume\n"
        "2024-01-02,,,,10.0,\n"
        "2024-01-03,,,,1e300,\n"
        "2024-01-04,,,,11.0,\n"
    )
    market = MarketData(CsvSource(tmp_path), cache, lambda: datetime(2024, 1, 8, 22, tzinfo=UTC))
    caplog.set_level(logging.WARNING, logger="bot.data.validate")
    closes = market.history(["ABC"]).closes["ABC"]
    assert closes.tolist() == [10.0, 11.0]
    assert any("2024-01-03" in r.getMessage() and "absurd" in r.getMessage()
               for r in caplog.records)
