"""App Home: app_home_opened and Refresh through the real Bolt app; views.publish payloads.

Alert rules are real: added with `/smallcaps alert add` through the app or the store's `add`,
evaluated by the real evaluator (its posts go to the fake Slack), kept in the test Redis.
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from bot.alerts.store import AlertStore
from bot.app import create_app
from bot.bootstrap import build_deps
from bot.data.sources import CsvSource
from bot.runtime.cache import Cache
from handlers.alert_parsing import parse_rule
from handlers.home_view import REFRESH_ACTION
from tests.alert_helpers import make_evaluator
from tests.block_kit import all_text, check_view
from tests.slack_helpers import FIXED_NOW, dispatch_slash, slack_settings
from tests.slack_native_helpers import (
    ChannelsFakeSlack,
    dispatch_block_action,
    dispatch_event,
    home_click,
)

EVALUATED = date(2024, 3, 26)


@pytest.fixture
def fake():
    with ChannelsFakeSlack() as server:
        yield server


@pytest.fixture
def make_app(fake, cache, market_data_dir):
    def make(admins: str = "", data_dir=market_data_dir, cache=cache):
        settings = slack_settings(fake, data_dir).model_copy(
            update={"smallcaps_admin_users": admins})
        deps = build_deps(settings, source=CsvSource(data_dir), cache=cache,
                          clock=lambda: FIXED_NOW)
        return create_app(deps), deps
    return make


def _add(cache, channel: str, user: str, text: str) -> str:
    """A rule through the store's public `add`; its id."""
    outcome, rule = AlertStore(cache).add(channel, user, parse_rule(text.split()))
    assert outcome == "added" and rule is not None
    return rule.id


@pytest.fixture
def rules(make_app, fake, cache):
    """Four rules in three channels, evaluated for 2024-03-26 by the real evaluator:
    A1 (C1, added with the slash command) fired; A2 (C2) armed; A3 and A4 (C3) fired but
    Slack refused their posts (not_in_channel), then A3 was paused."""
    app, deps = make_app()
    dispatch_slash(app, fake, "alert add gap 3y above 30", channel="C1", user="U7")
    fake.wait_for("response_url", timeout=20)
    ids = [_add(cache, "C2", "U8", "ratio vs 200dma crosses 0"),
           _add(cache, "C3", "U7", "gap 3y etf above 30"),
           _add(cache, "C3", "U8", "ratio zscore below -1")]
    assert ids == ["A2", "A3", "A4"]
    fake.fail("chat.postMessage", "not_in_channel", channel="C3")
    summary = make_evaluator(deps).run(EVALUATED)
    assert summary.rules_evaluated == 4 and summary.posts == 1  # only C1's post went out
    assert AlertStore(cache).set_paused("A3", True)
    fake.reset()
    return {"A1": "gap 3y above 30", "A2": "ratio vs 200dma crosses 0",
            "A3": "gap 3y etf above 30", "A4": "ratio zscore below -1"}


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


def _gap_pp(closes, start: str, end: str) -> float:
    """Large minus small return over start -> end, in pp (plain arithmetic on the CSVs)."""
    small, large = closes["^RUT"], closes["^GSPC"]
    return (_ret(large, start, end) - _ret(small, start, end))


def test_home_shows_the_gap_for_1_3_and_5_years_with_window_and_source(make_app, fake,
                                                                       real_closes):
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
        [line] = [all_text([b]).replace("\n", " ") for b in view["blocks"]
                  if b.get("text", {}).get("text", "").startswith(f"*{period}* ")]
        assert f"{start} → 2026-08-21" in line
        assert f"{small:+.2f} %" in line and f"{large:+.2f} %" in line
        assert f"{abs(large - small):.2f} pp" in line
        assert ("lag" if large > small else "lead") in line
    assert "price return" in text and "CSV files, last close 2026-08-21" in text
    # Home shows the trend report's status line: the ratio on the last common close, and
    # the peak it is measured from (the all-history maximum of rut/gspc).
    ratio = (rut / gspc).dropna()
    assert f"Ratio {ratio['2026-08-21']:.4f} on 2026-08-21" in text
    assert f"{ratio.loc[:'2026-08-21'].idxmax().date()} peak" in text
    assert "No one else has alert rules in the channels you are in." in text
    assert any(b["type"] == "actions" and b["elements"][0]["action_id"] == REFRESH_ACTION
               for b in view["blocks"])


