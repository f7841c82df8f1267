"""What every report rendering keeps: Block Kit limits however long the names, and the
series, basis, dates and source in every reply."""

from __future__ import annotations

import copy

import pytest

from handlers.history import history_blocks
from handlers.rates import rates_blocks
from handlers.trend import trend_blocks
from tests.block_kit import check_blocks
from tests.handlers.test_history import HISTORY
from tests.handlers.test_rates import RATES
from tests.handlers.test_trend import TREND

BLOCKS = [(trend_blocks, TREND), (rates_blocks, RATES),
          (history_blocks, HISTORY)]


@pytest.mark.parametrize(("blocks", "payload"), BLOCKS)
def test_replies_keep_block_kit_limits_even_with_huge_names(blocks, payload):
    check_blocks(blocks(payload))
    huge = copy.deepcopy(payload)
    huge["small"]["name"] = "S" * 400
    huge["large"]["name"] = "L" * 400
    huge["stale_note"] = "W" * 4000
    built = blocks(huge)
    check_blocks(built)
    assert all(len(e["text"]) <= 3000 for b in built if b["type"] == "context"
               for e in b["elements"])


@pytest.mark.parametrize(("blocks", "payload"), BLOCKS)
def test_every_reply_states_series_basis_dates_and_source(blocks, payload):
    text = str(blocks(payload))
    assert "^RUT" in text and "^GSPC" in text and "price return" in text
    assert payload["start"] in text and payload["end"] in text
    assert "Yahoo Finance" in text and "2026-11-24 21:00:00 UTC" in text
