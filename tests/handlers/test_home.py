"""App Home: app_home_opened and Refresh through the real Bolt app; views.publish payloads."""

from __future__ import annotations

import json
import sys
import types
from dataclasses import dataclass

import pytest

from bot.app import create_app
from bot.data.sources import CsvSource
from bot.deps import build_deps
from handlers.home_view import REFRESH_ACTION
from tests.block_kit import all_text, check_view
from tests.slack_helpers import FIXED_NOW, slack_settings
from tests.slack_native_helpers import (
    ChannelsFakeSlack,
    dispatch_block_action,
    dispatch_event,
    home_click,
)


@dataclass
class Rule:
    """The shape bot.alerts.store's rules have (built on another branch)."""

    id: str
    channel_id: str
    creator_id: str
    description: str
    state: str
    paused: bool
    last_value: float | None
    last_error: str | None


RULES = [
    Rule("r1", "C1", "U7", "3y gap above 40 pp", "armed", False, 11.8312, None),
    Rule("r2", "C2", "U8", "Ratio crosses its 200-day average", "triggered", False, 0.3932, None),
    Rule("r3", "C3", "U7", "IWM/SPY 1y gap below -5 pp", "armed", True, None,
         "Yahoo Finance did not answer"),
]


def fake_alerts_module(rules):
    class AlertStore:
        def __init__(self, cache):
            self.cache = cache

        def list_rules(self, channel_id=None):
            return [r for r in rules if channel_id in (None, r.channel_id)]

    module = types.ModuleType("bot.alerts.store")
    module.AlertStore = AlertStore
    return module


@pytest.fixture
def fake():
    with ChannelsFakeSlack() as server:
        yield server


@pytest.fixture
def make_app(fake, cache, market_data_dir):
    def make(admins: str = "", data_dir=market_data_dir):
        settings = slack_settings(fake, data_dir).model_copy(
            update={"smallcaps_admin_users": admins})
        deps = build_deps(settings, source=CsvSource(data_dir), cache=cache,
                          clock=lambda: FIXED_NOW)
        return create_app(deps), deps
    return make


@pytest.fixture
def no_alerts(monkeypatch):
    monkeypatch.setitem(sys.modules, "bot.alerts.store", None)  # import fails


@pytest.fixture
def with_rules(monkeypatch):
    def install(rules=RULES):
        monkeypatch.setitem(sys.modules, "bot.alerts.store", fake_alerts_module(rules))
    return install


def _open_home(app, fake, user="U2", tab="home"):
    dispatch_event(app, {"type": "app_home_opened", "user": user, "channel": "D1", "tab": tab,
                         "event_ts": "1700000000.000001"})


def _published_view(fake, count=1):
    calls = fake.wait_for("views.publish", count=count, timeout=30)
    view = calls[-1].params["view"]
    check_view(view)
    return calls[-1], view


def _ret(series, start, end):
    return (series[end] / series[start] - 1) * 100


def test_home_shows_the_gap_for_1_3_and_5_years_with_window_and_source(make_app, fake,
                                                                       real_closes, no_alerts):
    app, _ = make_app()
    _open_home(app, fake)
    call, view = _published_view(fake)
    assert call.params["user_id"] == "U2"
    text = all_text(view["blocks"])
    rut, gspc = real_closes["^RUT"], real_closes["^GSPC"]
    # Last common close 2026-08-21; starts: last common close on or before the same date
    # 1, 3 and 5 years earlier (2021-08-21 was a Saturday).
    for period, start in (("1y", "2025-08-21"), ("3y", "2023-08-21"), ("5y", "2021-08-20")):
        small, large = _ret(rut, start, "2026-08-21"), _ret(gspc, start, "2026-08-21")
        [line] = [ln for ln in text.splitlines() if ln.startswith(f"{period} ")]
        assert f"{start} → 2026-08-21" in line
        assert f"{small:+.2f} %" in line and f"{large:+.2f} %" in line
        assert f"{abs(large - small):.2f} pp" in line
        assert ("lag" if large > small else "lead") in line
    assert "price return" in text and "CSV files in" in text
    # The trend report is registered, so Home shows its status line: the ratio on the last
    # common close, and the peak it is measured from (the all-history maximum of rut/gspc).
    ratio = (rut / gspc).dropna()
    assert f"Ratio {ratio['2026-08-21']:.4f} on 2026-08-21" in text
    assert f"{ratio.loc[:'2026-08-21'].idxmax().date()} peak" in text
    assert "Alerts are not set up" in text
    assert any(b["type"] == "actions" and b["elements"][0]["action_id"] == REFRESH_ACTION
               for b in view["blocks"])


