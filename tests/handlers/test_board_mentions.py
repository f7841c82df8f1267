"""`@smallcaps board`, `set` and `schedule` by mention: answered in the thread."""

from __future__ import annotations

from bot.alerts.schedules import ScheduleStore
from tests.block_kit import all_text, check_blocks
from tests.slack_native_helpers import dispatch_event


def _mention(app, text: str, ts: str = "1700000500.000100"):
    return dispatch_event(app, {"type": "app_mention", "user": "U1", "text": text, "ts": ts,
                                "channel": "C1", "event_ts": ts})


def test_board_by_mention_posts_the_rows_and_heatmap(app, fake, real_closes):
    _mention(app, "<@UBOT> board IJR/SPY, RSP/SPY as-of 2024-03-26")
    [post] = fake.wait_for("chat.postMessage", timeout=30)
    text = all_text(post.params["blocks"])
    check_blocks(post.params["blocks"])
    ijr, spy = real_closes["IJR"], real_closes["SPY"]
    one_year = ((spy["2024-03-26"] / spy["2023-03-24"] - 1)
                - (ijr["2024-03-26"] / ijr["2023-03-24"] - 1)) * 100
    assert f"{one_year:+.1f}" in text and "RSP/SPY" in text
    fake.wait_for("chat.update", timeout=30)


def test_set_and_schedule_by_mention(app, fake, cache):
    _mention(app, "<@UBOT> set pair etf")
    [reply] = fake.wait_for("chat.postMessage", timeout=30)
    assert "pair is now `etf`" in reply.params["text"]
    _mention(app, '<@UBOT> schedule add "board" weekly fri', ts="1700000600.000100")
    replies = fake.wait_for("chat.postMessage", count=2, timeout=30)
    assert '"board" weekly on fri' in replies[1].params["text"]
    [schedule] = ScheduleStore(cache).for_channel("C1")
    assert schedule.creator_id == "U1"
