"""*Share to channel* under answers in the bot's direct messages: the same answer, posted in a
channel the user picks, named as shared by them.

A DM answer carries a `conversations_select` (public and private channels). Its block id holds
the command text that reproduces the answer's numbers, pinned to its as-of date
(`handlers.registry.pinned_text`: `gap 3y IWM/SPY as-of 2024-03-26`), so a share made after a
newer close still shows the numbers the user was looking at. Choosing a channel recomputes that
report (from the cache, normally) and posts it there as one message with its chart, a line
"Shared by @ana from a direct message" in place of "Requested by", and the usual buttons. When
the bot cannot post there (not a member, archived, no such channel) the user is told how to
fix it, never left with silence. Only report answers can be shared.

This module builds the picker and the words; bot/listeners/share.py posts the share.
"""

from __future__ import annotations

from typing import Any

from analytics.formatting import clip
from bot.reports import Payload
from bot.slack.escape import escape
from bot.slack.slack_io import ChannelReply
from bot.slack.slack_update import ORIGIN_BLOCK_ID
from handlers.command import Block, Blocks
from handlers.csv_button import CSV_ACTION
from handlers.registry import pinned_text

SHARE_ACTION = "smallcaps_share"
SHARE_BLOCK = "smallcaps_share:"
"""The share picker's block id: this prefix, then the pinned command text when it fits in
Slack's 255 characters (else the CSV button's value, the same text, is read)."""
BLOCK_ID_MAX = 255
SHARE_PLACEHOLDER = "Share to channel…"
SLASH = "/smallcaps"


def share_block(p: Payload) -> Block:
    """The actions block with the channel picker for report payload `p`."""
    words = pinned_text(p)
    block_id = SHARE_BLOCK + words if len(SHARE_BLOCK + words) <= BLOCK_ID_MAX else SHARE_BLOCK
    return {"type": "actions", "block_id": block_id, "elements": [{
        "type": "conversations_select", "action_id": SHARE_ACTION,
        "placeholder": {"type": "plain_text", "text": SHARE_PLACEHOLDER},
        "filter": {"include": ["public", "private"], "exclude_bot_users": True},
    }]}


def with_share(reply: ChannelReply, p: Payload) -> ChannelReply:
    """`reply` with the share picker as its last block (within Slack's 50 blocks)."""
    blocks = [*reply.blocks[:49], share_block(p)]
    return ChannelReply(blocks=blocks, text=reply.text, chart=reply.chart,
                        chart_filename=reply.chart_filename, chart_title=reply.chart_title,
                        chart_alt_text=reply.chart_alt_text)


def has_share(blocks: Blocks) -> bool:
    """True when a message's blocks carry the share picker (a DM answer)."""
    return any(str(b.get("block_id", "")).startswith(SHARE_BLOCK) for b in blocks)


def shared_words(action: dict[str, Any], message: dict[str, Any]) -> str | None:
    """The pinned command text a share picker stands for: from its block id, else from the
    message's CSV button (a text too long for a block id); None when neither is there."""
    words = str(action.get("block_id", "")).removeprefix(SHARE_BLOCK)
    if words and str(action.get("block_id", "")).startswith(SHARE_BLOCK):
        return words
    for block in message.get("blocks") or []:
        for element in block.get("elements") or []:
            if element.get("action_id") == CSV_ACTION and element.get("value"):
                return str(element["value"])
    return None


def shared_origin(user_id: str, words: str) -> Block:
    """'Shared by @ana from a direct message · `/smallcaps gap 3y IWM/SPY as-of 2024-03-26`'
    (the command that gives these numbers, for anyone in the channel to run)."""
    typed = escape(f"{SLASH} {words}".replace("`", "'"))
    return {"type": "context", "block_id": ORIGIN_BLOCK_ID, "elements": [
        {"type": "mrkdwn", "text": clip(f"Shared by <@{user_id}> from a direct message · "
                                        f"`{clip(typed, 200)}`", 3000)}]}


def refused_text(error: str, channel_id: str, bot_user_id: str | None) -> str:
    """Why the answer could not be shared in `channel_id`, and how to fix it."""
    who = f"<@{bot_user_id}>" if bot_user_id else "@smallcaps"
    where = f"<#{channel_id}>"
    if error == "is_archived":
        return (f":warning: I can't share this in {where}: it is archived. Pick another "
                "channel, or unarchive it first.")
    if error in ("not_in_channel", "channel_not_found"):
        return (f":warning: I can't post in {where} because I'm not a member there. Run "
                f"`/invite {who}` in {where}, then pick it here again.")
    return (f":warning: Slack did not let me post in {where} (`{error}`). Pick another "
            "channel, or ask an admin to check the app's access to it.")
