"""`help`: every listed command with its example, one command on request, the conventions."""

from __future__ import annotations

from handlers.help import HelpRequest, help_blocks, help_text
from handlers.registry import listed
from tests.block_kit import check_blocks
from tests.query_helpers import parse_command


def test_help_lists_every_command_with_an_example():
    assert "/smallcaps gap 3y" in help_text(listed()) and "ytd" in help_text(listed())
    check_blocks(help_blocks(listed()))


def test_help_has_one_example_each_and_states_conventions():
    text = help_text(listed())
    assert "/smallcaps table etf" in text and "/smallcaps stats 5y" in text
    assert "365.25" in text and "√252" in text and "SMALLCAPS_RISK_FREE_RATE" in text
    check_blocks(help_blocks(listed()))


def test_help_for_one_command_shows_only_that_command():
    blocks = help_blocks(listed(), topic="stats")
    text = str(blocks)
    assert "/smallcaps stats 5y" in text and "/smallcaps gap 3y" not in text
    assert "/smallcaps gap 3y" in str(help_blocks(listed(), topic="nonsense"))
    check_blocks(blocks)


def test_nothing_at_all_asks_for_help():
    assert parse_command("  ") == HelpRequest()
