"""A channel chosen in the *Share to channel* picker under a DM answer (handlers/share.py:
the picker and its words): acked and queued (job kind `share`, bot.listeners.jobs), then the
answer is recomputed from its pinned command and posted there as one message with its chart,
every outcome told to the user in the DM, never silence."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from analytics.periods import InsufficientHistoryError
from bot.data.sources import DataUnavailableError
from bot.listeners.home import user_channel_ids
from bot.runtime.deps import Deps
from bot.slack.post_check import PostUnclear
from bot.slack.slack_io import Respond, slack_error, tell_clicker
from bot.slack.slack_update import post_reply
from handlers.channel_defaults import request_context
from handlers.registry import parse
from handlers.replies import channel_reply
from handlers.share import refused_text, shared_origin, shared_words
from handlers.words import CommandError

logger = logging.getLogger(__name__)


def _ref_error(respond: Respond | None, what: str, text: str) -> None:
    ref = uuid.uuid4().hex[:8]
    logger.exception("%s (ref %s)", what, ref)
    tell_clicker(respond, f":warning: {text} (ref `{ref}`; it is logged).")


def may_share_in(client: WebClient, user_id: str, channel: str) -> bool:
    """True when `user_id` is in `channel` (users.conversations, as App Home checks): a share
    posts in the user's name, so only where they could have posted it themselves. False when
    Slack will not say (a missing scope): better no share than one nobody asked for."""
    channels = user_channel_ids(client, user_id)
    return channels is not None and channel in channels


def share_report(deps: Deps, body: dict[str, Any], client: WebClient, respond: Respond | None,
                 bot_user_id: str | None) -> str | None:
    """Post the DM answer behind the clicked picker in the chosen channel; returns
    post_reply's outcome, or None when nothing was posted (the user was told why)."""
    action = (body.get("actions") or [{}])[0]
    channel = action.get("selected_conversation")
    user_id = (body.get("user") or {}).get("id", "")
    if not channel:  # the picker was cleared
        return None
    if not may_share_in(client, user_id, channel):
        tell_clicker(respond,
                     f":no_entry: You can share only into channels you are in, and <#{channel}> "
                     "is not one of them (or Slack would not say). Pick one of yours.")
        return None
    words = shared_words(action, body.get("message") or {})
    try:
        parsed = parse(words or "", request_context(deps))  # pinned words: no defaults
    except CommandError:
        parsed = None
    if words is None or parsed is None:
        tell_clicker(respond,
                     ":warning: This answer is from an older version of smallcaps and can't "
                     "be shared. Ask again here for a fresh answer to share.")
        return None
    if parsed.command.rendering is None:
        tell_clicker(respond,
                     f":warning: Only report answers can be shared, not "
                     f"`{parsed.command.name}`.")
        return None
    try:
        report = deps.reports.run(parsed.request)
    except (DataUnavailableError, InsufficientHistoryError) as exc:
        tell_clicker(respond, f":warning: {exc} Nothing was shared.")
        return None
    except Exception:
        _ref_error(respond, f"sharing {words!r} failed", "Something went wrong on our side; "
                                                         "nothing was shared")
        return None
    reply = channel_reply(report, shared_origin(user_id, words))
    try:
        outcome = post_reply(client, respond or (lambda **_: None), channel, reply,
                             bot_user_id, elsewhere=True)
    except SlackApiError as exc:
        logger.info("sharing to %s refused (%s)", channel, slack_error(exc))
        if int(getattr(exc.response, "status_code", 200) or 200) >= 500:
            _ref_error(respond, f"sharing {words!r} to {channel}", "Slack did not answer; if "
                       f"the answer is not in <#{channel}>, pick it again in a minute")
        else:
            tell_clicker(respond, refused_text(slack_error(exc), channel, bot_user_id))
        return None
    except PostUnclear:
        _ref_error(respond, f"sharing {words!r} to {channel}", "Slack did not confirm the "
                   f"post; if the answer is not in <#{channel}>, pick it again in a minute")
        return None
    except Exception:
        _ref_error(respond, f"sharing {words!r} to {channel}", "I could not share it")
        return None
    tell_clicker(respond, f":white_check_mark: Shared in <#{channel}>.")
    return outcome


def on_share(ack: Ack, body: dict[str, Any], context: dict[str, Any], deps: Deps) -> None:
    """A channel chosen in a DM answer's *Share to channel* picker: queued (job kind
    `share`), then acked; the job posts the answer there."""
    deps.reply_queue.enqueue("share", {"body": body, "bot_user_id": context.get("bot_user_id")})
    ack()
