"""Slack's documented payloads, signed and sent over HTTP to a real `serve` (issue #21 item 1
and the nested-JSON part of item 10): every shape is accepted and answered; malformed bodies
get 400, never 500."""

from __future__ import annotations

import json

import pytest

from tests.fake_slack import FakeSlack
from tests.field.harness import Processes, payload, signed_post

SWITCH_VALUE = json.dumps(json.dumps({"c": "gap", "e": "202403261620", "k": "etf", "p": "5y",
                                      "a": "2024-03-26"}, separators=(",", ":")))


@pytest.fixture
def web(procs: Processes, field_port: int) -> int:
    procs.serve(field_port, SMALLCAPS_WEB_WORKERS="1")
    return field_port


def test_every_documented_payload_shape_is_acked_and_answered(web: int, fake: FakeSlack):
    sent = {
        "slash_command.txt": payload("slash_command.txt", text="help",
                                     response_url=fake.response_url("help")),
        "block_actions_message.json": payload(
            "block_actions_message.json", action_id="smallcaps_switch:period:5y", label="5y",
            value=SWITCH_VALUE, response_url=fake.response_url("click")),
        "block_actions_view.json": payload("block_actions_view.json",
                                           action_id="smallcaps_home_refresh", label="Refresh"),
        "app_mention.json": payload("app_mention.json", text="gap 1y as-of 2024-03-01"),
        "message_im.json": payload("message_im.json", channel="D0001",
                                   text="gap 1y as-of 2024-03-01"),
        "block_actions_conversations_select.json": payload(
            "block_actions_conversations_select.json", channel="D0001", selected="C2",
            action_id="smallcaps_share", block_id="smallcaps_share:gap 1y as-of 2024-03-01",
            message=json.dumps({"type": "message", "ts": "1700000000.000100", "bot_id": "BBOT",
                                "user": "UBOT", "text": "IWM vs SPY", "blocks": []}),
            response_url=fake.response_url("share")),
    }
    statuses = {name: signed_post(web, *body)[0] for name, body in sent.items()}
    assert statuses == dict.fromkeys(sent, 200)
    fake.wait_for("chat.update", 1, timeout=60)  # the switched report, in place
    fake.wait_for("views.publish", 1, timeout=60)  # Home's Refresh
    posts = fake.wait_for("chat.postMessage", 3, timeout=60)  # the mention's, the DM's and
    assert {"C1", "D0001", "C2"} <= {c.params["channel"] for c in posts}  # the shared answer


def test_app_home_opened_publishes_the_home_tab(web: int, fake: FakeSlack):
    assert signed_post(web, *payload("app_home_opened.json"))[0] == 200
    fake.wait_for("views.publish", 1, timeout=60)


@pytest.mark.parametrize("body,content_type", [
    (b'{"type": "event_callback", "event": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
     "application/json"),
    (b"payload=" + b"%5B" * 50_000 + b"%5D" * 50_000, "application/x-www-form-urlencoded"),
    (b'{"type": "event_callback", "event": {"type": "app_mention", "text": 5}}',
     "application/json"),
])
def test_malformed_bodies_get_400_never_500(web: int, body: bytes, content_type: str):
    assert signed_post(web, body, content_type)[0] == 400


def test_an_unsigned_deeply_nested_body_gets_401_not_500(web: int):
    body = b"[" * 100_000 + b"]" * 100_000
    assert signed_post(web, body, "application/json", secret="not-the-secret")[0] == 401
