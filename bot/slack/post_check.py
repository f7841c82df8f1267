"""Did a post whose answer was lost go through? Slack may apply a `chat.postMessage` and
still answer 5xx, time out or drop the connection; telling the user "could not post it"
then is a lie, and posting again is a duplicate. The channel's latest messages say which.
"""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

logger = logging.getLogger(__name__)


class PostUnclear(Exception):
    """Slack's answer to a post was lost and the channel could not be read to see whether
    it went through: the user must not be told that it failed, nor that it worked."""


def answer_unclear(exc: Exception) -> bool:
    """True when a failed call may have taken effect all the same: an HTTP 5xx, a timeout
    or a dropped connection (Slack answered 4xx or ok=false: nothing was posted)."""
    if isinstance(exc, SlackApiError):
        return int(getattr(exc.response, "status_code", 200) or 200) >= 500
    return isinstance(exc, OSError | TimeoutError)


def find_post(client: WebClient, channel_id: str, text: str,
              thread_ts: str | None = None) -> str | None:
    """The `ts` of the latest bot message with exactly `text` among the channel's (or the
    thread's) latest messages, None when there is none. Raises PostUnclear when they
    cannot be read."""
    try:
        if thread_ts:
            page = client.conversations_replies(channel=channel_id, ts=thread_ts, limit=50)
        else:
            page = client.conversations_history(channel=channel_id, limit=20)
    except Exception as exc:  # noqa: BLE001 - unknown: the caller says so
        logger.warning("could not read %s to check a post", channel_id, exc_info=True)
        raise PostUnclear(exc) from exc
    for message in page.get("messages") or []:
        if message.get("bot_id") and message.get("text") == text:
            return str(message.get("ts") or "") or None
    return None


def posted_despite(exc: Exception, client: WebClient, channel_id: str, text: str,
                   thread_ts: str | None) -> str:
    """The `ts` of the post `exc` interrupted when it went through all the same (Slack's
    answer was lost but the message is in the channel). Raises `exc` when it surely did not
    go through, PostUnclear when nobody can tell."""
    if not answer_unclear(exc):
        raise exc
    try:
        ts = find_post(client, channel_id, text, thread_ts)
    except PostUnclear:
        raise PostUnclear(exc) from exc  # the post's own failure, as callers log it
    if ts is None:
        raise exc
    logger.info("chat.postMessage failed (%s) but the reply is in the channel",
                type(exc).__name__)
    return ts