def test_home_dates_each_rows_current_run(make_app, fake, market_data_dir):
    """The run each row belongs to (docs/methodology.md, "How unusual": the current run),
    recomputed in plain Python: consecutive windows on the last window's side of zero."""
    from tests.analytics.plain import read_closes, rolling_gaps
    from tests.bot.test_cli_episode import plain_episode

    app, _ = make_app()
    _open_home(app, fake)
    _, view = _published_view(fake)
    text = all_text(view["blocks"])
    rut = read_closes(market_data_dir / "^RUT.csv")
    gspc = read_closes(market_data_dir / "^GSPC.csv")
    for years in (1, 3, 5):
        want = plain_episode(rolling_gaps(rut, gspc, years))
        [line] = [ln for ln in text.splitlines() if ln.startswith(f"*{years}y*:")]
        assert f"since the one ending {want['start']}" in line
        wide = want["before_as_wide"]
        assert (f"window ending {wide[0]}" if wide else "no window before") in line


def test_gaps_are_labelled_fields_not_a_code_block(make_app, fake):
    app, _ = make_app()
    _open_home(app, fake)
    _, view = _published_view(fake)
    assert "```" not in all_text(view["blocks"])  # monospace columns wrap badly on phones
    periods = [b for b in view["blocks"] if b.get("fields")]
    assert [b["text"]["text"].split(" ·")[0] for b in periods][:3] == ["*1y*", "*3y*", "*5y*"]
    assert all([f["text"].split("\n")[0] for f in b["fields"]] == [
        "*Russell 2000*", "*S&P 500*", "*Small caps*", "*Percentile*"] for b in periods[:3])


def test_messages_tab_is_left_alone(make_app, fake):
    app, _ = make_app()
    _open_home(app, fake, tab="messages")
    _open_home(app, fake, user="U3")
    [call] = fake.wait_for("views.publish", timeout=30)
    assert call.params["user_id"] == "U3"


def test_rules_of_the_users_channels_only_as_alert_list_words_them(make_app, fake, rules,
                                                                  real_closes):
    fake.user_channels["U2"] = ["C1", "C3"]
    app, _ = make_app()
    _open_home(app, fake)
    _, view = _published_view(fake)
    text = all_text(view["blocks"])
    assert "Other alert rules in your channels" in text
    # A1 fired on 2024-03-26: the 3-year gap then, from the CSVs (window from 2021-03-26).
    gap = _gap_pp(real_closes, "2021-03-26", "2024-03-26")
    assert (f"*`A1`* `gap 3y above 30` in <#C1>\nlast value {gap:.2f} pp (2024-03-26) · "
            "fired since 2024-03-26 · set by <@U7>") in text
    # A3: paused, with the refusal that preceded the pause; A4: the refusal is its state.
    assert "*`A3`* `gap 3y etf above 30` in <#C3>" in text
    assert "pp (2024-03-26) · paused · set by <@U7>" in text
    assert "last error before the pause: Slack refused the 2024-03-26 post (not_in_channel)" \
        in text
    [a4] = [ln for ln in text.splitlines() if ln.startswith("last value") and "σ" in ln]
    assert a4.startswith("last value -1.") and "σ (2024-03-26) · error: Slack refused the " \
        "2024-03-26 post (not_in_channel) - /invite the bot" in a4
    assert "ratio vs 200dma crosses 0" not in text  # C2: not one of U2's channels
    assert "'state'" not in text and "armed'" not in text  # no machine names
    [lookup] = fake.calls("users.conversations")
    assert lookup.params["user"] == "U2"


def test_a_rule_not_evaluated_yet_says_so(make_app, fake, cache):
    fake.user_channels["U2"] = ["C1"]
    app, _ = make_app()
    dispatch_slash(app, fake, "alert add ratio percentile below 10 etf", channel="C1")
    fake.wait_for("response_url", timeout=20)
    _open_home(app, fake)
    _, view = _published_view(fake)
    assert ("`ratio percentile etf below 10` in <#C1>\nno current value (not evaluated yet) · "
            "new (first evaluated after the next close) · set by <@U1>") in all_text(
        view["blocks"])


