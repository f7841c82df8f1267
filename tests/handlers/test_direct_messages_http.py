"""A private place to ask (issue 24): a direct message to the bot is answered in that DM like
a mention, chart included, and its answer can be shared to a channel. Over HTTP as
`smallcaps serve` runs it (waitress, the guard, the real Bolt app), with Slack's documented
payloads (tests/field/payloads/message_im.json, block_actions_conversations_select.json)."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlencode

import pytest

import bot.slack.slack_update
from tests.block_kit import all_text
from tests.field.harness import payload
from tests.handlers.test_http_requests import fake_module, post, server_url, signed
from tests.slack_helpers import slash_body
from tests.slack_native_helpers import buttons_of, message_click

__all__ = ["fake_module", "server_url"]  # the module-scoped server these tests share

DM = "D0DMBOT01"
"""The user's direct message with the bot (the app's Messages tab)."""
SHARE_ACTION = "smallcaps_share"


@pytest.fixture(autouse=True)
def _fresh(fake_module, monkeypatch):
    monkeypatch.setattr(bot.slack.slack_update, "IMAGE_RETRY_DELAYS_S", (0.01, 0.01, 0.01))
    fake_module.reset()
    fake_module.user_channels = {"U1": ["C7", "C8"]}  # where U1 may share (users.conversations)


def _ts() -> str:
    return f"{time.time():.6f}"


def _dm_body(text: str, ts: str, event_id: str | None = None, **event: Any) -> bytes:
    """The documented message.im event_callback, `event` fields added (bot_id, subtype...)."""
    ids = {"event_id": event_id} if event_id else {}
    body, _ = payload("message_im.json", channel=DM, user="U1", text=text, ts=ts, **ids)
    if not event:
        return body
    document = json.loads(body)
    document["event"].update(event)
    return json.dumps(document).encode()


def _send(server_url: str, body: bytes, retry: int = 0) -> int:
    headers = signed(body, "application/json")
    if retry:  # Slack's redelivery of an event it thinks was not acked in time
        headers.update({"x-slack-retry-num": str(retry), "x-slack-retry-reason": "http_timeout"})
    status, _ = post(server_url, body, headers)
    return status


def _posts(fake, channel: str) -> list:
    return [c for c in fake.calls("chat.postMessage") if c.params.get("channel") == channel]


def _final_message(fake, channel: str, timeout: float = 30) -> dict[str, Any]:
    """The answer in `channel` as Slack holds it once its chart is in (its last update)."""
    deadline = time.monotonic() + timeout
    while not (updates := [c for c in fake.calls("chat.update")
                           if c.params["channel"] == channel]):
        assert time.monotonic() < deadline, f"no chat.update in {channel}: {fake.calls()}"
        time.sleep(0.05)
    update = updates[-1]
    return {"type": "message", "ts": update.params["ts"], "user": "UBOT", "bot_id": "BBOT",
            "text": update.params["text"], "blocks": update.params["blocks"]}


def _share_select(blocks: list[dict[str, Any]]) -> tuple[str, dict[str, Any]] | None:
    for block in blocks:
        for element in block.get("elements") or []:
            if element.get("action_id") == SHARE_ACTION:
                return block["block_id"], element
    return None


def _answered_dm(server_url: str, fake, text: str = "gap 3y") -> dict[str, Any]:
    assert _send(server_url, _dm_body(text, _ts())) == 200
    return _final_message(fake, DM)


def test_a_dm_is_answered_in_the_dm_as_one_message_with_its_chart(server_url, fake_module):
    message = _answered_dm(server_url, fake_module, "gap 3y as-of 2024-03-26")
    [post_] = _posts(fake_module, DM)
    assert "thread_ts" not in post_.params  # a plain DM is answered in the DM, not a thread
    assert "37.73 pp" in all_text(message["blocks"])  # the same numbers as the command
    assert any(b["type"] == "image" for b in message["blocks"])  # the chart, inside it
    assert [c.params.get("channel_id") for c in
            fake_module.calls("files.completeUploadExternal")] == [None]  # never a 2nd post
    found = _share_select(message["blocks"])
    assert found is not None, "a DM answer carries a Share to channel picker"
    _, select = found
    assert select["type"] == "conversations_select"
    assert select["placeholder"]["text"] == "Share to channel…"
    assert "Requested by <@U1> · `gap 3y as-of 2024-03-26`" in all_text(message["blocks"])


def test_a_redelivered_dm_is_answered_once(server_url, fake_module):
    body = _dm_body("gap 1y as-of 2024-03-26", _ts(), event_id="EvDMREDELIVER1")
    assert _send(server_url, body) == 200
    _final_message(fake_module, DM)
    assert _send(server_url, body, retry=1) == 200  # Slack thought the first was lost
    assert _send(server_url, body, retry=2) == 200
    time.sleep(1.0)  # a repeat, if it ran, would have posted by now (the first took less)
    assert len(_posts(fake_module, DM)) == 1


@pytest.mark.parametrize("event", [
    {"bot_id": "BBOT", "user": "UBOT"},  # the bot's own answer, echoed back as message.im
    {"bot_id": "B0OTHER", "subtype": "bot_message"},  # another app's post
    {"subtype": "message_changed"},  # an edit (the update that adds a chart is one too)
    {"subtype": "message_deleted"},
], ids=["own", "bot_message", "changed", "deleted"])
def test_bot_posts_and_message_subtypes_are_not_answered(server_url, fake_module, event):
    assert _send(server_url, _dm_body("gap 3y", _ts(), **event)) == 200
    time.sleep(1.0)
    assert fake_module.calls("chat.postMessage") == []


def test_a_dm_in_a_thread_is_answered_in_that_thread(server_url, fake_module):
    ts = _ts()
    assert _send(server_url, _dm_body("gap 1y etf", ts, thread_ts="1700000001.000001")) == 200
    _final_message(fake_module, DM)
    [post_] = _posts(fake_module, DM)
    assert post_.params["thread_ts"] == "1700000001.000001"


def test_help_and_errors_in_a_dm_need_no_prefix(server_url, fake_module):
    assert _send(server_url, _dm_body("help", _ts())) == 200
    [help_post] = fake_module.wait_for("chat.postMessage", timeout=30)
    text = all_text(help_post.params["blocks"])
    assert "_e.g._ `gap 3y`" in text or "`gap " in text
    assert "/smallcaps" not in text and "@smallcaps" not in text
    assert "just type a command on its own" in text
    assert _send(server_url, _dm_body("gap 3q", _ts())) == 200
    [_, error] = fake_module.wait_for("chat.postMessage", count=2, timeout=30)
    assert error.params["channel"] == DM and "`3q`" in error.params["text"]
    assert "Try: `gap " in error.params["text"] and "/smallcaps" not in error.params["text"]


def _share(server_url: str, fake, message: dict[str, Any], channel: str) -> int:
    block_id, _ = _share_select(message["blocks"]) or ("", {})
    body, ctype = payload("block_actions_conversations_select.json", user="U1", channel=DM,
                          message_ts=message["ts"], message=json.dumps(message),
                          action_id=SHARE_ACTION, block_id=block_id, selected=channel,
                          response_url=fake.response_url("share"))
    status, _ = post(server_url, body, signed(body, ctype))
    return status


def test_share_to_channel_posts_the_same_numbers_there_with_a_shared_by_line(server_url,
                                                                            fake_module):
    message = _answered_dm(server_url, fake_module, "gap 3y")  # the latest, not pinned
    [dm_post] = _posts(fake_module, DM)
    assert _share(server_url, fake_module, message, "C7") == 200
    shared = _final_message(fake_module, "C7")
    [channel_post] = _posts(fake_module, "C7")
    assert "thread_ts" not in channel_post.params
    assert channel_post.params["text"] == dm_post.params["text"]  # the same numbers
    text = all_text(shared["blocks"])
    assert "Shared by <@U1> from a direct message" in text and "Requested by" not in text
    assert any(b["type"] == "image" for b in shared["blocks"])  # one message with its chart
    assert _share_select(shared["blocks"]) is None  # the channel's copy is not re-shareable
    [note] = fake_module.wait_for("response_url", timeout=30)
    assert "<#C7>" in note.params["text"] and note.params.get("response_type") == "ephemeral"


@pytest.mark.parametrize("error,hint", [
    ("not_in_channel", "/invite"), ("channel_not_found", "/invite"),
    ("is_archived", "archived"),
])
def test_share_where_the_bot_cannot_post_tells_the_user_how_to_fix_it(server_url, fake_module,
                                                                      error, hint):
    message = _answered_dm(server_url, fake_module, "gap 1y as-of 2024-03-26")
    fake_module.fail("chat.postMessage", error, channel="C8")
    assert _share(server_url, fake_module, message, "C8") == 200
    [note] = fake_module.wait_for("response_url", timeout=30)
    assert note.params.get("response_type") == "ephemeral"
    assert hint in note.params["text"] and "<#C8>" in note.params["text"]
    assert _posts(fake_module, DM) and len(fake_module.calls("chat.postMessage")) == 2


def test_share_into_a_channel_the_user_is_not_in_is_refused(server_url, fake_module):
    """A share posts in the user's name: only where they could have posted it themselves
    (the picker lists every public channel, joined or not)."""
    message = _answered_dm(server_url, fake_module, "gap 1y as-of 2024-03-26")
    assert _share(server_url, fake_module, message, "C9") == 200
    [note] = fake_module.wait_for("response_url", timeout=30)
    assert "only into channels you are in" in note.params["text"]
    assert _posts(fake_module, "C9") == []
    fake_module.reset()
    fake_module.fail("users.conversations", "missing_scope")  # Slack will not say: no share
    assert _share(server_url, fake_module, message, "C7") == 200
    fake_module.wait_for("response_url", timeout=30)
    assert _posts(fake_module, "C7") == []


def test_a_slash_command_in_a_dm_between_people_gets_its_text_and_an_honest_hint(
        server_url, fake_module):
    """The bot is in no DM between two people: the answer's text arrives through the
    command's response_url, and the hint says where charts can be had (inviting the bot
    there is impossible)."""
    fake_module.fail("chat.postMessage", "channel_not_found", channel="D0PEOPLE1")
    body = slash_body("gap 3y as-of 2024-03-26", fake_module, channel="D0PEOPLE1")
    assert post(server_url, body.encode(), signed(body)) == (200, b"")
    answer, hint = fake_module.wait_for("response_url", count=2, timeout=30)
    assert answer.params["response_type"] == "in_channel" and "37.73 pp" in json.dumps(
        answer.params["blocks"])
    assert "/invite" not in hint.params["text"] and "direct message" in hint.params["text"]
    assert _share_select(answer.params["blocks"]) is not None  # to post it with its chart


def test_a_slash_command_in_the_bots_dm_is_answered_there_with_the_picker(server_url,
                                                                          fake_module):
    body = slash_body("gap 3y as-of 2024-03-26", fake_module, channel=DM)
    assert post(server_url, body.encode(), signed(body)) == (200, b"")
    message = _final_message(fake_module, DM)
    assert any(b["type"] == "image" for b in message["blocks"])
    assert _share_select(message["blocks"]) is not None
    assert "Requested by <@U1> · `/smallcaps gap 3y as-of 2024-03-26`" in all_text(
        message["blocks"])


def test_a_switch_on_a_dm_answer_keeps_the_picker_for_the_new_numbers(server_url, fake_module):
    message = _answered_dm(server_url, fake_module, "gap 3y as-of 2024-03-26")
    click = message_click(buttons_of(message["blocks"])["5y"], message, fake_module,
                          user="U1", channel=DM)
    body = urlencode({"payload": json.dumps(click)})
    assert post(server_url, body.encode(), signed(body))[0] == 200
    fake_module.wait_for("chat.update", count=2, timeout=30)
    switched = _final_message(fake_module, DM)
    assert "5 years" in all_text(switched["blocks"])
    found = _share_select(switched["blocks"])
    assert found is not None and found[0] == "smallcaps_share:gap 5y index as-of 2024-03-26"


def test_the_picker_names_the_answer_pinned_to_its_as_of_date():
    from handlers.share import SHARE_BLOCK, share_block, shared_words

    p = {"command": "gap", "period": "3y", "pair": "index", "end": "2024-03-26"}
    block = share_block(p)
    assert block["block_id"] == SHARE_BLOCK + "gap 3y index as-of 2024-03-26"
    assert shared_words({"block_id": block["block_id"]}, {}) == "gap 3y index as-of 2024-03-26"
    csv = {"blocks": [{"type": "actions", "elements": [
        {"type": "button", "action_id": "smallcaps_csv", "value": "board a=b as-of 2024-03-26"}]}]}
    assert shared_words({"block_id": SHARE_BLOCK}, csv) == "board a=b as-of 2024-03-26"
    assert shared_words({"block_id": "other"}, {}) is None
    long_board = {"command": "board", "end": "2024-03-26", "rows": [
        {"pair": f"S{i}/SPY", "label": "x" * 30} for i in range(10)]}
    assert share_block(long_board)["block_id"] == SHARE_BLOCK  # too long: the CSV value is read


@pytest.mark.parametrize("event,answered", [
    ({"channel_type": "im", "user": "U1", "channel": DM, "ts": "1.1"}, True),
    ({"channel_type": "im", "user": "U1", "channel": DM, "ts": "1.1",
      "subtype": "thread_broadcast", "thread_ts": "1.0"}, True),
    ({"channel_type": "channel", "user": "U1", "channel": "C1", "ts": "1.1"}, False),
    ({"channel_type": "mpim", "user": "U1", "channel": "G1", "ts": "1.1"}, False),
    ({"channel_type": "im", "user": "UBOT", "channel": DM, "ts": "1.1"}, False),
    ({"channel_type": "im", "user": "U1", "channel": DM, "ts": "1.1", "bot_id": "B1"}, False),
    ({"channel_type": "im", "channel": DM, "ts": "1.1", "subtype": "message_changed",
      "message": {"user": "U1", "text": "gap 3y"}}, False),
    ({"channel_type": "im", "user": "U1", "channel": DM, "ts": "1.1",
      "subtype": "channel_join"}, False),
    ({"channel_type": "im", "user": "U1", "ts": "1.1"}, False),
])
def test_only_what_a_person_types_in_the_bots_dm_is_a_question(event, answered):
    from handlers.direct import is_question, request_id

    assert is_question(event, "UBOT") is answered
    if answered:
        assert request_id(event) == f"dm-{DM}-1.1"


@pytest.mark.parametrize("block_id,said", [
    ("smallcaps_share:status", "Only report answers can be shared"),
    ("smallcaps_share:gap 3q", "older version"),
    ("smallcaps_share:", "older version"),
])
def test_only_report_answers_can_be_shared(server_url, fake_module, block_id, said):
    message = {"type": "message", "ts": "1700000000.000100", "user": "UBOT", "bot_id": "BBOT",
               "text": "status", "blocks": [{"type": "actions", "block_id": block_id,
                                             "elements": []}]}
    body, ctype = payload("block_actions_conversations_select.json", user="U1", channel=DM,
                          message=json.dumps(message), action_id=SHARE_ACTION,
                          block_id=block_id, selected="C7",
                          response_url=fake_module.response_url("share"))
    assert post(server_url, body, signed(body, ctype))[0] == 200
    [note] = fake_module.wait_for("response_url", timeout=30)
    assert said in note.params["text"] and fake_module.calls("chat.postMessage") == []


def test_a_mention_in_the_bots_dm_is_answered_once_as_the_dm(server_url, fake_module):
    """Slack sends both `app_mention` and `message.im` for '@smallcaps gap 1y' typed in the
    bot's DM (slacker PR 83 saw the double answer): one answer, the DM's (with its picker)."""
    ts = _ts()
    mention, ctype = payload("app_mention.json", channel=DM, user="U1", ts=ts,
                             text="gap 1y as-of 2024-03-26")
    assert post(server_url, mention, signed(mention, ctype))[0] == 200
    assert _send(server_url, _dm_body("<@UBOT> gap 1y as-of 2024-03-26", ts)) == 200
    message = _final_message(fake_module, DM)
    time.sleep(1.0)
    assert len(_posts(fake_module, DM)) == 1
    assert _share_select(message["blocks"]) is not None
