"""The *CSV* button under every report: posts the data behind the chart in the thread.

The button's value is the command that reproduces the message's numbers, pinned to the
message's end date (`gap 3y index as-of 2024-03-26`), so the CSV matches the chart even
after a newer close. Clicks are acked at once; the file follows in the message's thread;
failures end in a message only the clicker sees.
"""

from __future__ import annotations

import logging
import uuid
from typing import TYPE_CHECKING, Any

from bot.reports import Payload
from bot.reports.csv_export import csv_filename
from bot.runtime.deps import Deps
from bot.slack.slack_io import Respond
from handlers.chart_links import link_buttons
from handlers.registry import get, parse
from handlers.words import CommandError

if TYPE_CHECKING:  # annotations only: the button's blocks are built in terminal reports too,
    # which must not load Slack's app framework (tests/bot/test_cli.py)
    from slack_bolt import Ack
    from slack_sdk import WebClient

logger = logging.getLogger(__name__)
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


def post_csv(deps: Deps, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
    """Compute the CSV for the clicked button and share it in the message's thread."""
    action = body["actions"][0]
    channel = body["channel"]["id"]
    message = body.get("message") or {}
    thread_ts = message.get("thread_ts") or message.get("ts")
    try:
        parsed = parse(action["value"])
        export = parsed.command.export
        if export is None:
            raise CommandError(f"`{parsed.command.name}` has no CSV export.",
                               f"{parsed.command.name}")
        report = deps.reports.run(parsed.request)
        client.files_upload_v2(channel=channel, thread_ts=thread_ts,
                               content=export.write(deps.market, parsed.request, report),
                               filename=csv_filename(report.payload),
                               title=f"Data: {action['value']}")
    except CommandError as exc:
        respond(response_type="ephemeral", replace_original=False,
                text=f":warning: {exc.message}")
    except Exception:
        ref = uuid.uuid4().hex[:8]
        logger.exception("CSV export failed (ref %s) for %r", ref, action.get("value"))
        respond(response_type="ephemeral", replace_original=False,
                text=f":warning: I could not post the CSV (ref `{ref}`); it is logged.")


def on_csv(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond,
           deps: Deps) -> None:
    """A click on the CSV button: ack, then post the file in the thread."""
    ack()
    deps.replies.submit(post_csv, deps, body, client, respond)
