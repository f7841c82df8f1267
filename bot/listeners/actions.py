"""Period/pair buttons under a report: queue the click, ack, then update the message for
everyone.

The button value holds the query to switch to (handlers/buttons.py). The click is answered
with the same report pipeline as the command; the message is replaced in place with the new
numbers, the new chart (bot.slack.slack_update: the same path as a new answer's chart), a line
saying who switched it, and the original 'Requested by' line. Anything that prevents that ends
in a message only the clicking user sees, never in silence.
"""

from __future__ import annotations

import logging
import re
import uuid
from datetime import datetime
from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from analytics.periods import InsufficientHistoryError
from bot.data.market_hours import last_refresh_point
from bot.data.sources import DataUnavailableError
from bot.runtime.deps import Deps
from bot.slack.slack_io import Respond, tell_clicker
from bot.slack.slack_update import ORIGIN_BLOCK_ID, MessageRef, update_report_message, with_chart
from handlers.buttons import ACTION_PREFIX, EPOCH_FORMAT, SwitchRequest, decode_value
from handlers.channel_defaults import request_context
from handlers.command import Block, Blocks
from handlers.registry import parse
from handlers.replies import channel_reply
from handlers.share import has_share, with_share
from handlers.words import CommandError

logger = logging.getLogger(__name__)
SWITCH_ACTION = re.compile(rf"^{ACTION_PREFIX}:")
"""Every switch button's action_id (handlers.buttons): one listener for them all."""


def is_stale(request: SwitchRequest, now: datetime) -> bool:
    """True when the message shows 'latest' numbers computed before the last US close's
    refresh: switching it would mix old and new data. Pinned as-of dates never go stale."""
    if request.query.get("as_of"):
        return False
    return request.epoch < last_refresh_point(now).strftime(EPOCH_FORMAT)


def stale_text(request: SwitchRequest) -> str:
    """What a click on an out-of-date message says (only to the clicker)."""
    closed = datetime.strptime(request.epoch, EPOCH_FORMAT).date()
    return (f":hourglass: This message was computed from data as of the {closed:%Y-%m-%d} "
            "close and a newer close has come in since, so I'll leave it as it is: switching "
            "it would mix old and new data. For current numbers run "
            f"`/smallcaps {request.command_text()}`.")


def attribution(label: str, user_id: str, now: datetime) -> str:
    """'Switched to *5y* by @ana · Nov 24, 15:00' (Slack renders the date in local time)."""
    stamp = int(now.timestamp())
    fallback = now.strftime("%Y-%m-%d %H:%M UTC")
    return (f":repeat: Switched to *{label}* by <@{user_id}> · "
            f"<!date^{stamp}^{{date_short_pretty}} {{time}}|{fallback}>")


def clicked_origin(body: dict[str, Any]) -> Block | None:
    """The clicked message's 'Requested by' line (kept: a switch does not change who asked)."""
    blocks = (body.get("message") or {}).get("blocks") or []
    return next((b for b in blocks if b.get("block_id") == ORIGIN_BLOCK_ID), None)


def message_ref(body: dict[str, Any]) -> MessageRef:
    """The clicked message's channel, ts and thread, from a block_actions payload."""
    container = body.get("container") or {}
    message = body.get("message") or {}
    channel = container.get("channel_id") or (body.get("channel") or {}).get("id")
    if not channel:
        raise ValueError("a block_actions payload names its channel; this one has none")
    return MessageRef(channel_id=channel, ts=container.get("message_ts") or message["ts"],
                      thread_ts=message.get("thread_ts"))


def _ref_error(what: str, respond: Respond | None) -> None:
    ref = uuid.uuid4().hex[:8]
    logger.exception("%s (ref %s)", what, ref)
    tell_clicker(respond,
                 f":warning: Something went wrong on our side (ref `{ref}`); it is logged. "
                 "The message was left as it was.")


def switch_report(deps: Deps, body: dict[str, Any], client: WebClient,
                  respond: Respond | None, bot_user_id: str | None) -> str | None:
    """Recompute the clicked report and update its message; returns the update outcome."""
    action = body["actions"][0]
    try:
        request = decode_value(action.get("value", ""))
        parsed = parse(request.command_text(), request_context(deps))
    except (ValueError, CommandError):
        tell_clicker(respond,
                     ":warning: These buttons are from an older version of smallcaps. "
                     "Run `/smallcaps gap 3y` for a fresh answer with working buttons.")
        return None
    now = deps.clock()
    if is_stale(request, now):
        tell_clicker(respond, stale_text(request))
        return None
    if parsed.command.rendering is None:
        tell_clicker(respond, f":warning: `{request.command}` cannot be switched with buttons.")
        return None
    try:
        report = deps.reports.run(parsed.request)
    except (DataUnavailableError, InsufficientHistoryError) as exc:
        tell_clicker(respond, f":warning: {exc} The message was left as it was.")
        return None
    except Exception:
        _ref_error(f"switching to {request.command_text()!r} failed", respond)
        return None
    reply = channel_reply(report, clicked_origin(body))
    if has_share((body.get("message") or {}).get("blocks") or []):  # a DM answer keeps its
        reply = with_share(reply, report.payload)  # picker, now for the new numbers
    label = (action.get("text") or {}).get("text") or request.command_text()
    note = attribution(label, (body.get("user") or {}).get("id", ""), now)

    def render(image_file_id: str | None, chart_in_thread: bool) -> Blocks:
        return with_chart(reply.blocks, image_file_id, reply.chart_alt_text or reply.chart_title,
                          chart_in_thread, note)

    try:
        return update_report_message(client, respond, message_ref(body), reply, render,
                                     bot_user_id=bot_user_id)
    except Exception:
        _ref_error(f"updating the message for {request.command_text()!r} failed", respond)
        return None


def on_switch(ack: Ack, body: dict[str, Any], context: dict[str, Any], deps: Deps) -> None:
    """A click on a switch button (action_id 'smallcaps_switch:...'): queued (job kind
    `switch`, bot.listeners.jobs), then acked; the job updates the message."""
    deps.reply_queue.enqueue("switch", {"body": body, "bot_user_id": context.get("bot_user_id")})
    ack()


def on_link(ack: Ack) -> None:
    """A click on a link button (handlers.chart_links): Slack opens the page itself; the app
    only acknowledges."""
    ack()
