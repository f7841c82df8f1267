"""Parsers read a context built once per request, never globals (issue #22): 'today', the
settings and the channel's defaults come in, so a replay pins 'today' and a test needs no
environment variables."""

from __future__ import annotations

from datetime import date

import pytest

from handlers.registry import COMMANDS, digest_command, home_command, parse
from handlers.words import CommandError, ParseContext


def test_today_comes_from_the_context_not_the_clock() -> None:
    text = "gap 3y as-of 2031-03-03"  # after the machine's today, before the context's
    assert parse(text, ParseContext(today=date(2031, 3, 4))).request.as_of == date(2031, 3, 3)
    with pytest.raises(CommandError, match="in the future"):
        parse(text, ParseContext(today=date(2031, 3, 2)))
    with pytest.raises(CommandError, match="in the future"):
        parse("board as-of 2031-03-03", ParseContext(today=date(2031, 3, 2)))


def test_settings_come_from_the_context() -> None:
    stats = parse("stats 3y", ParseContext(today=date(2026, 12, 7), risk_free_rate=4.25))
    assert stats.request.risk_free_rate == 4.25
    board = parse("board", ParseContext(today=date(2026, 12, 7), board="IWM/SPY, RSP/SPY"))
    assert [r.pair.small.symbol for r in board.request.rows] == ["IWM", "RSP"]


def test_channel_defaults_come_from_the_context() -> None:
    plain = parse("gap", ParseContext(today=date(2026, 12, 7))).request
    channel = parse("gap", ParseContext(today=date(2026, 12, 7),
                                        defaults={"pair": "etf", "period": "5y"})).request
    assert (plain.pair.key, plain.period.label) != (channel.pair.key, channel.period.label)
    assert channel.pair.small.symbol == "IWM" and channel.period.label == "5y"


def test_every_command_parses_its_example_in_a_pinned_context() -> None:
    context = ParseContext(today=date(2024, 3, 26))
    for command in COMMANDS:
        words = command.example.split()[1:]
        assert command.parse(words, context) is not None, command.name


def test_one_command_holds_each_single_role() -> None:
    """App Home's table and status line and the digest each come from exactly one spec."""
    assert home_command("rows").rendering is not None
    assert home_command("status").rendering is not None
    assert digest_command().pinned_query is not None
