"""`alert ...` and `digest ...` words: what is accepted, and clear refusals for the rest."""

from __future__ import annotations

import pytest

from handlers.alert_parsing import (
    AlertAction,
    AlertAdd,
    AlertList,
    DigestRequest,
    parse_alert,
    parse_digest,
)
from handlers.words import CommandError
from tests.query_helpers import context, parse_command


@pytest.mark.parametrize("text,canonical", [
    ("gap 3y above 30 hysteresis 2", "gap 3y above 30 hysteresis 2"),
    ("gap above 30", "gap 3y above 30"),
    ("gap 18m etf below -5pp cooldown 2w", "gap 18m etf below -5 cooldown 14d"),
    ("ratio vs 200dma crosses 0", "ratio vs 200dma crosses 0"),
    ("ratio vs 50d crosses up 1.5% hyst 0.5", "ratio vs 50dma crosses up 1.5 hysteresis 0.5"),
    ("ratio percentile below 10 no-clear-note", "ratio percentile below 10 no-clear-note"),
    ("ratio zscore crosses down -2 IJR/SPY", "ratio zscore IJR/SPY crosses down -2"),
    ("GAP 3Y ABOVE 30 COOLDOWN 5D", "gap 3y above 30 cooldown 5d"),
    ("gap ytd crosses below 10", "gap ytd crosses down 10"),
])
def test_rules_parse_to_canonical_words(text, canonical):
    request = parse_command("alert add " + text)
    assert isinstance(request, AlertAdd)
    assert request.rule.words() == canonical


def test_rule_fields_carry_units_as_typed():
    rule = parse_alert("add gap 3y above 30 hysteresis 2 cooldown 5d".split(), context()).rule
    assert (rule.condition, rule.threshold, rule.hysteresis, rule.cooldown_days) == \
        ("above", 30.0, 2.0, 5)
    assert rule.metric.period.label == "3y" and rule.metric.pair.key == "index"


@pytest.mark.parametrize("text,needle", [
    ("alert", "Say what to do"),
    ("alert frobnicate", "not an alert command"),
    ("alert add", "not a metric"),
    ("alert add volume above 3", "`volume` is not a metric"),
    ("alert add gap 3y over 30", "Expected a condition"),
    ("alert add gap 3y above", "Give a value"),
    ("alert add gap 3y above thirty", "not a number"),
    ("alert add gap 3y above nan", "not a number"),
    ("alert add gap 3y above 30 hysteresis", "hysteresis"),
    ("alert add gap 3y above 30 hysteresis -1", "hysteresis"),
    ("alert add gap 3y above 30 hysteresis 1 hysteresis 2", "twice"),
    ("alert add gap 3y above 30 cooldown 1000d", "cooldown"),
    ("alert add gap 3y above 30 loudly", "`loudly` is not an option"),
    ("alert add gap max above 30", "rolling window"),
    ("alert add gap 3q above 30", "3q"),
    ("alert add ratio vs 1dma crosses 0", "moving average"),
    ("alert add ratio vs crosses 0", "moving average"),
    ("alert add ratio momentum above 1", "percentile"),
    ("alert add ratio percentile above 120", "between 0 and 100"),
    ("alert add ratio zscore below -40", "between -10 and 10"),
    ("alert add gap 3y above 30 etf index", "one pair"),
    ("alert add gap 3y above 30 NOPE!/SPY", "NOPE!"),
    ("alert add gap 3y above 3000", "between -1000 and 1000"),
    ("alert add ratio zscore above 1 hysteresis 50", "too wide"),
    ("alert remove", "needs one rule id"),
    ("alert remove banana", "not a rule id"),
    ("alert pause A1 A2", "needs one rule id"),
    ("alert list everything", "takes no arguments"),
    ("digest hourly", "digest daily"),
])
def test_bad_alert_commands_explain_and_give_an_example(text, needle):
    with pytest.raises(CommandError) as err:
        parse_command(text)
    assert needle in err.value.message
    assert err.value.example.startswith(("alert", "digest"))


@pytest.mark.parametrize("word,expected", [("A3", "A3"), ("a3", "A3"), ("3", "A3"),
                                           ("#12", "A12")])
def test_rule_ids_are_forgiving(word, expected):
    assert parse_alert(["remove", word], context()) == AlertAction("remove", expected)


def test_list_pause_resume_and_digest():
    assert parse_alert(["list"], context()) == AlertList()
    assert parse_alert(["pause", "A1"], context()) == AlertAction("pause", "A1")
    assert parse_alert(["resume", "A1"], context()) == AlertAction("resume", "A1")
    assert parse_digest(["Weekly"], context()) == DigestRequest("weekly")
    assert parse_digest([], context()) == DigestRequest(None)
    assert parse_command("digest off") == DigestRequest("off")