def test_admins_see_every_rule(make_app, fake, rules):
    app, _ = make_app(admins="U9, UADMIN")
    _open_home(app, fake, user="UADMIN")
    _, view = _published_view(fake)
    text = all_text(view["blocks"])
    assert "Everyone else's alert rules (you are an admin)" in text
    assert all(f"*`{rid}`* `{words}` in <#" in text for rid, words in rules.items())
    assert "ratio vs 200dma crosses 0` in <#C2>\nlast value" in text and " · armed · " in text
    assert fake.calls("users.conversations") == []


def test_many_rules_stay_within_100_blocks(make_app, fake, cache):
    store = AlertStore(cache, max_rules_per_channel=100)
    for i in range(150):
        channel = "C1" if i < 100 else "C2"
        outcome, _ = store.add(channel, "U7", parse_rule(f"gap 3y above {i}".split()))
        assert outcome == "added"
    fake.user_channels["U2"] = ["C1", "C2"]
    app, _ = make_app()
    _open_home(app, fake)
    _, view = _published_view(fake)  # check_view: <= 100 blocks
    text = all_text(view["blocks"])
    assert "and 110 more rules" in text
    assert "*`A1`* `gap 3y above 0`" in text and "*`A40`* `gap 3y above 39`" in text
    assert "`A41`" not in text  # oldest first, so the rest are the newer ones


def test_unknown_channel_membership_lists_no_rules(make_app, fake, rules):
    fake.fail("users.conversations", "missing_scope")
    app, _ = make_app()
    _open_home(app, fake)
    _, view = _published_view(fake)
    text = all_text(view["blocks"])
    assert "could not check which channels" in text
    assert not any(words in text for words in rules.values())


def test_missing_data_still_renders_with_the_reason(make_app, fake, tmp_path):
    app, _ = make_app(data_dir=tmp_path / "nowhere")
    _open_home(app, fake)
    _, view = _published_view(fake)
    text = all_text(view["blocks"])
    assert "n/a" in text and "does not exist" in text and "Not available right now" in text


def test_failure_publishes_a_friendly_view_without_internals(make_app, fake):
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


def test_refresh_button_republishes_for_the_clicker(make_app, fake):
    app, _ = make_app()
    response = dispatch_block_action(app, home_click(REFRESH_ACTION, user="U5"))
    assert response.status == 200
    call, _ = _published_view(fake)
    assert call.params["user_id"] == "U5"


def test_lost_redis_costs_only_the_alert_section(make_app, fake, dead_redis):
    # Reports still compute (the cache is failure tolerant); the alert store is not.
    fake.user_channels["U2"] = ["C1"]
    app, _ = make_app(cache=Cache(dead_redis))
    _open_home(app, fake)
    _, view = _published_view(fake)
    text = all_text(view["blocks"])
    assert "Alert rules could not be loaded just now" in text
    assert "redis" not in text.lower() and "2021-08-20 → 2026-08-21" in text


def test_home_shows_the_defaults_of_the_users_channels(make_app, fake, cache):
    from bot.runtime.channel_settings import ChannelSettings

    ChannelSettings(cache).set("C1", "pair", "etf")
    ChannelSettings(cache).set("C1", "period", "5y")
    ChannelSettings(cache).set("C9", "pair", "IJR/SPY")  # not one of U2's channels
    fake.user_channels["U2"] = ["C1"]
    app, _ = make_app()
    _open_home(app, fake)
    _, view = _published_view(fake)
    text = all_text(view["blocks"])
    assert "Channel defaults" in text and "<#C1>: pair `etf` · period `5y`" in text
    assert "IJR/SPY" not in text
    assert len(fake.calls("users.conversations")) == 1


def test_the_viewers_own_rules_are_listed_once_with_edit(make_app, fake, cache):
    """Your own rules are under *Your alert rules* with Edit; the channel list below holds
    only other people's, so no rule shows twice."""
    store = AlertStore(cache)
    store.add("C1", "U2", parse_rule("gap 3y above 30".split()))
    store.add("C1", "U7", parse_rule("gap 1y below -5".split()))
    fake.user_channels["U2"] = ["C1"]
    app, _ = make_app()
    _open_home(app, fake)
    _, view = _published_view(fake)
    text = all_text(view["blocks"])
    assert text.count("`gap 3y above 30`") == 1 and text.count("`gap 1y below -5`") == 1
    assert text.index("Your alert rules") < text.index("`gap 3y above 30`") \
        < text.index("Other alert rules in your channels") < text.index("`gap 1y below -5`")
