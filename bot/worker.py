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
leaves its job in RQ's started registry; its entry expires within 10 s and another worker's
maintenance re-queues it (bot.runtime.reply_worker: about 10-20 s after the kill), and the
delivery record keeps it from posting twice. A worker that ends on a Redis error (a restart,
a read-only replica, a full Redis) is replaced after a short pause (`supervised`), in a
`smallcaps worker` process and in `serve`'s threads alike.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import uuid

from rq import Queue, SimpleWorker

from bot.listeners import jobs
from bot.runtime.deps import Deps, worker_deps
from bot.runtime.health import warn_if_evictable
from bot.runtime.jobs import QUEUE_NAME
from bot.runtime.reply_worker import (
    MAINTENANCE_S,
    WORKER_TTL_S,
    ReplyWorker,
    ThreadWorker,
    supervised,
    worker_connection,
)

logger = logging.getLogger(__name__)

LEGACY_JOB_MODULES = ("handlers.reply_jobs",)
"""Where releases before bot/listeners/ put the job function (RQ stores it by name): a job
such a release queued just before an upgrade is still run, not failed as unimportable."""
for _legacy in LEGACY_JOB_MODULES:
    sys.modules.setdefault(_legacy, jobs)


def make_worker(deps: Deps, *, thread: bool, name: str | None = None) -> SimpleWorker:
    """An RQ worker on the reply queue of `deps`' Redis."""
    if deps.cache.client is None:
        raise RuntimeError("the reply queue needs Redis")
    connection = worker_connection(deps.cache.client)
    cls = ThreadWorker if thread else ReplyWorker
    return cls([Queue(QUEUE_NAME, connection=connection)], connection=connection,
               name=name or f"smallcaps-{uuid.uuid4().hex[:8]}",
               maintenance_interval=MAINTENANCE_S, worker_ttl=WORKER_TTL_S,
               log_job_description=False)


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


def asked_to_stop(worker: SimpleWorker) -> bool:
    """True when SIGTERM/SIGINT asked `worker` to stop (RQ notes the time of the request;
    an idle worker ends its loop without setting `_stop_requested`)."""
    return bool(worker._stop_requested or worker._shutdown_requested_date is not None)


def run_worker(deps: Deps, burst: bool = False) -> bool:
    """Take reply jobs until SIGTERM/SIGINT (or, with `burst`, until the queue is empty);
    a worker that ends on a Redis error is replaced (`supervised`). True if any job ran."""
    if burst:
        return process_worker(deps).work(burst=True, logging_level="INFO")
    ran: list[bool] = []
    warn_if_evictable(deps.cache.client)
    worker_deps.set(deps)
    lower_priority(deps.settings.smallcaps_worker_nice, thread=False)

    def make() -> SimpleWorker:  # inside the supervision: Redis may be down at the start
        return make_worker(deps, thread=False)

    stop = threading.Event()

    def pause(seconds: float) -> bool:
        """Wait between workers; True when SIGTERM/SIGINT came meanwhile (the next worker's
        `work()` installs RQ's own handlers again)."""
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        return stop.wait(seconds)

    supervised(make, lambda w: ran.append(w.work(logging_level="INFO")),
               asked_to_stop, pause)
    return any(ran)


class WorkerThreads:
    """`count` RQ workers in daemon threads of this process (serve's in-process workers),
    each `supervised`: one that ends on an error is replaced after a pause."""

    def __init__(self, deps: Deps, count: int) -> None:
        self.deps = deps
        self.configured = count
        self.workers: list[SimpleWorker | None] = [None] * count
        self._running = [False] * count
        self._stop = threading.Event()
        self.threads = [threading.Thread(target=self._run, args=(i,), daemon=True,
                                         name=f"reply-worker-{i}") for i in range(count)]

    def _run(self, index: int) -> None:
        worker_deps.set(self.deps)
        lower_priority(self.deps.settings.smallcaps_worker_nice, thread=True)

        def make() -> SimpleWorker:
            self.workers[index] = worker = make_worker(self.deps, thread=True)
            if self._stop.is_set():
                worker.stop_after_current_job()  # type: ignore[attr-defined]
            return worker

        def state(running: bool) -> None:
            self._running[index] = running

        supervised(make, lambda w: w.work(logging_level="WARNING"),
                   lambda w: self._stop.is_set(), self._stop.wait, state)

    def counts(self) -> tuple[int, int]:
        """(workers working now, workers configured): /healthz compares them."""
        return sum(self._running), self.configured

    def start(self) -> WorkerThreads:
        for thread in self.threads:
            thread.start()
        return self

    def stop(self, timeout_s: float) -> int:
        """Finish the jobs in hand (up to `timeout_s` in all), take no more; returns how
        many workers were still busy (their jobs are re-queued once their entries expire)."""
        self._stop.set()
        for worker in self.workers:
            if worker is not None:
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
            # close the connection of a stopped worker: it holds the server open
            if worker is not None and not thread.is_alive():
                worker.connection.connection_pool.disconnect()
        return busy
