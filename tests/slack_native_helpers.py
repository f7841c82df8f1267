"""Signed events and interaction payloads for tests, and a FakeSlack that knows which
channels each user is in (users.conversations)."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlencode

from slack_bolt import App, BoltRequest, BoltResponse

from handlers.buttons import ACTION_PREFIX
from tests.fake_slack import FakeSlack
from tests.slack_helpers import checked_ack, signed_headers


class ChannelsFakeSlack(FakeSlack):
    """FakeSlack, whose users.conversations answers from `user_channels` (user id -> channel
    ids); kept as a name for the tests that set channels up."""


def dispatch_event(app: App, event: dict[str, Any]) -> BoltResponse:
    """An Events API `event_callback` (JSON body), signed."""
    body = json.dumps({
        "token": "legacy", "team_id": "T1", "api_app_id": "A1", "type": "event_callback",
        "event_id": f"Ev{time.monotonic_ns()}", "event_time": int(time.time()),
        "authorizations": [{"team_id": "T1", "user_id": "UBOT", "is_bot": True}],
        "event": event,
    })
    headers = signed_headers(body)
    headers["content-type"] = ["application/json"]
    return checked_ack(app.dispatch(BoltRequest(body=body, headers=headers)))


def dispatch_block_action(app: App, payload: dict[str, Any]) -> BoltResponse:
    """An interaction (form-encoded `payload=` JSON), signed."""
    body = urlencode({"payload": json.dumps(payload)})
    return checked_ack(app.dispatch(BoltRequest(body=body, headers=signed_headers(body))))


def message_click(button: dict[str, Any], message: dict[str, Any], fake: FakeSlack,
                  user: str = "U2", channel: str = "C1", name: str = "click") -> dict[str, Any]:
    """The block_actions payload Slack sends when `user` clicks `button` on `message`."""
    return {
        "type": "block_actions", "api_app_id": "A1", "token": "legacy", "trigger_id": "1.2.3",
        "team": {"id": "T1", "domain": "acme"},
        "user": {"id": user, "username": "ana", "name": "ana", "team_id": "T1"},
        "container": {"type": "message", "message_ts": message["ts"], "channel_id": channel,
                      "is_ephemeral": False},
        "channel": {"id": channel, "name": "markets"},
        "message": message,
        "response_url": fake.response_url(name),
        "actions": [{"type": "button", "action_id": button["action_id"], "block_id": "b1",
                     "text": button["text"], "value": button["value"],
                     "action_ts": f"{time.time():.6f}"}],
    }


def home_click(action_id: str, user: str = "U2") -> dict[str, Any]:
    """The block_actions payload for a button in the user's Home tab (no response_url)."""
    return {
        "type": "block_actions", "api_app_id": "A1", "token": "legacy", "trigger_id": "1.2.3",
        "team": {"id": "T1", "domain": "acme"},
        "user": {"id": user, "username": "ana", "name": "ana", "team_id": "T1"},
        "container": {"type": "view", "view_id": "V1"},
        "view": {"id": "V1", "type": "home", "blocks": []},
        "actions": [{"type": "button", "action_id": action_id, "block_id": "b1",
                     "text": {"type": "plain_text", "text": "Refresh"}, "value": "refresh",
                     "action_ts": f"{time.time():.6f}"}],
    }


def buttons_of(blocks: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The switch buttons of a message by label ('1y', '5y', 'ETF', ...): their action_id
    starts with handlers.buttons.ACTION_PREFIX; the CSV, link and "Alert me on this" buttons
    beside them are not."""
    return {e["text"]["text"]: e for b in blocks if b["type"] == "actions"
            for e in b["elements"] if e["type"] == "button"
            and str(e.get("action_id", "")).startswith(f"{ACTION_PREFIX}:")}
