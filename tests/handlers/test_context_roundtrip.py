"""`/smallcaps trend|rates|history` through the real Bolt app, signed requests and FakeSlack."""

from __future__ import annotations

import json
import statistics
from datetime import date

import numpy as np
import pytest

from tests.analytics.plain import read_closes, rolling_gaps
from tests.block_kit import check_blocks
from tests.slack_helpers import dispatch_slash


def _posted(app, fake, text: str):
    """Dispatch `text`; the channel message's blocks as text, and the uploaded chart."""
    response = dispatch_slash(app, fake, text)
    assert response.status == 200 and response.body == ""
    [post] = fake.wait_for("chat.postMessage", timeout=30)
    fake.wait_for("chat.update", timeout=30)
    [png] = fake.uploaded_files().values()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 20_000
    check_blocks(post.params["blocks"])
    return json.dumps(post.params["blocks"], ensure_ascii=False), post


def test_trend_posts_the_ratio_against_its_200_day_average(app, fake, market_data_dir):
    text, post = _posted(app, fake, "trend 3y as-of 2024-03-26")
    rut = read_closes(market_data_dir / "^RUT.csv")
    gspc = read_closes(market_data_dir / "^GSPC.csv")
    days = sorted(d for d in rut.keys() & gspc.keys() if d.isoformat() <= "2024-03-26")
    ratio = [rut[d] / gspc[d] for d in days]
    ma200 = sum(ratio[-200:]) / 200
    assert f"{(ratio[-1] / ma200 - 1) * 100:+.2f} %" in text
    assert "below its 200-day average" in text and "since 2024-01-03" in text
    assert "below its 2014-03-04 peak" in text
    assert "Russell 2000 (^RUT)" in text and "price return" in text and "2021-03-26" in text
    assert "As of 2024-03-26" in text
    assert post.params["channel"] == "C1" and "200-day" in post.params["text"]


def test_rates_posts_the_correlations_and_where_the_yield_data_ends(app, fake, market_data_dir):
    text, _ = _posted(app, fake, "rates 10y")
    csv = {s: read_closes(market_data_dir / f"{s}.csv") for s in ("^RUT", "^GSPC", "^TNX")}
    gaps = dict(rolling_gaps(csv["^RUT"], csv["^GSPC"], 1))
    days = sorted(d for d in gaps if d in csv["^TNX"] and d.isoformat() >= "2016-02-12")
    r = np.corrcoef([gaps[d] for d in days], [csv["^TNX"][d] for d in days])[0, 1]
    assert f"r = {r:+.2f}" in text
    assert "4.06 % on 2026-02-13" in text and "2026-08-21" in text
    assert "does not support" in text and "3-month changes" in text
    assert "trending series misleads" in text and "^TNX" in text and "price return" in text


def test_history_posts_rank_median_bands_and_records(app, fake, market_data_dir):
    text, _ = _posted(app, fake, "history 3y as-of 2024-03-26")
    rut = read_closes(market_data_dir / "^RUT.csv")
    gspc = read_closes(market_data_dir / "^GSPC.csv")
    values = [g for _, g in rolling_gaps(rut, gspc, 3, until=date(2024, 3, 26))]
    assert f"Median*\\n{statistics.median(values):+.2f} pp" in text
    assert "93rd percentile of 8,450 overlapping 3-year windows (about 12 independent)" in text
    # the window ending the day before was as wide: no 'widest since' worth saying
    assert "since 2000-11-10" not in text and "2024-03-25" not in text
    assert "88.88 pp (window ending 1999-04-12)" in text and "price return" in text


@pytest.mark.parametrize(("text", "needle"), [
    ("history ytd", "window length"), ("history max", "window length"),
    ("trend 3q", "`3q`"), ("rates 10y NOPE!/SPY", "NOPE!"),
    ("history 3y as-of 2024-02-30", "2024-02-30"),
])
def test_bad_input_gets_an_ephemeral_error_with_an_example(app, fake, text, needle):
    response = dispatch_slash(app, fake, text)
    body = json.loads(response.body)
    assert body["response_type"] == "ephemeral" and needle in body["text"]
    assert f"Try: `/smallcaps {text.split()[0]}" in body["text"]
    assert fake.calls("chat.postMessage") == []


def test_rates_before_the_yield_data_answers_ephemerally(app, fake):
    dispatch_slash(app, fake, "rates 1y as-of 2000-12-29")
    [reply] = fake.wait_for("response_url", timeout=20)
    assert reply.params["response_type"] == "ephemeral"
    assert "2001-01-02" in reply.params["text"]
    assert fake.calls("chat.postMessage") == []


def test_help_lists_the_new_commands_with_examples(app, fake):
    body = json.loads(dispatch_slash(app, fake, "help").body)
    text = json.dumps(body["blocks"])
    for example in ("/smallcaps trend 2y", "/smallcaps rates 10y", "/smallcaps history 3y"):
        assert example in text
    check_blocks(body["blocks"])
