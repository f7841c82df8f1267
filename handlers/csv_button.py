"""The *CSV* button under every report (its click is answered by bot.listeners.csv, which
posts the data behind the chart in the thread).

The button's value is the command that reproduces the message's numbers, pinned to the
message's end date (`gap 3y index as-of 2024-03-26`), so the CSV matches the chart even
after a newer close. Clicks are acked at once; the file follows in the message's thread;
failures end in a message only the clicker sees.
"""

from __future__ import annotations

from typing import Any

from bot.reports import Payload
from handlers.chart_links import link_buttons
from handlers.registry import get

CSV_ACTION = "smallcaps_csv"


def csv_command(p: Payload) -> str:
    """The command text behind a payload, pinned to its end date (its command's
    `Export.pinned`)."""
    export = get(p["command"]).export
    if export is None:
        raise KeyError(f"{p['command']} has no CSV export")
    return export.pinned(p)


def csv_block(p: Payload) -> dict[str, Any]:
    """An actions block with the CSV button (value within Slack's 2,000 characters), and
    for a gap or ratio chart the links to open it on TradingView and StockCharts."""
    return {"type": "actions", "block_id": "smallcaps_csv_row", "elements": [{
        "type": "button", "action_id": CSV_ACTION, "value": csv_command(p)[:2000],
        "text": {"type": "plain_text", "text": "CSV"},
    }, *link_buttons(p)]}


def with_csv_button(blocks: list[dict[str, Any]], p: Payload) -> list[dict[str, Any]]:
    """`blocks` plus the CSV button (kept within Slack's 50 blocks)."""
    return [*blocks[:49], csv_block(p)]
