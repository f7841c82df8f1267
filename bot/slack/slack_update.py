"""Showing a report's chart inside its message: the one code path for a new answer and for
a button click that switches it.

A reply is one message. Its text is posted first (bot.slack.slack_io.post_reply); the chart is
then uploaded without sharing it to any conversation and shown inside that same message with
an image block that references the file (`slack_file`), through `chat.update`:
- the channel gets one post per answer, never a text post and a separate file post;
- a switch replaces the image too, so the message and its chart always agree.
Right after an upload Slack may still be processing the file and answer `invalid_blocks`;
the update is retried a few times. When the image cannot be shown, the chart is shared in the
message's thread (never as a second top-level post) and the message says so.
When the bot cannot update the message (it is not in the conversation: the reply came through
a response_url), the interaction's response_url replaces the message instead.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from bot.slack.post_check import posted_despite
from bot.slack.slack_io import NOT_A_MEMBER, ChannelReply, Respond, invite_hint, slack_error

logger = logging.getLogger(__name__)

IMAGE_RETRY_DELAYS_S: tuple[float, ...] = (1.0, 2.0, 3.0)
"""Waits before retrying an update whose image block Slack refused (file still processing)."""
ORIGIN_BLOCK_ID = "smallcaps_origin"
"""The context block saying who asked for a reply and what they typed (kept on switches)."""
Blocks = list[dict[str, Any]]
Render = Callable[[str | None, bool], Blocks]
"""`render(image_file_id, chart_in_thread)`: the message's blocks with the chart's image (None:
no image) and whether the chart went to the thread instead."""


@dataclass(frozen=True)
class MessageRef:
    """Where a posted message lives."""

    channel_id: str
    ts: str
    thread_ts: str | None = None
    """The thread the message is in (None: top level)."""
    metadata: dict[str, Any] | None = None
    """The message's metadata (an alert's or schedule's identity, which reconciliation looks
    for in the history), sent again with every update so that it is never lost."""

    @property
    def chart_thread(self) -> str:
        """The thread a chart falls back to: the message's own thread, or the one it is in."""
        return self.thread_ts or self.ts


def with_chart(blocks: Blocks, image_file_id: str | None, alt_text: str,
               chart_in_thread: bool, note: str | None = None) -> Blocks:
    """`blocks` with the chart's image under the report (above the origin line and the
    buttons) and a context line with `note` (and 'chart in the thread' when it went there)
    just above the buttons."""
    split = len(blocks)
    while split and (blocks[split - 1]["type"] == "actions"
                     or blocks[split - 1].get("block_id") == ORIGIN_BLOCK_ID):
        split -= 1
    body, tail = blocks[:split], blocks[split:]
    at = next((i for i, b in enumerate(tail) if b["type"] == "actions"), len(tail))
    image: Blocks = []
    if image_file_id is not None:
        image.append({"type": "image", "slack_file": {"id": image_file_id},
                      "alt_text": (alt_text or "Chart")[:2000]})
    notes = [note] if note else []
    if image_file_id is None and chart_in_thread:
        notes.append(":frame_with_picture: chart in the thread")
    context: Blocks = [{"type": "context", "elements": [
        {"type": "mrkdwn", "text": " · ".join(notes)[:3000]}]}] if notes else []
    room = 50 - len(image) - len(context) - len(tail)
    return [*body[:room], *image, *tail[:at], *context, *tail[at:]]


def upload_chart(client: WebClient, png: bytes, reply: ChannelReply,
                 channel: str | None = None, thread_ts: str | None = None) -> str | None:
    """Upload the chart; its file id. Without `channel` the file is shared nowhere (an image
    block shows it); with it, it is shared there (in `thread_ts` when given). None: the bot
    may not share files there (not a member), or a retried job had already uploaded it."""
    where: dict[str, Any] = {} if channel is None else {"channel": channel,
                                                        "thread_ts": thread_ts}
    try:
        done = client.files_upload_v2(file=png, filename=reply.chart_filename,
                                      title=reply.chart_title,
                                      alt_txt=reply.chart_alt_text or reply.chart_title, **where)
    except SlackApiError as exc:
        if slack_error(exc) not in NOT_A_MEMBER:
            raise
        logger.info("Chart upload refused (%s)", slack_error(exc))
        return None
    file = (done.get("file") if done is not None else None) or {}
    return str(file["id"]) if file.get("id") else None


def _update(client: WebClient, ref: MessageRef, blocks: Blocks, text: str) -> None:
    client.chat_update(channel=ref.channel_id, ts=ref.ts, blocks=blocks, text=text,
                       metadata=ref.metadata)


def _show_image(client: WebClient, ref: MessageRef, render: Render, file_id: str,
                text: str) -> bool:
    """Update the message with the image, retrying while Slack still processes the file;
    False when Slack never accepted the image block."""
    for delay in (0.0, *IMAGE_RETRY_DELAYS_S):
        time.sleep(delay)
        try:
            _update(client, ref, render(file_id, False), text)
            return True
        except SlackApiError as exc:
            if slack_error(exc) != "invalid_blocks":
                raise
            logger.info("Image block not accepted yet (file %s); retrying", file_id)
    return False


