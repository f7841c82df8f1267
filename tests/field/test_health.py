"""/healthz tells the truth about a queue nobody works on (issue #21 item 2): when the
oldest queued reply waited longer than SMALLCAPS_MAX_REPLY_WAIT_S it answers 503 and says
why, and 200 again once a worker took the queue up."""

from __future__ import annotations

from tests.fake_slack import FakeSlack
from tests.field.harness import Processes, healthz, wait_until
from tests.field.traffic import Traffic


def test_healthz_reports_a_queue_that_nobody_works_on(procs: Processes, fake: FakeSlack,
                                                      field_port: int):
    procs.serve(field_port, SMALLCAPS_WEB_WORKERS="0", SMALLCAPS_MAX_REPLY_WAIT_S="3")
    traffic = Traffic(fake, field_port)
    assert traffic.send("gap 1y as-of 2024-03-01", 1, tag="wait") == [200]
    _, checks = wait_until(lambda: (h := healthz(field_port))[0] == 503 and h, 20,
                           "/healthz to notice the waiting reply")
    assert "oldest reply waited" in checks["queue"], checks
    print(f"\nFIELD no worker for the queue: healthz=503 {checks['queue']}")
    procs.spawn("worker", name="worker")
    traffic.wait_answered(60)
    wait_until(lambda: healthz(field_port)[0] == 200, 20, "/healthz to recover")
