"""When Slack's answer to a post is unclear and its history cannot be read just now, or Slack
keeps failing: the post is settled at a later run, once; a dead claimer's post at once."""

from __future__ import annotations

from datetime import date

import pytest

from bot.alerts.outbox import Outbox
from bot.alerts.run_lock import owner_is_dead, owner_value, process_identity
from tests.alert_helpers import add_rule, alert_deps, make_evaluator, posted_events
from tests.fake_slack import FakeSlack

DAY = date(2024, 3, 26)


@pytest.fixture
def fake():
    with FakeSlack() as server:
        yield server


@pytest.mark.parametrize("slack_posted_it", [False, True])
def test_an_unclear_post_whose_history_is_unreadable_for_now_is_settled_next_run(
        cache, fake, market_data_dir, slack_posted_it):
    rule = add_rule(cache, "gap 3y above 35")
    fake.fail("chat.postMessage", "internal_error", times=1, status=500, applied=slack_posted_it)
    fake.fail("conversations.history", "internal_error", times=1, status=500)
    evaluator = make_evaluator(alert_deps(fake, cache, market_data_dir))
    first = evaluator.run(DAY)
    assert first.posts == 0 and first.left == 1
    [entry] = Outbox(cache).open_entries()
    assert entry.status == "failed" and entry.check
    second = evaluator.run(DAY)
    evaluator.run(DAY)
    assert Outbox(cache).open_entries() == []
    assert second.posts == 1 and second.left == 0
    calls = fake.calls("chat.postMessage")
    assert len(calls) == (1 if slack_posted_it else 2)  # never re-sent once it was there
    assert posted_events(calls[-1:]) == [(rule.id, "2024-03-26", "fire")]


def test_after_two_unclear_posts_in_a_row_the_run_leaves_the_rest_for_the_next(
        cache, fake, market_data_dir):
    rules = [add_rule(cache, f"gap 3y above {level}") for level in (30, 31, 32, 33)]
    fake.fail("chat.postMessage", "service_unavailable", status=503)
    evaluator = make_evaluator(alert_deps(fake, cache, market_data_dir))
    down = evaluator.run(DAY)
    assert down.posts == 0 and down.left == len(rules)
    assert len(fake.calls("chat.postMessage")) == 2 * 2  # two posts, each tried twice
    assert any("Slack is failing" in e for e in down.errors)
    fake.clear_failures()
    up = evaluator.run(DAY)
    ok = [c for c in fake.calls("chat.postMessage") if c.status == 200]
    assert up.posts == len(rules) == len(ok)
    assert sorted(r for r, _, _ in posted_events(ok)) == sorted(r.id for r in rules)


def test_an_owner_token_names_a_live_process_and_no_other():
    assert not owner_is_dead(owner_value())
    host, pid, start, boot = process_identity().split(":")
    assert not owner_is_dead(f"{host}:{pid}:{start}:{boot}:x")
    assert owner_is_dead(f"{host}:{pid}:{int(start) + 1}:{boot}:x")  # pid reused (pid 1)
    assert not owner_is_dead(f"{host}:{pid}:{int(start) + 1}:another-boot:x")
    assert not owner_is_dead(f"elsewhere:{pid}:{int(start) + 1}:{boot}:x")
