"""`@smallcaps ...` mentions: signed app_mention events through the real Bolt app."""

from __future__ import annotations

import pytest

from bot.listeners.mentions import strip_mention
from tests.block_kit import all_text, check_blocks
from tests.slack_native_helpers import dispatch_event


def _mention(app, text: str, thread_ts: str | None = None, ts: str = "1700000500.000100"):
    event = {"type": "app_mention", "user": "U1", "text": text, "ts": ts, "channel": "C1",
             "event_ts": ts}
    if thread_ts:
        event["thread_ts"] = thread_ts
    return dispatch_event(app, event)


@pytest.mark.parametrize("text,words", [
    ("<@UBOT> gap 3y", "gap 3y"), ("<@UBOT|smallcaps>   gap etf 5y", "gap etf 5y"),
    ("hey <@UBOT> gap 1y", "hey gap 1y"), ("<@U1> gap <@UBOT> 3y", "gap 3y"),
    ("<@UBOT>", ""),
])
def test_strip_mention_leaves_the_command_words(text, words):
    assert strip_mention(text, "UBOT") == words


def test_mention_in_a_thread_answers_in_that_thread_with_the_chart(app, fake, real_closes):
    response = _mention(app, "<@UBOT> gap 3y as-of 2024-03-26", thread_ts="1700000001.000001")
    assert response.status == 200
    [post] = fake.wait_for("chat.postMessage", timeout=20)
    assert post.params["channel"] == "C1" and post.params["thread_ts"] == "1700000001.000001"
    text = all_text(post.params["blocks"])
    rut = real_closes["^RUT"]
    assert f"{(rut['2024-03-26'] / rut['2021-03-26'] - 1) * 100:+.2f} %" in text
    check_blocks(post.params["blocks"])
    [update] = fake.wait_for("chat.update", timeout=20)  # the chart, inside that reply
    assert any(b["type"] == "image" for b in update.params["blocks"])
    assert (update.params["channel"], update.params["ts"]) == ("C1", "1700000000.000100")


def test_mention_at_the_top_of_a_channel_answers_in_the_channel(app, fake):
    _mention(app, "<@UBOT> gap 1y etf")
    [post] = fake.wait_for("chat.postMessage", timeout=20)
    assert "thread_ts" not in post.params and "IWM" in all_text(post.params["blocks"])
    [update] = fake.wait_for("chat.update", timeout=20)
    assert any(b["type"] == "image" for b in update.params["blocks"])
    assert [c.params.get("channel_id") for c in fake.calls("files.completeUploadExternal")] \
        == [None]


@pytest.mark.parametrize("text", ["<@UBOT>", "<@UBOT> help"])
def test_help_goes_into_a_thread_under_the_mention(app, fake, text):
    _mention(app, text, ts="1700000600.000100")
    [post] = fake.wait_for("chat.postMessage", timeout=20)
    assert post.params["thread_ts"] == "1700000600.000100"
    assert "`@smallcaps gap 3y`" in all_text(post.params["blocks"])


def test_bad_input_gets_an_example_for_mentions_in_the_thread(app, fake):
    _mention(app, "<@UBOT> gap 3q", thread_ts="1700000001.000001")
    [post] = fake.wait_for("chat.postMessage", timeout=20)
    assert post.params["thread_ts"] == "1700000001.000001"
    assert "`3q`" in post.params["text"] and "Try: `@smallcaps gap" in post.params["text"]


def test_unknown_symbol_is_explained_in_the_thread(app, fake):
    _mention(app, "<@UBOT> gap 1y ZZZZ/SPY", ts="1700000700.000100")
    [post] = fake.wait_for("chat.postMessage", timeout=20)
    assert post.params["thread_ts"] == "1700000700.000100" and "ZZZZ" in post.params["text"]
    assert fake.calls("files.getUploadURLExternal") == []


def test_status_by_mention(app, fake):
    _mention(app, "<@UBOT> status", thread_ts="1700000001.000001")
    [post] = fake.wait_for("chat.postMessage", timeout=20)
    assert post.params["thread_ts"] == "1700000001.000001"
    assert "smallcaps status" in all_text(post.params["blocks"])


def test_help_on_one_command_by_mention(app, fake):
    _mention(app, "<@UBOT> help status", ts="1700000800.000100")
    [post] = fake.wait_for("chat.postMessage", timeout=20)
    text = all_text(post.params["blocks"])
    assert "`@smallcaps status`" in text and "@smallcaps gap [PERIOD]" not in text


def test_alert_and_digest_commands_by_mention_are_answered_in_the_thread(app, fake):
    """They crashed the reply job (an AlertList is not a report) and the user heard nothing."""
    _mention(app, "<@UBOT> alert list", ts="1700000900.000100")
    [post] = fake.wait_for("chat.postMessage", timeout=20)
    assert post.params["thread_ts"] == "1700000900.000100"
    assert "No alerts in this channel" in (post.params.get("text") or "")
    _mention(app, "<@UBOT> digest", ts="1700000901.000100")
    posts = fake.wait_for("chat.postMessage", count=2, timeout=20)
    assert posts[1].params["thread_ts"] == "1700000901.000100" and "digest" in \
        posts[1].params["text"].lower()
