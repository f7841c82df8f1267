"""A click on the *CSV* button (handlers.csv_button): ack, then post the data behind the
chart in the message's thread.

The button's value is the command that reproduces the message's numbers, pinned to the
message's end date, so the CSV matches the chart even after a newer close. The file is
posted by the one executor for post-ack work (deps.reply_queue); failures end in a message
only the clicker sees.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.reports.csv_export import csv_filename
from bot.runtime.deps import Deps
from bot.slack.slack_io import Respond, tell_clicker
from handlers.channel_defaults import request_context
from handlers.csv_button import CSV_ACTION
from handlers.registry import parse
from handlers.words import CommandError

logger = logging.getLogger(__name__)
__all__ = ["CSV_ACTION", "on_csv", "post_csv"]


def post_csv(deps: Deps, body: dict[str, Any], client: WebClient,
             respond: Respond | None) -> None:
    """Compute the CSV for the clicked button and share it in the message's thread."""
    action = body["actions"][0]
    channel = body["channel"]["id"]
    message = body.get("message") or {}
    thread_ts = message.get("thread_ts") or message.get("ts")
    try:
        parsed = parse(action["value"], request_context(deps))
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
        tell_clicker(respond, f":warning: {exc.message}")
    except Exception:
        ref = uuid.uuid4().hex[:8]
        logger.exception("CSV export failed (ref %s) for %r", ref, action.get("value"))
        tell_clicker(respond, f":warning: I could not post the CSV (ref `{ref}`); it is logged.")


def on_csv(ack: Ack, body: dict[str, Any], deps: Deps) -> None:
    """A click on the CSV button: queued (job kind `csv`, bot.listeners.jobs), then acked;
    the job posts the file in the thread."""
    deps.reply_queue.enqueue("csv", {"body": body})
    ack()