def test_table_columns_line_up(make_app, fake, no_alerts):
    app, _ = make_app()
    _open_home(app, fake)
    _, view = _published_view(fake)
    table = next(b["text"]["text"] for b in view["blocks"] if "```" in b.get("text", {}).get(
        "text", ""))
    lines = table.split("```")[1].splitlines()
    assert len(lines) == 4 and len({len(ln) for ln in lines[1:]}) == 1
    pp_ends = {ln.index(" pp") for ln in lines[1:]}
    assert len(pp_ends) == 1  # the gap numbers end in the same column


def test_messages_tab_is_left_alone(make_app, fake, no_alerts):
    app, _ = make_app()
    _open_home(app, fake, tab="messages")
    _open_home(app, fake, user="U3")
    [call] = fake.wait_for("views.publish", timeout=30)
    assert call.params["user_id"] == "U3"


def test_rules_of_the_users_channels_only(make_app, fake, with_rules):
    with_rules()
    fake.user_channels["U2"] = ["C1", "C3"]
    app, _ = make_app()
    _open_home(app, fake)
    _, view = _published_view(fake)
    text = all_text(view["blocks"])
    assert "Alert rules in your channels" in text
    assert "3y gap above 40 pp* in <#C1> · armed" in text and "last value 11.83" in text
    assert "IWM/SPY 1y gap below -5 pp* in <#C3> · paused" in text
    assert "last error: Yahoo Finance did not answer" in text
    assert "Ratio crosses its 200-day average" not in text  # C2: not one of U2's channels
    [lookup] = fake.calls("users.conversations")
    assert lookup.params["user"] == "U2"


def test_admins_see_every_rule(make_app, fake, with_rules):
    with_rules()
    app, _ = make_app(admins="U9, UADMIN")
    _open_home(app, fake, user="UADMIN")
    _, view = _published_view(fake)
    text = all_text(view["blocks"])
    assert "All alert rules (you are an admin)" in text
    assert all(r.description in text for r in RULES)
    assert fake.calls("users.conversations") == []


def test_many_rules_stay_within_100_blocks(make_app, fake, with_rules):
    rules = [Rule(f"r{i}", "C1", "U7", f"rule {i}", "armed", False, 1.0, None)
             for i in range(150)]
    with_rules(rules)
    fake.user_channels["U2"] = ["C1"]
    app, _ = make_app()
    _open_home(app, fake)
    _, view = _published_view(fake)  # check_view: <= 100 blocks
    assert "and 110 more rules" in all_text(view["blocks"])


def test_unknown_channel_membership_lists_no_rules(make_app, fake, with_rules):
    with_rules()
    fake.fail("users.conversations", "missing_scope")
    app, _ = make_app()
    _open_home(app, fake)
    _, view = _published_view(fake)
    text = all_text(view["blocks"])
    assert "could not check which channels" in text
    assert not any(r.description in text for r in RULES)


def test_missing_data_still_renders_with_the_reason(make_app, fake, no_alerts, tmp_path):
    app, _ = make_app(data_dir=tmp_path / "nowhere")
    _open_home(app, fake)
    _, view = _published_view(fake)
    text = all_text(view["blocks"])
    assert "n/a" in text and "does not exist" in text and "Not available right now" in text


def test_failure_publishes_a_friendly_view_without_internals(make_app, fake, no_alerts):
    app, deps = make_app()

    def broken(query):
        raise RuntimeError("KeyError: 'payload' in bot/reports/__init__.py line 99")

    deps.reports.run = broken
    _open_home(app, fake)
    _, view = _published_view(fake)
    dumped = json.dumps(view)
    assert "could not be loaded" in dumped and "ref `" in dumped
    assert "KeyError" not in dumped and "Traceback" not in dumped and ".py" not in dumped
    assert REFRESH_ACTION in dumped


def test_refresh_button_republishes_for_the_clicker(make_app, fake, no_alerts):
    app, _ = make_app()
    response = dispatch_block_action(app, home_click(REFRESH_ACTION, user="U5"))
    assert response.status == 200
    call, _ = _published_view(fake)
    assert call.params["user_id"] == "U5"


def test_broken_alert_store_costs_only_its_section(make_app, fake, monkeypatch, real_closes):
    class Broken:
        def __init__(self, cache):
            pass

        def list_rules(self, channel_id=None):
            raise ConnectionError("redis went away")

    module = types.ModuleType("bot.alerts.store")
    module.AlertStore = Broken
    monkeypatch.setitem(sys.modules, "bot.alerts.store", module)
    fake.user_channels["U2"] = ["C1"]
    app, _ = make_app()
    _open_home(app, fake)
    _, view = _published_view(fake)
    text = all_text(view["blocks"])
    assert "Alert rules could not be loaded just now" in text
    assert "redis" not in text.lower() and "2021-08-20 → 2026-08-21" in text
