"""The `/smallcaps` slash command: ack at once, then answer in the channel.

Help and input errors are answered in the ack itself (ephemeral, instant). A valid query is
acked empty, computed in Bolt's worker thread, and posted in the channel with its chart.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from analytics.periods import InsufficientHistoryError
from bot.data.sources import DataUnavailableError
from bot.deps import Deps
from bot.reports import GapQuery, Report
from bot.slack_io import ChannelReply, post_reply
from handlers.gap_reply import gap_blocks, gap_fallback_text, title
from handlers.help import help_blocks
from handlers.parsing import CommandError, HelpRequest, parse_command

logger = logging.getLogger(__name__)
SLASH_COMMAND = "/smallcaps"


def error_text(message: str, example: str | None = None) -> str:
    """A short ephemeral error with a valid example."""
    hint = f"\nTry: `{SLASH_COMMAND} {example}` · `{SLASH_COMMAND} help` lists everything." \
        if example else ""
    return f":warning: {message}{hint}"


def gap_reply(report: Report) -> ChannelReply:
    """The channel message for a gap report."""
    p = report.payload
    return ChannelReply(blocks=gap_blocks(p), text=gap_fallback_text(p),
                        chart_png=report.chart_png, chart_filename=report.chart_filename,
                        chart_title=title(p))


def answer_gap(deps: Deps, query: GapQuery, body: dict[str, Any], client: WebClient,
               respond: Respond, context_bot_user: str | None) -> None:
    """Compute and post a gap report; every failure ends in a message to the user."""
    try:
        report = deps.reports.gap(query)
    except (DataUnavailableError, InsufficientHistoryError) as exc:
        respond(response_type="ephemeral", text=error_text(str(exc)))
        return
    except Exception:
        ref = uuid.uuid4().hex[:8]
        logger.exception("gap failed (ref %s) for %r", ref, body.get("text"))
        respond(response_type="ephemeral",
                text=error_text(f"Something went wrong on our side (ref `{ref}`); it is logged."))
        return
    try:
        post_reply(client, respond, body["channel_id"], gap_reply(report), context_bot_user)
    except Exception:
        ref = uuid.uuid4().hex[:8]
        logger.exception("posting the gap reply failed (ref %s)", ref)
        respond(response_type="ephemeral",
                text=error_text(f"I computed the answer but Slack refused it (ref `{ref}`)."))


def register(app: App, deps: Deps) -> None:
    """Listen for `/smallcaps`."""

    @app.command(SLASH_COMMAND)
    def on_smallcaps(ack: Ack, command: dict[str, Any], client: WebClient, respond: Respond,
                     context: dict[str, Any]) -> None:
        try:
            request = parse_command(command.get("text", ""))
        except CommandError as exc:
            ack(response_type="ephemeral", text=error_text(exc.message, exc.example))
            return
        if isinstance(request, HelpRequest):
            ack(response_type="ephemeral", blocks=help_blocks(SLASH_COMMAND),
                text=f"{SLASH_COMMAND} help")
            return
        ack()
        answer_gap(deps, request, command, client, respond, context.get("bot_user_id"))
