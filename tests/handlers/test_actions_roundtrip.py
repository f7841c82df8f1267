"""Clicking a period/pair button: signed block_actions through the real Bolt app, fake Slack."""

from __future__ import annotations

import json

import pytest

import bot.slack.slack_update
from handlers.buttons import encode_value
from tests.block_kit import all_text, check_blocks
from tests.slack_helpers import dispatch_slash
from tests.slack_native_helpers import buttons_of, dispatch_block_action, message_click


@pytest.fixture(autouse=True)
def _quick_image_retries(monkeypatch):
    monkeypatch.setattr(bot.slack.slack_update, "IMAGE_RETRY_DELAYS_S", (0.01, 0.01, 0.01))


def _posted_message(app, fake, text: str, **message_extra) -> dict:
    """Run `/smallcaps TEXT` and return the posted message as Slack would show it."""
    dispatch_slash(app, fake, text)
    [post] = fake.wait_for("chat.postMessage", timeout=20)
    fake.wait_for("chat.update", timeout=20)
    fake.reset()
    return {"type": "message", "ts": "1700000000.000100", "user": "UBOT",
            "text": post.params["text"], "blocks": post.params["blocks"], **message_extra}


def _window_return(series, start: str, end: str) -> float:
    return (series[end] / series[start] - 1) * 100


def test_click_acks_at_once_then_updates_the_message_in_place_with_chart(app, fake,
                                                                        real_closes):
    message = _posted_message(app, fake, "gap 3y")
    fake.set_latency("files.getUploadURLExternal", 0.5)
    response = dispatch_block_action(app, message_click(buttons_of(message["blocks"])["5y"],
                                                        message, fake))
    assert response.status == 200 and response.body == ""
    assert fake.calls("chat.update") == []  # acked before any work reached Slack

    [update] = fake.wait_for("chat.update", timeout=20)
    assert (update.params["channel"], update.params["ts"]) == ("C1", message["ts"])
    blocks = update.params["blocks"]
    check_blocks(blocks)
    text = all_text(blocks)
    # Independent check: 5 years to the last common close (2026-08-21) starts on the last
    # common close on or before 2021-08-21, a Saturday -> Friday 2021-08-20.
    rut, gspc = real_closes["^RUT"], real_closes["^GSPC"]
    small = _window_return(rut, "2021-08-20", "2026-08-21")
    large = _window_return(gspc, "2021-08-20", "2026-08-21")
    assert "5 years to 2026-08-21" in text and "2021-08-20 → 2026-08-21" in text
    assert f"{small:+.2f} %" in text and f"{large:+.2f} %" in text
    assert f"{abs(large - small):.2f} pp" in text
    assert "Switched to *5y* by <@U2>" in text
    assert f"{small:+.2f} %" in update.params["text"]

    [done] = fake.calls("files.completeUploadExternal")
    assert "channel_id" not in done.params  # shown in the message, not shared anywhere
    [image] = [b for b in blocks if b["type"] == "image"]
    assert image["slack_file"] == {"id": done.params["files"][0]["id"]}
    assert "5 years" in image["alt_text"]
    [png] = fake.uploaded_files().values()
    assert png.startswith(b"\x89PNG")

    row = buttons_of(blocks)
    assert row["5y"].get("style") == "primary" and "style" not in row["3y"]
    assert row["Index"].get("style") == "primary"
    assert fake.calls("response_url") == []  # nothing else to say


def test_pair_switch_keeps_the_pinned_as_of(app, fake, real_closes):
    message = _posted_message(app, fake, "gap 3y as-of 2024-03-26")
    dispatch_block_action(app, message_click(buttons_of(message["blocks"])["ETF"], message,
                                             fake))
    [update] = fake.wait_for("chat.update", timeout=20)
    text = all_text(update.params["blocks"])
    iwm, spy = real_closes["IWM"], real_closes["SPY"]
    assert f"{_window_return(iwm, '2021-03-26', '2024-03-26'):+.2f} %" in text
    assert f"{_window_return(spy, '2021-03-26', '2024-03-26'):+.2f} %" in text
    assert "total return" in text and "Switched to *ETF* by <@U2>" in text


def test_chart_of_a_message_inside_a_thread_falls_back_to_that_thread(app, fake):
    message = _posted_message(app, fake, "gap 1y", thread_ts="1699999999.000001")
    fake.fail("chat.update", "invalid_blocks", times=4)  # the image is never accepted
    dispatch_block_action(app, message_click(buttons_of(message["blocks"])["3y"], message,
                                             fake))
    updates = fake.wait_for("chat.update", count=5, timeout=20)
    [shared] = [c for c in fake.calls("files.completeUploadExternal")
                if c.params.get("channel_id")]
    assert shared.params["thread_ts"] == "1699999999.000001"
    assert updates[-1].params["ts"] == message["ts"]


