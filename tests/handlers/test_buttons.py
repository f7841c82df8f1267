"""Switch buttons: what each one switches to, which is highlighted, Block Kit limits."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime

import pytest

from bot.listeners.actions import attribution, is_stale, stale_text
from bot.slack.slack_update import with_chart
from handlers.buttons import (
    Choice,
    decode_value,
    encode_value,
    report_buttons,
    switch_block,
)
from handlers.gap import CHOICES, gap_blocks
from tests.block_kit import check_blocks
from tests.handlers.test_gap import PAYLOAD


def _row(payload):
    return {b["text"]["text"]: b for b in report_buttons(payload, CHOICES)["elements"]}


def test_one_button_per_period_and_pair_with_the_shown_ones_primary():
    row = _row(PAYLOAD)  # 3y, index
    assert list(row) == ["1y", "3y", "5y", "10y", "Index", "ETF"]
    assert {k for k, b in row.items() if b.get("style") == "primary"} == {"3y", "Index"}


def test_each_button_changes_exactly_one_thing_and_keeps_the_as_of():
    row = _row(PAYLOAD)
    five = decode_value(row["5y"]["value"])
    etf = decode_value(row["ETF"]["value"])
    assert five.command == etf.command == "gap"
    assert five.query == {"period": "5y", "pair": "index", "as_of": "2024-03-26"}
    assert etf.query == {"period": "3y", "pair": "etf", "as_of": "2024-03-26"}
    assert five.command_text() == "gap 5y index as-of 2024-03-26"


def test_value_is_compact_json_with_the_data_epoch_of_the_payload():
    # fetched 2026-11-24 21:00 UTC = 16:00 New York, before that day's 16:20 refresh point,
    # so the data belongs to the previous weekday's refresh (Monday 2026-11-23 16:20).
    value = _row(PAYLOAD)["10y"]["value"]
    assert " " not in value
    assert json.loads(value) == {"c": "gap", "e": "202611231620", "k": "index", "p": "10y",
                                 "a": "2024-03-26"}


def test_latest_query_has_no_as_of_and_custom_pair_highlights_no_pair():
    p = copy.deepcopy(PAYLOAD)
    p.update(pair="IJR/SPY", period="18m", as_of_requested=None)
    row = _row(p)
    assert not any(b.get("style") for b in row.values())
    assert decode_value(row["1y"]["value"]).query == {"period": "1y", "pair": "IJR/SPY"}


def test_buttons_under_a_live_answer_stay_live():
    p = copy.deepcopy(PAYLOAD)
    p.update(as_of_requested=None, intraday={"at": "2024-07-01T10:15:00-04:00",
                                             "day": "2024-07-01",
                                             "label": "intraday, 10:15 New York, not a close"})
    five = decode_value(_row(p)["5y"]["value"])
    assert five.command_text() == "gap 5y index live"
    assert decode_value(_row({**PAYLOAD, "as_of_requested": None})["5y"]["value"]
                        ).command_text() == "gap 5y index"


def test_generic_builder_serves_other_commands():
    block = switch_block("trend", {"period": "1y", "pair": "etf"}, "202611231620",
                         [Choice("period", "1y", "1 year"), Choice("period", "5y", "5 years")])
    first, second = block["elements"]
    assert first["style"] == "primary" and "style" not in second
    assert decode_value(second["value"]).command_text() == "trend 5y etf"


@pytest.mark.parametrize("value", ["", "not json", "[]", '{"c": "gap"}', "null"])
def test_foreign_values_are_refused(value):
    with pytest.raises(ValueError):
        decode_value(value)


def test_gap_reply_with_buttons_stays_within_block_kit_limits():
    blocks = gap_blocks(PAYLOAD)
    assert blocks[-1]["type"] == "actions"
    check_blocks(blocks)
    long_pair = encode_value("gap", {"period": "2021-03-26..2024-03-26",
                                     "pair": "^ABCDEFGHIJKLMNO/^ABCDEFGHIJKLMNO",
                                     "as_of": "2024-03-26"}, "202611231620")
    assert len(long_pair) < 200


def test_pinned_as_of_never_goes_stale_latest_does_after_the_next_close():
    monday_after_close = datetime(2026, 11, 23, 21, 30, tzinfo=UTC)  # 16:30 New York
    request = decode_value(encode_value("gap", {"period": "5y"}, "202611201620"))  # Friday
    assert is_stale(request, monday_after_close)
    assert not is_stale(decode_value(encode_value("gap", {"period": "5y"}, "202611231620")),
                        monday_after_close)
    pinned = decode_value(encode_value("gap", {"period": "5y", "as_of": "2024-03-26"},
                                       "202611201620"))
    assert not is_stale(pinned, monday_after_close)
    assert "2026-11-20 close" in stale_text(request)
    assert "`/smallcaps gap 5y`" in stale_text(request)


def test_switched_message_puts_chart_and_attribution_above_the_buttons():
    blocks = gap_blocks(PAYLOAD)
    note = attribution("5y", "U123", datetime(2026, 11, 24, 15, 0, tzinfo=UTC))
    out = with_chart(blocks, "F1", "Russell 2000 vs S&P 500 · 5 years", False, note)
    assert [b["type"] for b in out[-3:]] == ["image", "context", "actions"]
    assert out[-3]["slack_file"] == {"id": "F1"}
    assert "Switched to *5y* by <@U123>" in out[-2]["elements"][0]["text"]
    check_blocks(out)
    without = with_chart(blocks, None, "alt", True, note)
    assert "chart in the thread" in without[-2]["elements"][0]["text"]
    assert not any(b["type"] == "image" for b in without)
