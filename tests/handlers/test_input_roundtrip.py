"""What people type and what they are told, through the real Bolt app, signed requests and
the fake Slack: typed forms are understood, and error text is short, path-free and true."""

from __future__ import annotations

import json

import pytest

from tests.block_kit import all_text
from tests.slack_helpers import dispatch_slash, wired_app
from tests.slack_native_helpers import dispatch_event


def _pct(closes, start: str, end: str) -> str:
    return f"{(closes[end] / closes[start] - 1) * 100:+.2f} %"


def test_a_phone_typed_command_posts_the_plain_answer(app, fake, real_closes):
    response = dispatch_slash(app, fake, "gap\u00a01y \u2014as-of 2024-03-26\u200b")
    assert response.status == 200 and response.body == ""  # acked as a valid query
    [post] = fake.wait_for("chat.postMessage", timeout=20)
    text = all_text(post.params["blocks"])
    assert _pct(real_closes["^RUT"], "2023-03-24", "2024-03-26") in text
    fake.wait_for("chat.update", timeout=20)  # the chart follows


@pytest.fixture
def linked_data(tmp_path, market_data_dir):
    """A data folder where the Canadian symbols of the issue exist (links to real files)."""
    for name, target in {"XIC.TO": "IJR", "XIU.TO": "SPY", "^RUT": "^RUT",
                         "^GSPC": "^GSPC"}.items():
        (tmp_path / f"{name}.csv").symlink_to(market_data_dir / f"{target}.csv")
    return tmp_path


def test_a_mention_with_slack_auto_linked_symbols_is_understood(fake, cache, linked_data,
                                                               real_closes):
    app, _ = wired_app(fake, cache, linked_data)
    text = "<@UBOT> gap 1y <http://XIC.TO|XIC.TO>/<http://XIU.TO|XIU.TO> as-of 2024-03-26 <@U2>"
    event = {"type": "app_mention", "user": "U1", "text": text, "ts": "1700000900.000100",
             "channel": "C1", "event_ts": "1700000900.000100"}
    dispatch_event(app, event)
    [post] = fake.wait_for("chat.postMessage", timeout=20)
    body = all_text(post.params.get("blocks") or []) + post.params.get("text", "")
    assert "XIC.TO" in body and _pct(real_closes["IJR"], "2023-03-24", "2024-03-26") in body
    fake.wait_for("chat.update", timeout=20)


def test_a_huge_input_is_not_echoed_back(app, fake):
    response = dispatch_slash(app, fake, "gap " + "\x00x" * 5000)
    text = json.loads(response.body)["text"]
    assert len(text) < 300 and "\x00" not in text and "Try: `/smallcaps" in text


def test_an_enormous_threshold_is_out_of_range(app, fake):
    response = dispatch_slash(app, fake, "alert add gap 3y above 1e308")
    text = json.loads(response.body)["text"]
    assert "out of range" in text and "not a number" not in text and "Try:" in text


def test_an_unknown_symbol_in_csv_mode_shows_no_server_path(app, fake, market_data_dir):
    dispatch_slash(app, fake, "gap 1y ZZZZ/SPY")
    [reply] = fake.wait_for("response_url", timeout=20)
    assert "ZZZZ" in reply.params["text"] and str(market_data_dir) not in reply.params["text"]
    assert "/work" not in reply.params["text"] and "/shared" not in reply.params["text"]


def test_a_failed_chart_upload_after_the_text_does_not_say_slack_refused_it(app, fake):
    fake.fail("files.completeUploadExternal", "internal_error")
    dispatch_slash(app, fake, "gap 1y as-of 2024-03-26")
    [note] = fake.wait_for("response_url", timeout=20)
    assert len(fake.calls("chat.postMessage")) == 1  # the text is in the channel
    text = note.params["text"]
    assert "refused" not in text and "numbers are posted" in text and "chart" in text
    assert note.params["response_type"] == "ephemeral"


def test_all_empty_data_says_so_instead_of_check_the_symbol(fake, cache, tmp_path,
                                                             market_data_dir):
    (tmp_path / "^GSPC.csv").symlink_to(market_data_dir / "^GSPC.csv")
    (tmp_path / "NANX.csv").write_text("Date,Open,High,Low,Close,Volume\n2024-01-02,,,,,\n"
                                       "2024-01-03,,,,,\n")
    app, _ = wired_app(fake, cache, tmp_path)
    dispatch_slash(app, fake, "gap 1y NANX/^GSPC")
    [reply] = fake.wait_for("response_url", timeout=20)
    assert "empty" in reply.params["text"] and "Check the symbol" not in reply.params["text"]