def test_click_on_a_message_older_than_the_data_says_so_and_changes_nothing(app, fake):
    message = _posted_message(app, fake, "gap 3y")
    button = dict(buttons_of(message["blocks"])["5y"])
    button["value"] = encode_value("gap", {"period": "5y", "pair": "index"}, "202611181620")
    dispatch_block_action(app, message_click(button, message, fake))
    [note] = fake.wait_for("response_url", timeout=20)
    assert note.params["response_type"] == "ephemeral"
    assert note.params["replace_original"] is False
    assert "2026-11-18 close" in note.params["text"]
    assert "`/smallcaps gap 5y index`" in note.params["text"]
    assert fake.calls("chat.update") == [] and fake.calls("files.getUploadURLExternal") == []


@pytest.mark.parametrize("value", ["{not json", '{"c":"frobnicate","e":"202611231620"}'])
def test_unreadable_button_gets_an_ephemeral_explanation(app, fake, value):
    message = _posted_message(app, fake, "gap 3y")
    button = {**buttons_of(message["blocks"])["5y"], "value": value}
    dispatch_block_action(app, message_click(button, message, fake))
    [note] = fake.wait_for("response_url", timeout=20)
    assert note.params["response_type"] == "ephemeral" and "/smallcaps gap 3y" in note.params[
        "text"]
    assert fake.calls("chat.update") == []


def test_window_before_the_data_is_explained_and_message_kept(app, fake):
    message = _posted_message(app, fake, "gap 3y")
    button = {**buttons_of(message["blocks"])["10y"],
              "value": encode_value("gap", {"period": "10y", "pair": "etf",
                                            "as_of": "2005-01-03"}, "202611231620")}
    dispatch_block_action(app, message_click(button, message, fake))
    [note] = fake.wait_for("response_url", timeout=20)
    assert "2000-05-26" in note.params["text"] and "left as it was" in note.params["text"]
    assert fake.calls("chat.update") == []


def test_image_still_processing_is_retried_then_shown(app, fake):
    message = _posted_message(app, fake, "gap 3y")
    fake.fail("chat.update", "invalid_blocks", times=2)
    dispatch_block_action(app, message_click(buttons_of(message["blocks"])["1y"], message,
                                             fake))
    updates = fake.wait_for("chat.update", count=3, timeout=20)
    assert all(any(b["type"] == "image" for b in u.params["blocks"]) for u in updates)
    assert len(fake.calls("files.completeUploadExternal")) == 1  # one upload, three tries


def test_image_never_accepted_falls_back_to_text_with_chart_in_thread(app, fake):
    message = _posted_message(app, fake, "gap 3y")
    fake.fail("chat.update", "invalid_blocks", times=4)  # first try + 3 retries
    dispatch_block_action(app, message_click(buttons_of(message["blocks"])["1y"], message,
                                             fake))
    updates = fake.wait_for("chat.update", count=5, timeout=20)
    final = updates[-1].params["blocks"]
    assert not any(b["type"] == "image" for b in final)
    assert "chart in the thread" in all_text(final)
    assert fake.calls("response_url") == []


def test_bot_outside_the_conversation_replaces_via_response_url(app, fake):
    message = _posted_message(app, fake, "gap 3y")
    fake.fail("files.completeUploadExternal", "not_in_channel")
    fake.fail("chat.update", "channel_not_found")
    dispatch_block_action(app, message_click(buttons_of(message["blocks"])["5y"], message,
                                             fake))
    replies = fake.wait_for("response_url", count=2, timeout=20)
    hint = next(r for r in replies if r.params.get("response_type") == "ephemeral")
    replaced = next(r for r in replies if r.params.get("replace_original") is True)
    assert "/invite <@UBOT>" in hint.params["text"]
    text = all_text(replaced.params["blocks"])
    assert "5 years" in text and "Switched to *5y*" in text and "thread" not in text


def test_slack_refusing_the_update_ends_in_a_message_to_the_clicker(app, fake):
    message = _posted_message(app, fake, "gap 3y")
    fake.fail("chat.update", "msg_too_long")
    dispatch_block_action(app, message_click(buttons_of(message["blocks"])["5y"], message,
                                             fake))
    [note] = fake.wait_for("response_url", timeout=20)
    assert note.params["response_type"] == "ephemeral" and "ref `" in note.params["text"]
    assert "Traceback" not in json.dumps(note.params)
