"""Signed Slack requests and a wired app for tests (real Bolt, fake Web API)."""

from __future__ import annotations

import itertools
import json
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from pydantic import SecretStr
from slack_bolt import App, BoltRequest, BoltResponse
from slack_sdk.signature import SignatureVerifier

from bot.app import create_app
from bot.bootstrap import build_deps
from bot.data.sources import CsvSource
from bot.runtime.cache import Cache
from bot.runtime.config import Settings
from bot.runtime.deps import Deps
from tests.block_kit import block_errors
from tests.fake_slack import FakeSlack

SIGNING_SECRET = "test-signing-secret"
FIXED_NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
_TRIGGERS = itertools.count(1)


def slack_settings(fake: FakeSlack, data_dir: Path | None = None, **overrides: Any) -> Settings:
    """Settings for the real app against `fake`; `overrides` set other settings by field."""
    return Settings(slack_bot_token=SecretStr("xoxb-test-token"),
                    slack_signing_secret=SecretStr(SIGNING_SECRET),
                    slack_api_url=fake.base_url, smallcaps_data_dir=data_dir, **overrides)


REPLY_DRAIN_S = 20.0
"""How long a test's end waits for the replies its app is still posting."""


def wired_app(fake: FakeSlack, cache: Cache, data_dir: Path,
              clock: Callable[[], datetime] = lambda: FIXED_NOW, **settings: Any
              ) -> tuple[App, Deps]:
    """The real app, with a CSV source, the given cache and the fake Slack; `settings` set
    other settings by field (bot.bootstrap builds every store from them, once)."""
    deps = build_deps(slack_settings(fake, data_dir, **settings), source=CsvSource(data_dir),
                      cache=cache, clock=clock)
    fake.before_stop(lambda: deps.replies.drain(REPLY_DRAIN_S))
    return create_app(deps), deps


def signed_headers(body: str, secret: str = SIGNING_SECRET,
                   timestamp: int | None = None) -> dict[str, list[str]]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    return {"content-type": ["application/x-www-form-urlencoded"],
            "x-slack-request-timestamp": [ts], "x-slack-signature": [signature]}


def slash_body(text: str, fake: FakeSlack, channel: str = "C1", user: str = "U1",
               name: str = "r1", trigger_id: str | None = None) -> str:
    """A `/smallcaps text` form body; like Slack, each invocation has its own trigger_id
    (so two commands are two requests, never a replay of one)."""
    trigger_id = trigger_id or f"{next(_TRIGGERS)}.{uuid.uuid4().int % 10**12}.{uuid.uuid4().hex}"
    return urlencode({
        "token": "legacy", "team_id": "T1", "team_domain": "acme", "channel_id": channel,
        "channel_name": "markets", "user_id": user, "user_name": "ana",
        "command": "/smallcaps", "text": text, "api_app_id": "A1",
        "response_url": fake.response_url(name), "trigger_id": trigger_id,
    })


def checked_ack(response: BoltResponse) -> BoltResponse:
    """`response`, after checking the blocks of an ack that carries a reply (help, errors)
    with slack_sdk's models, as the fake Slack checks everything posted."""
    if response.body.startswith("{"):
        blocks = json.loads(response.body).get("blocks")
        assert blocks is None or not block_errors(blocks), block_errors(blocks)
    return response


def dispatch_slash(app: App, fake: FakeSlack, text: str, **kw: str) -> BoltResponse:
    body = slash_body(text, fake, **kw)
    return checked_ack(app.dispatch(BoltRequest(body=body, headers=signed_headers(body))))
