"""The alert form beside its HTTP test (test_alert_form_http.py): every metric's rule goes
through the form and back unchanged, expiry dates (`until`) in the grammar, the store and
the evaluation, who may change a rule, and App Home's control panel with the user's own
rules."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from analytics.alert_rules import AlertState, advance
from bot.alerts.commands import AlertCommandError, AlertCommands, RuleView
from bot.alerts.store import AlertStore, spec_from_dict, spec_to_dict
from bot.app import create_app
from bot.bootstrap import build_deps
from bot.data.sources import CsvSource
from handlers.alert_form import FormContext, FormErrors, alert_view, read_form
from handlers.alert_parsing import parse_rule
from handlers.words import CommandError
from tests.block_kit import all_text, check_view, view_errors
from tests.handlers.test_alert_form_http import submitted_state
from tests.slack_helpers import FIXED_NOW, slack_settings
from tests.slack_native_helpers import (
    ChannelsFakeSlack,
    dispatch_block_action,
    dispatch_event,
    home_click,
)

RULES = ["gap 3y above 30 hysteresis 2", "gap ytd etf below -5 cooldown 14d",
         "ratio vs 50dma crosses up 1.5 no-clear-note", "ratio vs 130dma crosses -2",
         "ratio percentile etf below 10 until 2027-01-29", "ratio zscore crosses down -2",
         "gap 18m IJR/SPY crosses 12"]


@pytest.mark.parametrize("text", RULES)
def test_a_rule_goes_through_the_form_and_back_unchanged(text):
    spec = parse_rule(text.split())
    for context in (FormContext("C1"), FormContext("C1", "A7"), FormContext()):
        view = alert_view(spec, context)
        assert view_errors(view) == []
        submitted = read_form(submitted_state(view))
        assert submitted.spec == spec and submitted.spec.words() == spec.words()


def test_form_errors_name_their_field_in_the_grammars_words():
    view = alert_view(parse_rule("gap 3y above 30".split()), FormContext("C1"))
    values = submitted_state(view)
    values["threshold"]["threshold"]["value"] = None
    with pytest.raises(FormErrors) as missing:
        read_form(values)
    assert missing.value.errors == {"threshold": "Give a value after above, e.g. above 30."}
    values["threshold"]["threshold"]["value"] = "30"
    values["cooldown"]["cooldown"]["value"] = "900"
    with pytest.raises(FormErrors) as cooldown:
        read_form(values)
    assert list(cooldown.value.errors) == ["cooldown"]
    values["cooldown"]["cooldown"]["value"] = None
    values["metric"]["metric"]["selected_option"] = {"value": "vs_ma",
                                                     "text": {"type": "plain_text", "text": "x"}}
    values["average"]["average"]["selected_option"] = None
    with pytest.raises(FormErrors) as average:
        read_form(values)
    assert average.value.errors == {"average": "Choose one for this metric."}


def test_until_in_the_grammar_and_in_stored_rules():
    spec = parse_rule("gap 3y above 30 until 2026-12-31".split())
    assert spec.until == date(2026, 12, 31)
    assert spec.words() == "gap 3y above 30 until 2026-12-31"
    assert spec_from_dict(spec_to_dict(spec)) == spec
    old = spec_to_dict(parse_rule("gap 3y above 30".split()))
    assert "until" not in old  # the layout of rules stored before expiry dates existed
    assert spec_from_dict(old).until is None
    for bad in ("until 31/12/2026", "until 2026-02-30", "until"):
        with pytest.raises(CommandError, match="YYYY-MM-DD"):
            parse_rule(f"gap 3y above 30 {bad}".split())


def test_an_expired_rule_is_not_evaluated_after_its_last_day():
    spec = parse_rule("gap 3y above 30 until 2024-03-06".split())
    days = pd.bdate_range("2024-03-01", "2024-03-12")
    series = pd.Series([20, 25, 28, 29, 31, 35, 40, 41], index=days, dtype=float)
    seeded = AlertState(status="armed", last_value=20.0, last_date=date(2024, 3, 1))
    state, events = advance(seeded, series, date(2024, 3, 12), spec)
    assert events == [] and state.last_date == date(2024, 3, 6)  # 31 on the 7th: too late
    assert advance(AlertState(), series, date(2024, 3, 12), spec) == (AlertState(), [])


@pytest.fixture
def fake():
    with ChannelsFakeSlack() as server:
        yield server


@pytest.fixture
def deps(fake, cache, market_data_dir):
    settings = slack_settings(fake, market_data_dir).model_copy(
        update={"smallcaps_admin_users": "UADMIN"})
    return build_deps(settings, source=CsvSource(market_data_dir), cache=cache,
                      clock=lambda: FIXED_NOW)


def test_who_may_change_a_rule_and_expiry_in_its_status(deps):
    commands = AlertCommands(deps)
    with pytest.raises(AlertCommandError, match="in the past"):
        commands.add("C1", "U1", parse_rule("gap 3y above 30 until 2026-11-23".split()))
    rule = commands.add("C1", "U1", parse_rule("gap 3y above 30 until 2026-11-24".split())).rule
    with pytest.raises(AlertCommandError, match="Only <@U1>, who set `A1`, or an admin can edit"):
        commands.edit(rule.id, "C1", "U2", parse_rule("gap 3y above 31".split()))
    edited = commands.edit(rule.id, "C1", "UADMIN",
                           parse_rule("gap 3y above 31 until 2026-11-24".split())).rule
    assert (edited.id, edited.creator_id, edited.description) == \
        ("A1", "U1", "gap 3y above 31 until 2026-11-24")
    assert RuleView.last_evaluated(edited, date(2026, 11, 24)).status.startswith("new")
    assert RuleView.last_evaluated(edited, date(2026, 11, 25)).status.startswith(
        "expired after 2026-11-24")
    assert [v.rule.id for v in commands.of_user("U1")] == ["A1"] and commands.of_user("U2") == []


def test_edit_of_the_threshold_keeps_the_id_and_re_arms_afresh(deps, cache):
    commands = AlertCommands(deps)
    rule = commands.add("C1", "U1", parse_rule("gap 3y above 30".split())).rule
    fired = AlertState(status="fired", since=date(2026, 8, 20), last_fired=date(2026, 8, 20),
                       last_value=31.5, last_date=date(2026, 8, 21))
    store = AlertStore(cache)
    assert store.commit(rule, fired, [], FIXED_NOW) == 1
    edited = commands.edit("A1", "C1", "U1", parse_rule("gap 3y above 35".split())).rule
    assert edited.id == "A1" and edited.last_value == 31.5
    assert edited.machine == AlertState(last_value=31.5, last_date=date(2026, 8, 21),
                                        last_fired=date(2026, 8, 20))  # nothing replayed
    moved = commands.edit("A1", "C1", "U1", parse_rule("ratio zscore below -1".split())).rule
    assert moved.machine == AlertState() and moved.last_value is None  # another unit
    commands.add("C1", "U1", parse_rule("gap 3y above 30".split()))
    with pytest.raises(AlertCommandError, match="already has that rule: `A2`"):
        commands.edit("A1", "C1", "U1", parse_rule("gap 3y above 30".split()))


def test_home_has_the_control_panel_and_the_users_own_rules_with_edit(deps, fake):
    app = create_app(deps)
    commands = AlertCommands(deps)
    commands.add("C1", "U1", parse_rule("gap 3y above 30".split()))
    commands.add("C2", "U1", parse_rule("ratio vs 200dma crosses 0".split()))
    commands.add("C2", "U2", parse_rule("ratio zscore below -1".split()))
    fake.user_channels["U1"] = ["C1", "C2"]
    dispatch_event(app, {"type": "app_home_opened", "user": "U1", "channel": "D1",
                         "tab": "home", "event_ts": "1700000000.000001"})
    view = fake.wait_for("views.publish", timeout=30)[-1].params["view"]
    check_view(view)
    [panel] = [b for b in view["blocks"] if b.get("block_id") == "smallcaps_home_controls"]
    assert [(e["text"]["text"], e["action_id"]) for e in panel["elements"]] == [
        ("New alert", "smallcaps_alert_new"), ("New schedule", "smallcaps_schedule_new"),
        ("Channel defaults", "smallcaps_defaults_open")]
    edits = [b["accessory"] for b in view["blocks"] if b.get("accessory", {}).get(
        "action_id") == "smallcaps_alert_edit"]
    assert [e["value"] for e in edits] == ["A1", "A2"]  # U1's own, not U2's A3
    text = all_text(view["blocks"])
    assert "Your alert rules" in text and "`gap 3y above 30` in <#C1>" in text

    dispatch_block_action(app, home_click("smallcaps_alert_new", user="U1"))
    opened = fake.wait_for("views.open", timeout=10)[-1].params["view"]
    assert [b["element"]["type"] for b in opened["blocks"] if b.get("block_id") == "channel"] \
        == ["conversations_select"]
    edit = home_click("smallcaps_alert_edit", user="U2")
    edit["actions"][0]["value"] = "A1"
    dispatch_block_action(app, edit)  # not U2's rule: a notice, not the form
    notice = fake.wait_for("views.open", count=2, timeout=10)[-1].params["view"]
    assert "Only <@U1>, who set `A1`, or an admin can edit it" in all_text(notice["blocks"])


def test_every_answer_with_the_button_offers_a_rule_near_the_value_it_shows(deps):
    """The offer's rule, read by the grammar, watches the very number the answer shows: its
    threshold is within half a step of that metric's latest value as the evaluator computes
    it."""
    from bot.alerts.metrics import MetricCache
    from handlers.alert_form import spec_of_offer
    from handlers.channel_defaults import request_context
    from handlers.registry import COMMANDS

    offering = [c for c in COMMANDS if c.alert_offer is not None]
    assert {c.name for c in offering} == {"gap", "trend", "history", "board"}
    metrics = MetricCache(deps.market)
    for command in offering:
        report = deps.reports.run(command.parse([], request_context(deps)))
        offer = command.alert_offer(report.payload)
        spec = spec_of_offer(offer)
        latest = metrics.get(spec.metric).latest()
        assert latest is not None and abs(spec.threshold - latest[1]) <= 0.5, command.name
        assert spec.condition == "crosses" and f"{latest[1]:.2f}" in offer.seen, command.name
