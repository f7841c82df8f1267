"""The `/smallcaps` slash command: ack at once, then answer in the channel.

Help and input errors are answered in the ack itself (ephemeral, instant). A valid query is
queued as a reply job (bot.runtime.jobs) and acked empty; a worker (bot.worker, in `serve` or a
`smallcaps worker` process) computes it and posts it in the channel with its chart, so acks
never wait behind reports.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from analytics.periods import InsufficientHistoryError
from bot.data.sources import DataUnavailableError
from bot.reports import ReportQuery
from bot.runtime.deps import Deps
from bot.slack.slack_io import post_reply, slack_error
from handlers.alert_parsing import AlertRequest
from handlers.alerts import answer_alert
from handlers.channel_defaults import (
    SettingsRequest,
    answer_settings,
    channel_defaults,
    with_settings_block,
)
from handlers.help import help_blocks
from handlers.parsing import CommandError, HelpRequest, StatusRequest, parse_command
from handlers.replies import channel_reply
from handlers.schedule_replies import ScheduleRequest, answer_schedule
from handlers.status import answer_status

logger = logging.getLogger(__name__)
SLASH_COMMAND = "/smallcaps"


def error_text(message: str, example: str | None = None) -> str:
    """A short ephemeral error with a valid example."""
    hint = f"\nTry: `{SLASH_COMMAND} {example}` · `{SLASH_COMMAND} help` lists everything." \
        if example else ""
    return f":warning: {message}{hint}"


def answer_report(deps: Deps, query: ReportQuery, body: dict[str, Any], client: WebClient,
                  respond: Respond, context_bot_user: str | None,
                  thread_ts: str | None = None) -> None:
    """Compute and post a report (in thread `thread_ts` when given); every failure ends in a
    message to the user."""
    try:
        report = deps.reports.run(query)
    except (DataUnavailableError, InsufficientHistoryError) as exc:
        respond(response_type="ephemeral", text=error_text(str(exc)))
        return
    except Exception:
        ref = uuid.uuid4().hex[:8]
        logger.exception("%s failed (ref %s) for %r", query.command, ref, body.get("text"))
        respond(response_type="ephemeral",
                text=error_text(f"Something went wrong on our side (ref `{ref}`); it is logged."))
        return
    try:
        post_reply(client, respond, body["channel_id"], channel_reply(report), context_bot_user,
                   thread_ts=thread_ts)
    except Exception as exc:  # the text itself was not posted (a chart failure is handled)
        ref = uuid.uuid4().hex[:8]
        logger.exception("posting the %s reply failed (ref %s)", query.command, ref)
        said = f"Slack answered `{slack_error(exc)}`" if isinstance(exc, SlackApiError) \
            else "the post did not go through"
        respond(response_type="ephemeral",
                text=error_text(f"I computed the answer but could not post it ({said}; ref "
                                f"`{ref}`). Try again in a minute."))


def answer(deps: Deps, request: Any, command: dict[str, Any], client: WebClient,
           respond: Respond, bot_user_id: str | None) -> None:
    """Answer a parsed, acked command (runs in the reply pool, never on Bolt's ack path)."""
    channel = command.get("channel_id", "")
    if isinstance(request, StatusRequest):
        answer_status(deps, with_settings_block(
            deps, channel, lambda **reply: respond(response_type="ephemeral", **reply)))
    elif isinstance(request, ScheduleRequest):  # this channel's scheduled reports
        answer_schedule(deps, request, channel, command.get("user_id", ""),
                        lambda **reply: respond(response_type="ephemeral", **reply))
    elif isinstance(request, SettingsRequest):  # set/unset: this channel's defaults
        answer_settings(deps, request, channel,
                        lambda **reply: respond(response_type="ephemeral", **reply))
    elif isinstance(request, AlertRequest):  # alert/digest: managed, not a report
        answer_alert(deps, request, command, respond, error_text)
    else:
        answer_report(deps, request, command, client, respond, bot_user_id)


def register(app: App, deps: Deps) -> None:
    """Listen for `/smallcaps`."""

    @app.command(SLASH_COMMAND)
    def on_smallcaps(ack: Ack, command: dict[str, Any], client: WebClient, respond: Respond,
                     context: dict[str, Any]) -> None:
        try:
            request = parse_command(command.get("text", ""),
                                    channel_defaults(deps, command.get("channel_id")))
        except CommandError as exc:
            ack(response_type="ephemeral", text=error_text(exc.message, exc.example))
            return
        if isinstance(request, HelpRequest):
            ack(response_type="ephemeral", blocks=help_blocks(SLASH_COMMAND, request.topic),
                text=f"{SLASH_COMMAND} help")
            return
        # The reply is a job (bot.runtime.jobs), queued before the ack so that every acked command
        # is in the queue even if this process stops right after; a worker posts it.
        deps.reply_queue.enqueue("slash", {"command": command,
                                           "bot_user_id": context.get("bot_user_id")})
        ack()
