"""`/smallcaps board` through the real Bolt app, a real Redis and a fake Slack."""

from __future__ import annotations

import json

from tests.fake_slack import FakeSlack
from tests.slack_helpers import dispatch_slash


def _posted_text(fake: FakeSlack) -> str:
    [post] = fake.wait_for("chat.postMessage", timeout=30)
    assert post.params["channel"] == "C1"
    return json.dumps(post.params["blocks"], ensure_ascii=False)


def test_board_posts_every_row_and_a_heatmap(app, fake, real_closes):
    response = dispatch_slash(app, fake, "board as-of 2024-03-26")
    assert response.status == 200 and response.body == ""
    text = _posted_text(fake)
    iwc, spy = real_closes["IWC"], real_closes["SPY"]
    three_year = ((spy["2024-03-26"] / spy["2021-03-26"] - 1)
                  - (iwc["2024-03-26"] / iwc["2021-03-26"] - 1)) * 100
    assert f"{three_year:+.1f}" in text  # micro caps' 3-year lag, +53.4 pp
    for label in ("Micro caps", "Profitable small caps", "Equal- vs cap-weight",
                  "Small value vs small growth", "Mid caps"):
        assert label in text
    assert "vs 200d" in text and "Source:" in text
    [done] = fake.wait_for("files.completeUploadExternal", timeout=30)
    [png] = fake.uploaded_files().values()
    assert png.startswith(b"\x89PNG")


def test_a_bad_board_is_answered_in_the_ack(app, fake):
    body = json.loads(dispatch_slash(app, fake, "board IWM/IWM").body)
    assert body["response_type"] == "ephemeral" and "different symbols" in body["text"]
    assert fake.calls("chat.postMessage") == []
