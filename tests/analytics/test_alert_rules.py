"""The alert state machine: worked examples and properties over arbitrary value paths."""

from __future__ import annotations

import math
from datetime import date, timedelta

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.alert_metrics import GapMetric, RatioPercentile, RatioVsAverage, RatioZscore
from analytics.alert_rules import AlertState, RuleSpec, advance, seed, step
from analytics.pairs import PAIRS
from analytics.periods import parse_period

GAP = GapMetric(PAIRS["index"], parse_period("3y"))
START = date(2024, 1, 1)


def rule(condition: str, threshold: float = 30.0, hysteresis: float = 0.0,
         cooldown: int = 0, clear_note: bool = True) -> RuleSpec:
    return RuleSpec(GAP, condition, threshold, hysteresis, cooldown, clear_note)  # type: ignore[arg-type]


def run(spec: RuleSpec, values: list[float], state: AlertState | None = None
        ) -> list[tuple[int, str, str]]:
    """(day index, kind, direction) of every event when stepping through `values`."""
    state = state or AlertState()
    events = []
    for i, value in enumerate(values):
        state, event = step(state, START + timedelta(days=i), value, spec)
        if event is not None:
            events.append((i, event.kind, event.direction))
    return events


def test_above_fires_once_then_needs_the_hysteresis_band_to_rearm():
    values = [29, 31, 32, 29.5, 31, 27.9, 28, 30.5, 30.5]
    assert run(rule("above", 30, 2), values) == [
        (1, "fire", "up"), (5, "clear", "down"), (7, "fire", "up")]


def test_the_band_edges_count_as_back_and_the_threshold_itself_does_not_fire():
    assert run(rule("above", 30, 2), [31, 28, 30, 31]) == [
        (0, "fire", "up"), (1, "clear", "down"), (3, "fire", "up")]
    assert run(rule("below", 30, 2), [29, 32, 30, 29]) == [
        (0, "fire", "down"), (1, "clear", "up"), (3, "fire", "down")]


def test_a_new_above_rule_fires_at_once_when_the_condition_already_holds():
    assert run(rule("above", 30), [35, 36]) == [(0, "fire", "up")]


def test_below_mirrors_above():
    assert run(rule("below", -5, 1), [0, -6, -4.5, -3.9, -5.5]) == [
        (1, "fire", "down"), (3, "clear", "up"), (4, "fire", "down")]


def test_no_clear_note_silences_the_rearm_note_but_still_rearms():
    assert run(rule("above", 30, 0, clear_note=False), [31, 29, 31]) == [
        (0, "fire", "up"), (2, "fire", "up")]


def test_crosses_up_needs_a_value_below_first():
    spec = rule("crosses up", 30, 1)
    assert run(spec, [31, 32, 29.5, 31, 28.9, 30.1]) == [(5, "fire", "up")]
    assert run(spec, [29, 31, 29.5, 31.5, 28, 30.5]) == [
        (1, "fire", "up"), (4, "clear", "down"), (5, "fire", "up")]


def test_crosses_either_way_ignores_wobbles_inside_the_band():
    values = [-2, 0.5, -0.3, 0.2, 1.5, -0.1, -1.2, -3, 0.9, 1.1]
    assert run(rule("crosses", 0, 1), values) == [
        (1, "fire", "up"), (6, "fire", "down"), (9, "fire", "up")]


def test_crosses_without_band_reports_every_crossing_but_not_touching():
    assert run(rule("crosses", 0), [1, 0, 1, -1, 0, -2, 3]) == [
        (3, "fire", "down"), (6, "fire", "up")]


def test_cooldown_keeps_an_above_rule_armed_until_it_ends():
    values = [31, 29, 31, 31, 31, 31, 31]  # fire day 0, re-arm day 1, cooling to day 4
    assert run(rule("above", 30, cooldown=5), values) == [
        (0, "fire", "up"), (1, "clear", "down"), (5, "fire", "up")]


def test_a_crossing_during_the_cooldown_is_not_posted():
    assert run(rule("crosses", 0, cooldown=3), [-1, 1, -1, 1, -1, 1]) == [
        (1, "fire", "up"), (4, "fire", "down")]


def test_missing_values_change_nothing():
    spec = rule("above", 30)
    assert run(spec, [29, math.nan, 31]) == [(2, "fire", "up")]


def test_seed_records_the_side_without_posting():
    spec = rule("crosses", 0)
    state = seed(AlertState(), START, -1.0, spec)
    assert (state.status, state.side, state.last_date) == ("armed", "below", START)
    state, event = step(state, START + timedelta(days=1), 0.5, spec)
    assert event is not None and event.direction == "up" and event.previous_value == -1.0


