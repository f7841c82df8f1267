"""Scale-out figures (issue 14): `serve` as deployed, with the reply queue and workers.

Two ways to deploy, each measured against the baseline (the obvious bot: ack, then compute
and post in Bolt's listener thread) in the same run:
- web + workers: the web process only verifies, acks and enqueues (SMALLCAPS_WEB_WORKERS=0)
  and `bench.workerproc` processes (`smallcaps worker`) answer: one, or two (in turns, run
  by run, a second worker started and warmed up, then stopped);
- serve alone: the web process answers with its own 4 worker threads (the default);
- two web replicas (two such web processes) and one worker process, the requests of a burst
  sent to them alternately as a round-robin load balancer would: acks only.

For a command nobody asked before (market data cached, the answer not), the first visible
answer is when the fake Slack received the reply's `chat.postMessage` (the text), and the
complete reply when it received `files.completeUploadExternal` (the chart), both from when
the command was sent. Throughput: `throughput` distinct new commands sent at once, seconds
until the last complete reply.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bench.harness import DONE, ROOT, BotProcess, common_args, flush
from bench.slack_load import FAILED, REPLY_TIMEOUT_S, concurrent_acks, one_reply
from bench.slackproc import RemoteSlack

FIRST = "chat.postMessage"
"""The first visible answer: the reply's text."""
WARM_UP_COMMANDS = 3
"""New commands each worker answers before timing (first use of fonts, windows, sizes)."""


def unique_commands() -> Iterator[str]:
    """Gap commands never asked in this run (nor by slack_load.new_commands): weekly as-of
    dates going back from 2019-12-27, periods of 6 months to 5 years."""
    periods = ("1y", "3y", "2y", "5y", "6m", "18m")
    n = 0
    while True:
        as_of = date(2019, 12, 27) - timedelta(days=7 * n)
        yield f"gap {periods[n % len(periods)]} as-of {as_of.isoformat()}"
        n += 1


class Workers:
    """`bench.workerproc` processes on the run's Redis (started one at a time)."""

    def __init__(self, fake: RemoteSlack, data_dir: Path, redis_url: str | None,
                 state_dir: Path, prefix: str) -> None:
        self.args = common_args(fake, data_dir, redis_url, state_dir, prefix)
        self.procs: list[subprocess.Popen[str]] = []

    def add(self) -> None:
        """Start one more worker and wait until it takes jobs."""
        proc = subprocess.Popen([sys.executable, "-m", "bench.workerproc", *self.args],
                                cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                text=True)
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line or not json.loads(line).get("ready"):
            raise RuntimeError("bench.workerproc did not start")
        self.procs.append(proc)

    def remove(self) -> None:
        """Stop the last worker started (it finishes the job in hand, if any)."""
        proc = self.procs.pop()
        proc.terminate()
        proc.wait(timeout=30)

    def stop(self) -> None:
        for proc in self.procs:
            proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.procs.clear()

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def first_and_complete(bot: BotProcess, fake: RemoteSlack, text: str) -> tuple[float, float]:
    """Seconds from sending `text` (the only request in flight) to its text and to its
    complete reply."""
    fake.clear()
    sent, _, _ = bot.slash(text)
    fake.wait_count((DONE, FAILED), 1, REPLY_TIMEOUT_S)
    if fake.count(FAILED):
        raise RuntimeError(f"{bot.mode}: {text!r} was answered with an error")
    first, done = fake.arrivals(FIRST)[0], fake.arrivals(DONE)[0]
    fake.clear()
    return first - sent, done - sent


def replies(bot: BotProcess, fake: RemoteSlack, commands: Iterator[str],
            trials: int) -> dict[str, float]:
    """Median ms to the first visible answer and to the complete reply of new commands."""
    times = [first_and_complete(bot, fake, next(commands)) for _ in range(trials)]
    return {"first": statistics.median(t[0] for t in times) * 1000,
            "complete": statistics.median(t[1] for t in times) * 1000}


