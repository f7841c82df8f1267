"""Reply jobs: what a worker does with an acked command or mention (bot.runtime.jobs queues them).

The listener acked and enqueued `(kind, payload)`; here the words are parsed again (pure and
cheap), the report is computed and the reply posted, through a Slack client and a
response_url sender whose every post is recorded once per request (bot.runtime.jobs.OnceSteps).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from slack_bolt.context.respond import Respond

from bot.runtime.deps import Deps, worker_deps
from bot.runtime.jobs import DeliveryRecord, OnceSteps
from bot.runtime.metrics import REPLY_SECONDS
from bot.slack.once_client import OnceClient
from bot.slack.slack_io import reply_client_options
from handlers import direct, mentions, slash
from handlers.channel_defaults import channel_defaults
from handlers.registry import parse
from handlers.replies import answer
from handlers.words import CommandError

logger = logging.getLogger(__name__)

MAYBE_MISSING = (":hourglass: Answering `{text}` was interrupted while it was being posted, "
                 "so it may not have arrived. If you see no answer, please ask again.")


def run_queued(kind: str, payload: dict[str, Any]) -> None:
    """The function RQ workers call by name (bot.runtime.jobs.JOB_FUNCTION)."""
    run_reply(worker_deps.get(), kind, payload)


def run_reply(deps: Deps, kind: str, payload: dict[str, Any]) -> None:
    """Answer one acked request: `kind` 'slash' (payload `command`: the slash command's
    fields), 'mention' (payload `event`: the app_mention event) or 'dm' (payload `event`:
    a `message` event in the bot's direct messages); `request_id` keys its
    delivery record, `bot_user_id` is the bot's user id for hints."""
    record = DeliveryRecord(deps.cache, payload["request_id"])
    command = payload.get("command") or {}
    response_url = command.get("response_url")
    raw_respond = Respond(response_url=response_url) if response_url else None

    def warn_maybe_missing() -> None:
        if raw_respond is not None:
            raw_respond(response_type="ephemeral", replace_original=False,
                        text=MAYBE_MISSING.format(text=f"/smallcaps {command.get('text', '')}"))

    enqueued_at = float(payload.get("enqueued_at") or time.time())

    def since_enqueued(step: str) -> None:
        REPLY_SECONDS.labels(kind, step).observe(max(0.0, time.time() - enqueued_at))

    steps = OnceSteps(record, warn_maybe_missing, lambda: since_enqueued("first_post"))
    try:
        _answer(deps, kind, payload, command, raw_respond, steps)
    finally:
        since_enqueued("done")


def _answer(deps: Deps, kind: str, payload: dict[str, Any], command: dict[str, Any],
            raw_respond: Respond | None, steps: OnceSteps) -> None:
    client = OnceClient(steps, **reply_client_options(deps.settings))
    bot_user_id = payload.get("bot_user_id")
    if kind == "mention":
        mentions.answer_mention(deps, payload["event"], client, bot_user_id)
        return
    if kind == "dm":
        direct.answer_dm(deps, payload["event"], client, bot_user_id)
        return
    if raw_respond is None:
        logger.error("slash reply job %s has no response_url", payload["request_id"])
        return

    def respond(**reply: Any) -> Any:
        return steps.run("response_url", lambda: raw_respond(**reply))

    try:
        # The same words and channel defaults as the listener that acked it parsed.
        parsed = parse(command.get("text", ""), channel_defaults(deps, command.get("channel_id")))
    except CommandError:  # the listener answered it; a job is never queued for one
        logger.exception("unparseable command in reply job %s", payload["request_id"])
        return
    answer(slash.conversation(deps, command, client, respond, bot_user_id), parsed)
