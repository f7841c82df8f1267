"""The RQ worker that runs reply jobs, and the supervision that keeps one running.

RQ 3.0's defaults suit long batch jobs, not replies a user waits for: a non-forking worker
sends no heartbeat while it runs a job, its entry in the started registry lasts the job's
timeout + 60 s, an idle worker blocks on the queue for `worker_ttl - 15` = 405 s, and
maintenance (which re-queues the jobs of dead workers) runs every 600 s, only between those
waits. A job whose worker was killed with -9 waited minutes (7 in one trial). Here:

- while a job runs, a timer thread renews its started-registry entry every HEARTBEAT_EVERY_S
  for HEARTBEAT_TTL_S, so the entry of a dead worker's job expires within HEARTBEAT_TTL_S;
- every worker waits on the queue in slices of `WORKER_TTL_S - 15` = 2 s and runs
  maintenance (one worker per MAINTENANCE_S, under RQ's lock) between slices;

so a killed worker's job is re-queued (JOB_RETRIES) about 10-20 s after the kill, and the
delivery record (bot.runtime.jobs) keeps the re-run from posting twice. A job a worker took
off the queue but never started (it died, or Redis failed, in between) waits in RQ's
intermediate list; `requeue_stuck` retries it after STUCK_AFTER_S (RQ waits a minute).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import redis
from rq import SimpleWorker
from rq.exceptions import StopRequested
from rq.timeouts import TimerDeathPenalty

from bot.runtime.cache import CacheErrors
from bot.runtime.metrics import WORKER_RESTARTS

logger = logging.getLogger(__name__)

WORKER_TTL_S = 17
"""Workers block on the queue for at most TTL - 15 = 2 s, so they run maintenance and notice
a stop request within 2 s."""
MAINTENANCE_S = 5
"""How often some worker looks for jobs of dead workers to re-queue."""
HEARTBEAT_TTL_S = 10
"""How long a running job's started-registry entry lives without a heartbeat."""
HEARTBEAT_EVERY_S = 3.0
STUCK_AFTER_S = 10
"""A job taken off the queue (RQ moves it to an intermediate list first) that never reached
the started registry, because Redis failed or the worker died in between, is re-queued
after this long (RQ's own rule waits a minute)."""
RESTART_BACKOFF_S = (1.0, 2.0, 4.0, 8.0, 15.0)
"""Pauses before restarting a worker that stopped on an error (then the last, repeated)."""


def worker_connection(client: redis.Redis) -> redis.Redis:
    """A connection of its own for a worker: RQ raises the socket timeout of the connection
    it is given above its blocking dequeue time, which must not change the cache's client
    (2 s timeouts, bot.runtime.cache)."""
    pool = client.connection_pool
    kwargs = {k: v for k, v in pool.connection_kwargs.items()
              if k not in ("socket_timeout", "retry")}
    return redis.Redis(connection_pool=pool.__class__(connection_class=pool.connection_class,
                                                      **kwargs))


class ReplyWorker(SimpleWorker):
    """A SimpleWorker whose running job has a heartbeat (module docstring)."""

    def get_heartbeat_ttl(self, job: Any, working_time: float = 0.0) -> int:
        return HEARTBEAT_TTL_S

    def execute_job(self, job: Any, queue: Any) -> None:
        """Run `job` here, renewing its started-registry entry until it ends."""
        done = threading.Event()

        def beat() -> None:
            while not done.wait(HEARTBEAT_EVERY_S):
                execution = self.execution
                if execution is None:
                    continue
                try:
                    self.maintain_heartbeats(job, execution)
                except CacheErrors:
                    logger.warning("could not renew the heartbeat of job %s", job.id)

        timer = threading.Thread(target=beat, name=f"heartbeat-{self.name}", daemon=True)
        timer.start()
        try:
            super().execute_job(job, queue)
        finally:
            done.set()


    def clean_registries(self) -> None:
        """RQ's maintenance, then `requeue_stuck` under a lock of its own."""
        super().clean_registries()
        for queue in self.queues:
            lock = f"{queue.key}:stuck-check"
            if self.connection.set(lock, 1, nx=True, ex=max(1, MAINTENANCE_S - 1)):
                requeue_stuck(self, queue)