def test_advance_seeds_a_new_rule_with_the_previous_day_and_evaluates_only_the_last():
    days = pd.bdate_range("2024-01-01", periods=5)
    series = pd.Series([31.0, 31.0, -1.0, -1.0, 1.0], index=days)
    state, events = advance(AlertState(), series, days[-1].date(), rule("crosses", 0))
    assert [(e.day, e.direction) for e in events] == [(days[-1].date(), "up")]
    assert state.last_date == days[-1].date()


def test_state_survives_json():
    state = AlertState("fired", "above", START, START, 1.25, START + timedelta(days=3))
    assert AlertState.from_json(state.to_json()) == state


def test_rule_words_are_canonical():
    assert rule("above", 30, 2).words() == "gap 3y above 30 hysteresis 2"
    assert rule("crosses down", -2.5, 0.25, 7, False).words() == \
        "gap 3y crosses down -2.5 hysteresis 0.25 cooldown 7d no-clear-note"


# --- properties -------------------------------------------------------------------------

values_st = st.lists(st.floats(-50, 50, allow_nan=False).map(lambda v: round(v, 1)),
                     min_size=1, max_size=60)
band_st = st.sampled_from([0.0, 0.5, 2.0, 7.5])


@settings(max_examples=300, deadline=None)
@given(values_st, band_st, st.sampled_from(["above", "below"]))
def test_level_rules_alternate_fire_and_clear_on_the_right_side(values, band, condition):
    spec = rule(condition, 0.0, band)
    events = run(spec, values)
    kinds = [kind for _, kind, _ in events]
    assert kinds == ["fire", "clear"] * (len(kinds) // 2) + ["fire"] * (len(kinds) % 2)
    sign = 1 if condition == "above" else -1
    for i, kind, _ in events:
        if kind == "fire":
            assert sign * values[i] > 0
        else:
            assert sign * values[i] <= -band
    fires = [i for i, kind, _ in events if kind == "fire"]
    for a, b in zip(fires, fires[1:], strict=False):  # re-armed in between
        assert any(sign * v <= -band for v in values[a + 1:b])


@settings(max_examples=300, deadline=None)
@given(values_st)
def test_crosses_without_band_posts_exactly_the_sign_changes(values):
    expected, side = [], None  # independent: side of the last value not equal to 0
    for i, v in enumerate(values):
        now = "above" if v > 0 else "below" if v < 0 else None
        if now and side and now != side:
            expected.append((i, "fire", "up" if now == "above" else "down"))
        side = now or side
    assert run(rule("crosses", 0.0), values) == expected


@pytest.mark.slow  # seconds: processes, threads or a long replay
@settings(max_examples=300, deadline=None)
@given(values_st, band_st, st.sampled_from(["above", "below", "crosses", "crosses up",
                                            "crosses down"]),
       st.integers(0, 10), st.lists(st.integers(1, 59), max_size=6))
def test_catching_up_equals_evaluating_every_day(values, band, condition, cooldown, cuts):
    """Runs on arbitrary as-of days (missed days in between) give the same events and state
    as a run every day: downtime never changes what is posted, only when."""
    spec = rule(condition, 0.0, band, cooldown)
    days = pd.bdate_range("2024-01-01", periods=len(values))
    series = pd.Series(values, index=days, dtype="float64")
    daily_state, daily = AlertState(), []
    for day in days:
        daily_state, events = advance(daily_state, series, day.date(), spec)
        daily += events
    stops = sorted({c for c in cuts if c < len(values)} | {len(values) - 1})
    state, batched = advance(AlertState(), series, days[0].date(), spec)
    for stop in stops:
        state, events = advance(state, series, days[stop].date(), spec)
        batched += events
    assert batched == daily and state == daily_state


@settings(max_examples=200, deadline=None)
@given(values_st, st.integers(1, 20), st.sampled_from(["above", "crosses"]))
def test_firings_respect_the_cooldown(values, cooldown, condition):
    fires = [i for i, kind, _ in run(rule(condition, 0.0, 0.0, cooldown), values)
             if kind == "fire"]
    assert all(b - a >= cooldown for a, b in zip(fires, fires[1:], strict=False))


def test_a_value_just_past_its_level_never_prints_as_the_level():
    z = RatioZscore(PAIRS["index"])
    assert z.format_apart(-1.6034, -1.6) == "-1.603 σ"  # not "-1.60 σ", the threshold
    assert z.format_apart(-1.5996, -1.6) == "-1.5996 σ"
    assert z.format_apart(-1.75, -1.6) == "-1.75 σ"  # far enough: the usual 2 decimals
    assert GAP.format_apart(35.004, 35.0) == "35.004 pp"
    assert RatioPercentile(PAIRS["index"]).format_apart(9.96, 10.0) == "percentile 9.96"
    assert RatioVsAverage(PAIRS["index"], ma_days=200).format(-0.0001) == "0.00 %"
