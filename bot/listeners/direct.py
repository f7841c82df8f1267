"""Listeners for the bot's direct messages: a DM is acked and queued like a mention, and the
*Share to channel* picker under a DM answer is acked and shared in the reply pool.

What they answer with: handlers/direct.py (the DM's answer), handlers/share.py and
handlers/share_answer.py (the share).
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.runtime.deps import Deps
from bot.slack.slack_io import Respond
from handlers import direct
from handlers.share_answer import share_report

logger = logging.getLogger(__name__)


def on_direct_message(event: dict[str, Any], context: dict[str, Any], deps: Deps) -> None:
    """A `message` event (subscription `message.im`, scope `im:history`): a person's message
    in the bot's DM is queued as a reply job (kind 'dm'), answered once even when Slack
    delivers it again (its request id is its channel and ts); anything else is ignored."""
    if not direct.is_question(event, context.get("bot_user_id")):
        logger.debug("Ignored a message event (%s, subtype %s)", event.get("channel_type"),
                     event.get("subtype"))
        return
    deps.reply_queue.enqueue("dm", {"event": event, "bot_user_id": context.get("bot_user_id")},
                             request_id=direct.request_id(event))


def on_share(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond,
             context: dict[str, Any], deps: Deps) -> None:
    """A channel chosen in a DM answer's *Share to channel* picker: ack, then post it there."""
    ack()
    deps.replies.submit(share_report, deps, body, client, respond, context.get("bot_user_id"))
