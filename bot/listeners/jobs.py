"""The one executor's jobs: everything a listener acked and handed on (bot.runtime.jobs).

Every piece of post-ack work goes through `deps.reply_queue.enqueue(kind, payload)`: on the
Redis job queue when there is one (a `smallcaps worker` process or serve's worker threads run
it), else in this process's reply pool. The kinds:

- `slash`: payload `command` (the slash command's fields), answered like `/smallcaps`;
- `mention`: payload `event` (an app_mention), answered under the mention;
- `switch`: payload `body` (a block_actions click on a period/pair button), the message
  updated in place;
- `csv`: payload `body` (a click on the CSV button), the file posted in the thread;
- `home`: payload `user_id`, the App Home dashboard published for that user;
- `dm`: payload `event` (a person's message in the bot's direct messages), answered in the
  DM like a mention (bot.listeners.direct);
- `share`: payload `body` (a channel chosen in a DM answer's *Share to channel* picker), the
  answer posted in that channel (bot.listeners.share).

Each job's Slack calls go through a client and a response_url sender whose every post is
recorded once per request (bot.runtime.jobs.OnceSteps), so a job run again after a crash
never posts twice.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt.context.respond import Respond

from bot.listeners import actions, csv, direct, home, mentions, share, slash
from bot.runtime.deps import Deps, worker_deps
from bot.runtime.jobs import DeliveryRecord, OnceSteps
from bot.runtime.metrics import REPLY_SECONDS
from bot.slack.once_client import OnceClient
from bot.slack.slack_io import reply_client_options
from handlers.channel_defaults import request_context
from handlers.registry import parse
from handlers.replies import answer
from handlers.words import CommandError

logger = logging.getLogger(__name__)

MAYBE_MISSING = (":hourglass: Answering `{text}` was interrupted while it was being posted, "
                 "so it may not have arrived. If you see no answer, please ask again.")


@dataclass(frozen=True)
class Job:
    """What a job runs with: its payload, a once-only Slack client and response_url sender
    (None when the request brought no response_url, e.g. App Home)."""

    deps: Deps
    payload: dict[str, Any]
    client: OnceClient
    respond: Callable[..., Any] | None

    @property
    def bot_user_id(self) -> str | None:
        return self.payload.get("bot_user_id")


def run_queued(kind: str, payload: dict[str, Any]) -> None:
    """The function RQ workers call by name (bot.runtime.jobs.JOB_FUNCTION)."""
    run_reply(worker_deps.get(), kind, payload)


def _asked(payload: dict[str, Any]) -> dict[str, Any]:
    """The Slack request a job answers: the slash command's fields or the click's body."""
    return payload.get("command") or payload.get("body") or {}


def _what(kind: str, asked: dict[str, Any]) -> str:
    """How the interrupted-answer note names what was asked."""
    if kind == "slash":
        return f"/smallcaps {asked.get('text', '')}".strip()
    action = (asked.get("actions") or [{}])[0]
    if action.get("type") == "conversations_select":  # the Share to channel picker
        return "Share to channel"
    label = (action.get("text") or {}).get("text") or "the button"
    return f"{label}"


def run_reply(deps: Deps, kind: str, payload: dict[str, Any]) -> None:
    """Run one acked job of `kind` (module docstring); `request_id` keys its delivery record,
    `bot_user_id` is the bot's user id for hints. An unknown kind is logged and dropped (a
    job queued by a newer release)."""
    runner = RUNNERS.get(kind)
    if runner is None:
        logger.error("reply job %s has an unknown kind %r", payload.get("request_id"), kind)
        return
    record = DeliveryRecord(deps.cache, payload["request_id"])
    asked = _asked(payload)
    response_url = asked.get("response_url")
    raw_respond = Respond(response_url=response_url) if response_url else None

    def warn_maybe_missing() -> None:
        if raw_respond is not None:
            raw_respond(response_type="ephemeral", replace_original=False,
                        text=MAYBE_MISSING.format(text=_what(kind, asked)))

    enqueued_at = float(payload.get("enqueued_at") or time.time())

    def since_enqueued(step: str) -> None:
        REPLY_SECONDS.labels(kind, step).observe(max(0.0, time.time() - enqueued_at))

    steps = OnceSteps(record, warn_maybe_missing, lambda: since_enqueued("first_post"))

    def respond(**reply: Any) -> Any:
        return steps.run("response_url", lambda: raw_respond(**reply))  # type: ignore[misc]

    client = OnceClient(steps, **reply_client_options(deps.settings))
    try:
        runner(Job(deps, payload, client, respond if raw_respond is not None else None))
    finally:
        since_enqueued("done")


def _slash(job: Job) -> None:
    command = job.payload.get("command") or {}
    if job.respond is None:
        logger.error("slash reply job %s has no response_url", job.payload["request_id"])
        return
    try:
        # The same words and channel defaults as the listener that acked it parsed.
        parsed = parse(command.get("text", ""),
                       request_context(job.deps, command.get("channel_id")))
    except CommandError:  # the listener answered it; a job is never queued for one
        logger.exception("unparseable command in reply job %s", job.payload["request_id"])
        return
    answer(slash.conversation(job.deps, command, job.client, job.respond, job.bot_user_id),
           parsed)


def _mention(job: Job) -> None:
    mentions.answer_mention(job.deps, job.payload["event"], job.client, job.bot_user_id)


def _switch(job: Job) -> None:
    actions.switch_report(job.deps, job.payload["body"], job.client, job.respond,
                          job.bot_user_id)


def _csv(job: Job) -> None:
    csv.post_csv(job.deps, job.payload["body"], job.client, job.respond)


def _home(job: Job) -> None:
    home.publish_home(job.deps, job.client, job.payload["user_id"])


def _dm(job: Job) -> None:
    direct.answer_dm(job.deps, job.payload["event"], job.client, job.bot_user_id)


def _share(job: Job) -> None:
    share.share_report(job.deps, job.payload["body"], job.client, job.respond,
                       job.bot_user_id)


RUNNERS: dict[str, Callable[[Job], None]] = {
    "slash": _slash, "mention": _mention, "switch": _switch, "csv": _csv, "home": _home,
    "dm": _dm, "share": _share,
}
"""Every job kind and what runs it (module docstring)."""
