"""`/smallcaps alert ...` and `digest ...` through the real Bolt app and a fake Slack."""

from __future__ import annotations

import json

import pytest

from bot.alerts.store import AlertStore
from tests.alert_helpers import read_closes
from tests.block_kit import table_cells
from tests.slack_helpers import FIXED_NOW, dispatch_slash, wired_app

ADMIN = "UADMIN"


@pytest.fixture
def app(fake, cache, market_data_dir):
    """Overrides tests/handlers/conftest.py's `app`: these tests need an admin user and a
    per-channel rule limit of 3 (`fake` comes from the conftest)."""
    app, _ = wired_app(fake, cache, market_data_dir, smallcaps_admin_users=f"{ADMIN}, UX",
                       smallcaps_max_rules_per_channel=3)
    return app


def reply(app, fake, text: str, user: str = "U1", channel: str = "C1") -> dict:
    """The ephemeral answer (ack empty, then response_url) to one command."""
    before = len(fake.calls("response_url"))
    response = dispatch_slash(app, fake, text, user=user, channel=channel)
    assert response.status == 200
    if response.body:  # parse errors come back in the ack itself
        return json.loads(response.body)
    answers = fake.wait_for("response_url", count=before + 1, timeout=20)
    return answers[before].params


def words(answer: dict) -> str:
    return answer.get("text", "") + json.dumps(answer.get("blocks", []), ensure_ascii=False)


def test_add_shows_the_rule_and_the_current_value(app, fake, cache, market_data_dir):
    answer = reply(app, fake, "alert add gap 3y above 30 hysteresis 2")
    assert answer["response_type"] == "ephemeral"
    text = words(answer)
    rut, gspc = read_closes(market_data_dir / "^RUT.csv"), read_closes(
        market_data_dir / "^GSPC.csv")
    last = max(set(rut) & set(gspc))
    start = max(d for d in set(rut) & set(gspc) if d <= last.replace(year=last.year - 3))
    gap = ((gspc[last] / gspc[start] - 1) - (rut[last] / rut[start] - 1)) * 100
    assert "`A1`" in text and "`gap 3y above 30 hysteresis 2`" in text
    assert f"now {gap:.2f} pp ({last})" in text and "16:30 America/New_York" in text
    [rule] = AlertStore(cache).list_rules("C1")
    assert (rule.creator_id, rule.description) == ("U1", "gap 3y above 30 hysteresis 2")
    assert fake.calls("chat.postMessage") == []  # management replies are never public


def test_list_shows_value_and_state_of_every_rule(app, fake, cache):
    reply(app, fake, "alert add gap 3y above 30 hysteresis 2")
    reply(app, fake, "alert add ratio vs 200dma crosses 0", user="U2")
    reply(app, fake, "alert pause A2", user="U2")
    AlertStore(cache).set_error("A1", "delivery", "Slack refused the 2026-08-21 post "
                                "(not_in_channel)")
    answer = reply(app, fake, "alert list")
    assert "(2 of 3)" in words(answer)
    head, a1, a2 = table_cells(answer["blocks"])  # Slack's native table, a row per rule
    assert head == ["ID", "Rule", "Now", "Status", "Set by"]
    assert a1[:2] == ["A1", "gap 3y above 30 hysteresis 2"] and "error: Slack refused" in a1[3]
    assert a2[:2] == ["A2", "ratio vs 200dma crosses 0"] and a2[3] == "paused"
    assert " pp (2026-08-21)" in a1[2] and '"user_id": "U2"' in a2[4]
    assert "A1 gap 3y above 30 hysteresis 2" in answer["text"]  # the notification text
    assert "No alerts" in words(reply(app, fake, "alert list", channel="C2"))


def test_only_the_creator_or_an_admin_may_change_a_rule(app, fake, cache):
    reply(app, fake, "alert add gap 3y above 30")
    refused = words(reply(app, fake, "alert remove A1", user="U2"))
    assert "Only <@U1>" in refused and AlertStore(cache).get("A1") is not None
    assert "Paused" in words(reply(app, fake, "alert pause A1", user=ADMIN))
    assert AlertStore(cache).get("A1").paused
    assert "Resumed" in words(reply(app, fake, "alert resume a1"))
    assert "already active" in words(reply(app, fake, "alert resume A1"))
    assert "Removed" in words(reply(app, fake, "alert remove 1", user="U1"))
    assert AlertStore(cache).get("A1") is None
    assert "no rule `A1`" in words(reply(app, fake, "alert remove A1"))


def test_a_rule_is_managed_only_from_its_own_channel(app, fake):
    reply(app, fake, "alert add gap 3y above 30", channel="C1")
    assert "no rule `A1` in this channel" in words(
        reply(app, fake, "alert remove A1", user=ADMIN, channel="C2"))


def test_duplicates_and_the_channel_maximum_are_refused(app, fake):
    reply(app, fake, "alert add gap 3y above 30")
    assert "already has that rule: `A1`" in words(reply(app, fake, "alert add gap above 30"))
    reply(app, fake, "alert add gap 3y above 31")
    reply(app, fake, "alert add gap 3y above 32")
    assert "already has 3 rules" in words(reply(app, fake, "alert add gap 3y above 33"))


@pytest.mark.parametrize("text,needle", [
    ("alert add gap 3y above thirty", "not a number"),
    ("alert add ratio percentile above 120", "between 0 and 100"),
    ("alert explode", "not an alert command"),
])
def test_bad_rules_get_an_ephemeral_error_with_an_example(app, fake, text, needle):
    answer = reply(app, fake, text)
    assert answer["response_type"] == "ephemeral"
    assert needle in answer["text"] and "Try: `/smallcaps alert" in answer["text"]


def test_a_pair_without_data_is_refused(app, fake, cache):
    answer = reply(app, fake, "alert add gap 1y above 5 ZZZZ/SPY")
    assert "ZZZZ" in answer["text"] and answer["response_type"] == "ephemeral"
    assert AlertStore(cache).list_rules("C1") == []


def test_digest_is_set_shown_and_stopped(app, fake):
    assert "No digest" in words(reply(app, fake, "digest"))
    assert "weekly digest on the last trading day of each week" in words(
        reply(app, fake, "digest weekly"))
    assert "weekly digest" in words(reply(app, fake, "digest"))
    assert "only they or an admin" in words(reply(app, fake, "digest off", user="U2"))
    assert "turned off" in words(reply(app, fake, "digest off", user=ADMIN))


def test_help_lists_alerts_and_digest_within_block_limits(app, fake):
    body = json.loads(dispatch_slash(app, fake, "help").body)
    text = words(body)
    assert "/smallcaps alert add gap 3y above 30 hysteresis 2" in text
    assert "/smallcaps digest weekly" in text
    assert all(len(b["text"]["text"]) <= 3000 for b in body["blocks"] if b["type"] == "section")


def test_the_list_of_a_full_channel_stays_within_block_kit_limits(fake, cache,
                                                                  market_data_dir):
    app, _ = wired_app(fake, cache, market_data_dir, smallcaps_max_rules_per_channel=100)
    from handlers.alert_parsing import parse_rule

    store = AlertStore(cache, 100)
    for i in range(60):
        store.add("C1", "U1", parse_rule(f"gap 3y above {i} hysteresis 0.5".split()), FIXED_NOW)
    answer = reply(app, fake, "alert list")
    assert len(answer["blocks"]) <= 50 and len(table_cells(answer["blocks"])) == 61
    assert all(len(b["text"]["text"]) <= 3000 for b in answer["blocks"]
               if b["type"] == "section")