def show_chart(
    client: WebClient,
    ref: MessageRef,
    reply: ChannelReply,
    png: bytes | None,
    render: Render,
    *,
    tell: Respond | None,
    replace: Respond | None,
    bot_user_id: str | None = None,
    elsewhere: bool = False,
) -> str:
    """Replace the message at `ref` with `render(...)`: with the chart `png` inside it (an
    unshared upload referenced by an image block), else with the chart in its thread.

    `tell` sends a note only the asker sees (how to invite the bot; it names the channel
    when the asker is `elsewhere`, e.g. sharing from a DM); `replace` replaces the
    message when the bot may not update it (an interaction's response_url).
    Returns 'updated' (chart inside), 'updated_in_thread' (the chart in the thread),
    'updated_text_only' (no chart, or the bot may not share files there), 'via_response_url'
    or 'not_a_member' (the message could not be updated and there is no `replace`: the asker
    was told).
    """
    file_id = upload_chart(client, png, reply) if png is not None else None
    try:
        if file_id is not None and _show_image(client, ref, render, file_id, reply.text):
            return "updated"
        in_thread = png is not None and upload_chart(client, png, reply, ref.channel_id,
                                                     ref.chart_thread) is not None
        if png is not None and not in_thread and tell is not None:
            tell(response_type="ephemeral", replace_original=False,
                 text=invite_hint(bot_user_id, ref.channel_id, elsewhere))
        _update(client, ref, render(None, in_thread), reply.text)
        return "updated_in_thread" if in_thread else "updated_text_only"
    except SlackApiError as exc:
        if slack_error(exc) not in NOT_A_MEMBER:
            raise
        logger.info("chat.update refused (%s)", slack_error(exc))
        if replace is not None:
            replace(replace_original=True, blocks=render(None, False), text=reply.text)
            return "via_response_url"
        if tell is not None:
            tell(response_type="ephemeral", replace_original=False,
                 text=invite_hint(bot_user_id, ref.channel_id, elsewhere))
        return "not_a_member"


def update_report_message(
    client: WebClient,
    respond: Respond | None,
    ref: MessageRef,
    reply: ChannelReply,
    render: Render,
    bot_user_id: str | None = None,
) -> str:
    """Replace the message at `ref` with a new report (a switch): its blocks and its chart,
    drawn now. Returns what `show_chart` returns."""
    png = reply.chart() if reply.chart is not None else None
    return show_chart(client, ref, reply, png, render, tell=respond, replace=respond,
                      bot_user_id=bot_user_id)


def post_reply(
    client: WebClient,
    respond: Respond,
    channel_id: str,
    reply: ChannelReply,
    bot_user_id: str | None = None,
    thread_ts: str | None = None,
    elsewhere: bool = False,
) -> str:
    """Post `reply` in the channel (in the thread `thread_ts` when given) as one message: the
    text first, then its chart, drawn only once the text is out, added to that message.
    Returns 'posted', 'text_only' or 'via_response_url' (the chart is not drawn then: it
    could not be shown). When Slack's answer to the post is lost, the channel is read
    (bot.slack.post_check): a post that went through gets its chart, one that did not
    raises the error, and PostUnclear when nobody can tell.

    `elsewhere`: the asker is not in that channel (an answer shared from a DM), so there is
    no response_url to answer through: a post the bot may not make raises its
    SlackApiError (`not_in_channel`, `channel_not_found`, `is_archived`...), and notes
    through `respond` name the channel."""
    posted: Mapping[str, Any] | SlackResponse
    try:
        posted = client.chat_postMessage(channel=channel_id, blocks=reply.blocks,
                                         text=reply.text, thread_ts=thread_ts,
                                         unfurl_links=False, unfurl_media=False)
    except SlackApiError as exc:
        if slack_error(exc) not in NOT_A_MEMBER:
            posted = {"ts": posted_despite(exc, client, channel_id, reply.text, thread_ts)}
        elif elsewhere:
            raise
        else:
            logger.info("chat.postMessage refused (%s); answering via response_url",
                        slack_error(exc))
            respond(response_type="in_channel", blocks=reply.blocks, text=reply.text,
                    replace_original=False)
            respond(response_type="ephemeral", text=invite_hint(bot_user_id, channel_id),
                    replace_original=False)
            return "via_response_url"
    except Exception as exc:  # noqa: BLE001 - re-raised unless the post went through
        posted = {"ts": posted_despite(exc, client, channel_id, reply.text, thread_ts)}
    if reply.chart is None:
        return "posted"
    try:
        png = reply.chart()
    except Exception:  # noqa: BLE001 - the text is posted; the user must hear about the chart
        _chart_failed(respond, "drawing it failed")
        return "text_only"
    alt = reply.chart_alt_text or reply.chart_title
    ts = posted.get("ts") if posted else None

    def render(file_id: str | None, in_thread: bool) -> Blocks:
        return with_chart(reply.blocks, file_id, alt, in_thread)

    try:
        if not ts:  # a re-run job whose post was never confirmed: the chart alone, where
            upload_chart(client, png, reply, channel_id, thread_ts)  # the text went
            return "text_only"
        outcome = show_chart(client, MessageRef(channel_id, str(ts), thread_ts), reply, png,
                             render, tell=respond, replace=None, bot_user_id=bot_user_id,
                             elsewhere=elsewhere)
    except SlackApiError as exc:
        _chart_failed(respond, f"Slack answered `{slack_error(exc)}`")
        return "text_only"
    except Exception:  # noqa: BLE001 - the text is posted; the user must hear about the chart
        _chart_failed(respond, "the upload did not go through")
        return "text_only"
    return "posted" if outcome == "updated" else "text_only"


def _chart_failed(respond: Respond, why: str) -> None:
    """The text reply is in the channel but its chart is not: say exactly that (logged)."""
    ref = uuid.uuid4().hex[:8]
    logger.exception("Chart failed after the text was posted (ref %s): %s", ref, why)
    respond(response_type="ephemeral", replace_original=False,
            text=f":warning: The numbers are posted, but the chart could not be shown ({why}; "
                 f"ref `{ref}`). Ask again in a minute for the chart.")
