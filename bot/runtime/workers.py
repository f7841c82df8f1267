"""Where replies are computed and posted: a small pool of its own, not Bolt's listener threads.

Bolt acks a slash command only once its listener has started on one of Bolt's five listener
threads. When listeners also computed and posted the report, a burst of commands queued
behind charts being drawn, and the 50th ack of a burst took 200-500 ms. Listeners now only
parse and ack, and hand the reply to this pool, so acks never wait behind reports; the pool
also bounds how many charts are drawn at once (CPU-bound work on a GIL).

Memory: a rendered chart is a web of reference cycles (figure, axes, artists) worth a few MB
that only the cyclic garbage collector frees, and it runs rarely in a big process; RSS crept
up by 50+ MB. A server freezes its start-up objects (`freeze_startup_objects`), after which
`collect_after_render` (called once a report has been computed) takes about 3 ms.
glibc also gives each thread that allocates its own malloc arena, and memory freed in one is
not reused by another: with ~25 threads (waitress, Bolt, this pool) the bot's RSS kept
growing by ~12 MB per 400 commands; two arenas stop that (`limit_malloc_arenas`).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_for
from typing import Any

logger = logging.getLogger(__name__)

REPLY_WORKERS = 4
"""Replies in progress at once: enough to overlap Slack and Redis round trips, few enough
that charts (CPU-bound) do not thrash two cores."""


M_ARENA_MAX = -8  # glibc's mallopt() parameter number (malloc.h)


def limit_malloc_arenas(arenas: int = 2) -> bool:
    """Cap glibc's malloc arenas, as MALLOC_ARENA_MAX=2 would; True if it took effect. Call it
    first thing in the process: glibc fixes the cap when a second thread first allocates.
    A no-op where the C library is not glibc."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
        return bool(libc and libc.mallopt(M_ARENA_MAX, arenas) == 1)
    except (OSError, AttributeError):
        return False


def freeze_startup_objects() -> None:
    """Collect, then move every object alive now (modules, the app) to the permanent
    generation: later collections walk only what requests allocate (~3 ms, not ~50 ms)."""
    gc.collect()
    gc.freeze()


def collect_after_render() -> None:
    """Free a rendered chart's reference cycles now, in a server (start-up objects frozen);
    elsewhere (CLI, tests) a full collection would cost ~50 ms, so Python's own GC decides."""
    if gc.get_freeze_count():
        gc.collect()


class ReplyPool:
    """Runs reply jobs in worker threads; a job that raises is logged, never lost silently."""

    def __init__(self, workers: int = REPLY_WORKERS) -> None:
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="reply")
        self._pending: set[Future[None]] = set()
        self._lock = threading.Lock()

    def submit(self, job: Callable[..., Any], *args: Any) -> Future[None]:
        future = self._executor.submit(self._run, job, args)
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._done)
        return future

    def _done(self, future: Future[None]) -> None:
        with self._lock:
            self._pending.discard(future)

    def drain(self, timeout_s: float) -> int:
        """Take no new jobs; wait up to `timeout_s` seconds for those submitted to finish.
        Returns how many had not finished (0: every acked reply was answered)."""
        with self._lock:
            pending = set(self._pending)
        self._executor.shutdown(wait=False)
        _, not_done = wait_for(pending, timeout=timeout_s)
        return len(not_done)

    @staticmethod
    def _run(job: Callable[..., Any], args: tuple[Any, ...]) -> None:
        try:
            job(*args)
        except Exception:
            name = getattr(getattr(job, "func", job), "__name__", type(job).__name__)
            logger.exception("reply job %s failed", name)

    def shutdown(self, wait: bool = True) -> None:
        self._executor.shutdown(wait=wait)
