"""Every uploaded chart tells a screen reader its key numbers, not only its title: what
arrives at the fake Slack (`files.getUploadURLExternal` `alt_txt`, image blocks' `alt_text`)."""

from __future__ import annotations

import pytest

import bot.slack.slack_update
from handlers.registry import COMMANDS, rendering_of
from handlers.replies import chart_alt_text
from tests.analytics.plain import read_closes, rolling_gaps
from tests.query_helpers import parse_command
from tests.slack_helpers import dispatch_slash, wired_app
from tests.slack_native_helpers import buttons_of, dispatch_block_action, message_click


@pytest.fixture(autouse=True)
def _quick_image_retries(monkeypatch):
    monkeypatch.setattr(bot.slack.slack_update, "IMAGE_RETRY_DELAYS_S", (0.01, 0.01, 0.01))


def _upload_alt_text(app, fake, text: str) -> str:
    dispatch_slash(app, fake, text)
    [upload] = fake.wait_for("files.getUploadURLExternal", timeout=20)
    fake.wait_for("chat.update", timeout=20)
    return upload.params["alt_txt"]


def _window_return(series, start: str, end: str) -> float:
    return (series[end] / series[start] - 1) * 100


def test_gap_chart_upload_states_both_returns_and_the_gap(app, fake, real_closes):
    alt = _upload_alt_text(app, fake, "gap 3y as-of 2024-03-26")
    small = _window_return(real_closes["^RUT"], "2021-03-26", "2024-03-26")
    large = _window_return(real_closes["^GSPC"], "2021-03-26", "2024-03-26")
    assert alt.startswith("Chart: ^RUT vs ^GSPC · 3 years to 2024-03-26.")
    assert f"{small:+.2f} %" in alt and f"{large:+.2f} %" in alt
    assert f"lag by {large - small:.2f} pp" in alt


def test_history_chart_upload_states_the_gap_and_its_percentile(app, fake, market_data_dir):
    alt = _upload_alt_text(app, fake, "history 3y as-of 2024-03-26")
    rut, gspc = (read_closes(market_data_dir / f"{s}.csv") for s in ("^RUT", "^GSPC"))
    values = [g for d, g in rolling_gaps(rut, gspc, 3) if d.isoformat() <= "2024-03-26"]
    today = values[-1]
    percentile = sum(v <= today for v in values) / len(values) * 100
    assert f"lag by {today:.2f} pp" in alt
    assert f"{round(percentile)}rd percentile" in alt


def test_the_image_block_after_a_click_carries_the_numbers(app, fake, real_closes):
    dispatch_slash(app, fake, "gap 3y")
    [post] = fake.wait_for("chat.postMessage", timeout=20)
    fake.wait_for("chat.update", timeout=20)
    fake.reset()
    message = {"type": "message", "ts": "1700000000.000100", "user": "UBOT",
               "text": post.params["text"], "blocks": post.params["blocks"]}
    dispatch_block_action(app, message_click(buttons_of(message["blocks"])["5y"], message,
                                             fake))
    [update] = fake.wait_for("chat.update", timeout=20)
    [image] = [b for b in update.params["blocks"] if b["type"] == "image"]
    small = _window_return(real_closes["^RUT"], "2021-08-20", "2026-08-21")
    large = _window_return(real_closes["^GSPC"], "2021-08-20", "2026-08-21")
    assert f"{small:+.2f} %" in image["alt_text"] and f"{large:+.2f} %" in image["alt_text"]
    [upload] = fake.calls("files.getUploadURLExternal")
    assert upload.params["alt_txt"] == image["alt_text"]


@pytest.mark.parametrize("command", [c for c in COMMANDS if c.rendering is not None],
                         ids=lambda c: c.name)
def test_alt_text_names_the_title_once(cache, fake, market_data_dir, command):
    """`table`'s alt text read 'Chart: <title>. <title> …': its notification text opens with
    the title, so a screen reader heard it twice."""
    _, deps = wired_app(fake, cache, market_data_dir)
    payload = deps.reports.run(parse_command(command.example)).payload
    title = rendering_of(payload).title(payload)
    assert chart_alt_text(payload).count(title) == 1
