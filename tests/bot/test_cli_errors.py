"""The CLI's error seam: a user's mistake is bad input (exit 2), a bug is an internal error
with a reference (exit 70), and neither is ever called a configuration problem (exit 4)."""

from __future__ import annotations

import pytest

from analytics.errors import UserError
from bot.alerts.commands import AlertCommandError
from bot.cli import EXIT_BAD_INPUT, EXIT_CONFIG, EXIT_INTERNAL, main
from handlers import gap
from handlers.words import CommandError


@pytest.fixture(autouse=True)
def _isolated_state(tmp_path, monkeypatch):
    monkeypatch.setenv("SMALLCAPS_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.delenv("REDIS_URL", raising=False)


def test_a_bug_in_a_computation_is_an_internal_error_not_configuration(
        market_data_dir, monkeypatch, capsys):
    def broken(*args, **kwargs):
        raise ValueError("operands could not be broadcast together")

    monkeypatch.setattr(gap, "compute_gap", broken)
    code = main(["gap", "3y", "--as-of", "2024-03-26", "--data-dir", str(market_data_dir)])
    err = capsys.readouterr().err
    assert code == EXIT_INTERNAL != EXIT_CONFIG
    assert "configuration" not in err
    assert "smallcaps: internal error, ref " in err


def test_a_setting_that_is_not_valid_is_still_a_configuration_problem(
        market_data_dir, monkeypatch, capsys):
    monkeypatch.setenv("SMALLCAPS_WEB_WORKERS", "many")
    code = main(["gap", "3y", "--data-dir", str(market_data_dir)])
    assert code == EXIT_CONFIG
    assert "configuration problem" in capsys.readouterr().err


def test_a_user_error_is_bad_input_with_its_example(capsys):
    assert main(["gap", "banana"]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert "configuration" not in err and "\n  e.g. smallcaps gap" in err


def test_every_worded_refusal_shares_one_base():
    for error in (CommandError("x"), AlertCommandError("x", "alert list")):
        assert isinstance(error, UserError)
    from analytics.alert_metric_base import MetricWordsError

    assert isinstance(MetricWordsError("x"), UserError)
