"""Updating a posted report in place (after a button click): new blocks, new chart.

A shared file cannot be edited, so the new chart is uploaded as a reply in the message's
thread and shown inside the message with an image block that references it:
- the thread keeps the channel's main flow clean (every click would otherwise drop a large
  image into the conversation) and ties each chart to the message it belongs to;
- a file shared in the channel's thread is visible to everyone who sees the message, so the
  image block works for all of them (Slack requires the poster to have access to the file).
Right after an upload Slack may still be processing the file and answer `invalid_blocks`;
the update is retried a few times, then sent without the image (the chart is in the thread).
When the bot cannot update the message (it is not in the conversation: the reply came through
a response_url), the interaction's response_url replaces the message instead.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack.slack_io import NOT_A_MEMBER, ChannelReply, Respond, invite_hint, slack_error

logger = logging.getLogger(__name__)

IMAGE_RETRY_DELAYS_S: tuple[float, ...] = (1.0, 2.0, 3.0)
"""Waits before retrying an update whose image block Slack refused (file still processing)."""
Blocks = list[dict[str, Any]]


@dataclass(frozen=True)
class MessageRef:
    """Where a posted message lives."""

    channel_id: str
    ts: str
    thread_ts: str | None = None
    """The thread the message is in (None: top level)."""

    @property
    def chart_thread(self) -> str:
        """The thread new charts go to: the message's own thread, or the one it is in."""
        return self.thread_ts or self.ts


def share_chart_in_thread(client: WebClient, ref: MessageRef, reply: ChannelReply,
                          comment: str | None) -> str | None:
    """Upload the reply's chart into the message's thread; its file id, or None when the
    bot may not share files there (not a member) or there is no chart."""
    if reply.chart is None:
        return None
    try:
        done = client.files_upload_v2(channel=ref.channel_id, thread_ts=ref.chart_thread,
                                      file=reply.chart(), filename=reply.chart_filename,
                                      title=reply.chart_title, initial_comment=comment,
                                      alt_txt=reply.chart_alt_text or reply.chart_title)
    except SlackApiError as exc:
        if slack_error(exc) not in NOT_A_MEMBER:
            raise
        logger.info("Chart upload refused (%s)", slack_error(exc))
        return None
    file = done.get("file") or {}
    return str(file["id"]) if file.get("id") else None


def _update(client: WebClient, ref: MessageRef, blocks: Blocks, text: str) -> None:
    client.chat_update(channel=ref.channel_id, ts=ref.ts, blocks=blocks, text=text)


def update_report_message(
    client: WebClient,
    respond: Respond | None,
    ref: MessageRef,
    reply: ChannelReply,
    render: Callable[[str | None, bool], Blocks],
    comment: str | None = None,
    bot_user_id: str | None = None,
) -> str:
    """Replace the message at `ref` with `render(image_file_id, chart_in_thread)`: the file
    to show inside the message (None: no image) and whether the new chart is in the thread.

    Returns 'updated' (with the chart inside), 'updated_text_only' (chart only in the thread,
    or nowhere when the bot may not share files) or 'via_response_url'.
    """
    file_id = share_chart_in_thread(client, ref, reply, comment)
    if file_id is None and reply.chart is not None and respond is not None:
        respond(response_type="ephemeral", text=invite_hint(bot_user_id), replace_original=False)
    try:
        if file_id is not None:
            for delay in (0.0, *IMAGE_RETRY_DELAYS_S):
                time.sleep(delay)
                try:
                    _update(client, ref, render(file_id, True), reply.text)
                    return "updated"
                except SlackApiError as exc:
                    if slack_error(exc) != "invalid_blocks":
                        raise
                    logger.info("Image block not accepted yet (file %s); retrying", file_id)
        _update(client, ref, render(None, file_id is not None), reply.text)
        return "updated_text_only"
    except SlackApiError as exc:
        if slack_error(exc) not in NOT_A_MEMBER or respond is None:
            raise
        logger.info("chat.update refused (%s); replacing via response_url", slack_error(exc))
        respond(replace_original=True, blocks=render(None, file_id is not None), text=reply.text)
        return "via_response_url"
