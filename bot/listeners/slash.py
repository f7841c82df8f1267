"""The `/smallcaps` slash command: ack at once, then answer in the channel.

Help and input errors are answered in the ack itself (ephemeral, instant). A valid query is
queued as a reply job (bot.runtime.jobs) and acked empty; a worker (bot.worker, in `serve` or a
`smallcaps worker` process) computes it and posts it in the channel with its chart, so acks
never wait behind reports.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.runtime.deps import Deps
from bot.slack.slack_io import is_direct_message
from handlers.channel_defaults import request_context
from handlers.command import Conversation
from handlers.registry import parse
from handlers.replies import answer
from handlers.words import CommandError

logger = logging.getLogger(__name__)
SLASH_COMMAND = "/smallcaps"


def error_text(message: str, example: str | None = None) -> str:
    """A short ephemeral error with a valid example."""
    hint = f"\nTry: `{SLASH_COMMAND} {example}` · `{SLASH_COMMAND} help` lists everything." \
        if example else ""
    return f":warning: {message}{hint}"


def conversation(deps: Deps, command: dict[str, Any], client: WebClient,
                 respond: Callable[..., Any], bot_user_id: str | None) -> Conversation:
    """Where a slash command is answered: notes through its response_url, reports in its
    channel. In a direct message (the bot's own, or one between people, where the answer
    arrives through the response_url without its chart) reports carry *Share to channel*,
    so the answer can be posted with its chart where others can see it."""
    channel_id = command.get("channel_id", "")
    return Conversation(deps=deps, client=client, channel_id=channel_id,
                        user_id=command.get("user_id", ""), text=command.get("text", ""),
                        respond=respond, error_text=error_text, invoked_as=SLASH_COMMAND,
                        bot_user_id=bot_user_id, shareable=is_direct_message(channel_id))


def on_smallcaps(ack: Ack, command: dict[str, Any], client: WebClient,
                 context: dict[str, Any], deps: Deps) -> None:
    """`/smallcaps ...`: errors and instant answers (help) in the ack; everything else is
    queued, then acked empty."""
    try:
        parsed = parse(command.get("text", ""), request_context(deps, command.get("channel_id")))
    except CommandError as exc:
        ack(response_type="ephemeral", text=error_text(exc.message, exc.example))
        return
    if parsed.command.instant:
        answer(conversation(deps, command, client, ack, context.get("bot_user_id")), parsed)
        return
    # The reply is a job (bot.runtime.jobs), queued before the ack so that every acked command
    # is in the queue even if this process stops right after; a worker posts it.
    deps.reply_queue.enqueue("slash", {"command": command,
                                       "bot_user_id": context.get("bot_user_id")})
    ack()
