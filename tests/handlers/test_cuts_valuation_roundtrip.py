"""`/smallcaps cuts|valuation` through the real Bolt app, signed requests and FakeSlack, and
their lines on App Home."""

from __future__ import annotations

import json
import statistics
from datetime import date

import pytest

from bot.app import create_app
from bot.bootstrap import build_deps
from bot.data.sources import CsvSource
from tests.analytics.plain import event_window, read_closes
from tests.block_kit import all_text, check_blocks, check_view, table_cells
from tests.slack_helpers import FIXED_NOW, dispatch_slash, slack_settings
from tests.slack_native_helpers import ChannelsFakeSlack, dispatch_event


def _posted(app, fake, text: str):
    response = dispatch_slash(app, fake, text)
    assert response.status == 200 and response.body == ""
    [post] = fake.wait_for("chat.postMessage", timeout=30)
    fake.wait_for("chat.update", timeout=30)
    [png] = fake.uploaded_files().values()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 20_000
    check_blocks(post.params["blocks"])
    return json.dumps(post.params["blocks"], ensure_ascii=False), post


def test_cuts_posts_the_table_verdict_and_caveats(app, fake, market_data_dir):
    text, post = _posted(app, fake, "cuts as-of 2025-01-15")
    rut, gspc = (read_closes(market_data_dir / f"{s}.csv") for s in ("^RUT", "^GSPC"))
    earlier = [date(1989, 6, 6), date(1995, 7, 6), date(1998, 9, 29), date(2001, 1, 3),
               date(2007, 9, 18), date(2019, 8, 1)]
    twelve = [event_window(rut, gspc, e, 12)[2] for e in earlier]
    assert f"{statistics.median(twelve):+.2f}" in text  # the Median row, 12m column
    _, _, gap, _, complete = event_window(rut, gspc, date(2024, 9, 19), 12, until=date(2025, 1, 15))
    assert not complete and f"{gap:+.2f}*" in text  # the current cycle, in progress
    assert "2024-09-19 (current)" in table_cells(post.params["blocks"])[-4][0]  # native table
    assert "```" not in all_text(post.params["blocks"])
    assert "no earnings data" in text and "7 with it" in text
    assert "does not support" in post.params["text"]


def test_valuation_posts_the_latest_year_and_calls_out_2024(app, fake):
    text, post = _posted(app, fake, "valuation")
    assert "Treat 2024 with care" in text and "SMALL HiBM" in text
    assert "202412 CRSP" in text and "end-of-June" in text
    # the reply leads with the caveat, not the figure it calls distorted (issue #20)
    assert post.params["text"].startswith("2024: one portfolio, SMALL HiBM, drives most of the "
                                          "latest move")
    assert post.params["text"].index("0.210x") < post.params["text"].index("0.091x")


def test_a_bad_word_is_answered_at_once_with_an_example(app, fake):
    response = dispatch_slash(app, fake, "cuts 5y")
    body = json.loads(response.body)
    assert body["response_type"] == "ephemeral"
    assert "`cuts` always shows 3 months before to 12 months after" in body["text"]
    assert "/smallcaps cuts etf" in body["text"]


def test_as_of_before_the_first_cycle_is_told_to_the_user(app, fake):
    dispatch_slash(app, fake, "cuts as-of 1988-12-30")
    [reply] = fake.wait_for("response_url", timeout=30)
    assert reply.params["response_type"] == "ephemeral"
    assert "took effect on 1989-06-06" in reply.params["text"]
    assert fake.calls("chat.postMessage") == []


@pytest.fixture
def home_fake():
    with ChannelsFakeSlack() as server:
        yield server


def test_home_has_a_line_for_each_claim(home_fake, cache, market_data_dir):
    deps = build_deps(slack_settings(home_fake, market_data_dir), source=CsvSource(
        market_data_dir), cache=cache, clock=lambda: FIXED_NOW)
    app = create_app(deps)
    dispatch_event(app, {"type": "app_home_opened", "user": "U2", "tab": "home",
                         "channel": "D1", "event_ts": "1700000000.000001"})
    [call] = home_fake.wait_for("views.publish", timeout=60)
    view = call.params["view"]
    check_view(view)
    text = all_text(view["blocks"])
    assert "The March 2024 claims, on the data" in text
    assert "*cuts*: The data does not support" in text
    assert "*valuation*: 2024: one portfolio, SMALL HiBM, drives most" in text
