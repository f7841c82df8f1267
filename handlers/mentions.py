"""`@smallcaps gap 3y`: the same answers as the slash command, where slash commands can't go.

Slash commands cannot be used in threads; a mention can. A mention inside a thread is
answered in that thread; a mention at the top of a channel is answered in the channel like
the command. Help, status and input errors go into a thread under the mention, so they do
not clutter the channel.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.runtime.deps import Deps
from handlers.alert_parsing import AlertRequest
from handlers.alerts import answer_alert
from handlers.channel_defaults import (
    SettingsRequest,
    answer_settings,
    channel_defaults,
    with_settings_block,
)
from handlers.help import help_blocks
from handlers.normalise import normalise_text
from handlers.parsing import CommandError, HelpRequest, StatusRequest, parse_command
from handlers.schedule_replies import ScheduleRequest, answer_schedule
from handlers.slash import answer_report
from handlers.status import answer_status

logger = logging.getLogger(__name__)
MENTION_NAME = "@smallcaps"


def strip_mention(text: str, bot_user_id: str | None = None) -> str:
    """The command words of a mention: every `<@U…>` (the bot's and anyone else's), channel
    and special mention dropped, links replaced by their label, entities unescaped, spaces
    collapsed (handlers.normalise; `bot_user_id` is no longer needed and kept for callers)."""
    return normalise_text(text or "")


def mention_error_text(message: str, example: str | None = None) -> str:
    """An input error with a valid example (when there is one), written for mentions."""
    if example is None:
        return f":warning: {message}"
    return (f":warning: {message}\nTry: `{MENTION_NAME} {example}` · `{MENTION_NAME} help` "
            "lists everything.")


def thread_sender(client: WebClient, channel: str, thread_ts: str):  # type: ignore[no-untyped-def]
    """A `respond`-like callable that posts into `thread_ts` (mentions have no response_url).

    `response_type` and `replace_original` are accepted and ignored: in a thread everything is
    visible to the channel's members, like the mention that asked."""

    def send(text: str = "", blocks: list[dict[str, Any]] | None = None, **_: Any) -> None:
        try:
            client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=text,
                                    blocks=blocks, unfurl_links=False, unfurl_media=False)
        except SlackApiError:
            logger.exception("Could not answer a mention in %s", channel)

    return send


def answer_mention(deps: Deps, event: dict[str, Any], client: WebClient,
                   bot_user_id: str | None) -> None:
    """Parse the mention's words and answer like `/smallcaps` would."""
    channel = event.get("channel")
    if not channel or not event.get("ts"):  # Slack always sends both; nowhere to answer
        logger.info("Ignored an app_mention without channel or ts")
        return
    in_thread = event.get("thread_ts")
    send = thread_sender(client, channel, in_thread or event["ts"])
    text = strip_mention(event.get("text", ""), bot_user_id)
    try:
        request = parse_command(text, channel_defaults(deps, channel))
    except CommandError as exc:
        send(text=mention_error_text(exc.message, exc.example))
        return
    if isinstance(request, HelpRequest):
        send(blocks=help_blocks(MENTION_NAME, request.topic), text=f"{MENTION_NAME} help")
        return
    if isinstance(request, StatusRequest):
        answer_status(deps, with_settings_block(deps, channel, send))
        return
    if isinstance(request, SettingsRequest):
        answer_settings(deps, request, channel, send)
        return
    if isinstance(request, AlertRequest):  # alert/digest: for the mention's channel and user
        command = {"channel_id": channel, "user_id": event.get("user", ""), "text": text}
        answer_alert(deps, request, command, send, mention_error_text)
        return
    if isinstance(request, ScheduleRequest):
        answer_schedule(deps, request, channel, event.get("user", ""), send)
        return
    answer_report(deps, request, {"channel_id": channel, "text": text}, client, send,
                  bot_user_id, thread_ts=in_thread)


def register(app: App, deps: Deps) -> None:
    """Listen for mentions of the bot (event `app_mention`, scope `app_mentions:read`)."""

    @app.event("app_mention")
    def on_mention(event: dict[str, Any], client: WebClient, context: dict[str, Any]) -> None:
        deps.reply_queue.enqueue("mention", {"event": event,
                                             "bot_user_id": context.get("bot_user_id")},
                                 request_id=f"mention-{event['channel']}-{event['ts']}")
