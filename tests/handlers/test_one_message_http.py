"""One answer, one message, over HTTP as `smallcaps serve` runs it (waitress, the guard, the
real Bolt app): the slash command and a switch click with Slack's real payload shapes."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest

import bot.slack.slack_update
from tests.block_kit import all_text
from tests.handlers.test_http_requests import fake_module, post, server_url, signed
from tests.slack_helpers import slash_body
from tests.slack_native_helpers import buttons_of, message_click

__all__ = ["fake_module", "server_url"]  # the module-scoped server these tests share


@pytest.fixture(autouse=True)
def _fresh(fake_module, monkeypatch):
    monkeypatch.setattr(bot.slack.slack_update, "IMAGE_RETRY_DELAYS_S", (0.01, 0.01, 0.01))
    fake_module.reset()


def _top_level_posts(fake) -> list:
    return [c for c in fake.calls("chat.postMessage") if not c.params.get("thread_ts")]


def _answered(server_url, fake, text: str) -> dict:
    body = slash_body(text, fake)
    assert post(server_url, body.encode(), signed(body)) == (200, b"")
    [update] = fake.wait_for("chat.update", timeout=30)
    return {"type": "message", "ts": update.params["ts"], "user": "UBOT",
            "text": update.params["text"], "blocks": update.params["blocks"]}


def test_a_slash_command_over_http_is_one_message_with_its_chart(server_url, fake_module):
    message = _answered(server_url, fake_module, "gap 3y")
    assert len(_top_level_posts(fake_module)) == 1
    assert any(b["type"] == "image" for b in message["blocks"])
    assert [c.params.get("channel_id") for c in
            fake_module.calls("files.completeUploadExternal")] == [None]


def test_a_switch_click_over_http_replaces_text_and_chart(server_url, fake_module):
    message = _answered(server_url, fake_module, "gap 3y")
    payload = message_click(buttons_of(message["blocks"])["5y"], message, fake_module)
    assert isinstance(payload["actions"][0]["text"], dict)  # Slack's real shape
    body = urlencode({"payload": json.dumps(payload)})
    status, _ = post(server_url, body.encode(), signed(body))
    assert status == 200  # the HTTP guard accepts a button's plain_text `text` (issue 21)
    updates = fake_module.wait_for("chat.update", count=2, timeout=30)
    blocks = updates[-1].params["blocks"]
    assert "5 years" in all_text(blocks) and any(b["type"] == "image" for b in blocks)
    assert len(_top_level_posts(fake_module)) == 1
