"""Slack's redeliveries and replayed requests are answered once (real Bolt, real Redis).

Each test drains Bolt's listener threads and the reply pool before counting, so "posted
once" is exact, not a matter of waiting long enough.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any
from urllib.parse import parse_qsl

import pytest
from pydantic import SecretStr
from slack_bolt import App, BoltRequest
from slack_bolt.adapter.socket_mode.internals import run_bolt_app
from slack_sdk.socket_mode.request import SocketModeRequest

from bot.app import create_app
from bot.bootstrap import build_deps
from bot.data.sources import CsvSource
from bot.runtime.cache import Cache
from bot.runtime.deps import Deps
from tests.fake_slack import FakeSlack
from tests.slack_helpers import FIXED_NOW, signed_headers, slack_settings, slash_body


@pytest.fixture
def fake():
    with FakeSlack() as server:
        yield server


def _wired(fake: FakeSlack, cache: Cache, data_dir, *, socket_mode: bool = False
           ) -> tuple[App, Deps]:
    settings = slack_settings(fake, data_dir)
    if socket_mode:  # Socket Mode: an app-level token and no signing secret
        settings = settings.model_copy(update={"slack_app_token": SecretStr("xapp-test"),
                                               "slack_signing_secret": None})
    deps = build_deps(settings, source=CsvSource(data_dir), cache=cache, clock=lambda: FIXED_NOW)
    return create_app(deps), deps


def _drain(*pairs: tuple[App, Deps]) -> None:
    """Wait until every listener and every reply job has finished."""
    for app, deps in pairs:
        app.listener_runner.listener_executor.shutdown(wait=True)
        deps.replies.shutdown(wait=True)


def _mention_body(event_id: str, text: str = "<@UBOT> gap 1y as-of 2024-03-26") -> str:
    return json.dumps({
        "token": "legacy", "team_id": "T1", "api_app_id": "A1", "type": "event_callback",
        "event_id": event_id, "event_time": 1700000500,
        "authorizations": [{"team_id": "T1", "user_id": "UBOT", "is_bot": True}],
        "event": {"type": "app_mention", "user": "U1", "text": text, "ts": "1700000500.000100",
                  "channel": "C1", "event_ts": "1700000500.000100"},
    })


def _http(body: str, *, timestamp: int | None = None, retry: int | None = None,
          content_type: str = "application/json") -> BoltRequest:
    headers: dict[str, Any] = signed_headers(body, timestamp=timestamp)
    headers["content-type"] = [content_type]
    if retry is not None:
        headers["x-slack-retry-num"] = [str(retry)]
        headers["x-slack-retry-reason"] = ["http_timeout"]
    return BoltRequest(body=body, headers=headers)


def test_a_redelivered_mention_is_acked_but_answered_once(fake, cache, market_data_dir):
    app, deps = _wired(fake, cache, market_data_dir)
    body, now = _mention_body("Ev0001REDELIVER"), int(time.time())
    first = app.dispatch(_http(body, timestamp=now))
    # Slack's retries are new HTTP requests (new timestamp, new signature), same event_id
    retries = [app.dispatch(_http(body, timestamp=now + n, retry=n)) for n in (1, 2, 3)]
    _drain((app, deps))
    assert [r.status for r in (first, *retries)] == [200] * 4
    assert len(fake.calls("chat.postMessage")) == 1
    assert len(fake.calls("files.completeUploadExternal")) == 1


def test_two_replicas_sharing_redis_answer_a_redelivery_once(fake, cache, market_data_dir):
    one, two = _wired(fake, cache, market_data_dir), _wired(fake, cache, market_data_dir)
    body = _mention_body("Ev0002REPLICAS")
    assert one[0].dispatch(_http(body)).status == 200
    assert two[0].dispatch(_http(body, retry=1)).status == 200
    _drain(one, two)
    assert len(fake.calls("chat.postMessage")) == 1


def test_a_replayed_signed_slash_request_posts_once(fake, cache, market_data_dir):
    app, deps = _wired(fake, cache, market_data_dir)
    body = slash_body("gap 1y as-of 2024-03-26", fake)
    request = _http(body, content_type="application/x-www-form-urlencoded")
    responses = [app.dispatch(BoltRequest(body=body, headers=request.headers))
                 for _ in range(3)]
    _drain((app, deps))
    assert [r.status for r in responses] == [200] * 3
    assert len(fake.calls("chat.postMessage")) == 1


def test_two_different_identical_looking_commands_both_run(fake, cache, market_data_dir):
    """Two people (or one, twice) typing the same command are two invocations."""
    app, deps = _wired(fake, cache, market_data_dir)
    for _ in range(2):
        body = slash_body("gap 1y as-of 2024-03-26", fake)
        app.dispatch(_http(body, content_type="application/x-www-form-urlencoded"))
    _drain((app, deps))
    assert len(fake.calls("chat.postMessage")) == 2


def test_socket_mode_redeliveries_are_answered_once(fake, cache, market_data_dir):
    """Socket Mode envelopes through Bolt's own adapter (run_bolt_app): a redelivered event
    carries retry_attempt (Bolt maps it to x-slack-retry-num) and a new envelope id; there
    is no signature, so events use event_id and slash commands their trigger_id."""
    app, deps = _wired(fake, cache, market_data_dir, socket_mode=True)
    event = json.loads(_mention_body("Ev0003SOCKET"))
    command = dict(parse_qsl(
        slash_body("gap 1y etf as-of 2024-03-26", fake, trigger_id="13345224609.738474920.8")))
    for attempt, envelope in enumerate(("e-1", "e-2", "e-3")):
        retry = attempt or None
        for kind, payload in (("events_api", event), ("slash_commands", command)):
            request = SocketModeRequest(type=kind, envelope_id=f"{envelope}-{kind}",
                                        payload=dict(payload), retry_attempt=retry,
                                        retry_reason="timeout" if retry else None)
            assert run_bolt_app(app, request).status == 200
    _drain((app, deps))
    posts = fake.calls("chat.postMessage")
    assert len(posts) == 2  # one for the mention, one for the command
    assert {p.params["channel"] for p in posts} == {"C1"}


def test_with_redis_down_the_request_is_still_answered_and_logged(fake, dead_redis,
                                                                   market_data_dir, caplog):
    app, deps = _wired(fake, Cache(dead_redis), market_data_dir)
    with caplog.at_level(logging.WARNING, logger="bot.slack.redelivery"):
        response = app.dispatch(_http(_mention_body("Ev0004NOREDIS")))
        _drain((app, deps))
    assert response.status == 200
    assert len(fake.calls("chat.postMessage")) == 1  # answered: better than silence
    assert any("Ev0004NOREDIS" in r.getMessage() for r in caplog.records)
