"""A `smallcaps worker` killed with -9 in the middle of a job, or just after it took the job
off the queue (issue #21 item 5): the job is taken up again within 30 s, once, and its text
is not posted twice."""

from __future__ import annotations

import signal
import time

import redis
from rq import Queue, Worker

from bot.runtime.jobs import QUEUE_NAME
from tests.fake_slack import FakeSlack
from tests.field.harness import Processes, RedisServer, wait_until
from tests.field.traffic import Traffic

RERUN_BOUND_S = 30


def test_a_killed_workers_job_is_rerun_within_30_s_once(
        redis_srv: RedisServer, procs: Processes, fake: FakeSlack, field_port: int):
    procs.serve(field_port, SMALLCAPS_WEB_WORKERS="0")
    workers = [procs.spawn("worker", name=f"worker-{i}") for i in range(2)]
    client = redis.Redis(port=redis_srv.port)
    wait_until(lambda: len(Worker.all(connection=client)) == 2, 60, "two registered workers")
    fake.set_latency("files.getUploadURLExternal", 20)  # hold the job after its text
    traffic = Traffic(fake, field_port)
    assert traffic.send("gap 1y as-of 2024-03-01", 1, tag="kill") == [200]
    channel = next(iter(traffic.sent))
    wait_until(lambda: fake.calls("files.getUploadURLExternal"), 60, "the chart's upload")
    busy = wait_until(lambda: [w for w in Worker.all(connection=client)
                               if w.get_state() == "busy"], 10, "the busy worker")
    victim = next(p for p in workers if p.pid == busy[0].pid)
    victim.send_signal(signal.SIGKILL)
    killed_at = time.monotonic()
    victim.wait(timeout=10)
    fake.set_latency("files.getUploadURLExternal", 0)
    before = len(fake.calls())

    def rerun() -> bool:  # the re-run's first Slack call: the chart again, or a note
        return any(c.method in ("files.getUploadURLExternal", "response_url")
                   for c in fake.calls()[before:])

    wait_until(rerun, RERUN_BOUND_S + 15, "the killed worker's job to run again")
    took = time.monotonic() - killed_at
    time.sleep(3)  # a second re-run would show by now
    print(f"\nFIELD killed worker: job re-run after {took:.1f} s; {traffic.figures()}")
    assert took < RERUN_BOUND_S
    assert traffic.posts(channel) == 1  # the text once
    assert sum(c.method == "files.getUploadURLExternal" for c in fake.calls()[before:]) <= 1


def test_a_job_taken_off_the_queue_by_a_dying_worker_runs_within_30_s(
        redis_srv: RedisServer, procs: Processes, fake: FakeSlack, field_port: int):
    procs.serve(field_port, SMALLCAPS_WEB_WORKERS="0")
    traffic = Traffic(fake, field_port)
    assert traffic.send("gap 1y as-of 2024-03-01", 1, tag="stuck") == [200]
    client = redis.Redis(port=redis_srv.port)
    queue = Queue(QUEUE_NAME, connection=client)
    # what a worker does first when it takes a job, and all a worker killed then leaves
    assert client.lmove(queue.key, queue.intermediate_queue_key, "LEFT", "RIGHT")
    procs.spawn("worker", name="worker")
    wait_until(lambda: Worker.all(connection=client), 60, "the worker to start")
    started = time.monotonic()
    traffic.wait_answered(RERUN_BOUND_S + 30)
    took = time.monotonic() - started
    print(f"\nFIELD job left between queue and worker: answered {took:.1f} s after a worker "
          f"started; {traffic.figures()}")
    assert took < RERUN_BOUND_S
    assert traffic.figures()["duplicated"] == 0
