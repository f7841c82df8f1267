"""`@smallcaps gap 3y`: the same answers as the slash command, where slash commands can't go.

Slash commands cannot be used in threads; a mention can. A mention inside a thread is
answered in that thread; a mention at the top of a channel is answered in the channel like
the command. Help, status and input errors go into a thread under the mention, so they do
not clutter the channel.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.runtime.deps import Deps
from bot.slack.slack_io import is_direct_message
from handlers.channel_defaults import request_context
from handlers.command import Conversation
from handlers.normalise import normalise_text
from handlers.registry import parse
from handlers.replies import answer
from handlers.words import CommandError

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


def thread_sender(client: WebClient, channel: str,
                  thread_ts: str | None) -> Callable[..., None]:
    """A `respond`-like callable that posts into `thread_ts` (mentions have no response_url),
    or at the top of `channel` when it is None (a direct message to the bot).

    `response_type` and `replace_original` are accepted and ignored: in a thread everything is
    visible to the channel's members, like the mention that asked."""

    def send(text: str = "", blocks: list[dict[str, Any]] | None = None, **_: Any) -> None:
        try:
            client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=text,
                                    blocks=blocks, unfurl_links=False, unfurl_media=False)
        except SlackApiError:
            logger.exception("Could not answer in %s", channel)

    return send


def answer_mention(deps: Deps, event: dict[str, Any], client: WebClient,
                   bot_user_id: str | None) -> None:
    """Parse the mention's words and answer like `/smallcaps` would: notes and errors in a
    thread under the mention, a report where the mention is (its thread, or the channel)."""
    channel = event.get("channel")
    if not channel or not event.get("ts"):  # Slack always sends both; nowhere to answer
        logger.info("Ignored an app_mention without channel or ts")
        return
    answer_words(deps, event, client, bot_user_id,
                 notes_thread=event.get("thread_ts") or event["ts"],
                 error_text=mention_error_text, invoked_as=MENTION_NAME)


def answer_words(deps: Deps, event: dict[str, Any], client: WebClient,
                 bot_user_id: str | None, *, notes_thread: str | None,
                 error_text: Callable[..., str], invoked_as: str,
                 shareable: bool = False) -> None:
    """Answer the words of a message event that names a channel and ts (a mention, a
    direct message): parsed in that channel's context; notes and errors (`error_text`) are
    posted in `notes_thread` (None: the channel itself), a report where the message is (its
    thread, or the channel); `shareable` adds the Share to channel picker."""
    channel = str(event["channel"])
    send = thread_sender(client, channel, notes_thread)
    text = strip_mention(event.get("text", ""), bot_user_id)
    try:
        parsed = parse(text, request_context(deps, channel))
    except CommandError as exc:
        send(text=error_text(exc.message, exc.example))
        return
    answer(Conversation(deps=deps, client=client, channel_id=channel,
                        user_id=event.get("user", ""), text=text, respond=send,
                        error_text=error_text, invoked_as=invoked_as,
                        bot_user_id=bot_user_id, thread_ts=event.get("thread_ts"),
                        shareable=shareable), parsed)


def on_mention(event: dict[str, Any], context: dict[str, Any], deps: Deps) -> None:
    """A mention of the bot (event `app_mention`, scope `app_mentions:read`): queued as a
    reply job, answered once even when Slack delivers it again. A mention without a channel
    or ts (Slack always sends both) has nowhere to be answered: logged and dropped. A mention
    in a direct message is left to the `message.im` listener (bot.listeners.direct): Slack
    sends both events for it, and one answer is wanted."""
    if not event.get("channel") or not event.get("ts"):
        logger.info("Ignored an app_mention without channel or ts")
        return
    if is_direct_message(event.get("channel")):
        logger.info("app_mention in a direct message: answered as the direct message")
        return
    deps.reply_queue.enqueue("mention", {"event": event,
                                         "bot_user_id": context.get("bot_user_id")},
                             request_id=f"mention-{event['channel']}-{event['ts']}")
