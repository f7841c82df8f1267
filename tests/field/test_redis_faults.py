"""Redis faults under a running `serve` and `worker` (issue #21 items 2 and 3): restarts
(kill -9), a read-only replica, MISCONF after a failed save, a full Redis under
`noeviction`. Every acked command is answered once, no request gets a 5xx, /healthz says
503 with a reason while writes fail and 200 once they work again, reply workers survive."""

from __future__ import annotations

import time

import pytest

from tests.fake_slack import FakeSlack
from tests.field.harness import Processes, RedisServer, healthz, wait_until
from tests.field.traffic import Traffic

REPORT = "gap 1y as-of 2024-03-01"


def _stack(procs: Processes, port: int) -> None:
    procs.serve(port, SMALLCAPS_WEB_WORKERS="2")
    procs.spawn("worker", name="worker")


@pytest.mark.parametrize("fault", ["readonly", "misconf", "full"])
def test_a_redis_that_refuses_writes_still_gets_every_command_answered(
        fault: str, redis_srv: RedisServer, procs: Processes, fake: FakeSlack,
        field_port: int):
    _stack(procs, field_port)
    traffic = Traffic(fake, field_port)
    traffic.send(REPORT, 1, tag="warm")
    traffic.wait_answered(60)
    {"readonly": redis_srv.readonly, "misconf": redis_srv.misconf,
     "full": lambda: redis_srv.maxmemory(1, "noeviction")}[fault]()

    assert traffic.send("help", 2, tag="help") == [200, 200]
    assert traffic.send(REPORT, 3, tag=fault) == [200, 200, 200]
    traffic.wait_answered(90)
    status, health = wait_until(lambda: (h := healthz(field_port))[0] == 503 and h, 10,
                                "/healthz to say 503")
    assert "refuses writes" in health["redis"], health
    print(f"\nFIELD {fault}: {traffic.figures()} healthz={status} {health['redis']}")

    redis_srv.heal()
    wait_until(lambda: healthz(field_port)[0] == 200, 30, "/healthz to recover")
    assert traffic.send(REPORT, 2, tag="after") == [200, 200]
    traffic.wait_answered(60)
    figures = traffic.figures()
    assert figures["lost"] == figures["duplicated"] == figures["5xx"] == 0, figures
    assert procs.started[1][0].poll() is None, "the worker process exited"


def test_reply_workers_survive_redis_restarts(redis_srv: RedisServer, procs: Processes,
                                              fake: FakeSlack, field_port: int):
    _stack(procs, field_port)
    traffic = Traffic(fake, field_port)
    down_health = set()
    for i in range(6):
        traffic.send(REPORT, 1, tag=f"r{i}")
        redis_srv.kill()
        down_health.add(healthz(field_port)[0])
        traffic.send(REPORT, 1, tag=f"d{i}")  # while Redis is down: answered in-process
        time.sleep(1.0)
        redis_srv.start()
    wait_until(lambda: healthz(field_port)[0] == 200, 40, "/healthz to recover")
    traffic.send(REPORT, 4, tag="after")  # answered by the queue's workers again
    traffic.wait_answered(60)
    figures = traffic.figures()
    _, health = healthz(field_port)
    print(f"\nFIELD 6 redis restarts: {figures} healthz while down={sorted(down_health)}, "
          f"after: {health}")
    assert figures["lost"] == figures["duplicated"] == figures["5xx"] == 0, figures
    assert procs.started[1][0].poll() is None, "the worker process exited"
    assert down_health == {503}
    assert health.get("reply_workers") == "2/2", health
