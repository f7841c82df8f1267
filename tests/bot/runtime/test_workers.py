"""The reply pool runs jobs off the caller's thread and never loses a failure silently."""

from __future__ import annotations

import logging
import threading

from bot.runtime.workers import ReplyPool


def test_jobs_run_in_pool_threads_with_their_arguments():
    pool = ReplyPool(workers=2)
    seen: list[tuple[str, int]] = []
    done = threading.Event()

    def job(value: int) -> None:
        seen.append((threading.current_thread().name, value))
        done.set()

    pool.submit(job, 7).result(timeout=5)
    pool.shutdown()
    assert done.is_set() and seen[0][1] == 7
    assert seen[0][0].startswith("reply") and seen[0][0] != threading.current_thread().name


def test_a_failing_job_is_logged_with_its_traceback(caplog):
    pool = ReplyPool(workers=1)

    def broken() -> None:
        raise RuntimeError("boom")

    with caplog.at_level(logging.ERROR, logger="bot.runtime.workers"):
        pool.submit(broken).result(timeout=5)  # the pool swallows it: nothing raised here
    pool.shutdown()
    [record] = [r for r in caplog.records if r.name == "bot.runtime.workers"]
    assert "broken" in record.getMessage() and record.exc_info[1].args == ("boom",)
