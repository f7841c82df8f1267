"""Alert posts as people read them, and within Slack's Block Kit limits."""

from __future__ import annotations

from datetime import date, timedelta

from handlers.alert_text import firing_message


def record(kind="fire", day="2024-01-16", value=35.7, **extra):
    base = {
        "type": "alert", "rule_id": "A1", "channel_id": "C1", "creator_id": "U1",
        "description": "gap 3y above 35 hysteresis 2", "kind": kind,
        "direction": "up" if kind == "fire" else "down", "condition": "above", "day": day,
        "value": value, "value_text": f"{value:.2f} pp",
        "level": 35.0 if kind == "fire" else 33.0,
        "level_text": "35.00 pp" if kind == "fire" else "33.00 pp",
        "threshold_text": "35.00 pp", "hysteresis": 2.0, "rearm_text": "33.00 pp",
        "previous_text": "34.17 pp", "previous_day": "2024-01-12", "metric_kind": "gap",
        "metric_label": "the 3-year gap (S&P 500 − Russell 2000)", "period": "3y",
        "pair": "index", "pair_label": "Russell 2000 (^RUT) vs S&P 500 (^GSPC)",
        "basis": "price return", "source": "Yahoo Finance", "stale_note": None,
        "window_start": "2021-01-15", "window_end": day,
        "window_text": f"3-year window 2021-01-15 → {day}", "current_text": "33.10 pp",
        "current_day": "2024-04-19", "catch_up": False}
    return {**base, **extra}


def text_of(blocks) -> str:
    return "\n".join(b["text"]["text"] if b["type"] == "section"
                     else " ".join(e["text"] for e in b["elements"]) for b in blocks)


def test_a_firing_says_what_crossed_what_with_value_threshold_rule_and_creator():
    blocks, fallback = firing_message([record()])
    text = text_of(blocks)
    assert "The 3-year gap (S&P 500 − Russell 2000) rose above 35.00 pp* on 2024-01-16" in text
    assert "now *35.70 pp*, threshold 35.00 pp (previous close 34.17 pp on 2024-01-12)" in text
    assert "re-arms once back below or at 33.00 pp (hysteresis 2)" in text
    assert "Rule `A1` `gap 3y above 35 hysteresis 2` · set by <@U1>" in text
    assert "price return" in text and "2021-01-15 → 2024-01-16" in text
    assert "Yahoo Finance" in text
    assert fallback.startswith("Alert A1: the 3-year gap")


def test_a_first_evaluation_already_above_does_not_say_rose():
    """A rule added while the gap is 38.46 pp fires on its first evaluation: the gap did
    not 'rise above' 30 that day, it was already there (issue #20)."""
    blocks, fallback = firing_message([record(value=38.61, previous_value=38.46,
                                              previous_text="38.46 pp", level=30.0,
                                              level_text="30.00 pp",
                                              threshold_text="30.00 pp")])
    text = text_of(blocks)
    assert "rose above" not in text and "rose above" not in fallback
    assert "The 3-year gap (S&P 500 − Russell 2000) is above 30.00 pp* on 2024-01-16" in text
    assert "already above the threshold at the previous close" in text


def test_a_real_crossing_still_says_rose():
    blocks, _ = firing_message([record(previous_value=34.17)])
    assert "rose above 35.00 pp" in text_of(blocks)


def test_a_clear_note_says_back_below_and_rearmed():
    blocks, _ = firing_message([record("clear", "2024-04-19", 32.9)])
    text = text_of(blocks)
    assert ("The 3-year gap (S&P 500 − Russell 2000) is back below 33.00 pp (threshold "
            "35.00 pp − hysteresis 2)* on 2024-04-19: now *32.90 pp*") in text
    assert "Rule `A1` is re-armed" in text


def test_a_catch_up_lists_every_event_with_its_date_within_limits():
    start = date(2023, 1, 2)
    records = [record(day=(start + timedelta(days=i)).isoformat(), value=35 + i / 100)
               for i in range(99)] + [record("clear", "2024-04-19", 32.9)]
    blocks, fallback = firing_message(records)
    text = text_of(blocks)
    assert "100 events between 2023-01-02 and 2024-04-19" in text
    assert "• 2023-01-02: rose above 35.00 pp (35.00 pp)" in text
    assert "… and 80 more up to 2024-04-19" in text
    assert "Now 33.10 pp (2024-04-19)" in text
    assert len(blocks) <= 50 and len(fallback) <= 3000
    assert all(len(b["text"]["text"]) <= 3000 for b in blocks if b["type"] == "section")


def test_a_late_single_firing_says_it_was_posted_late():
    text = text_of(firing_message([record(catch_up=True)])[0])
    assert "Posted late" in text
