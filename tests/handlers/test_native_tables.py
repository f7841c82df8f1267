"""Tables are Slack's native table block (one per message, numbers right-aligned), never
monospace code blocks; the notification text still carries the numbers."""

from __future__ import annotations

import pytest

from tests.block_kit import all_text, table_cells
from tests.slack_helpers import dispatch_slash


@pytest.mark.parametrize("text,header,numbers_from", [
    ("table as-of 2024-03-26", ["Horizon", "From", "^RUT %", "^GSPC %", "Gap pp"], 2),
    ("stats 3y as-of 2024-03-26", ["Statistic", "^RUT", "^GSPC"], 1),
    ("board IWM/SPY, RSP/SPY as-of 2024-03-26", ["Row", "Pair", "1m", "3m", "YTD", "1y", "3y",
                                                 "vs 200d", "1y pct", "basis"], 2),
])
def test_table_replies_are_native_tables_with_numbers_right_aligned(app, fake, text, header,
                                                                    numbers_from):
    dispatch_slash(app, fake, text)
    [post] = fake.wait_for("chat.postMessage", timeout=30)
    blocks = post.params["blocks"]
    assert "```" not in all_text(blocks)
    [table] = [b for b in blocks if b["type"] == "table"]
    assert table_cells(blocks)[0] == header
    aligns = [c["align"] for c in table["column_settings"]]
    assert aligns[:numbers_from] == ["left"] * numbers_from
    assert aligns[numbers_from] == "right"
    number = table_cells(blocks)[1][numbers_from]
    assert number[:1] in "+-" and number[1:2].isdigit()
    assert any(ch.isdigit() for ch in post.params["text"])  # the notification has numbers
    fake.wait_for("chat.update", timeout=30)
