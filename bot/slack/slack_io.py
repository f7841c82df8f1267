"""Slack I/O shared by every reply: the client options, what a reply is, error codes and the
invite hint. Posting a reply and showing its chart are in bot.slack.slack_update.

Real users hit `not_in_channel` on day one: with `chat:write.public` the bot can post text to a
public channel it has not joined, but it cannot share a file there, and in private channels
and DMs it can do neither. Then the text still reaches the channel through the command's
`response_url`, and the user is told how to get charts (`/invite` the bot).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)

from bot.runtime.config import Settings

NOT_A_MEMBER = frozenset({"not_in_channel", "channel_not_found", "is_archived", "access_denied"})
Respond = Callable[..., Any]


def tell_clicker(respond: Respond | None, text: str) -> None:
    """A note only the clicking user sees, under the message clicked (the click's
    response_url: buttons and selects on messages always bring one); nothing without one."""
    if respond is not None:
        respond(response_type="ephemeral", replace_original=False, text=text)


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


def is_direct_message(channel_id: str | None) -> bool:
    """True for a direct message's id (`D...`): between two people, or with the bot."""
    return bool(channel_id) and str(channel_id).startswith("D")


def invite_hint(bot_user_id: str | None, channel_id: str | None = None,
                elsewhere: bool = False) -> str:
    """How to get charts where the bot is not a member: `/invite` it in the channel (named
    when the asker is `elsewhere`, e.g. sharing from a DM), or, in a direct message between
    people (which no app can join), ask where it can post them."""
    who = f"<@{bot_user_id}>" if bot_user_id else "the smallcaps app"
    if elsewhere and channel_id:
        return (f":frame_with_picture: The answer is in <#{channel_id}>, but I can't show its "
                f"chart there because I'm not a member. Run `/invite {who}` in <#{channel_id}> "
                "and share it again to get the chart too.")
    if is_direct_message(channel_id):
        return (":frame_with_picture: Apps can't join a direct message between people, so I "
                "can't post charts here: this is the text only. For the chart too, pick a "
                "channel in *Share to channel* under the answer, or ask me in my own direct "
                "messages (open smallcaps, then *Messages*).")
    return (f":frame_with_picture: I can't share charts in this conversation because I'm not "
            f"a member. Run `/invite {who}` here and ask again to get the chart too.")
