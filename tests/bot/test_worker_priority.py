"""Reply workers run at a lower CPU priority than the web process (SMALLCAPS_WORKER_NICE)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import pytest

from bot.worker import lower_priority

MAX_NICE = 19
"""Unix clamps niceness here (a run already at 19 stays at 19)."""
linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="per-thread priorities are a Linux feature")


@linux_only
def test_a_worker_thread_is_lowered_and_the_rest_of_the_process_is_not():
    before = os.getpriority(os.PRIO_PROCESS, 0)
    seen: dict[str, object] = {}

    def worker() -> None:
        seen["lowered"] = lower_priority(5, thread=True)
        seen["thread"] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert seen == {"lowered": True, "thread": min(before + 5, MAX_NICE)}
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == before
    assert os.getpriority(os.PRIO_PROCESS, 0) == before


def test_a_worker_process_is_lowered_and_zero_leaves_it_alone():
    code = ("import os; from bot.worker import lower_priority; b = os.getpriority("
            "os.PRIO_PROCESS, 0); z = lower_priority(0, thread=False); "
            "l = lower_priority(3, thread=False); "
            "print(b, z, l, os.getpriority(os.PRIO_PROCESS, 0))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=60).stdout.split()
    before = int(out[0])
    assert out[1:] == ["False", "True", str(min(before + 3, MAX_NICE))]