def requeue_stuck(worker: SimpleWorker, queue: Any, after_s: float = STUCK_AFTER_S) -> int:
    """Retry the jobs of `queue`'s intermediate list that are not running and were first
    seen there more than `after_s` ago (RQ's IntermediateQueue.cleanup, with a shorter wait);
    returns how many. A retried job's delivery record keeps it from posting twice."""
    stuck = queue.intermediate_queue
    retried = 0
    for job_id in stuck.get_job_ids():
        if job_id in queue.started_job_registry:
            continue
        job = queue.fetch_job(job_id)
        if job is None:
            stuck.remove(job_id)
            continue
        if stuck.set_first_seen(job_id):
            continue
        first = stuck.get_first_seen(job_id)
        if first is not None and time.time() - first.timestamp() > after_s:
            logger.warning("job %s was taken off the queue and never ran; retrying it", job_id)
            worker.handle_job_failure(job, queue, exc_string="stuck between queue and worker")
            stuck.remove(job_id)
            retried += 1
    return retried


class ThreadWorker(ReplyWorker):
    """A ReplyWorker that can run in a thread: timeouts by timer, not SIGALRM, and the
    process's own signal handling (serve's) stops it."""

    death_penalty_class = TimerDeathPenalty

    def _install_signal_handlers(self) -> None:
        pass

    def stop_after_current_job(self) -> None:
        """Finish the job in hand, then leave `work()`."""
        self._stop_requested = True

    def dequeue_job_and_maintain_ttl(self, timeout: int | None,
                                     max_idle_time: int | None = None) -> Any:
        """Wait for a job in slices of `timeout`, checking for a stop request between them
        (RQ's own way, a signal, only reaches the main thread). A job once taken is run."""
        while True:
            if self._stop_requested:
                raise StopRequested()
            result = super().dequeue_job_and_maintain_ttl(timeout, max_idle_time=timeout)
            if result is not None:
                return result


RESTART_BACKOFF_S = (1.0, 2.0, 4.0, 8.0, 15.0)
"""Pauses before restarting a worker that stopped on an error (then the last, repeated)."""


def supervised(make: Callable[[], SimpleWorker], work: Callable[[SimpleWorker], Any],
               stopping: Callable[[SimpleWorker], bool], wait: Callable[[float], bool],
               on_state: Callable[[bool], None] = lambda running: None) -> None:
    """Run `work(worker)` on a worker from `make()`, again and again, until `stopping(worker)`
    says the worker was asked to stop or `wait(pause)` returns True (stop during the pause).

    RQ's `Worker.work()` returns (or raises) on Redis errors met outside its dequeue loop
    (registering, maintenance, a job's bookkeeping): a read-only replica, a full Redis, a
    restart at the wrong moment. A worker that ends then is gone for good, and acked
    commands wait in the queue unanswered, so each end that was not asked for is logged,
    counted (smallcaps_reply_worker_restarts_total) and followed by a fresh worker after a
    pause that grows with consecutive failures (RESTART_BACKOFF_S; a run of a minute resets
    it). `on_state(True/False)` reports when a worker starts and stops working."""
    failures = 0
    while True:
        started = time.monotonic()
        worker: SimpleWorker | None = None
        try:
            worker = make()
            on_state(True)
            work(worker)
        except Exception:  # noqa: BLE001 - logged; restarted below
            logger.exception("reply worker %s stopped on an error",
                             worker.name if worker else "(not started)")
        finally:
            on_state(False)
        if worker is not None and stopping(worker):
            return
        failures = 1 if time.monotonic() - started > 60 else failures + 1
        pause = RESTART_BACKOFF_S[min(failures, len(RESTART_BACKOFF_S)) - 1]
        WORKER_RESTARTS.inc()
        logger.warning("reply worker ended unasked; starting a new one in %.0f s", pause)
        if wait(pause):
            return
