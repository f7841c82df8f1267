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
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

logger = logging.getLogger(__name__)

REPLY_WORKERS = 4
"""Replies in progress at once: enough to overlap Slack and Redis round trips, few enough
that charts (CPU-bound) do not thrash two cores."""


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

    def submit(self, job: Callable[..., Any], *args: Any) -> Future[None]:
        return self._executor.submit(self._run, job, args)

    @staticmethod
    def _run(job: Callable[..., Any], args: tuple[Any, ...]) -> None:
        try:
            job(*args)
        except Exception:
            logger.exception("reply job %s failed", getattr(job, "__name__", job))

    def shutdown(self, wait: bool = True) -> None:
        self._executor.shutdown(wait=wait)
