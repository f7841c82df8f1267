"""`smallcaps worker`, and the worker threads `serve` runs in-process: RQ workers for replies.

A worker takes reply jobs from the queue on the bot's Redis (bot.runtime.jobs), computes,
renders and posts them. Run any number of `smallcaps worker` processes on any machines that
share the Redis; `serve` also runs SMALLCAPS_WEB_WORKERS worker threads itself (default 4; 0 makes
the web process only ack and enqueue), so one machine still needs only `serve` and
`scheduler`. Workers are RQ's non-forking SimpleWorker (bot.runtime.jobs says why): the price and
chart caches stay warm between jobs.

Stopping: `smallcaps worker` on SIGTERM finishes the job in hand and exits (RQ's warm
shutdown); in `serve`, `WorkerThreads.stop()` does the same within the grace period. Jobs
still queued stay in Redis for the other workers or the next start. A worker killed mid-job
leaves its job in RQ's started registry; once that entry expires, any worker's maintenance
re-queues it (JOB_RETRIES) and the delivery record keeps it from posting twice.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import uuid
from typing import Any

import redis
from rq import Queue, SimpleWorker
from rq.exceptions import StopRequested
from rq.timeouts import TimerDeathPenalty

from bot.runtime.deps import Deps, worker_deps
from bot.runtime.jobs import QUEUE_NAME

logger = logging.getLogger(__name__)

THREAD_WORKER_TTL_S = 17
"""In-process workers block on the queue for at most TTL - 15 s, so they notice a stop
request within 2 s."""
MAINTENANCE_S = 30
"""How often some worker looks for jobs of dead workers to re-queue."""


def worker_connection(client: redis.Redis) -> redis.Redis:
    """A connection of its own for a worker: RQ raises the socket timeout of the connection
    it is given above its blocking dequeue time, which must not change the cache's client
    (2 s timeouts, bot.runtime.cache)."""
    pool = client.connection_pool
    kwargs = {k: v for k, v in pool.connection_kwargs.items()
              if k not in ("socket_timeout", "retry")}
    return redis.Redis(connection_pool=pool.__class__(connection_class=pool.connection_class,
                                                      **kwargs))


class ThreadWorker(SimpleWorker):
    """A SimpleWorker that can run in a thread: timeouts by timer, not SIGALRM, and the
    process's own signal handling (serve's) stops it."""

    death_penalty_class = TimerDeathPenalty

    def _install_signal_handlers(self) -> None:
        pass

    def stop_after_current_job(self) -> None:
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


def make_worker(deps: Deps, *, thread: bool, name: str | None = None) -> SimpleWorker:
    """An RQ worker on the reply queue of `deps`' Redis."""
    if deps.cache.client is None:
        raise RuntimeError("the reply queue needs Redis")
    connection = worker_connection(deps.cache.client)
    cls = ThreadWorker if thread else SimpleWorker
    options: dict[str, Any] = {"maintenance_interval": MAINTENANCE_S}
    if thread:
        options["worker_ttl"] = THREAD_WORKER_TTL_S
    return cls([Queue(QUEUE_NAME, connection=connection)], connection=connection,
               name=name or f"smallcaps-{uuid.uuid4().hex[:8]}", **options)


def lower_priority(nice: int, *, thread: bool) -> bool:
    """Make the calling worker `nice` steps kinder on the CPU (SMALLCAPS_WORKER_NICE), so the
    web process's acks come first when both share cores. `thread`: only this thread (Linux
    gives each thread its own priority; elsewhere a thread is left as it is, since the call
    would slow the whole web process). True if the priority was lowered."""
    if nice <= 0 or not hasattr(os, "setpriority"):
        return False
    if thread and not sys.platform.startswith("linux"):
        return False
    who = threading.get_native_id() if thread else 0
    try:
        os.setpriority(os.PRIO_PROCESS, who, os.getpriority(os.PRIO_PROCESS, who) + nice)
    except OSError:  # a container may forbid it: work at the same priority
        logger.warning("could not lower the reply worker's CPU priority", exc_info=True)
        return False
    return True


def process_worker(deps: Deps) -> SimpleWorker:
    """This process as a reply worker: its jobs see `deps`, it runs at the lower CPU
    priority (SMALLCAPS_WORKER_NICE), and the returned RQ worker is ready to `work()`."""
    worker_deps.set(deps)
    lower_priority(deps.settings.smallcaps_worker_nice, thread=False)
    return make_worker(deps, thread=False)


def run_worker(deps: Deps, burst: bool = False) -> bool:
    """Take reply jobs until SIGTERM/SIGINT (or, with `burst`, until the queue is empty);
    True if any job ran."""
    return process_worker(deps).work(burst=burst, logging_level="INFO")


class WorkerThreads:
    """`count` RQ workers in daemon threads of this process (serve's in-process workers)."""

    def __init__(self, deps: Deps, count: int) -> None:
        self.workers = [make_worker(deps, thread=True) for _ in range(count)]
        self.threads = [threading.Thread(target=self._run, args=(deps, w), daemon=True,
                                         name=f"reply-worker-{i}")
                        for i, w in enumerate(self.workers)]

    @staticmethod
    def _run(deps: Deps, worker: SimpleWorker) -> None:
        worker_deps.set(deps)
        lower_priority(deps.settings.smallcaps_worker_nice, thread=True)
        try:
            worker.work(logging_level="WARNING")
        except Exception:  # noqa: BLE001 - logged; the others keep working
            logger.exception("reply worker %s stopped", worker.name)

    def start(self) -> WorkerThreads:
        for thread in self.threads:
            thread.start()
        return self

    def stop(self, timeout_s: float) -> int:
        """Finish the jobs in hand (up to `timeout_s` in all), take no more; returns how
        many workers were still busy (their jobs are re-queued once their entries expire)."""
        for worker in self.workers:
            worker.stop_after_current_job()  # type: ignore[attr-defined]
        deadline = threading.Event()
        timer = threading.Timer(timeout_s, deadline.set)
        timer.start()
        for thread in self.threads:
            while thread.is_alive() and not deadline.is_set():
                thread.join(0.1)
        timer.cancel()
        busy = sum(thread.is_alive() for thread in self.threads)
        for worker, thread in zip(self.workers, self.threads, strict=True):
            if not thread.is_alive():  # close its connection: it holds the server open
                worker.connection.connection_pool.disconnect()
        return busy
