"""Was an uncertain alert post really made? Look for its metadata in the channel's history.

Every post of the alert run carries Slack message metadata naming what it is: `event_type`
smallcaps_alert (payload: the rule and its events), smallcaps_digest (the period) or
smallcaps_schedule (the schedule and the period); each kind is looked up by its own identity,
so a digest never passes for a scheduled report of the same day. When Slack's answer to a
post was lost (HTTP 5xx, timeout, the process died waiting), the post may or may not be in
the channel. `conversations.history` with `include_all_metadata` (scopes `channels:history`
for public channels, `groups:history` for private ones) tells: found -> the post counts as
sent; absent -> it is safe to post it (again). Without those scopes the answer is
`no_access` and the caller keeps the at-most-once choice (not resent); when the history is
only unavailable for now (Slack down, network), `unknown`: look again later.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any, Literal

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack.slack_io import slack_error

logger = logging.getLogger(__name__)

PAGE = 200
MAX_PAGES = 2
"""The newest 400 top-level messages are searched: the post in question was claimed minutes
ago (the clock of the process is not compared with Slack's timestamps)."""
NO_SCOPE = frozenset({"missing_scope", "not_allowed_token_type", "not_in_channel",
                      "channel_not_found", "access_denied"})
SCOPE_NOTE = ("the bot cannot read the channel's history to check (add the channels:history "
              "and groups:history scopes and reinstall)")

Found = Literal["found", "absent", "unknown", "no_access"]


def post_metadata(records: list[dict[str, Any]]) -> dict[str, Any]:
    """The Slack message metadata naming the post of `records`: one rule's events (alert),
    a digest's period, or a scheduled report's schedule and period."""
    record = records[0]
    if record.get("rule_id"):
        events = ",".join(f"{r['day']}:{r['kind']}" for r in records)
        return {"event_type": "smallcaps_alert",
                "event_payload": {"rule_id": record["rule_id"], "events": events}}
    if record.get("type") == "schedule":
        return {"event_type": "smallcaps_schedule", "event_payload": {
            "schedule_id": record["schedule_id"], "period": record["period"]}}
    return {"event_type": "smallcaps_digest", "event_payload": {"period": record["period"]}}


def post_matcher(record: dict[str, Any]) -> Callable[[dict[str, Any]], bool]:
    """Does a message's metadata belong to the post of this outbox record? Alert posts may
    carry several events of one rule (`events`: 'DAY:KIND,...'); digests name their period;
    scheduled reports their schedule and period."""
    def matches(metadata: dict[str, Any]) -> bool:
        payload = metadata.get("event_payload") or {}
        kind = metadata.get("event_type")
        if record.get("rule_id"):
            return (kind == "smallcaps_alert" and payload.get("rule_id") == record["rule_id"]
                    and f"{record.get('day')}:{record.get('kind')}"
                    in str(payload.get("events", "")).split(","))
        if record.get("type") == "schedule":
            return (kind == "smallcaps_schedule"
                    and payload.get("schedule_id") == record.get("schedule_id")
                    and payload.get("period") == record.get("period"))
        return kind == "smallcaps_digest" and payload.get("period") == record.get("period")

    return matches


def find_post(client: WebClient, channel: str, matches: Callable[[dict[str, Any]], bool],
              since: datetime | None) -> tuple[Found, str]:
    """('found', ts) if a message whose metadata `matches` is among the channel's newest
    messages; ('absent', '') if not; ('no_access', reason) when the bot may not read the
    history (scopes, membership); ('unknown', reason) when it cannot just now (Slack errors,
    network). `since` (when the post was claimed) is only logged."""
    cursor = None
    try:
        for _ in range(MAX_PAGES):
            page = client.conversations_history(channel=channel, limit=PAGE,
                                                include_all_metadata=True, cursor=cursor)
            for message in page.get("messages") or []:
                if matches(message.get("metadata") or {}):
                    return "found", str(message.get("ts", ""))
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                break
        logger.info("post in %s claimed at %s not in the channel's history", channel, since)
        return "absent", ""
    except SlackApiError as exc:
        code = slack_error(exc)
        logger.warning("conversations.history in %s refused: %s", channel, code)
        if code in NO_SCOPE:
            return "no_access", SCOPE_NOTE
        return "unknown", f"history unavailable ({code})"
    except OSError as exc:
        return "unknown", f"history unavailable ({type(exc).__name__})"
