"""The terminal as a client: `smallcaps gap 3y` as a whole process, on a warm cache.

Each figure is the median of `runs` complete processes (start, imports, Redis, the report
from the cache, the printed summary, exit), after one run that fills the cache. It runs on
the embedded Redis of a state folder of its own, as on a laptop (no REDIS_URL): once with
nothing running, so each command starts the embedded server and stops it at exit, and once
with a server already running (a `serve` or `worker` on the same machine), which each command
joins. `python -c pass` is the floor: the interpreter starting and exiting.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.harness import ROOT

COMMAND = ("gap", "3y")


def _command() -> list[str]:
    """The `smallcaps` console script next to this interpreter (what a user runs), else
    `python -m bot.cli`."""
    script = Path(sys.executable).with_name("smallcaps")
    prefix = [str(script)] if script.is_file() else [sys.executable, "-m", "bot.cli"]
    return [*prefix, *COMMAND]


def _seconds(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {done.returncode}: {done.stderr[-500:]}")
    return elapsed


def _median_ms(runs: int, argv: list[str], env: dict[str, str]) -> float:
    return statistics.median(_seconds(argv, env) for _ in range(runs)) * 1000


def terminal_times(data_dir: Path, runs: int) -> dict[str, float]:
    """Median ms of `smallcaps gap 3y` without and with a running embedded Redis, and of
    `python -c pass` (module docstring)."""
    from bot.runtime.cache import client_options
    from bot.runtime.embedded import EmbeddedRedis

    state = Path(tempfile.mkdtemp(prefix="smallcaps-bench-cli-"))
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env.update(SMALLCAPS_STATE_DIR=str(state), SMALLCAPS_DATA_DIR=str(data_dir))
    argv = _command()
    try:
        _seconds(argv, env)  # fills the cache: prices and this answer
        alone = _median_ms(runs, argv, env)
        server = EmbeddedRedis(state, **client_options())
        server.client.ping()  # holds a connection, as serve's workers and supervisor do
        try:
            joined = _median_ms(runs, argv, env)
        finally:
            server.close()
        floor = _median_ms(runs, [sys.executable, "-c", "pass"], env)
    finally:
        shutil.rmtree(state, ignore_errors=True)
    return {"alone": alone, "joined": joined, "python": floor}
