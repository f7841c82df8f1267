"""`smallcaps alerts run`, `scheduler`, `alert ...` and `digest` in a terminal."""

from __future__ import annotations

import pytest

from bot.alerts.store import AlertStore
from bot.cli import EXIT_BAD_INPUT, EXIT_CONFIG, build_parser, main
from bot.data.sources import read_close_csv
from bot.runtime.cache import Cache, open_redis
from handlers.alert_parsing import parse_rule
from tests.fake_slack import FakeSlack


@pytest.fixture
def state(tmp_path, monkeypatch):
    monkeypatch.setenv("SMALLCAPS_STATE_DIR", str(tmp_path / "state"))
    for name in ("REDIS_URL", "SLACK_BOT_TOKEN", "SMALLCAPS_ALERT_TZ"):
        monkeypatch.delenv(name, raising=False)
    return Cache(open_redis(None, tmp_path / "state"))


def test_the_new_subcommands_are_listed():
    text = build_parser().format_help()
    assert all(name in text for name in ("alerts", "scheduler", "alert", "digest"))


def test_alerts_run_posts_and_summarises(state, market_data_dir, monkeypatch, capsys):
    AlertStore(state).add("C1", "U1", parse_rule("gap 3y above 35".split()))
    with FakeSlack() as fake:
        monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-cli")
        monkeypatch.setenv("SLACK_API_URL", fake.base_url)
        argv = ["alerts", "run", "--as-of", "2024-03-26", "--data-dir", str(market_data_dir)]
        assert main(argv) == 0
        assert main(argv) == 0
        assert len(fake.calls("chat.postMessage")) == 1
    out = capsys.readouterr().out
    assert "up to 2024-03-26: 1 rule(s), 1 event(s), 1 post(s)" in out
    assert "0 event(s), 0 post(s)" in out


def test_alerts_run_needs_a_bot_token(state, capsys):
    assert main(["alerts", "run"]) == EXIT_CONFIG
    assert "SLACK_BOT_TOKEN" in capsys.readouterr().err


def test_alerts_run_rejects_a_bad_date(state, monkeypatch, capsys):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-cli")
    assert main(["alerts", "run", "--as-of", "2024-13-01"]) == EXIT_BAD_INPUT
    assert "YYYY-MM-DD" in capsys.readouterr().err


def test_scheduler_refuses_an_unknown_time_zone(state, monkeypatch, capsys):
    monkeypatch.setenv("SMALLCAPS_ALERT_TZ", "Mars/Olympus")
    assert main(["scheduler"]) == EXIT_CONFIG
    assert "SMALLCAPS_ALERT_TZ" in capsys.readouterr().err


def test_operators_list_and_remove_rules_of_every_channel(state, capsys):
    store = AlertStore(state)
    store.add("C1", "U1", parse_rule("gap 3y above 35".split()))
    store.add("C2", "U2", parse_rule("ratio zscore below -2".split()))
    assert main(["alert", "list"]) == 0
    out = capsys.readouterr().out
    assert "C1" in out and "gap 3y above 35" in out and "C2" in out and "2 rule(s)" in out
    assert main(["alert", "remove", "A2"]) == 0
    assert [r.id for r in store.list_rules()] == ["A1"]
    assert main(["alert", "add", "gap", "3y", "above", "3"]) == EXIT_BAD_INPUT
    assert "from Slack" in capsys.readouterr().err
    # a rule that does not exist is bad input (2), not unavailable storage (1, the docs)
    assert main(["alert", "remove", "A999"]) == EXIT_BAD_INPUT
    assert "no rule `A999`" in capsys.readouterr().err
    assert main(["alert", "pause", "A1"]) == 0 and main(["alert", "pause", "A1"]) == 0


def test_digest_prints_what_a_digest_posts(state, market_data_dir, capsys):
    assert main(["digest", "--as-of", "2024-03-26", "--data-dir", str(market_data_dir)]) == 0
    out = capsys.readouterr().out
    # `table` is registered, so the digest is the performance table: its 1y row runs from the
    # last common close on or before 2023-03-26 (a Sunday) to 2024-03-26.
    rut = read_close_csv(market_data_dir / "^RUT.csv")
    one_year = (rut["2024-03-26"] / rut["2023-03-24"] - 1) * 100
    assert "returns to 2024-03-26" in out
    assert any(line.split()[:2] == ["1y", "2023-03-24"] and f"{one_year:+.2f}" in line
               for line in out.splitlines())
    assert main(["digest", "daily"]) == EXIT_BAD_INPUT


def test_alerts_run_that_skips_exits_5(state, market_data_dir, monkeypatch, capsys):
    import os
    import socket

    from bot.alerts_cli import EXIT_SKIPPED

    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-cli")
    state.client.set(state.key("alerts", "lock", "2024-03-26"),
                     f"{socket.gethostname()}:{os.getpid()}:token", px=60_000)  # alive: us
    argv = ["alerts", "run", "--as-of", "2024-03-26", "--data-dir", str(market_data_dir)]
    assert main(argv) == EXIT_SKIPPED == 5
    assert "another evaluation for 2024-03-26 is running" in capsys.readouterr().err
