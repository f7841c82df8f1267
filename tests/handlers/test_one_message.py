"""One answer, one message: the text is posted, then its chart is added to that same message
(an unshared upload shown by an image block), for every report command in the registry."""

from __future__ import annotations

import pytest

import bot.slack.slack_update
from handlers.registry import COMMANDS
from handlers.replies import origin_block
from tests.block_kit import all_text
from tests.slack_helpers import dispatch_slash
from tests.slack_native_helpers import buttons_of, dispatch_block_action, message_click

REPORT_COMMANDS = [c for c in COMMANDS if c.rendering is not None]


@pytest.fixture(autouse=True)
def _quick_image_retries(monkeypatch):
    monkeypatch.setattr(bot.slack.slack_update, "IMAGE_RETRY_DELAYS_S", (0.01, 0.01, 0.01))


def _top_level_posts(fake) -> list:
    return [c for c in fake.calls("chat.postMessage") if not c.params.get("thread_ts")]


def _channel_shares(fake) -> list:
    return [c for c in fake.calls("files.completeUploadExternal") if c.params.get("channel_id")]


@pytest.mark.parametrize("command", REPORT_COMMANDS, ids=[c.name for c in REPORT_COMMANDS])
def test_every_report_is_one_channel_message_with_its_chart_inside(app, fake, command):
    dispatch_slash(app, fake, command.example)
    [post] = fake.wait_for("chat.postMessage", timeout=60)
    [update] = fake.wait_for("chat.update", timeout=60)
    assert len(_top_level_posts(fake)) == 1 and _channel_shares(fake) == []
    assert (update.params["channel"], update.params["ts"]) == ("C1", "1700000000.000100")
    [upload] = fake.calls("files.completeUploadExternal")
    [image] = [b for b in update.params["blocks"] if b["type"] == "image"]
    assert image["slack_file"] == {"id": upload.params["files"][0]["id"]}
    assert f"Requested by <@U1> · `/smallcaps {command.example}`" in all_text(
        update.params["blocks"])


def test_the_requester_line_shows_typed_text_literally():
    [element] = origin_block("U9", "/smallcaps", "board IWM/SPY=<!here> & <@U1> `x`")["elements"]
    assert element["text"] == ("Requested by <@U9> · `/smallcaps board IWM/SPY=&lt;!here&gt; "
                               "&amp; &lt;@U1&gt; 'x'`")


def test_a_switch_replaces_the_chart_inside_the_same_message(app, fake):
    dispatch_slash(app, fake, "gap 3y")
    [post] = fake.wait_for("chat.postMessage", timeout=30)
    [first] = fake.wait_for("chat.update", timeout=30)
    message = {"type": "message", "ts": post.params.get("ts") or "1700000000.000100",
               "user": "UBOT", "text": first.params["text"], "blocks": first.params["blocks"]}
    dispatch_block_action(app, message_click(buttons_of(message["blocks"])["5y"], message, fake))
    updates = fake.wait_for("chat.update", count=2, timeout=30)
    uploads = fake.calls("files.completeUploadExternal")
    assert len(uploads) == 2 and _channel_shares(fake) == [] and len(_top_level_posts(fake)) == 1
    blocks = updates[-1].params["blocks"]
    [image] = [b for b in blocks if b["type"] == "image"]
    assert image["slack_file"]["id"] == uploads[-1].params["files"][0]["id"]
    text = all_text(blocks)
    assert "5 years" in text and "Switched to *5y* by <@U2>" in text
    assert "Requested by <@U1> · `/smallcaps gap 3y`" in text  # who asked first stays


def test_image_never_accepted_puts_the_chart_in_the_thread_not_the_channel(app, fake):
    fake.fail("chat.update", "invalid_blocks", times=4)  # first try + 3 retries
    dispatch_slash(app, fake, "gap 3y")
    updates = fake.wait_for("chat.update", count=5, timeout=30)
    [shared] = _channel_shares(fake)
    assert shared.params["thread_ts"] == "1700000000.000100"
    assert len(_top_level_posts(fake)) == 1
    assert "chart in the thread" in all_text(updates[-1].params["blocks"])
