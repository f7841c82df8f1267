"""One naming rule for every command: tickers in titles (the message header, the chart
title), the series' names in the message's first section (and in chart legends)."""

from __future__ import annotations

import pytest

from handlers.registry import COMMANDS, rendering_of
from tests.block_kit import all_text
from tests.query_helpers import parse_command
from tests.slack_helpers import wired_app

PAIR_REPORTS = [c for c in COMMANDS if c.rendering is not None]


@pytest.mark.parametrize("command", PAIR_REPORTS, ids=[c.name for c in PAIR_REPORTS])
@pytest.mark.parametrize("pair", ["", "etf", "IJR/SPY"])
def test_titles_name_the_pair_by_ticker_and_the_first_section_by_name(
        fake, cache, market_data_dir, command, pair):
    _, deps = wired_app(fake, cache, market_data_dir)
    try:  # the command's own name with the pair (its help example may name a pair already)
        query = parse_command(f"{command.name} {pair} as-of 2024-03-26")
    except Exception:  # the command takes no pair or no date (valuation, profitability)
        pytest.skip(f"{command.name} takes no pair")
    p = deps.reports.run(query).payload
    if "small" not in p or "large" not in p:
        pytest.skip(f"{command.name} reports no pair")
    fmt = rendering_of(p)
    small, large = p["small"], p["large"]
    title = fmt.title(p)
    assert small["name"] not in title and large["name"] not in title, title
    assert small["symbol"] in title and large["symbol"] in title, title
    blocks = fmt.blocks(p)
    assert blocks[0]["type"] == "header" and blocks[0]["text"]["text"] == title
    first = next(b for b in blocks if b["type"] == "section")
    assert small["name"] in all_text([first]) and large["name"] in all_text([first])
