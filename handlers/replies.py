"""Answering a parsed command: a report's channel reply (blocks, CSV button, chart) and
terminal text, and every other command through its own `answer`.

Which rendering words a payload, and whether its reply carries a CSV button, is part of the
report command's spec (handlers/registry.py).
"""

from __future__ import annotations

import logging
import uuid

from slack_sdk.errors import SlackApiError

from analytics.formatting import clip
from analytics.periods import InsufficientHistoryError
from bot.data.sources import DataUnavailableError
from bot.reports import Payload, Report, ReportQuery
from bot.slack.escape import escape
from bot.slack.post_check import PostUnclear
from bot.slack.slack_io import ChannelReply, slack_error
from bot.slack.slack_update import ORIGIN_BLOCK_ID, post_reply
from handlers.alert_form import with_alert_button
from handlers.command import Block, Conversation
from handlers.csv_button import with_csv_button
from handlers.registry import Parsed, get, rendering_of
from handlers.share import with_share

logger = logging.getLogger(__name__)


def origin_block(user_id: str, invoked_as: str, words: str) -> Block:
    """'Requested by @ana · `/smallcaps gap 3y`': who asked for a reply and what they typed
    (a backtick in the words would end the code span, so it is shown as a quote)."""
    typed = escape(f"{invoked_as} {words}".strip().replace("`", "'"))
    return {"type": "context", "block_id": ORIGIN_BLOCK_ID, "elements": [
        {"type": "mrkdwn", "text": clip(f"Requested by <@{user_id}> · `{clip(typed, 200)}`",
                                        3000)}]}


def channel_reply(report: Report, origin: Block | None = None) -> ChannelReply:
    """The channel message (blocks, text and chart) for any report, with the `origin` line
    (who asked) above its buttons; the chart is drawn when `chart` is called (after the
    text is posted)."""
    p = report.payload
    fmt = rendering_of(p)
    blocks = fmt.blocks(p)
    if origin is not None:
        split = len(blocks) - (1 if blocks and blocks[-1]["type"] == "actions" else 0)
        blocks = [*blocks[:split][:48], origin, *blocks[split:]]
    command = get(p["command"])
    blocks = with_csv_button(blocks, p) if command.export else blocks
    if command.alert_offer is not None:  # "Alert me on this" (handlers/alert_form.py)
        blocks = with_alert_button(blocks, command.alert_offer(p))
    return ChannelReply(blocks=blocks, text=fmt.fallback(p),
                        chart=lambda: report.chart_png,
                        chart_filename=report.chart_filename, chart_title=fmt.title(p),
                        chart_alt_text=chart_alt_text(p))


ALT_TEXT_MAX = 1000
"""Slack's limit for an image's alt text is 2000 characters (Block Kit image `alt_text`);
a file's `alt_txt` is kept well inside it."""


def chart_alt_text(p: Payload) -> str:
    """'Chart: <title>. <the answer with its key numbers>' for screen readers: the chart's
    title alone would tell a reader what it shows, not what it says."""
    fmt = rendering_of(p)
    title, answer = fmt.title(p), fmt.fallback(p)
    answer = answer.removeprefix(title).lstrip(" .:·")  # a fallback that opens with the title
    return clip(f"Chart: {title}. {answer}", ALT_TEXT_MAX)


def plain_text(report: Report) -> str:
    """The terminal rendering of any report."""
    return rendering_of(report.payload).plain(report.payload)


def answer(conversation: Conversation, parsed: Parsed) -> None:
    """Answer a parsed, acked command (runs in the reply pool or a worker, never on Bolt's
    ack path): a report is computed and posted in the channel; any other command answers
    itself."""
    if parsed.command.answer is not None:
        parsed.command.answer(conversation, parsed.request)
    else:
        answer_report(conversation, parsed.request)


def answer_report(conversation: Conversation, query: ReportQuery) -> None:
    """Compute and post a report (in `conversation.thread_ts` when set); every failure ends
    in a message to the user."""
    c = conversation
    try:
        report = c.deps.reports.run(query)
    except (DataUnavailableError, InsufficientHistoryError) as exc:
        c.tell(text=c.error_text(str(exc)))
        return
    except Exception:
        ref = uuid.uuid4().hex[:8]
        logger.exception("%s failed (ref %s) for %r", query.command, ref, c.text)
        c.tell(text=c.error_text(f"Something went wrong on our side (ref `{ref}`); it is "
                                 "logged."))
        return
    try:
        reply = channel_reply(report, origin_block(c.user_id, c.invoked_as, c.text))
        if c.shareable:
            reply = with_share(reply, report.payload)
        post_reply(c.client, c.respond, c.channel_id, reply, c.bot_user_id,
                   thread_ts=c.thread_ts)
    except PostUnclear as exc:  # Slack's answer was lost; the post may be in the channel
        ref = uuid.uuid4().hex[:8]
        logger.warning("posting the %s reply: no answer from Slack (ref %s): %s",
                       query.command, ref, exc.__cause__)
        c.tell(text=c.error_text(f"Slack did not confirm that the answer was posted (ref "
                                 f"`{ref}`). If it is not in the channel, try again in a "
                                 "minute."))
    except Exception as exc:  # the text itself was not posted (a chart failure is handled)
        ref = uuid.uuid4().hex[:8]
        logger.exception("posting the %s reply failed (ref %s)", query.command, ref)
        said = f"Slack answered `{slack_error(exc)}`" if isinstance(exc, SlackApiError) \
            else "the post did not go through"
        c.tell(text=c.error_text(f"I computed the answer but could not post it ({said}; ref "
                                 f"`{ref}`). Try again in a minute."))
