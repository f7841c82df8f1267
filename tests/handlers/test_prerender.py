"""Pre-rendering: which answers are made ready, that they are then served without computing,
and that one failure does not keep the others from being ready."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.data.market import MarketData
from bot.data.sources import CsvSource
from bot.reports import Reports
from bot.runtime.config import ConfigError
from handlers.buttons import decode_value, report_buttons
from handlers.prerender import commands_for, prerender
from handlers.registry import COMMANDS, get
from tests.query_helpers import MustNotCompute, context, parse_command

NOW = datetime(2026, 11, 24, 22, 0, tzinfo=UTC)  # after Tuesday's close
FETCHED = "2026-11-24T21:30:00+00:00"


def _clicks_from_default(command: str) -> set[str]:
    """Every query reachable by clicking switch buttons from the default reply, found by
    walking the buttons (not by the product `offered_commands` builds)."""
    default = parse_command(command)
    period = getattr(default, "period", None)  # `years` has none: pair buttons only
    start = {"command": command, "period": period.label if period else None,
             "pair": default.pair.key, "data_fetched_at": FETCHED}
    seen, todo = set(), [start]
    while todo:
        payload = todo.pop()
        for button in report_buttons(payload, get(command).choices)["elements"]:
            switched = decode_value(button["value"])
            text = switched.command_text()
            if text not in seen:
                seen.add(text)
                todo.append({**payload, **switched.query})
    return {parse_command(t).describe() for t in seen}


def test_the_default_covers_every_button_answer_and_each_plain_report():
    ready = {parse_command(c).describe() for c in commands_for("buttons", context())}
    with_buttons = [c.name for c in COMMANDS if c.choices]
    assert with_buttons == ["gap", "years", "stats", "trend", "history"]
    for command in with_buttons:
        reachable = _clicks_from_default(command)
        assert reachable <= ready, reachable - ready
        assert parse_command(command).describe() in ready  # the bare command too
    for command in ("table", "rates", "board", "cuts", "valuation",
                    "profitability"):  # reports without buttons
        assert parse_command(command).describe() in ready
    assert {parse_command(f"gap {p}").describe() for p in ("1y", "3y", "5y")} <= ready  # Home
    assert len(ready) == len(commands_for("buttons", context()))  # no answer computed twice


def test_the_setting_is_checked_before_the_first_close():
    assert commands_for("off", context()) == commands_for(" ", context()) == ()
    assert commands_for("gap 3y, trend etf ,table", context()) == ("gap 3y", "trend etf", "table")
    with pytest.raises(ConfigError, match="`gap 3x`"):
        commands_for("gap 3y, gap 3x", context())
    with pytest.raises(ConfigError, match="not a report command"):
        commands_for("alert list", context())
    assert all(get(parse_command(c).command).rendering for c in commands_for("buttons", context()))


def test_prerendered_answers_are_served_without_computing(cache, market_data_dir):
    reports = Reports(MarketData(CsvSource(market_data_dir), cache, lambda: NOW), cache,
                      lambda: NOW)
    done = prerender(reports, ["gap 5y etf", "trend", "table"], context())
    assert (done.computed, done.failed) == (3, [])
    for command in ("gap 5y etf", "gap etf 5y", "trend 2y", "table"):
        report = reports.run(MustNotCompute(command))
        assert report.chart_png.startswith(b"\x89PNG")
    with pytest.raises(AssertionError, match="computed"):  # not pre-rendered
        reports.run(MustNotCompute("gap 10y etf"))


def test_one_failure_does_not_stop_the_others(cache, market_data_dir):
    reports = Reports(MarketData(CsvSource(market_data_dir), cache, lambda: NOW), cache,
                      lambda: NOW)
    done = prerender(reports, ["gap 1y", "gap 1y NOSUCH/SPY", "trend 1y"], context())
    assert done.computed == 2 and done.failed == ["gap 1y NOSUCH/SPY"]
