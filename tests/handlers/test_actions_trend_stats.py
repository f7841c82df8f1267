"""Period/pair buttons under trend, stats and history replies: a click reruns THAT command in place.

Signed block_actions through the real Bolt app and the fake Slack; the numbers in the
updated message are checked against plain-Python computations on the CSV files.
"""

from __future__ import annotations

import math
import statistics
from datetime import date

import pytest

import bot.slack.slack_update
from handlers.buttons import decode_value
from tests.alert_helpers import read_closes
from tests.block_kit import all_text, check_blocks
from tests.slack_helpers import dispatch_slash
from tests.slack_native_helpers import buttons_of, dispatch_block_action, message_click


@pytest.fixture(autouse=True)
def _quick_image_retries(monkeypatch):
    monkeypatch.setattr(bot.slack.slack_update, "IMAGE_RETRY_DELAYS_S", (0.01, 0.01, 0.01))


def _posted_message(app, fake, text: str) -> dict:
    """Run `/smallcaps TEXT` and return the posted message as Slack would show it."""
    dispatch_slash(app, fake, text)
    [post] = fake.wait_for("chat.postMessage", timeout=20)
    fake.wait_for("chat.update", timeout=20)
    fake.reset()
    return {"type": "message", "ts": "1700000000.000100", "user": "UBOT",
            "text": post.params["text"], "blocks": post.params["blocks"]}


def _click(app, fake, message: dict, label: str) -> dict:
    """Click the button labelled `label`; the chat.update that follows."""
    button = buttons_of(message["blocks"])[label]
    dispatch_block_action(app, message_click(button, message, fake))
    [update] = fake.wait_for("chat.update", timeout=20)
    check_blocks(update.params["blocks"])
    return update


def _common(small: dict[date, float], large: dict[date, float],
            end: date | None = None) -> list[date]:
    return sorted(d for d in set(small) & set(large) if end is None or d <= end)


def _start(days: list[date], end: date, years: int) -> date:
    """The last common close on or before the same calendar date `years` earlier."""
    return max(d for d in days if d <= end.replace(year=end.year - years))


def test_trend_and_stats_replies_carry_switch_buttons_for_their_own_command(app, fake):
    for text, command, shown in (("trend", "trend", "2y"), ("stats", "stats", "3y")):
        message = _posted_message(app, fake, text)
        row = buttons_of(message["blocks"])
        assert {decode_value(b["value"]).command for b in row.values()} == {command}
        assert row[shown].get("style") == "primary" and row["Index"].get("style") == "primary"


def test_5y_on_a_trend_message_updates_it_with_the_5y_trend(app, fake, market_data_dir):
    message = _posted_message(app, fake, "trend")
    assert "Chart: 2 years" in all_text(message["blocks"])
    update = _click(app, fake, message, "5y")
    assert update.params["ts"] == message["ts"]
    text = all_text(update.params["blocks"])

    rut = read_closes(market_data_dir / "^RUT.csv")
    gspc = read_closes(market_data_dir / "^GSPC.csv")
    days = _common(rut, gspc)
    ratio = {d: rut[d] / gspc[d] for d in days}
    end = days[-1]
    ma200 = sum(ratio[d] for d in days[-200:]) / 200  # a plain mean of the last 200 ratios
    start = _start(days, end, 5)
    moved = (ratio[end] / ratio[start] - 1) * 100
    assert f"{ratio[end]:.4f} on {end}" in text
    assert f"{(ratio[end] / ma200 - 1) * 100:+.2f} % (average {ma200:.4f})" in text
    assert f"Chart: 5 years, {start} → {end}; the ratio moved {moved:+.2f} %" in text
    assert "ratio · trend to" in text and "Switched to *5y* by <@U2>" in text
    assert any(b["type"] == "image" for b in update.params["blocks"])
    [upload] = fake.calls("files.completeUploadExternal")
    assert "trend" in upload.params["files"][0]["title"]
    row = buttons_of(update.params["blocks"])
    assert row["5y"].get("style") == "primary" and "style" not in row["2y"]
    assert decode_value(row["ETF"]["value"]).command_text() == "trend 5y etf"


def test_etf_on_a_stats_message_updates_it_with_the_etf_stats(app, fake, market_data_dir):
    message = _posted_message(app, fake, "stats")
    update = _click(app, fake, message, "ETF")
    text = all_text(update.params["blocks"])

    iwm = read_closes(market_data_dir / "IWM.csv")
    spy = read_closes(market_data_dir / "SPY.csv")
    days = _common(iwm, spy)
    end = days[-1]
    start = _start(days, end, 3)
    window = [d for d in days if start <= d <= end]
    assert f"risk over 3 years to {end}" in text and f"{start} → {end}" in text
    for closes in (iwm, spy):
        total = (closes[end] / closes[start] - 1) * 100
        daily = [closes[b] / closes[a] - 1 for a, b in zip(window, window[1:], strict=False)]
        volatility = statistics.stdev(daily) * math.sqrt(252) * 100
        assert f"{total:+.2f} %" in text and f"{volatility:.2f} %" in text
    assert "IWM" in text and "SPY" in text and "total return" in text
    assert "Switched to *ETF* by <@U2>" in text
    row = buttons_of(update.params["blocks"])
    assert row["ETF"].get("style") == "primary" and row["3y"].get("style") == "primary"
    assert decode_value(row["5y"]["value"]).command_text() == "stats 5y etf"


def test_10y_on_a_history_message_updates_it_with_the_10y_history(app, fake, market_data_dir):
    message = _posted_message(app, fake, "history")
    row = buttons_of(message["blocks"])
    assert {decode_value(b["value"]).command for b in row.values()} == {"history"}
    assert row["3y"].get("style") == "primary"
    update = _click(app, fake, message, "10y")
    text = all_text(update.params["blocks"])

    rut = read_closes(market_data_dir / "^RUT.csv")
    gspc = read_closes(market_data_dir / "^GSPC.csv")
    days = _common(rut, gspc)
    end = days[-1]
    start = _start(days, end, 10)
    gap = ((gspc[end] / gspc[start]) - (rut[end] / rut[start])) * 100
    assert f"Rolling 10-year gap · ^RUT vs ^GSPC · to {end}" in text
    assert f"*This window ({start} → {end})*\n{gap:+.2f} pp" in text.replace("\u2212", "-")
    assert "Switched to *10y* by <@U2>" in text
    row = buttons_of(update.params["blocks"])
    assert row["10y"].get("style") == "primary"
    assert decode_value(row["ETF"]["value"]).command_text() == "history 10y etf"
