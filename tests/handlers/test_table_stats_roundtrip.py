"""`/smallcaps table` and `/smallcaps stats` through the real Bolt app and a fake Slack."""

from __future__ import annotations

import json

import pytest

from tests.fake_slack import FakeSlack
from tests.slack_helpers import dispatch_slash


def _posted_text(fake: FakeSlack) -> str:
    [post] = fake.wait_for("chat.postMessage", timeout=20)
    assert post.params["channel"] == "C1"
    return json.dumps(post.params["blocks"], ensure_ascii=False)


def _uploaded_png(fake: FakeSlack) -> bytes:
    [done] = fake.wait_for("files.completeUploadExternal", timeout=20)
    assert "channel_id" not in done.params  # shown inside the message (chat.update)
    [png] = fake.uploaded_files().values()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 20_000
    return png


def test_table_posts_the_rows_and_uploads_a_chart(app, fake, real_closes):
    response = dispatch_slash(app, fake, "table as-of 2024-03-26")
    assert response.status == 200 and response.body == ""
    text = _posted_text(fake)
    rut, gspc = real_closes["^RUT"], real_closes["^GSPC"]
    # 1y: 2023-03-26 was a Sunday, so the row starts on Friday 2023-03-24
    one_year = (rut["2024-03-26"] / rut["2023-03-24"] - 1) * 100
    # 3y annualised over the 1,096 calendar days between the two closes
    three_year = ((gspc["2024-03-26"] / gspc["2021-03-26"]) ** (365.25 / 1096) - 1) * 100
    assert f"{one_year:+.2f}" in text and f"{three_year:+.2f}" in text
    assert "2023-03-24" in text and "3y ann." in text and "10y ann." in text
    assert "\"type\": \"table\"" in text and "price return" in text and "365.25" in text
    _uploaded_png(fake)


def test_stats_posts_risk_numbers_and_uploads_a_chart(app, fake, real_closes):
    dispatch_slash(app, fake, "stats 3y as-of 2024-03-26")
    text = _posted_text(fake)
    window = real_closes["^RUT"].loc["2021-03-26":"2024-03-26"].tolist()
    high, worst = window[0], 0.0
    for close in window:
        high = max(high, close)
        worst = min(worst, close / high - 1)
    assert f"{worst * 100:+.2f} %" in text  # -32.99 %
    assert "not recovered" in text and "2024-01-19" in text  # S&P 500's record close
    assert "Beta of ^RUT on ^GSPC" in text and "√252" in text and "2021-03-26" in text
    _uploaded_png(fake)


@pytest.mark.parametrize("text,needle,example", [
    ("table 3y", "`3y`", "/smallcaps table etf"),
    ("stats 3y 5y", "one period", "/smallcaps stats 3y etf"),
    ("stats soon", "`soon`", "/smallcaps stats 3y IJR/SPY"),
])
def test_bad_input_is_answered_in_the_ack_with_an_example(app, fake, text, needle, example):
    body = json.loads(dispatch_slash(app, fake, text).body)
    assert body["response_type"] == "ephemeral"
    assert needle in body["text"] and example in body["text"]
    assert fake.calls("chat.postMessage") == []


def test_too_short_a_window_is_explained_ephemerally(app, fake):
    dispatch_slash(app, fake, "stats 1d as-of 2024-03-26")
    [reply] = fake.wait_for("response_url", timeout=20)
    assert reply.params["response_type"] == "ephemeral" and "at least 2" in reply.params["text"]
    assert fake.calls("chat.postMessage") == []


def test_help_lists_table_and_stats_with_examples(app, fake):
    blocks = json.loads(dispatch_slash(app, fake, "help").body)["blocks"]
    text = json.dumps(blocks, ensure_ascii=False)
    assert "/smallcaps table etf" in text and "/smallcaps stats 5y" in text
