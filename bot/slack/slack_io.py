"""Getting a reply into a channel: the Block Kit message, then the chart, and the fallbacks.

The text goes first and the chart is drawn only after it is posted, so the first answer the
user sees never waits for drawing (ChannelReply.chart is a function for that reason).

Real users hit `not_in_channel` on day one: with `chat:write.public` the bot can post text to a
public channel it has not joined, but it cannot share a file there, and in private channels
and DMs it can do neither. Then the text still reaches the channel through the command's
`response_url`, and the user is told how to get charts (`/invite` the bot).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)

from bot.runtime.config import Settings

logger = logging.getLogger(__name__)

NOT_A_MEMBER = frozenset({"not_in_channel", "channel_not_found", "is_archived", "access_denied"})
Respond = Callable[..., Any]


def reply_client_options(settings: Settings) -> dict[str, Any]:
    """WebClient arguments for replies: the configured base URL and bot token, and retries
    of rate limits (HTTP 429) and of one refused connection."""
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    return {"token": token, "base_url": settings.slack_api_url,
            "retry_handlers": [ConnectionErrorRetryHandler(max_retry_count=1),
                               RateLimitErrorRetryHandler(max_retry_count=2)]}


@dataclass(frozen=True)
class ChannelReply:
    """What a report looks like in a channel."""

    blocks: list[dict[str, Any]]
    text: str
    chart: Callable[[], bytes] | None
    """Returns the chart's PNG, drawing it (or reading it from the cache) the first time;
    called only once the text is out. None: no chart."""
    chart_filename: str
    chart_title: str
    chart_alt_text: str = ""
    """What a screen reader says for the chart: its title and key numbers (`files_upload_v2`
    `alt_txt`, image blocks' `alt_text`)."""


def slack_error(exc: SlackApiError) -> str:
    """The Web API error code ('not_in_channel', 'ratelimited', ...)."""
    try:
        return str(exc.response["error"])
    except (KeyError, TypeError):
        return "unknown_error"


def invite_hint(bot_user_id: str | None) -> str:
    who = f"<@{bot_user_id}>" if bot_user_id else "the smallcaps app"
    return (f":frame_with_picture: I can't share charts in this conversation because I'm not "
            f"a member. Run `/invite {who}` here and ask again to get the chart too.")


def post_reply(
    client: WebClient,
    respond: Respond,
    channel_id: str,
    reply: ChannelReply,
    bot_user_id: str | None = None,
    thread_ts: str | None = None,
) -> str:
    """Post `reply` in the channel (in the thread `thread_ts` when given): the text, then
    the chart, drawn only after the text is posted. Returns 'posted', 'text_only' or
    'via_response_url' (the chart is not drawn then: it could not be shared)."""
    try:
        client.chat_postMessage(channel=channel_id, blocks=reply.blocks, text=reply.text,
                                thread_ts=thread_ts, unfurl_links=False, unfurl_media=False)
    except SlackApiError as exc:
        if slack_error(exc) not in NOT_A_MEMBER:
            _unless_posted(exc, client, channel_id, reply.text, thread_ts)
            return _chart(client, respond, channel_id, reply, bot_user_id, thread_ts)
        logger.info("chat.postMessage refused (%s); answering via response_url", slack_error(exc))
        respond(response_type="in_channel", blocks=reply.blocks, text=reply.text,
                replace_original=False)
        respond(response_type="ephemeral", text=invite_hint(bot_user_id), replace_original=False)
        return "via_response_url"
    except Exception as exc:  # noqa: BLE001 - re-raised unless the post went through
        _unless_posted(exc, client, channel_id, reply.text, thread_ts)
    return _chart(client, respond, channel_id, reply, bot_user_id, thread_ts)


def _unless_posted(exc: Exception, client: WebClient, channel_id: str, text: str,
                   thread_ts: str | None) -> None:
    """Return when the failed post `exc` went through all the same (Slack's answer was lost
    but the message is in the channel); raise `exc` when it surely did not, PostUnclear when
    nobody can tell."""
    if not answer_unclear(exc):
        raise exc
    posted = was_posted(client, channel_id, text, thread_ts)
    if posted is None:
        raise PostUnclear(exc) from exc
    if not posted:
        raise exc
    logger.info("chat.postMessage failed (%s) but the reply is in the channel",
                type(exc).__name__)


class PostUnclear(Exception):
    """Slack's answer to a post was lost and the channel could not be read to see whether
    it went through: the user must not be told that it failed, nor that it worked."""


def answer_unclear(exc: Exception) -> bool:
    """True when a failed call may have taken effect all the same: an HTTP 5xx, a timeout
    or a dropped connection (Slack answered 4xx or ok=false: nothing was posted)."""
    if isinstance(exc, SlackApiError):
        return getattr(exc.response, "status_code", 200) >= 500
    return isinstance(exc, OSError | TimeoutError)


def was_posted(client: WebClient, channel_id: str, text: str,
               thread_ts: str | None = None) -> bool | None:
    """Is a bot message with exactly `text` among the channel's (or thread's) latest
    messages? None when they cannot be read."""
    try:
        if thread_ts:
            page = client.conversations_replies(channel=channel_id, ts=thread_ts, limit=50)
        else:
            page = client.conversations_history(channel=channel_id, limit=20)
    except Exception:  # noqa: BLE001 - unknown, the caller says so
        logger.warning("could not read %s to check a post", channel_id, exc_info=True)
        return None
    return any(m.get("bot_id") and m.get("text") == text for m in page.get("messages") or [])


def _chart(client: WebClient, respond: Respond, channel_id: str, reply: ChannelReply,
           bot_user_id: str | None, thread_ts: str | None) -> str:
    """The chart of a reply whose text is posted: 'posted' or 'text_only'."""
    if reply.chart is None:
        return "posted"
    try:
        png = reply.chart()
    except Exception:  # noqa: BLE001 - the text is posted; the user must hear about the chart
        _chart_failed(respond, "drawing it failed")
        return "text_only"
    try:
        client.files_upload_v2(channel=channel_id, file=png, thread_ts=thread_ts,
                               filename=reply.chart_filename, title=reply.chart_title,
                               alt_txt=reply.chart_alt_text or reply.chart_title)
    except SlackApiError as exc:
        if slack_error(exc) in NOT_A_MEMBER:
            logger.info("Chart upload refused (%s); told the user how to invite",
                        slack_error(exc))
            respond(response_type="ephemeral", text=invite_hint(bot_user_id),
                    replace_original=False)
        else:
            _chart_failed(respond, f"Slack answered `{slack_error(exc)}`")
        return "text_only"
    except Exception:  # noqa: BLE001 - the text is posted; the user must hear about the chart
        _chart_failed(respond, "the upload did not go through")
        return "text_only"
    return "posted"


def _chart_failed(respond: Respond, why: str) -> None:
    """The text reply is in the channel but its chart is not: say exactly that (logged)."""
    ref = uuid.uuid4().hex[:8]
    logger.exception("Chart failed after the text was posted (ref %s): %s", ref, why)
    respond(response_type="ephemeral", replace_original=False,
            text=f":warning: The numbers are posted, but the chart could not be shared ({why}; "
                 f"ref `{ref}`). Ask again in a minute for the chart.")
