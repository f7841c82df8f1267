"""Direct messages to the bot (its *Messages* tab): a person's message is acked and queued
like a mention (job kind `dm`, bot.listeners.jobs), then answered in the DM.

Which messages are questions and the DM's wording: handlers/direct.py. The *Share to channel*
picker under the answers: bot/listeners/share.py.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient

from bot.listeners.mentions import answer_words
from bot.runtime.deps import Deps
from handlers.direct import DM_INVOKED_AS, dm_error_text, is_question, request_id

logger = logging.getLogger(__name__)


def answer_dm(deps: Deps, event: dict[str, Any], client: WebClient,
              bot_user_id: str | None) -> None:
    """Parse the DM's words and answer in the DM (its thread when it is in one): notes and
    errors as messages there, reports with their chart and a Share to channel picker."""
    channel = event.get("channel")
    if not channel or not event.get("ts"):  # is_question checked both; nowhere to answer
        logger.info("Ignored a direct message without channel or ts")
        return
    answer_words(deps, event, client, bot_user_id, notes_thread=event.get("thread_ts"),
                 error_text=dm_error_text, invoked_as=DM_INVOKED_AS, shareable=True)


def on_direct_message(event: dict[str, Any], context: dict[str, Any], deps: Deps) -> None:
    """A `message` event (subscription `message.im`, scope `im:history`): a person's message
    in the bot's DM is queued as a reply job (kind `dm`), answered once even when Slack
    delivers it again (its request id is its channel and ts); anything else is ignored."""
    if not is_question(event, context.get("bot_user_id")):
        logger.debug("Ignored a message event (%s, subtype %s)", event.get("channel_type"),
                     event.get("subtype"))
        return
    deps.reply_queue.enqueue("dm", {"event": event, "bot_user_id": context.get("bot_user_id")},
                             request_id=request_id(event))
