"""Which chart follows a firing: the gap of the rule's window for gap rules, the trend (ratio
vs its averages) for ratio rules, each as of the firing's day and for the rule's pair."""

from __future__ import annotations

from datetime import date

import pytest

from tests.alert_helpers import add_rule, alert_deps, make_evaluator, posted_events
from tests.fake_slack import FakeSlack

DAY = date(2024, 3, 26)


@pytest.fixture
def fake():
    with FakeSlack() as server:
        yield server


def test_gap_rules_share_the_gap_chart_and_ratio_rules_the_trend_chart(fake, cache,
                                                                     market_data_dir):
    # Each rule's condition holds on 2024-03-26 (3-year gap 37.73 pp; the ratio 3.4 % below
    # its 200-day average; IWM/SPY near its record low), so each fires at its first run.
    rules = {"C1": add_rule(cache, "gap 3y above 35", channel="C1"),
             "C2": add_rule(cache, "ratio vs 200dma below 0", channel="C2"),
             "C3": add_rule(cache, "ratio percentile etf below 10", channel="C3")}
    summary = make_evaluator(alert_deps(fake, cache, market_data_dir)).run(DAY)
    assert summary.errors == []
    assert sorted(posted_events(fake.calls("chat.postMessage"))) == [
        (rules[c].id, "2024-03-26", "fire") for c in ("C1", "C2", "C3")]

    filenames = {call.params["filename"] for call in fake.calls("files.getUploadURLExternal")}
    assert filenames == {"smallcaps-gap-3y-index-2024-03-26.png",
                         "smallcaps-trend-2y-index-2024-03-26.png",
                         "smallcaps-trend-2y-etf-2024-03-26.png"}
    # one message per firing: the chart is an unshared upload shown inside the alert's post
    uploads = fake.calls("files.completeUploadExternal")
    assert not [c for c in uploads if c.params.get("channel_id")]
    titles_by_file = {call.params["files"][0]["id"]: call.params["files"][0]["title"]
                      for call in uploads}
    posts = {c.params["channel"]: c for c in fake.calls("chat.postMessage")}
    assert all(not c.params.get("thread_ts") for c in posts.values())
    titles = {}
    for update in fake.calls("chat.update"):
        [image] = [b for b in update.params["blocks"] if b["type"] == "image"]
        titles[update.params["channel"]] = titles_by_file[image["slack_file"]["id"]]
        # the post keeps its identity (reconciliation reads it back from the history)
        assert update.params["metadata"] == posts[update.params["channel"]].params["metadata"]
    assert titles == {
        "C1": "^RUT vs ^GSPC · 3 years to 2024-03-26",
        "C2": "^RUT / ^GSPC ratio · trend to 2024-03-26",
        "C3": "IWM / SPY ratio · trend to 2024-03-26",
    }
    assert all(png.startswith(b"\x89PNG") for png in fake.uploaded_files().values())


def test_a_firing_chart_tells_a_screen_reader_its_numbers(fake, cache, market_data_dir,
                                                          real_closes):
    """The chart after a firing carries alt text with the gap it shows, not only a title."""
    add_rule(cache, "gap 3y above 35", channel="C1")
    make_evaluator(alert_deps(fake, cache, market_data_dir)).run(DAY)
    [upload] = fake.calls("files.getUploadURLExternal")
    rut, gspc = real_closes["^RUT"], real_closes["^GSPC"]
    small = (rut["2024-03-26"] / rut["2021-03-26"] - 1) * 100
    large = (gspc["2024-03-26"] / gspc["2021-03-26"] - 1) * 100
    alt = upload.params["alt_txt"]
    assert alt.startswith("Chart: ^RUT vs ^GSPC · 3 years to 2024-03-26.")
    assert f"{large - small:.2f} pp" in alt and f"{small:+.2f} %" in alt