def throughput(bot: BotProcess, fake: RemoteSlack, commands: Iterator[str],
               count: int) -> float:
    """Seconds from sending `count` distinct new commands at once to the last complete
    reply."""
    fake.clear()
    results = bot.burst([next(commands) for _ in range(count)])
    fake.wait_count((DONE, FAILED), count, REPLY_TIMEOUT_S)
    if fake.count(FAILED):
        raise RuntimeError(f"{bot.mode}: {fake.count(FAILED)} of {count} commands failed")
    finished = max(fake.arrivals(DONE))
    fake.clear()
    return finished - min(sent for sent, _, _ in results)


def _median_runs(runs: int, measure: Callable[[], float]) -> float:
    return statistics.median(measure() for _ in range(runs))


def _acks(bot: BotProcess | list[BotProcess], fake: RemoteSlack, clients: int,
          runs: int) -> float:
    """Median over `runs` bursts of the ack p99 (ms) of `clients` identical commands (to a
    list of replicas: alternately)."""
    return _median_runs(runs, lambda: concurrent_acks(bot, fake, clients)["p99"])


def measure_scale(config: Any, fake: RemoteSlack, data_dir: Path, redis_client: Any,
                  redis_url: str | None, state_dir: Path) -> dict[str, Any]:
    """Every figure of section 5 (module docstring), ours and the baseline's."""
    prefix = f"smallcaps-bench:{uuid.uuid4().hex[:10]}:"
    commands = unique_commands()
    sizes = (config.concurrent_small, config.concurrent)
    out: dict[str, Any] = {"ours": {}, "serve": {}, "base": {}, "replicas": {}}
    ours, base = out["ours"], out["base"]
    bot_args = (fake, data_dir, redis_url, state_dir, prefix)
    with (BotProcess("queue", *bot_args, extra=("--web-workers", "0")) as web,
          BotProcess("obvious", *bot_args) as obvious,
          Workers(*bot_args) as workers):
        workers.add()
        for each in (web, obvious):
            each.slash("help")  # Bolt's one-off auth.test
            one_reply(each, fake, "gap 3y")  # market data cached; the acks' answer too
        for _ in range(WARM_UP_COMMANDS):
            one_reply(web, fake, next(commands))
        for clients in sizes:
            ours[f"ack_{clients}"] = _acks(web, fake, clients, config.runs)
            base[f"ack_{clients}"] = _acks(obvious, fake, clients, config.baseline_runs)
        with BotProcess("queue", *bot_args, extra=("--web-workers", "0")) as web2:
            web2.slash("help")
            one_reply(web2, fake, "gap 3y")
            for clients in sizes:
                out["replicas"][f"ack_{clients}"] = _acks([web, web2], fake, clients,
                                                          config.runs)
        ours.update(replies(web, fake, commands, config.reply_trials))
        base.update(replies(obvious, fake, commands, config.reply_trials))
        base["throughput"] = _median_runs(
            config.baseline_runs, lambda: throughput(obvious, fake, commands, config.throughput))
        one, two = [], []
        for _ in range(config.runs):  # in turns, so a change in the machine's load hits both
            one.append(throughput(web, fake, commands, config.throughput))
            workers.add()
            throughput(web, fake, commands, 2 * WARM_UP_COMMANDS)  # the new one's first uses
            two.append(throughput(web, fake, commands, config.throughput))
            workers.remove()
        ours["throughput_1"], ours["throughput_2"] = statistics.median(one), statistics.median(two)
    serve = out["serve"]
    with BotProcess("queue", *bot_args, extra=("--web-workers", "4")) as alone:
        alone.slash("help")
        one_reply(alone, fake, "gap 3y")
        for _ in range(WARM_UP_COMMANDS):
            one_reply(alone, fake, next(commands))
        for clients in sizes:
            serve[f"ack_{clients}"] = _acks(alone, fake, clients, config.runs)
        serve.update(replies(alone, fake, commands, config.reply_trials))
    flush(redis_client, prefix)
    return out
