"""A burst of commands is acked at once even while earlier replies are still being computed:
listeners only ack, replies run in the reply pool (bot.runtime.workers)."""

from __future__ import annotations

import threading

from tests.fake_slack import FakeSlack
from tests.slack_helpers import dispatch_slash, wired_app

BURST = 8  # more than Bolt's 5 listener threads and the pool's 4 workers


def test_burst_is_acked_while_every_report_is_still_blocked(cache, market_data_dir):
    release = threading.Event()
    with FakeSlack() as fake:
        app, deps = wired_app(fake, cache, market_data_dir)
        run = deps.reports.run

        def blocked_run(query):
            release.wait(30)
            return run(query)

        deps.reports.run = blocked_run  # type: ignore[method-assign]
        try:
            responses = [dispatch_slash(app, fake, "gap 1y") for _ in range(BURST)]
            assert [r.status for r in responses] == [200] * BURST
            assert all(r.body == "" for r in responses)
            assert fake.calls("chat.postMessage") == []  # nothing answered yet: all blocked
        finally:
            release.set()
        posts = fake.wait_for("chat.postMessage", count=BURST, timeout=60)
        assert len(posts) == BURST and {p.params["channel"] for p in posts} == {"C1"}
